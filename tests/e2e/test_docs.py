"""Every command shown in README.md and docs/ runs as documented.

``console`` blocks: a line ``$ COMMAND`` is a command; ``# exits N`` at its end says which
exit code it must give (default 0). The commands of one block run in order in one scratch
folder (holding a copy of docs/), so a block can export a file and import it again.
``harness`` commands run for real; ``make`` targets through the real Makefile (``make test``
only as a dry run: it is what runs this very test).

``sh`` blocks need an AWS account, so they are checked dry: ``harness ...`` with ``--help``
(the command path must exist), ``aws SERVICE OPERATION --param ...`` against botocore's
service model (the operation and every parameter must exist), ``cdk SUBCOMMAND`` against
the CDK CLI's subcommands and the context keys ``app.py`` reads.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import botocore.session
import pytest

from harness.layout import PROJECT_ROOT

pytestmark = pytest.mark.e2e
DOCUMENTS = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^( *)```(console|sh)\n(.*?)^\1```", re.DOTALL | re.MULTILINE)
EXITS = re.compile(r"\s+#\s*exits\s+(\d+)\s*$")
FAST = {
    "HARNESS__REFERENCE_TARGET__COLD_START_SECONDS": "0.3",
    "HARNESS__REFERENCE_TARGET__RECOVERY_SECONDS": "0.3",
}
# Shell set-up lines of sh blocks: nothing to check without an account.
SETUP = ("source ", "npm ", "export ")
CDK_SUBCOMMANDS = {"bootstrap", "synth", "deploy", "destroy", "diff", "list", "ls"}
CDK_CONTEXT = {"config", "example_pipeline"}  # what app.py and infra/app.py read
AWS_CLI_ONLY = {"cli-binary-format", "region", "output", "query", "profile"}
AWS_SERVICE_NAMES = {"s3api": "s3"}


def blocks(kind: str) -> list[tuple[str, int, list[str]]]:
    found = []
    for document in DOCUMENTS:
        name = document.relative_to(PROJECT_ROOT).as_posix()
        for index, (indent, lang, body) in enumerate(BLOCK.findall(document.read_text())):
            if lang != kind:
                continue
            lines = [line[len(indent) :] for line in body.splitlines()]
            found.append((name, index, lines))
    return found


def console_blocks() -> list[tuple[str, int, list[tuple[str, int]]]]:
    found = []
    for name, index, lines in blocks("console"):
        commands = []
        for line in lines:
            if not line.startswith("$ "):
                continue
            command, expected = line[2:].strip(), 0
            match = EXITS.search(command)
            if match:
                expected = int(match.group(1))
                command = command[: match.start()].strip()
            commands.append((command, expected))
        if commands:
            found.append((name, index, commands))
    return found


def sh_commands() -> list[tuple[str, str]]:
    found = []
    for name, _, lines in blocks("sh"):
        joined = "\n".join(lines).replace("\\\n", " ")
        for line in joined.splitlines():
            line = line.split(" #", 1)[0].strip()
            if line and not line.startswith("#"):
                found.append((name, line))
    return found


CONSOLE = console_blocks()
SH = sh_commands()


def test_the_docs_show_commands() -> None:
    shown = {command for _, _, commands in CONSOLE for command, _ in commands}
    assert {"make run", "make test"} <= shown
    assert any(line.startswith("aws ") for _, line in SH)


def run_console(command: str, expected: int, document: str, scratch: Path) -> None:
    words = shlex.split(command)
    env = {**os.environ, **FAST, "HARNESS__LOCAL__STATE_DIR": str(scratch / "state")}
    if words[0] == ".venv/bin/harness":
        argv, cwd = [sys.executable, "-m", "harness.cli", *words[1:]], scratch
    elif words[0] == ".venv/bin/python":  # e.g. `python app.py`, what `cdk synth` runs
        env["CDK_OUTDIR"] = str(scratch / "cdk.out")
        env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
        argv, cwd = [sys.executable, *words[1:]], PROJECT_ROOT
    elif words[:2] == ["make", "test"]:
        argv, cwd = ["make", "-n", *words[1:]], PROJECT_ROOT
    elif words[0] == "make":
        # The venv CI built is already installed: make runs the documented recipe as-is.
        venv = Path(sys.executable).parent.parent
        argv = [*words, f"VENV={venv}", f"ARGS=--state-dir {scratch / 'state'}"]
        cwd = PROJECT_ROOT
    else:
        pytest.fail(f"{document}: no rule to check `{command}`; add one to this test")
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == expected, (
        f"{document}: `{command}` exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    )


@pytest.mark.parametrize(
    ("document", "index", "commands"),
    CONSOLE,
    ids=[f"{document}#{index}" for document, index, _ in CONSOLE],
)
def test_documented_commands_run(
    document: str, index: int, commands: list[tuple[str, int]], tmp_path: Path
) -> None:
    shutil.copytree(PROJECT_ROOT / "docs", tmp_path / "docs")
    for command, expected in commands:
        run_console(command, expected, document, tmp_path)


def check_aws(words: list[str]) -> None:
    service, operation = AWS_SERVICE_NAMES.get(words[1], words[1]), words[2]
    model = botocore.session.get_session().get_service_model(service)
    by_cli_name = {re.sub(r"(?<!^)(?=[A-Z])", "-", op).lower(): op for op in model.operation_names}
    assert operation in by_cli_name, f"aws {words[1]} has no operation {operation}"
    members = model.operation_model(by_cli_name[operation]).input_shape.members
    known = {name.lower() for name in members}
    for word in words[3:]:
        if word.startswith("--"):
            flag = word[2:]
            assert flag in AWS_CLI_ONLY or flag.replace("-", "") in known, (
                f"aws {words[1]} {operation} has no parameter --{flag}"
            )


def check_cdk(words: list[str]) -> None:
    assert words[1] in CDK_SUBCOMMANDS, f"cdk has no subcommand {words[1]}"
    for flag, value in pairwise(words):
        if flag in ("-c", "--context"):
            assert value.split("=", 1)[0] in CDK_CONTEXT, f"app.py reads no context {value}"


@pytest.mark.parametrize(("document", "line"), SH, ids=[f"{d}:{line[:40]}" for d, line in SH])
def test_account_commands_are_valid(document: str, line: str) -> None:
    if line.startswith(SETUP):
        return
    words = shlex.split(line)
    if words[0] == "aws":
        check_aws(words)
    elif words[0] == "cdk":
        check_cdk(words)
    elif words[0] in ("harness", ".venv/bin/harness"):
        path = []
        for word in words[1:]:
            if word.startswith(("-", "<")):
                break
            path.append(word)
        done = subprocess.run(
            [sys.executable, "-m", "harness.cli", *path, "--help"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, f"{document}: `harness {' '.join(path)}`: {done.stderr}"
        for word in words[1:]:
            if word.startswith("--") and "=" not in word:
                assert word in done.stdout, f"{document}: `harness {' '.join(path)}` has no {word}"
    else:
        pytest.fail(f"{document}: no rule to check `{line}`; add one to this test")
