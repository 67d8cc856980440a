"""Errors of the harness.

The class names are the state machine's contract: `statemachines/suite.asl.json` names them
in `ErrorEquals`, and a test checks that every name used there exists here.
"""

from __future__ import annotations


class HarnessError(Exception):
    """Base class of every error the harness raises on purpose."""


class InvalidRunRequestError(HarnessError):
    """The run request (state-machine input, CLI flags) failed validation."""


class UnknownScenarioError(HarnessError):
    """A scenario or suite name that the catalogue does not know."""


class ConfigError(HarnessError):
    """The configuration file or an environment override is invalid."""


class InvalidEventError(HarnessError):
    """A Lambda handler received an event that does not match its model."""


class TargetUnavailableError(HarnessError):
    """The stack under test did not answer its health check."""


class HistoryError(HarnessError):
    """Run history could not be read or written."""


class RunExistsError(HistoryError):
    """A run with this id is already stored: runs are never replaced."""


class CheckFailedError(HarnessError):
    """A scenario check did not hold; the scenario fails (it does not error)."""


class ScenarioTimeoutError(HarnessError):
    """A scenario ran past its ``timeout_seconds``: its result is ``error: timeout``."""


class TargetRequestError(HarnessError):
    """An HTTP request to the target failed at transport level (refused, timed out)."""


class AlertDeliveryError(HarnessError):
    """One try to hand an alert to a channel failed; ``retryable`` says whether trying again
    can help (HTTP 5xx, 429, timeouts) and ``retry_after`` what the server asked to wait."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class TargetInfraError(HarnessError):
    """A call to the target's AWS side (ECS, DynamoDB) failed or found nothing to act on."""


class ScenarioDefinitionError(HarnessError):
    """A scenario definition or plugin breaks the catalogue's rules (name, unit, duplicate)."""


class ScenarioContractError(HarnessError):
    """A scenario recorded a check or metric it does not declare, or passed without recording
    a metric it declares: the scenario's code and its definition disagree."""


class ReportError(HarnessError):
    """A run report could not be written (state folder or results bucket)."""


class BudgetExceededError(HarnessError):
    """A run would push the month's estimated cost past ``[sla] monthly_budget_usd``."""


class ArchiveError(HarnessError):
    """A history archive (``harness history import``) is not one this harness can read."""


class UnsafeCleanupError(HarnessError):
    """Cleanup was asked to delete by a prefix that is not provably the harness's own."""


class LeaseError(HarnessError):
    """The lease store (SQLite locally, DynamoDB in AWS) could not be read or written."""


class StoreError(HarnessError):
    """An object store (S3 in AWS, a folder locally) could not be read or written."""
