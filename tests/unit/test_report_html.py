"""The HTML report on literal runs: self-contained, says the verdict and why, shows every
regression's state and evidence, escapes what it shows, and carries each chart's data."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from harness.judge.summary import verdict_reason
from harness.report.html import ReportInput, render_html
from harness.report.location import local_location
from harness.report.trends import trend_series
from harness.wire import (
    AlertDelivery,
    AlertReport,
    MutedRegression,
    Regression,
    RegressionReport,
    RunSummary,
    Severity,
    Status,
)
from tests.report_history import history, result, summary

NOW = datetime(2026, 11, 25, 7, tzinfo=UTC)
KEY = "webordinary-staging/cold-start/cold_start_seconds"


def regression(**fields: Any) -> Regression:
    base: dict[str, Any] = {
        "key": KEY,
        "target": "webordinary-staging",
        "scenario": "cold-start",
        "metric": "cold_start_seconds",
        "unit": "seconds",
        "current": 1.9,
        "baseline": 1.2,
        "changeRatio": 1.58,
        "severity": Severity.MEDIUM,
        "message": "cold start rose from 1.20 s to 1.90 s",
        "evidence": "robust z 9.1 >= 3.5 (n=20)",
    }
    return Regression.model_validate({**base, **fields})


def render(
    current: RunSummary,
    earlier: list[RunSummary],
    regressions: RegressionReport | None = None,
    alerts: AlertReport | None = None,
) -> str:
    return render_html(
        ReportInput(
            summary=current,
            verdict=current.verdict,
            verdict_reason=verdict_reason(current),
            regressions=regressions,
            trends=trend_series(current, earlier),
            location=local_location(current.run_id, Path("/tmp/state")),
            generated_at=NOW,
            alerts=alerts,
        )
    )


class Resources(HTMLParser):
    """Collects everything that could make a browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.fetches: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "img", "iframe", "link", "source", "video", "audio", "embed"):
            for name in ("src", "href", "srcset", "data"):
                if values.get(name):
                    self.fetches.append(f"{tag} {name}={values[name]}")
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def chart_data(page: str) -> list[dict[str, Any]]:
    match = re.search(r'<script type="application/json" id="trend-data">(.*?)</script>', page, re.S)
    assert match is not None
    data: list[dict[str, Any]] = json.loads(match.group(1))
    return data


def test_the_page_needs_no_network() -> None:
    runs = history()
    page = render(runs[-1], runs[:-1])
    parser = Resources()
    parser.feed(page)
    assert parser.fetches == []
    assert "@import" not in page and "url(" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert any("uPlot" in script for script in parser.scripts)  # the chart library, inline


def test_verdict_scenarios_and_why_a_scenario_failed() -> None:
    runs = history(runs=13, failing=12)
    page = render(runs[-1], runs[:-1])
    assert 'data-verdict="failed"' in page
    assert "1 of 2 scenario(s) did not pass" in page
    assert '<span class="status fail">fail</span>' in page
    assert "<strong>answers</strong>: file lost" in page
    assert "SLA ≤ 60.0 s ok" in page


def test_regressions_show_state_evidence_and_link_to_their_chart() -> None:
    runs = history()
    report = RegressionReport(
        run_id=runs[-1].run_id,
        regressions=[
            regression(confirmed=True),
            regression(key="x/y/z", metric="z", scenario=None, confirmed=False),
            regression(key="x/y/w", metric="w", suppressed_by="ack-12 (owner: ops)"),
            regression(key="x/y/v", metric="v", severity=Severity.HIGH),
        ],
    )
    page = render(runs[-1], runs[:-1], report)
    assert "4 series got worse" in page
    assert "confirmed by a re-run" in page
    assert "did not reproduce on a re-run" in page
    assert "suppressed by ack-12 (owner: ops)" in page
    assert "not re-run" in page
    assert "robust z 9.1 &gt;= 3.5 (n=20)" in page
    charts = {chart["id"]: chart for chart in chart_data(page)}
    anchor = re.search(r'<a href="#(chart-\d+)">cold-start / cold_start_seconds</a>', page)
    assert anchor is not None
    assert charts[anchor.group(1)]["regressed"] is True
    assert sum(chart["regressed"] for chart in charts.values()) == 1


