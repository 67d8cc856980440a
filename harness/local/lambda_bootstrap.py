"""Run one Lambda handler in this process, as the Lambda runtime would: the asset is the
working directory and first on the path, the environment is the function's own.

Standard library only, run as a script by ``lambda_runtime`` (isolated mode):
``python lambda_bootstrap.py <module.function> <event file> <result file>``.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
import uuid
from pathlib import Path


class Context:
    """The parts of the Lambda context object that handlers and Powertools read."""

    def __init__(self) -> None:
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "function")
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.invoked_function_arn = os.environ.get("HARNESS_LOCAL_FUNCTION_ARN", "")
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = time.monotonic() + float(os.environ.get("HARNESS_LOCAL_TIMEOUT", "3"))

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def main() -> int:
    handler_path, event_file, result_file = sys.argv[1:4]
    sys.path.insert(0, str(Path.cwd()))
    event = json.loads(Path(event_file).read_text(encoding="utf-8"))
    try:
        module_name, _, attribute = handler_path.rpartition(".")
        handler = getattr(importlib.import_module(module_name), attribute)
        outcome = {"result": handler(event, Context())}
    except BaseException as err:  # noqa: BLE001 - every failure becomes a Lambda error
        outcome = {
            "error": {
                "errorMessage": str(err),
                "errorType": type(err).__name__,
                "stackTrace": traceback.format_exception(err)[-5:],
            }
        }
    Path(result_file).write_text(json.dumps(outcome), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
