"""The names the state machine and the code share: states the code reads from an execution's
history, and the errors its Fail states end with. ``tests/unit/test_wire_names.py`` checks
both against ``statemachines/suite.asl.json``, so neither side can drift."""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    """Every state of the suite state machine."""

    PLAN = "Plan"
    DESCRIBE_REJECTION = "DescribeRejection"
    REJECT_INPUT = "RejectInput"
    PLAN_FAILED = "PlanFailed"
    ACQUIRE_LEASES = "AcquireLeases"
    LEASES_ACQUIRED = "LeasesAcquired"
    WAIT_FOR_TARGETS = "WaitForTargets"
    TARGET_BUSY = "TargetBusy"
    RUN_LANES = "RunLanes"
    RUN_GROUPS = "RunGroups"
    SETUP_GROUP = "SetupGroup"
    RUN_SCENARIOS = "RunScenarios"
    HOW_TO_RUN = "HowToRun"
    RUN_SCENARIO = "RunScenario"
    HOW_TO_FAN_OUT = "HowToFanOut"
    RUN_USER_BATCHES = "RunUserBatches"
    RUN_USER_BATCH = "RunUserBatch"
    RECORD_BATCH_ERROR = "RecordBatchError"
    RUN_USER_BATCHES_DISTRIBUTED = "RunUserBatchesDistributed"
    RUN_USER_BATCH_IN_CHILD = "RunUserBatchInChild"
    RECORD_CHILD_BATCH_ERROR = "RecordChildBatchError"
    JUDGE_LOAD = "JudgeLoad"
    RECORD_SCENARIO_ERROR = "RecordScenarioError"
    GROUP_DONE = "GroupDone"
    LANE_DONE = "LaneDone"
    IS_CONFIRM_PASS = "IsConfirmPass"
    AGGREGATE = "Aggregate"
    DETECT_REGRESSIONS = "DetectRegressions"
    CONFIRM_NEEDED = "ConfirmNeeded"
    PLAN_CONFIRMATION = "PlanConfirmation"
    JUDGE_CONFIRMATION = "JudgeConfirmation"
    ALERT = "Alert"
    PUBLISH_REPORT = "PublishReport"
    CLEANUP = "Cleanup"
    RELEASE_LEASES = "ReleaseLeases"
    GATE = "Gate"
    HARNESS_FAILED = "HarnessFailed"
    RELEASE_FAILED = "ReleaseFailed"
    RESTORE_FAILED = "RestoreFailed"
    SUITE_FAILED = "SuiteFailed"
    SUITE_PASSED = "SuitePassed"


class FailError(StrEnum):
    """The ``Error`` of each Fail state: what a failed execution reports."""

    INVALID_RUN_REQUEST = "InvalidRunRequest"
    PLAN_FAILED = "PlanFailed"
    TARGET_BUSY = "TargetBusy"
    HARNESS_FAILED = "HarnessFailed"
    SUITE_FAILED = "SuiteFailed"
