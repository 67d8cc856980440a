"""The reference target's edit "container": a thread driven by the ECS service in moto.

Test scaffolding, not a real container. Like ECS plus an ALB health check, it polls the
service's desiredCount and keeps one task (an ECS task record in moto, in the service's
group, so ``Boto3TargetInfra.running_task_ids`` sees it) running while desiredCount >= 1:

- scale 0 -> 1: the task starts after ``cold_start_seconds`` (with ``slow_cold_start``: after
  ``slow_cold_start_seconds``, which the target sets beyond the cold-start SLA);
- StopTask by anyone (a crash): unhealthy (``crashed()``) until the service replaces the task
  after ``recovery_seconds`` (never, with ``no_recovery``, until the service goes to 0 and back);
- scale to 0: the controller stops its task.

Health is the controller's view. It is refreshed whenever ECS changes in this process's moto
(``moto_server.on_ecs_change``: a scale, a StopTask), when a pending start is due, and every
``poll_interval_seconds`` as a fallback (e.g. for a moto server in another process) -- not
twenty DescribeServices a second per target.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from harness.config import ReferenceTargetConfig, TargetConfig
from harness.local.moto_server import on_ecs_change
from harness.local.reference_target.provision import task_family

_log = logging.getLogger(__name__)


def task_id(task_arn: str) -> str:
    """The last part of a task ARN (``arn:aws:ecs:...:task/<cluster>/<id>``)."""
    return task_arn.rsplit("/", 1)[-1]


class EditServiceController:
    """Keeps the edit service's single task in step with its desiredCount."""

    def __init__(
        self,
        target: TargetConfig,
        settings: ReferenceTargetConfig,
        ecs: Any,
        on_task_gone: Callable[[str], None],
        slow_cold_start_seconds: float,
    ) -> None:
        self._target = target
        self._settings = settings
        self._slow_cold_start = slow_cold_start_seconds
        self._faults = frozenset(settings.faults)
        self._ecs = ecs  # a boto3 ECS client aimed at the target's moto server
        self._group = f"service:{target.ecs_service}"
        self._on_task_gone = on_task_gone
        self._lock = threading.Lock()
        self._task_arn: str | None = None
        self._pending_since: float | None = None
        self._pending_delay = 0.0
        self._blocked = False  # no_recovery: no replacement until the service goes to 0
        self._crashed = False  # the task was stopped from outside and is not replaced yet
        self._orphans: list[str] = []  # tasks to stop on the next poll (see notice_...)
        self._reset = False
        self._stop = threading.Event()
        self._wake = threading.Event()  # ECS changed: look now
        self._seen_desired: int | None = None  # desiredCount at the last poll
        self._changes = 0  # ECS changes seen so far (moto tells us)
        self._seen_at_change = -1  # ... counted before the read of _seen_desired
        self._unsubscribe: Callable[[], None] | None = None
        self._thread: threading.Thread | None = None

    def healthy_task(self) -> str | None:
        """The ARN of the task serving requests, or None while no container is healthy."""
        with self._lock:
            return self._task_arn

    def crashed(self) -> bool:
        """Whether no container is healthy because the last one crashed (not scaled in or
        still starting)."""
        with self._lock:
            return self._crashed and self._task_arn is None

    def known_desired_count(self) -> int | None:
        """The desiredCount this controller last saw, or None if ECS changed since (then
        ask ECS). Lets the API skip a DescribeServices per session it creates."""
        with self._lock:
            return self._seen_desired if self._seen_at_change == self._changes else None

    def start(self) -> None:
        self._stop_stale_tasks()
        self._unsubscribe = on_ecs_change(self._ecs_changed, self._target.ecs_service)
        self._thread = threading.Thread(
            target=self._run, name=f"reference-target-{self._target.ecs_service}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 0.5) -> None:
        """Stop polling. The task record stays in moto; the next start() stops it as stale."""
        self._stop.set()
        self._wake.set()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._thread is not None:
            self._thread.join(timeout)

    def notice_scale_from_zero(self) -> None:
        """The API found the service at 0 and scaled it to 1: any task still seen as healthy
        belongs to the scaled-in service (ECS is stopping it), so the next request must not
        reach it and a real cold start follows — even if no poll saw the 0 in between."""
        with self._lock:
            if self._task_arn is not None:
                self._orphans.append(self._task_arn)
                self._task_arn = None
            self._reset = True

    def _ecs_changed(self) -> None:
        """Runs in moto's request thread, before moto answers the change: from now on the
        seen desiredCount is not trusted until a poll that started after it."""
        with self._lock:
            self._changes += 1
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()  # a change during the poll below wakes the next wait at once
            try:
                self._poll()
            except (BotoCoreError, ClientError) as err:
                _log.debug("edit-service poll failed: %s", err)
            except Exception:  # noqa: BLE001 - the container must outlive one bad poll
                _log.exception("edit-service poll failed")
            self._wake.wait(self._next_wait())

    def _next_wait(self) -> float:
        """Until the fallback poll, or until a pending start is due if that is sooner."""
        wait = self._settings.poll_interval_seconds
        if self._pending_since is not None:
            due = self._pending_since + self._pending_delay - time.monotonic()
            wait = min(wait, max(0.0, due))
        return wait

    def _poll(self) -> None:
        """One reconciliation step: desiredCount and the task's status -> running or not."""
        desired = self._desired_count()
        with self._lock:
            orphans, self._orphans = self._orphans, []
            reset, self._reset = self._reset, False
        for number, orphan in enumerate(orphans):
            try:
                self._stop_task(orphan, "scaled to zero")
            except (BotoCoreError, ClientError):
                with self._lock:  # try again next poll; never leave a ghost task RUNNING
                    self._orphans.extend(orphans[number:])
                    self._reset = self._reset or reset
                raise
        if reset or desired == 0:
            current = self.healthy_task()
            if current is not None:
                self._stop_task(current, "scaled to zero")
            self._blocked = False
            self._crashed = False
            self._pending_since = None
            if desired == 0:
                return
        now = time.monotonic()
        current = self.healthy_task()
        if current is not None and not self._still_running(current):
            self._forget(current, crashed=True)  # StopTask from outside
            self._blocked = "no_recovery" in self._faults
            self._schedule(now, self._settings.recovery_seconds)
        if self.healthy_task() is not None or self._blocked:
            return
        if self._pending_since is None:
            cold = self._settings.cold_start_seconds
            if "slow_cold_start" in self._faults:
                cold = self._slow_cold_start
            self._schedule(now, cold)
        if now - (self._pending_since or now) >= self._pending_delay:
            self._launch()

    def _stop_task(self, task_arn: str, reason: str) -> None:
        self._ecs.stop_task(cluster=self._target.ecs_cluster, task=task_arn, reason=reason)
        self._forget(task_arn)

    def _schedule(self, now: float, delay: float) -> None:
        self._pending_since = now
        self._pending_delay = delay

    def _launch(self) -> None:
        # No networkConfiguration: moto 5.2.5 crashes on awsvpc
        # (docs/local-engine.md, "moto behaviours").
        answer = self._ecs.run_task(
            cluster=self._target.ecs_cluster,
            taskDefinition=task_family(self._target),
            launchType="FARGATE",
            startedBy=f"ecs-svc/{self._target.ecs_service}",
            group=self._group,
            count=1,
        )
        tasks = answer.get("tasks") or []
        if not tasks:
            _log.warning("RunTask started no task: %s", answer.get("failures"))
            return
        with self._lock:
            self._task_arn = str(tasks[0]["taskArn"])
            self._crashed = False
        self._pending_since = None

    def _forget(self, task_arn: str, crashed: bool = False) -> None:
        """The task no longer serves. A crash is marked in the same step: a request between
        the two would find no container and no crash, and answer as if one were starting."""
        with self._lock:
            if self._task_arn == task_arn:
                self._task_arn = None
            if crashed:
                self._crashed = True
        self._on_task_gone(task_id(task_arn))

    def _desired_count(self) -> int:
        with self._lock:
            changes = self._changes  # a change after this makes what we read stale
        services = self._ecs.describe_services(
            cluster=self._target.ecs_cluster, services=[self._target.ecs_service]
        )["services"]
        desired = int(services[0]["desiredCount"]) if services else 0
        with self._lock:
            self._seen_desired, self._seen_at_change = desired, changes
        return desired

    def _still_running(self, task_arn: str) -> bool:
        tasks = self._ecs.describe_tasks(cluster=self._target.ecs_cluster, tasks=[task_arn])
        return any(
            task.get("lastStatus") == "RUNNING" and task.get("desiredStatus") == "RUNNING"
            for task in tasks["tasks"]
        )

    def _stop_stale_tasks(self) -> None:
        """Tasks of this service left RUNNING by an earlier target died with its process."""
        cluster = self._target.ecs_cluster
        arns: list[str] = []
        for page in self._ecs.get_paginator("list_tasks").paginate(
            cluster=cluster, desiredStatus="RUNNING"
        ):
            arns.extend(page["taskArns"])
        for start in range(0, len(arns), 100):
            tasks = self._ecs.describe_tasks(cluster=cluster, tasks=arns[start : start + 100])
            for task in tasks["tasks"]:
                if task.get("group") == self._group:
                    arn = task["taskArn"]
                    self._stop_task(arn, "reference target restarted")
