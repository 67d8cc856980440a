"""The history archive: every store's records in one versioned JSON-lines file, for
disaster recovery and for moving history between machines (docs/dr.md).

Line 1 is the header ``{"format": "harness-history", "version": 1, "exportedAt", "source",
"counts": {kind: n}}``; every other line is one record ``{"kind": ..., "data": {...}}``.
Each store contributes its own kinds (``harness.ports.Archivable``): the run history
``run``, the journal ``journal``, and whatever stores come next add theirs. An import reads
and validates the whole file before it writes anything, refuses kinds no store here knows,
and writes by key (importing twice changes nothing).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from harness.errors import ArchiveError
from harness.ports import Archivable, BaselineStore, HistoryStore, KnownIssueStore
from harness.wire import KnownIssue, PinnedBaseline, RegressionReport

FORMAT = "harness-history"
VERSION = 1
SUPPORTED_VERSIONS = (1,)


@dataclass(frozen=True)
class Record:
    kind: str
    data: dict[str, Any]


def write_archive(
    stores: Sequence[Archivable], out: IO[str], source: str, now: datetime
) -> Counter[str]:
    """Write every record of every store; returns how many of each kind."""
    records = [record for store in stores for record in _records(store)]
    counts = Counter(record.kind for record in records)
    header = {
        "format": FORMAT,
        "version": VERSION,
        "exportedAt": now.isoformat(),
        "source": source,
        "counts": dict(sorted(counts.items())),
    }
    out.write(json.dumps(header, sort_keys=True) + "\n")
    for record in records:
        out.write(json.dumps({"kind": record.kind, "data": record.data}, sort_keys=True) + "\n")
    return counts


def _records(store: Archivable) -> Iterator[Record]:
    for kind, data in store.export_records():
        yield Record(kind, data)


def read_archive(lines: Iterable[str], stores: Sequence[Archivable]) -> dict[int, list[Record]]:
    """Parse and validate a whole archive; records grouped by the index of the store that
    takes them. Raises ``ArchiveError`` naming the line of the first problem."""
    owner = {kind: index for index, store in enumerate(stores) for kind in store.archive_kinds()}
    grouped: dict[int, list[Record]] = defaultdict(list)
    header: dict[str, Any] | None = None
    expected: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as err:
            raise ArchiveError(f"line {number}: not JSON: {err}") from err
        if header is None:
            header = _check_header(item)
            expected = Counter(header.get("counts") or {})
            continue
        if not isinstance(item, dict) or not isinstance(item.get("data"), dict):
            raise ArchiveError(f'line {number}: a record is {{"kind": ..., "data": {{...}}}}')
        kind = str(item.get("kind"))
        if kind not in owner:
            raise ArchiveError(
                f"line {number}: no store here takes records of kind {kind!r} "
                f"(known: {', '.join(sorted(owner))}); nothing was imported"
            )
        try:
            stores[owner[kind]].check_record(kind, item["data"])
        except ValueError as err:
            raise ArchiveError(f"line {number}: invalid {kind} record: {err}") from err
        grouped[owner[kind]].append(Record(kind, item["data"]))
        seen[kind] += 1
    if header is None:
        raise ArchiveError("the file is empty: no archive header")
    if seen != expected:
        raise ArchiveError(
            f"the file is incomplete: the header counts {dict(expected)}, found {dict(seen)}"
        )
    return grouped


def _check_header(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict) or item.get("format") != FORMAT:
        raise ArchiveError(f"line 1: not a {FORMAT} archive (no header)")
    if item.get("version") not in SUPPORTED_VERSIONS:
        raise ArchiveError(
            f"line 1: archive version {item.get('version')!r}; this harness reads "
            f"{', '.join(map(str, SUPPORTED_VERSIONS))}"
        )
    return item


def import_archive(lines: Iterable[str], stores: Sequence[Archivable]) -> Counter[str]:
    """Validate everything, then write each store's records (by key: re-importing is safe)."""
    grouped = read_archive(lines, stores)
    counts: Counter[str] = Counter()
    for index, records in grouped.items():
        stores[index].import_records([(record.kind, record.data) for record in records])
        counts.update(record.kind for record in records)
    return counts


JUDGEMENT, PINNED_BASELINE, KNOWN_ISSUE = "judgement", "pinned_baseline", "known_issue"


class JudgeArchive:
    """The regression judge's records, through its ports: each run's judgement (kept with the
    run), the pinned baselines of every target in the history, the known-issues ledger."""

    def __init__(
        self, history: HistoryStore, baselines: BaselineStore, known: KnownIssueStore
    ) -> None:
        self._history, self._baselines, self._known = history, baselines, known

    def archive_kinds(self) -> tuple[str, ...]:
        return (JUDGEMENT, PINNED_BASELINE, KNOWN_ISSUE)

    def export_records(self) -> Iterator[tuple[str, dict[str, Any]]]:
        runs = self._history.runs_since(datetime.min.replace(tzinfo=UTC))
        for run in runs:
            report = self._history.get_regressions(run.run_id)
            if report is not None:
                yield JUDGEMENT, report.model_dump(mode="json", by_alias=True)
        for target in sorted({run.target for run in runs}):
            for baseline in self._baselines.list_pinned(target):
                yield PINNED_BASELINE, baseline.model_dump(mode="json", by_alias=True)
        for entry in self._known.entries():
            yield KNOWN_ISSUE, entry.model_dump(mode="json", by_alias=True)

    def check_record(self, kind: str, data: dict[str, Any]) -> None:
        if kind == JUDGEMENT:
            RegressionReport.model_validate(data)
        elif kind == PINNED_BASELINE:
            PinnedBaseline.model_validate(data)
        else:
            KnownIssue.model_validate(data)

    def import_records(self, records: Sequence[tuple[str, dict[str, Any]]]) -> None:
        pins = [PinnedBaseline.model_validate(d) for k, d in records if k == PINNED_BASELINE]
        if pins:
            self._baselines.pin(pins)
        known = {entry.id for entry in self._known.entries()}
        for kind, data in records:
            if kind == JUDGEMENT:
                self._history.save_regressions(RegressionReport.model_validate(data))
            elif kind == KNOWN_ISSUE and data.get("id") not in known:
                self._known.add(KnownIssue.model_validate(data))
