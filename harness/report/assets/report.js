// Draws the report's trend charts with uPlot (inlined before this script) from the JSON in
// #trend-data: one chart per series, with the baseline band, change points, the SLA when it is
// in view, and this run's point ringed. Sets data-rendered on each chart once it is drawn.
(function () {
  "use strict";
  var COLOURS = {
    value: "#1f5fa8",
    band: "rgba(31, 95, 168, 0.14)",
    median: "rgba(31, 95, 168, 0.55)",
    failed: "#c62828",
    change: "#b26a00",
    sla: "#6a1b9a",
    current: "#111111",
    regressed: "#c62828",
  };
  var SUFFIX = { seconds: " s", milliseconds: " ms", percent: " %", count: "", ratio: "" };

  function fmt(value, unit) {
    if (value === null || value === undefined) return "-";
    var v = unit === "ratio" ? value * 100 : value;
    var abs = Math.abs(v);
    var text = abs >= 1000 ? Math.round(v).toLocaleString("en") : Number(v.toPrecision(3)).toString();
    if (unit === "usd") return "$" + text;
    if (unit === "ratio") return text + " %";
    return text + (unit in SUFFIX ? SUFFIX[unit] : " " + unit);
  }

  function lastIndex(values) {
    for (var i = values.length - 1; i >= 0; i--) if (values[i] !== null) return i;
    return -1;
  }

  function drawMarks(chart) {
    return function (u) {
      var ctx = u.ctx, dpr = devicePixelRatio || 1, box = u.bbox;
      ctx.save();
      ctx.font = 11 * dpr + "px system-ui, sans-serif";
      ctx.textBaseline = "alphabetic";
      chart.changes.forEach(function (change) {
        var x = Math.round(u.valToPos(change.index - 0.5, "x", true));
        ctx.strokeStyle = COLOURS.change;
        ctx.lineWidth = 2 * dpr;
        ctx.setLineDash([6 * dpr, 4 * dpr]);
        ctx.beginPath();
        ctx.moveTo(x, box.top);
        ctx.lineTo(x, box.top + box.height);
        ctx.stroke();
        ctx.fillStyle = COLOURS.change;
        // Beside the line, on whichever side has room for the label.
        var room = box.left + box.width - x > ctx.measureText(change.label).width + 8 * dpr;
        ctx.textAlign = room ? "left" : "right";
        ctx.fillText(change.label, x + (room ? 4 : -4) * dpr, box.top + 12 * dpr);
      });
      var scale = u.scales.y;
      if (chart.sla !== null && chart.sla >= scale.min && chart.sla <= scale.max) {
        var y = Math.round(u.valToPos(chart.sla, "y", true));
        ctx.strokeStyle = COLOURS.sla;
        ctx.lineWidth = 1 * dpr;
        ctx.setLineDash([2 * dpr, 3 * dpr]);
        ctx.beginPath();
        ctx.moveTo(box.left, y);
        ctx.lineTo(box.left + box.width, y);
        ctx.stroke();
        ctx.fillStyle = COLOURS.sla;
        ctx.textAlign = "left";
        ctx.fillText("SLA " + fmt(chart.sla, chart.unit), box.left + 4 * dpr, y - 4 * dpr);
      }
      ctx.restore();
    };
  }

  function readout(chart, element) {
    return function (u) {
      var i = u.cursor.idx;
      if (i === null || i === undefined) {
        element.textContent = "";
        return;
      }
      var value = chart.value[i] !== null ? chart.value[i] : chart.failed[i];
      var text = chart.labels[i] + " · run " + chart.runIds[i] + ": " + fmt(value, chart.unit);
      if (chart.failed[i] !== null) text += " (did not pass)";
      if (chart.median[i] !== null) {
        text += " · baseline " + fmt(chart.median[i], chart.unit) + " [" +
          fmt(chart.low[i], chart.unit) + " … " + fmt(chart.high[i], chart.unit) + "]";
      }
      element.textContent = text;
    };
  }

  function build(chart, element) {
    var n = chart.runIds.length;
    var xs = chart.runIds.map(function (_, i) { return i; });
    var current = xs.map(function () { return null; });
    var last = n - 1;
    current[last] = chart.value[last] !== null ? chart.value[last] : chart.failed[last];
    var ring = chart.regressed ? COLOURS.regressed : COLOURS.current;
    var out = document.createElement("div");
    out.className = "readout";
    element.parentNode.insertBefore(out, element.nextSibling);
    var options = {
      width: Math.max(element.clientWidth, 280),
      height: 200,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 7 } },
      scales: {
        x: { time: false, range: function () { return [-0.5, Math.max(n - 0.5, 0.5)]; } },
        // A ratio (success rate) stays within 0-100 % however flat it is.
        y: chart.unit === "ratio" ? { range: function (u, min, max) {
          return [Math.max(0, Math.min(min, 0.9) - 0.05), Math.max(max, 1)];
        } } : {},
      },
      series: [
        {},
        { label: "band low", stroke: "transparent", width: 0, points: { show: false }, spanGaps: false },
        { label: "band high", stroke: "transparent", width: 0, points: { show: false }, spanGaps: false },
        { label: "baseline median", stroke: COLOURS.median, width: 1, dash: [4, 3], points: { show: false } },
        { label: "value", stroke: COLOURS.value, width: 2, spanGaps: true,
          points: { show: true, size: 5, fill: COLOURS.value, stroke: COLOURS.value } },
        { label: "did not pass", stroke: COLOURS.failed, width: 0, paths: function () { return null; },
          points: { show: true, size: 8, fill: COLOURS.failed, stroke: COLOURS.failed } },
        { label: "this run", stroke: ring, width: 0, paths: function () { return null; },
          points: { show: true, size: 12, width: 2.5, fill: "transparent", stroke: ring } },
      ],
      bands: [{ series: [2, 1], fill: COLOURS.band }],
      axes: [
        {
          incrs: [1, 2, 5, 10, 20, 50, 100],
          space: 70,
          values: function (u, splits) {
            return splits.map(function (i) { return Number.isInteger(i) && chart.labels[i] ? chart.labels[i] : ""; });
          },
        },
        {
          size: 72,
          values: function (u, splits) { return splits.map(function (v) { return fmt(v, chart.unit); }); },
        },
      ],
      hooks: { draw: [drawMarks(chart)], setCursor: [readout(chart, out)] },
    };
    var data = [xs, chart.low, chart.high, chart.median, chart.value, chart.failed, current];
    new uPlot(options, data, element);
    var drawn = chart.value.concat(chart.failed).filter(function (v) { return v !== null; }).length;
    element.setAttribute("data-rendered", String(drawn));
    element.setAttribute("data-band-points", String(chart.median.filter(function (v) { return v !== null; }).length));
    element.setAttribute("data-change-points", String(chart.changes.length));
    return lastIndex(chart.value) >= 0 || lastIndex(chart.failed) >= 0;
  }

  function main() {
    var source = document.getElementById("trend-data");
    var charts = JSON.parse(source.textContent);
    var done = 0;
    charts.forEach(function (chart) {
      var element = document.querySelector('[data-chart="' + chart.id + '"]');
      if (!element) return;
      try {
        if (build(chart, element)) done += 1;
      } catch (error) {
        element.setAttribute("data-error", String(error));
        element.textContent = "This chart could not be drawn: " + error + " (its values are below).";
      }
    });
    document.body.setAttribute("data-charts-rendered", String(done));
  }

  if (typeof uPlot === "undefined") {
    document.body.setAttribute("data-charts-rendered", "0");
    return;
  }
  main();
})();