def test_no_regression_check_and_no_regressions_read_differently() -> None:
    runs = history(runs=2)
    assert "Not checked" in render(runs[-1], runs[:-1], None)
    empty = RegressionReport(run_id=runs[-1].run_id, baseline_run_id="run-000", regressions=[])
    assert "None against run-000." in render(runs[-1], runs[:-1], empty)


def delivery(**fields: Any) -> AlertDelivery:
    base: dict[str, Any] = {
        "key": KEY,
        "channel": "slack",
        "kind": "open",
        "severity": "medium",
        "recipient": "hooks.slack.com",
        "text": "[MEDIUM] cold-start / cold_start_seconds on webordinary-staging",
        "status": "sent",
        "attempts": 1,
    }
    return AlertDelivery.model_validate({**base, **fields})


def test_alert_deliveries_show_what_reached_whom_and_what_did_not() -> None:
    runs = history(runs=2)
    alerts = AlertReport(
        run_id=runs[-1].run_id,
        deliveries=[
            delivery(),
            delivery(
                channel="github",
                recipient="acme/shop",
                status="undelivered",
                attempts=4,
                detail="HTTP 500",
            ),
            delivery(channel="critical_topic", status="would_send", recipient="alerts-critical"),
        ],
        muted=[MutedRegression(key="x/y/z", reason="acknowledged: ack-3")],
        ongoing=["x/y/w"],
    )
    page = render(runs[-1], runs[:-1], alerts=alerts)
    table = page.split('<table class="alerts">', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 4  # the header and one row per delivery
    assert "hooks.slack.com" in table and "acme/shop" in table
    assert "after 4 attempt(s): HTTP 500 (tried again next run)" in table
    assert "would send" in table
    assert "muted: x/y/z (acknowledged: ack-3)" in page
    assert "ongoing: x/y/w (alerted before, not sent again)" in page
    quiet = AlertReport(run_id=runs[-1].run_id)
    assert "Nothing was sent" in render(runs[-1], runs[:-1], alerts=quiet)
    assert "Not recorded" in render(runs[-1], runs[:-1], alerts=None)


def test_what_the_report_shows_is_escaped() -> None:
    runs = history(runs=2)
    hostile = "<script>alert(1)</script>"
    current = summary(
        "run-x",
        runs[-1].started_at,
        [result("cold-start", {"cold_start_seconds": 1.0}, status=Status.FAIL, reason=hostile)],
    )
    alerts = AlertReport(run_id="run-x", deliveries=[delivery(text=hostile)])
    page = render(current, runs[:-1], alerts=alerts)
    assert hostile not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_each_chart_carries_points_band_and_change_points() -> None:
    runs = history(runs=30, step_at=22)
    page = render(runs[-1], runs[:-1])
    charts = chart_data(page)
    assert len(charts) == 5
    cold = next(c for c in charts if c["id"] == "chart-3")
    assert cold["runIds"][-1] == "run-029" and len(cold["runIds"]) == 30
    assert cold["median"][:10] == [None] * 10 and None not in cold["median"][10:]
    assert [c["index"] for c in cold["changes"]] == [22]
    assert cold["unit"] == "seconds" and cold["sla"] == 60.0
    restart = next(c for c in charts if c["id"] == "chart-4")
    assert restart["value"][12] is None and restart["failed"][12] is not None
    assert 'id="chart-3"' in page and 'data-chart="chart-3"' in page
    assert "change point: 1.17 s → 1.88 s at run run-022" in page


def test_cached_and_skipped_scenarios_say_where_from_and_why() -> None:
    runs = history()
    current = runs[-1]
    reused = current.results[0].model_copy(
        update={
            "status": Status.CACHED,
            "cached_from": "20261124T060000Z-abc123",
            "selection": "cached from run 20261124T060000Z-abc123 (passed 2026-11-24 06:00Z)",
        }
    )
    left_out = current.results[1].model_copy(
        update={
            "status": Status.SKIPPED,
            "metrics": [],
            "selection": "none of the 2 changed file(s) maps to it",
        }
    )
    page = render(current.model_copy(update={"results": [reused, left_out]}), runs[:-1])
    assert '<span class="status cached">cached</span>' in page
    assert "from run <code>20261124T060000Z-abc123</code>" in page
    assert '<span class="status skipped">skipped</span>' in page
    assert "none of the 2 changed file(s) maps to it" in page
