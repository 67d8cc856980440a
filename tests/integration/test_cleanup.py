"""Cleanup deletes this run's sessions and workspaces, and nothing else."""

from __future__ import annotations

import time

import pytest

from harness.aws.clients import client
from harness.errors import UnsafeCleanupError
from harness.target.api import HttpTargetApi
from harness.target.cleanup import cleanup_run, cleanup_run_on_pool
from harness.target.http import HttpClient
from harness.wire import RunContext
from tests.integration.stacks import Stack, StackFactory


def create(stack: Stack, client_id: str) -> str:
    """A session with a file in its workspace (waits for the edit container first)."""
    answer = stack.api.create_session(client_id, "someone")
    assert answer.status == 201
    session_id = str(answer.json()["sessionId"])
    deadline = time.monotonic() + 30
    while (put := stack.api.put_file(session_id, "notes/a.txt", b"kept?")).status == 503:
        assert time.monotonic() < deadline, "the edit container never became healthy"
        time.sleep(0.05)
    assert put.status == 201, put.body
    return session_id


def workspaces(stack: Stack) -> set[str]:
    efs = stack.workdir / "efs"
    return {p.name for p in efs.iterdir() if not p.name.startswith("_")} if efs.exists() else set()


def test_deletes_only_this_runs_sessions_and_their_workspaces(stack: StackFactory) -> None:
    target = stack(request_timeout=10)  # 8 parallel deletes on a busy machine: no 2 s timeouts
    target.warm()  # workspace writes need the edit container (else they answer 503)
    ours = [create(target, f"{target.run.client_prefix}x_{n}") for n in range(30)]
    other_run = create(target, f"{target.run.target.test_prefix}otherrun_x_1")
    customer = create(target, "customer-42")
    # A clientId that merely contains the run id is not ours either.
    lookalike = create(target, f"prod_{target.run.client_prefix}x")

    report = cleanup_run(target.run, target.api, target.infra, "TEST_")

    assert report.sessions_found == 30
    assert report.deleted_via_api == 30 and report.deleted_directly == 0
    for session_id in ours:
        assert target.infra.get_session_item(session_id) is None
    for session_id in (other_run, customer, lookalike):
        assert target.infra.get_session_item(session_id) is not None
    assert workspaces(target) == {other_run, customer, lookalike}


def test_items_the_api_cannot_delete_are_deleted_directly(stack: StackFactory) -> None:
    target = stack()
    ours = [create(target, f"{target.run.client_prefix}x_{n}") for n in range(3)]
    customer = create(target, "customer-7")
    unreachable_api = HttpTargetApi(HttpClient("http://127.0.0.1:9", timeout_seconds=1))

    report = cleanup_run(target.run, unreachable_api, target.infra, "TEST_")

    assert (report.sessions_found, report.deleted_directly) == (3, 3)
    assert all(target.infra.get_session_item(sid) is None for sid in ours)
    assert target.infra.get_session_item(customer) is not None


def test_nothing_to_do_is_fine(stack: StackFactory) -> None:
    target = stack()
    report = cleanup_run(target.run, target.api, target.infra, "TEST_")
    assert report.sessions_found == 0


def _with(run: RunContext, run_id: str | None = None, test_prefix: str | None = None) -> RunContext:
    """A run context as a crafted event could carry it (validation bypassed on purpose)."""
    target = run.target.model_copy(update={"test_prefix": test_prefix or run.target.test_prefix})
    return run.model_copy(
        update={"run_id": run.run_id if run_id is None else run_id, "target": target}
    )


@pytest.mark.parametrize(
    ("run_id", "test_prefix", "configured"),
    [
        (None, "cust", "TEST_"),  # not the configured prefix
        (None, "T", "T"),  # too short, even if configured so
        ("", None, "TEST_"),  # no run id: would match every test session
        ("x_", None, "TEST_"),  # not a run id
    ],
)
def test_an_unsafe_prefix_is_refused_before_anything_is_read(
    stack: StackFactory, run_id: str | None, test_prefix: str | None, configured: str
) -> None:
    target = stack()
    customer = create(target, "cust42_x")
    crafted = _with(target.run, run_id, test_prefix)
    with pytest.raises(UnsafeCleanupError, match="refusing"):
        cleanup_run(crafted, target.api, target.infra, configured)
    assert target.infra.get_session_item(customer) is not None


