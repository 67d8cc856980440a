"""Every command shown in a ``console`` block of README.md and docs/ runs as documented.

A line ``$ COMMAND`` is a command; ``# exits N`` at its end says which exit code it must give
(default 0). ``harness`` commands run for real in a scratch folder holding a copy of docs/;
``make`` targets run through the real Makefile (``make test`` only as a dry run: it is what
runs this very test).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.layout import PROJECT_ROOT

pytestmark = pytest.mark.e2e
DOCUMENTS = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)
EXITS = re.compile(r"\s+#\s*exits\s+(\d+)\s*$")
FAST = {
    "HARNESS__REFERENCE_TARGET__COLD_START_SECONDS": "0.3",
    "HARNESS__REFERENCE_TARGET__RECOVERY_SECONDS": "0.3",
}


def documented_commands() -> list[tuple[str, str, int]]:
    found = []
    for document in DOCUMENTS:
        for block in BLOCK.findall(document.read_text()):
            for line in block.splitlines():
                if not line.startswith("$ "):
                    continue
                command = line[2:].strip()
                expected = 0
                match = EXITS.search(command)
                if match:
                    expected = int(match.group(1))
                    command = command[: match.start()].strip()
                found.append((document.relative_to(PROJECT_ROOT).as_posix(), command, expected))
    return found


COMMANDS = documented_commands()


def test_the_docs_show_commands() -> None:
    shown = {command for _, command, _ in COMMANDS}
    assert {"make run", "make test"} <= shown


@pytest.mark.parametrize(("document", "command", "expected"), COMMANDS)
def test_documented_command_runs(
    document: str, command: str, expected: int, tmp_path: Path
) -> None:
    words = shlex.split(command)
    env = {**os.environ, **FAST, "HARNESS__LOCAL__STATE_DIR": str(tmp_path / "state")}
    if words[0] == ".venv/bin/harness":
        shutil.copytree(PROJECT_ROOT / "docs", tmp_path / "docs")
        argv = [sys.executable, "-m", "harness.cli", *words[1:]]
        cwd = tmp_path
    elif words[0] == ".venv/bin/python":  # e.g. `python app.py`, what `cdk synth` runs
        env["CDK_OUTDIR"] = str(tmp_path / "cdk.out")
        env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
        argv, cwd = [sys.executable, *words[1:]], PROJECT_ROOT
    elif words[:2] == ["make", "test"]:
        argv, cwd = ["make", "-n", *words[1:]], PROJECT_ROOT
    elif words[0] == "make":
        # The venv CI built is already installed: make runs the documented recipe as-is.
        venv = Path(sys.executable).parent.parent
        argv, cwd = [*words, f"VENV={venv}", f"ARGS=--state-dir {tmp_path / 'state'}"], PROJECT_ROOT
    else:
        pytest.fail(f"{document}: no rule to check `{command}`; add one to this test")
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == expected, (
        f"{document}: `{command}` exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    )
