"""Key design of the harness's DynamoDB tables, shared by the adapters and the CDK app.

Pure constants (no boto3, no aws_cdk), so `infra/` and `harness/aws/` agree on one schema.

Runs table (``history.runs_table``):
    partition key ``runId``; GSI ``bySeries`` (``series`` = "<target>#<suite>", sort
    ``startedAt``) answers "previous run of this target and suite"; GSI ``byTime`` (``kind``
    = "RUN", sort ``startedAt``) answers "newest runs"; GSI ``byTarget`` (``target``, sort
    ``startedAt``) answers "recent runs against this target" (baselines, trends); TTL
    attribute ``expiresAt``. A run's judgement (regressions, final verdict) is an item of its
    own, ``runId`` = "<run id>#regressions" with the attribute ``regressions``; it has none of
    the index attributes, so no index lists it.
Baselines table (``storage.baselines_table``): partition ``series``, sort ``name``. A pinned
    baseline is ``series`` = the series key, ``name`` = "pinned"; the known-issues ledger is
    the partition ``series`` = "#known-issues" (no series key starts with "#"), ``name`` = the
    entry id. Both keep their JSON in ``body``.
Alert-state table (``storage.alert_state_table``): partition ``alertKey``; TTL ``expiresAt``.
    Two kinds of item: an open alert (``alertKey`` = "alert#<series key>", with ``target``,
    which only these items carry, so GSI ``openByTarget`` (``target``, sort ``alertKey``)
    lists a target's open alerts), and what one run's Alert step did (``alertKey`` =
    "run#<run id>", attribute ``report``).
Run-state table (``storage.run_state_table``): partition ``runId``; TTL ``expiresAt``: runs in
flight, what recovery needs (``harness.aws.dynamodb_runs_in_flight``).
Leases table (``leases.table``): partition ``leaseKey`` (a resource's physical identity);
the holders as JSON, a version for conditional writes; TTL ``expiresAt`` reaps leases whose
holders all expired.
"""

from __future__ import annotations

RUN_ID = "runId"
SERIES = "series"
STARTED_AT = "startedAt"
KIND = "kind"
RUN_KIND = "RUN"
# Journal entries (cleanups, maintenance jobs) share the runs table: kind "JOURNAL#<kind>".
JOURNAL_KIND_PREFIX = "JOURNAL#"
SUMMARY = "summary"
SUMMARY_GZ = "summaryGz"  # instead of SUMMARY when the JSON is too large for one item
EXPIRES_AT = "expiresAt"
TARGET = "target"
SERIES_INDEX = "bySeries"
TIME_INDEX = "byTime"
TARGET_INDEX = "byTarget"
# Every GSI of the runs table: (index name, partition attribute); all sort on ``startedAt``.
RUNS_INDEXES = ((SERIES_INDEX, SERIES), (TIME_INDEX, KIND), (TARGET_INDEX, TARGET))

REGRESSIONS = "regressions"

BASELINE_SERIES = "series"
BASELINE_NAME = "name"
BASELINE_TARGET = "target"
BODY = "body"
PINNED = "pinned"
KNOWN_ISSUES = "#known-issues"

ALERT_KEY = "alertKey"
ALERT_TARGET = "target"
ALERT_STATE = "state"
ALERT_REPORT = "report"
ALERT_OPEN_INDEX = "openByTarget"
ALERT_PREFIX = "alert#"
ALERT_RUN_PREFIX = "run#"

RUN_STATE_KEY = RUN_ID
LEASE_KEY = "leaseKey"
LEASE_HOLDERS = "holders"
LEASE_VERSION = "version"


def regressions_id(run_id: str) -> str:
    """The ``runId`` of a run's judgement item (run ids never contain "#")."""
    return f"{run_id}#regressions"


def series_key(target: str, suite: str) -> str:
    """The ``series`` value of a target and suite."""
    return f"{target}#{suite}"
