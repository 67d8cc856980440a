"""The cost review for people (`harness cost`, the weekly maintenance job)."""

from __future__ import annotations

from harness.judge.review import CostReview
from harness.report.text import table


def render_cost_review(review: CostReview) -> str:
    lines = [
        f"Cost review {review.since:%Y-%m-%d} to {review.until:%Y-%m-%d}: {review.runs} run(s), "
        f"${review.total_usd:.4f} estimated ({review.region} prices recorded "
        f"{review.prices_recorded_on})",
        f"Month to date ${review.month_to_date_usd:.4f} of ${review.budget_usd:.2f} budget; "
        f"at this pace the month ends near ${review.month_projection_usd:.2f}",
    ]
    if review.by_suite:
        lines.append(
            "By suite: " + ", ".join(f"{s} ${usd:.4f}" for s, usd in review.by_suite.items())
        )
    if review.by_scenario:
        rows = [["SCENARIO", "RUNS", "TOTAL", "PER RUN", "SECONDS"]]
        rows.extend(
            [s.scenario, str(s.runs), f"${s.total_usd:.6f}", f"${s.mean_usd:.6f}", f"{s.seconds:g}"]
            for s in review.by_scenario
        )
        lines.extend(["", *table(rows)])
        lines.append(
            "Scenarios by AWS service: "
            + ", ".join(f"{name} ${usd:.6f}" for name, usd in review.by_service.items() if usd)
        )
    return "\n".join(lines)
