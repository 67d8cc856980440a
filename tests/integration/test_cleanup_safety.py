"""Property: cleanup never touches an item that is not the harness's, whatever the table
holds and even when the scan hands it foreign items (a broken filter, a lookalike).

Hypothesis mixes test items with foreign ones (other runs' prefixes, lookalikes such as
``prod_TEST_<run>_``, case variants, the bare prefix without its run) on a real moto table
behind the reference target; the scan is made to return everything.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.cleanup import put_sessions
from harness.aws.clients import client
from harness.aws.target_infra import Boto3TargetInfra
from harness.local.moto_server import MotoServer
from harness.target.api import HttpTargetApi
from harness.target.cleanup import cleanup_run
from harness.target.http import HttpClient
from harness.target.marker import owned
from tests.integration.stacks import Stack, stack_factory

EXAMPLES = 20


class LeakyScan(Boto3TargetInfra):
    """A sessions table whose scan ignores its filter: returns every item and stream."""

    def find_sessions(
        self, client_id_prefix: str, created_before: datetime | None = None
    ) -> list[tuple[str, str]]:
        return super().find_sessions("", created_before)

    def find_log_streams(
        self, name_prefix: str, created_before: datetime | None = None
    ) -> list[str]:
        group = self._target.session_log_group
        streams = self._logs.describe_log_streams(logGroupName=group)["logStreams"]
        return [stream["logStreamName"] for stream in streams]


@pytest.fixture(scope="module")
def shared_stack(
    moto_server: MotoServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """One reference target for every example (examples clean the table between them)."""
    folder: Path = tmp_path_factory.mktemp("safety")
    with stack_factory(moto_server, folder) as start:
        yield start(session_logs=True)


def foreign_ids(run_prefix: str, test_prefix: str) -> st.SearchStrategy[str]:
    """clientIds that are not this run's: each shares something with the run's prefix."""
    text = st.text(alphabet="abcXYZ019_-", min_size=0, max_size=12)
    return st.one_of(
        text.map(lambda tail: f"customer-{tail}"),
        text.map(lambda tail: f"prod_{run_prefix}{tail}"),  # contains the prefix, later
        text.map(lambda tail: f"{run_prefix.lower()}{tail}"),  # case variant
        text.map(lambda tail: f"{test_prefix}otherrun_{tail}"),  # another run's data
        st.just(run_prefix[:-1]),  # the prefix without its trailing separator
        text.filter(lambda value: not value.startswith(run_prefix)),
    ).filter(lambda value: len(value) > 0 and not owned(value, run_prefix))


def _put(stack: Stack, items: list[tuple[str, str]]) -> None:
    target = stack.run.target
    dynamodb = client("dynamodb", region="us-east-1", endpoint_url=target.aws_endpoint_url)
    logs = client("logs", region="us-east-1", endpoint_url=target.aws_endpoint_url)
    put_sessions(dynamodb, target.sessions_table, items)
    for _, client_id in items:
        logs.create_log_stream(
            logGroupName=target.session_log_group, logStreamName=f"{client_id}/edit"
        )


def _mixed_table(
    stack: Stack, data: st.DataObject
) -> tuple[list[tuple[str, str]], list[int], list[str]]:
    """Empty the table, then fill it with drawn test items and foreign ones (and a log
    stream for each): (every (sessionId, clientId), our numbers, the foreign clientIds)."""
    _reset(stack)
    run_prefix = stack.run.client_prefix
    ours = data.draw(st.lists(st.integers(0, 10**6), max_size=12, unique=True))
    foreign = data.draw(
        st.lists(foreign_ids(run_prefix, stack.run.target.test_prefix), max_size=12, unique=True)
    )
    items = [(f"ours-{n}", f"{run_prefix}s_{n}") for n in ours]
    items += [(f"foreign-{n}", client_id) for n, client_id in enumerate(foreign)]
    _put(stack, items)
    return items, ours, foreign


def _reset(stack: Stack) -> None:
    target = stack.run.target
    dynamodb = client("dynamodb", region="us-east-1", endpoint_url=target.aws_endpoint_url)
    logs = client("logs", region="us-east-1", endpoint_url=target.aws_endpoint_url)
    for page in dynamodb.get_paginator("scan").paginate(TableName=target.sessions_table):
        for item in page["Items"]:
            dynamodb.delete_item(
                TableName=target.sessions_table, Key={"sessionId": item["sessionId"]}
            )
    for stream in logs.describe_log_streams(logGroupName=target.session_log_group)["logStreams"]:
        logs.delete_log_stream(
            logGroupName=target.session_log_group, logStreamName=stream["logStreamName"]
        )


def _state(stack: Stack) -> tuple[dict[str, dict[str, Any]], set[str]]:
    target = stack.run.target
    dynamodb = client("dynamodb", region="us-east-1", endpoint_url=target.aws_endpoint_url)
    logs = client("logs", region="us-east-1", endpoint_url=target.aws_endpoint_url)
    items = {
        item["sessionId"]["S"]: item
        for page in dynamodb.get_paginator("scan").paginate(TableName=target.sessions_table)
        for item in page["Items"]
    }
    streams = {
        stream["logStreamName"]
        for stream in logs.describe_log_streams(logGroupName=target.session_log_group)["logStreams"]
    }
    return items, streams


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), api_works=st.booleans())
def test_no_foreign_item_is_touched_even_if_the_scan_returns_it(
    shared_stack: Stack, data: st.DataObject, api_works: bool
) -> None:
    stack = shared_stack
    run_prefix = stack.run.client_prefix
    items, ours, foreign = _mixed_table(stack, data)
    before, _ = _state(stack)

    # The API path, or (unreachable API) the direct conditional deletes: both are guarded.
    api = stack.api if api_works else HttpTargetApi(HttpClient("http://127.0.0.1:9", 0.5))
    report = cleanup_run(stack.run, api, LeakyScan(stack.run.target), stack.run.target.test_prefix)

    after, streams = _state(stack)
    for session_id, client_id in items:
        if owned(client_id, run_prefix):
            assert session_id not in after, client_id
        else:
            assert after.get(session_id) == before[session_id], client_id  # untouched
    assert streams == {f"{client_id}/edit" for client_id in foreign}
    kinds = {kind.kind: kind for kind in report.kinds}
    assert kinds["sessions"].deleted == len(ours)
    assert kinds["log streams"].deleted == len(ours)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_direct_delete_refuses_foreign_items_whoever_asks(
    shared_stack: Stack, data: st.DataObject
) -> None:
    """The last line: the server-side condition, with every id of the table passed in."""
    stack = shared_stack
    run_prefix = stack.run.client_prefix
    items, ours, _ = _mixed_table(stack, data)
    before, _ = _state(stack)

    deleted = stack.infra.delete_session_items([sid for sid, _ in items], run_prefix)

    after, _ = _state(stack)
    assert deleted == len(ours)
    assert after == {sid: item for sid, item in before.items() if sid.startswith("foreign-")}


@given(
    identifier=st.text(max_size=40),
    prefix=st.text(min_size=1, max_size=20),
)
def test_the_marker_is_a_plain_prefix_test(identifier: str, prefix: str) -> None:
    assert owned(identifier, prefix) is identifier.startswith(prefix)
    assert owned(identifier, "") is False  # no prefix: nothing is the harness's