def test_a_direct_delete_spares_an_item_that_is_not_ours(stack: StackFactory) -> None:
    target = stack()
    ours = create(target, f"{target.run.client_prefix}x_1")
    customer = create(target, "customer-1")
    deleted = target.infra.delete_session_items([ours, customer], target.run.client_prefix)
    assert deleted == 1
    assert target.infra.get_session_item(ours) is None
    assert target.infra.get_session_item(customer) is not None


def test_every_kind_is_cleaned_and_reported_with_counts(stack: StackFactory) -> None:
    target = stack(session_logs=True)
    group = target.run.target.session_log_group
    logs = client("logs", region="us-east-1", endpoint_url=target.run.target.aws_endpoint_url)
    ours = [create(target, f"{target.run.client_prefix}x_{n}") for n in range(4)]
    customer = create(target, "customer-9")
    # A scenario deleted one session itself: its log stream outlives it, cleanup takes it.
    target.api.delete_session(ours[0])
    report = cleanup_run(target.run, target.api, target.infra, "TEST_")

    kinds = {kind.kind: kind for kind in report.kinds}
    assert (kinds["sessions"].found, kinds["sessions"].deleted, kinds["sessions"].left) == (3, 3, 0)
    assert (kinds["workspaces"].found, kinds["workspaces"].deleted) == (3, 3)
    assert (kinds["log streams"].found, kinds["log streams"].deleted) == (4, 4)
    assert all(kind.seconds >= 0 for kind in report.kinds)
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["customer-9/edit"]
    assert target.infra.get_session_item(customer) is not None


def test_pool_members_sharing_a_log_group_clean_its_streams_once(stack: StackFactory) -> None:
    """Two copies of the stack log to one group: the pool's cleanup must not find each stream
    once per member and then count the ones another member deleted as left."""
    first = stack(session_log_group="/sessions/shared-pool")
    second = stack(session_log_group="/sessions/shared-pool")
    pool = [
        stack.run.target.model_copy(update={"name": name})
        for stack, name in ((first, "copy-1"), (second, "copy-2"))
    ]
    run = first.run.model_copy(update={"target": pool[0], "pool": pool})
    members = {"copy-1": first, "copy-2": second}
    prefix = run.client_prefix
    for target, number in ((first, 1), (first, 2), (second, 3)):
        create(target, f"{prefix}x_{number}")

    report = cleanup_run_on_pool(
        run,
        lambda member: members[member.name].api,
        lambda member: members[member.name].infra,
        "TEST_",
    )

    kinds = {kind.kind: kind for kind in report.kinds}
    assert (kinds["sessions"].found, kinds["sessions"].deleted) == (3, 3)
    streams = kinds["log streams"]
    assert (streams.found, streams.deleted, streams.left) == (3, 3, 0)
    logs = client("logs", region="us-east-1", endpoint_url=first.run.target.aws_endpoint_url)
    assert logs.describe_log_streams(logGroupName="/sessions/shared-pool")["logStreams"] == []


def test_without_a_session_log_group_there_are_no_streams_to_clean(stack: StackFactory) -> None:
    target = stack()
    create(target, f"{target.run.client_prefix}x_1")
    (streams,) = [
        k
        for k in cleanup_run(target.run, target.api, target.infra, "TEST_").kinds
        if k.kind == "log streams"
    ]
    assert (streams.found, streams.deleted) == (0, 0)


def test_a_client_with_two_sessions_logs_both_to_its_one_stream(stack: StackFactory) -> None:
    # A scenario re-run under the same clientId (a confirm pass) must not get a 500.
    target = stack(session_logs=True)
    client_id = f"{target.run.client_prefix}twice"
    create(target, client_id)
    create(target, client_id)
    logs = client("logs", region="us-east-1", endpoint_url=target.run.target.aws_endpoint_url)
    events = logs.get_log_events(
        logGroupName=target.run.target.session_log_group, logStreamName=f"{client_id}/edit"
    )["events"]
    assert len(events) == 2
