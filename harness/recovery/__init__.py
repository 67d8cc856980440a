"""Recovery: a run that ended badly (interrupted, killed, timed out, aborted) still ends well.

The same steps in every world: put the edit service back to its pre-run count, delete the
run's test data, record the run as ``aborted`` with its reason and the results it had, and
forget it among the runs in flight. In AWS an EventBridge rule runs them
(``functions/recover_run``); locally the CLI runs them at once on Ctrl-C/SIGTERM, and on the
next start for a run whose process died.
"""

from harness.recovery.recover import RecoveryReport, aborted_summary, recover_run

__all__ = ["RecoveryReport", "aborted_summary", "recover_run"]
