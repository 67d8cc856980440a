"""What an alert says, in the forms the channels need: one line (CLI, SNS subject, Slack's
fallback text), a plain-text body (SNS e-mail), and GitHub issue title, body and comments.
Slack's Block Kit layout is built from the same facts in ``notify.slack``."""

from __future__ import annotations

from dataclasses import dataclass

from harness.notify.lifecycle import Notice
from harness.wire import NoticeKind

SNS_SUBJECT_LIMIT = 100
ISSUE_MARKER = "harness-alert-key"


@dataclass(frozen=True)
class Facts:
    """The numbers of a notice, formatted once for every channel."""

    series: str  # "cold-start / cold_start_seconds" or "run / success_rate"
    current: str
    baseline: str
    change: str  # "+35%" or "" when there is no ratio


def facts(notice: Notice) -> Facts:
    state = notice.state
    unit = f" {state.unit}" if state.unit else ""
    change = ""
    if state.change_ratio > 0:
        change = f"{(state.change_ratio - 1) * 100:+.0f}%"
    return Facts(
        series=f"{state.scenario or 'run'} / {state.metric}",
        current=f"{state.current:g}{unit}",
        baseline=f"{state.baseline:g}{unit}",
        change=change,
    )


def headline(notice: Notice) -> str:
    """The notice in one line."""
    state, found = notice.state, facts(notice)
    severity = state.severity.value.upper()
    if notice.kind is NoticeKind.RESOLVE:
        return (
            f"RESOLVED {found.series} on {state.target}: no longer regressed in run "
            f"{notice.run_id} (open since {state.opened_run})"
        )
    if notice.kind is NoticeKind.ESCALATE:
        return (
            f"ESCALATED [{severity}] {found.series} on {state.target}: regressed in "
            f"{state.high_streak} consecutive runs - {state.message}"
        )
    if notice.kind is NoticeKind.REPEAT:
        return (
            f"[{severity}] {found.series} on {state.target} still regressed in run "
            f"{notice.run_id} ({state.runs} runs in a row) - {state.message}"
        )
    return f"[{severity}] {found.series} on {state.target} regressed - {state.message}"


def sns_subject(notice: Notice) -> str:
    """SNS subjects are ASCII, one line, under 100 characters."""
    text = headline(notice).encode("ascii", "replace").decode()
    if len(text) > SNS_SUBJECT_LIMIT:
        text = text[: SNS_SUBJECT_LIMIT - 3] + "..."
    return text


def plain_body(notice: Notice, report_link: str) -> str:
    """The full message as plain text (SNS e-mail and HTTPS subscribers)."""
    state, found = notice.state, facts(notice)
    lines = [
        headline(notice),
        "",
        f"Series:    {state.key}",
        f"Severity:  {state.severity.value}",
        f"Current:   {found.current} (baseline {found.baseline}{_paren(found.change)})",
        f"Evidence:  {state.evidence or '-'}",
        f"Run:       {notice.run_id} (regressed since {state.opened_run}, {state.runs} run(s))",
        f"Report:    {report_link}",
    ]
    return "\n".join(lines)


def issue_title(notice: Notice) -> str:
    found = facts(notice)
    return f"Regression: {found.series} on {notice.state.target}"


def issue_body(notice: Notice, report_link: str) -> str:
    state, found = notice.state, facts(notice)
    return "\n".join(
        [
            f"**{state.message}**",
            "",
            "| | |",
            "|---|---|",
            f"| Series | `{state.key}` |",
            f"| Severity | {state.severity.value} |",
            f"| Current | {found.current} |",
            f"| Baseline | {found.baseline} |",
            f"| Change | {found.change or '-'} |",
            f"| Evidence | {state.evidence or '-'} |",
            f"| First run | {state.opened_run} |",
            "",
            f"[Report of run {notice.run_id}]({report_link})",
            "",
            "Opened by the harness. It comments here while the regression lasts and closes "
            "this issue when the series recovers.",
            f"<!-- {ISSUE_MARKER}: {state.key} -->",
        ]
    )


def issue_comment(notice: Notice, report_link: str) -> str:
    return f"{headline(notice)}\n\n[Report of run {notice.run_id}]({report_link})"


def _paren(text: str) -> str:
    return f", {text}" if text else ""
