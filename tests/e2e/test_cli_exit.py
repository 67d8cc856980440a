"""The ``harness`` command exits without tearing the interpreter down, and loses nothing by
it: the exit code, everything printed, the exit handlers and the threads still running."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

PROGRAM = """
import atexit, sys, threading, time
from pathlib import Path
from harness.cli import exit_now

folder = Path(sys.argv[1])
atexit.register(lambda: (folder / "handler-ran").write_text("yes"))

def late_writer():
    time.sleep(0.2)
    (folder / "thread-finished").write_text("yes")

threading.Thread(target=late_writer).start()
sys.stdout.write("line\\n" * 20000)  # more than a pipe buffer holds
print("last line", end="")
exit_now(3)
"""


def test_exit_now_keeps_the_code_the_output_the_handlers_and_the_threads(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(PROGRAM), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3, done.stderr
    assert done.stdout.count("line\n") == 20000 and done.stdout.endswith("last line")
    assert (tmp_path / "handler-ran").read_text() == "yes"
    assert (tmp_path / "thread-finished").read_text() == "yes"
    assert done.stderr == ""
