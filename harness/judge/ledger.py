"""The known-issues ledger: acknowledged regressions and quarantined scenarios, in one place.

Every entry has a reason, an owner and an expiry; an expired entry stops suppressing anything
(it stays listed, so nobody wonders where it went). An entry matches series keys
(``<target>/<scenario>/<metric>``) with shell-style wildcards:

* ``ack``: a regression someone knows about. Matching regressions are still found and shown,
  marked ``suppressed_by`` the entry, and neither alert nor gate.
* ``quarantine``: a scenario (``<target>/<scenario>/*``) that keeps running and being reported
  but does not gate the verdict: its failures and regressions are suppressed, and it is left
  out of the success rate that is judged.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatchcase

from harness.wire import KnownIssue, series_key
from harness.wire.judging import LedgerKind as Kind

DURATION = re.compile(r"^(\d+)([hdw])$")
UNIT_HOURS = {"h": 1, "d": 24, "w": 24 * 7}
MAX_EXPIRY = timedelta(days=366)


def parse_expiry(text: str, now: datetime) -> datetime:
    """``7d``, ``12h``, ``2w`` from now, or a date/time (``2026-12-31``, ISO 8601; UTC if no
    zone). Must lie in the future and within a year: a ledger entry is not forever."""
    match = DURATION.match(text.strip())
    if match:
        moment = now + timedelta(hours=int(match.group(1)) * UNIT_HOURS[match.group(2)])
    else:
        try:
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            raise ValueError(
                f"expiry {text!r}: give a duration (12h, 7d, 2w) or a date (2026-12-31)"
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    if moment <= now:
        raise ValueError(f"expiry {text!r} is not in the future")
    if moment - now > MAX_EXPIRY:
        raise ValueError(f"expiry {text!r} is more than a year away; renew entries instead")
    return moment


def new_entry(
    kind: Kind, pattern: str, reason: str, owner: str, expires: str, now: datetime
) -> KnownIssue:
    return KnownIssue(
        id=f"{kind}-{secrets.token_hex(3)}",
        kind=kind,
        pattern=pattern,
        reason=reason,
        owner=owner,
        created_at=now,
        expires_at=parse_expiry(expires, now),
    )


def quarantine_pattern(target: str, scenario: str) -> str:
    return f"{target}/{scenario}/*"


def active_entries(entries: Iterable[KnownIssue], now: datetime) -> list[KnownIssue]:
    return [entry for entry in entries if entry.active(now)]


def quarantines(
    entries: Iterable[KnownIssue], target: str, scenarios: Iterable[str], now: datetime
) -> dict[str, str]:
    """Scenario -> id of the active quarantine that covers it on ``target``."""
    active = [e for e in active_entries(entries, now) if e.kind == "quarantine"]
    found: dict[str, str] = {}
    for scenario in scenarios:
        key = series_key(target, scenario, "*")
        entry = next((e for e in active if fnmatchcase(key, e.pattern)), None)
        if entry is not None:
            found[scenario] = entry.id
    return found


def suppressor(entries: Sequence[KnownIssue], key: str, now: datetime) -> str | None:
    """The id of the active entry that mutes the series ``key`` (a quarantine first)."""
    active = sorted(active_entries(entries, now), key=lambda e: e.kind != "quarantine")
    return next((entry.id for entry in active if entry.matches(key)), None)
