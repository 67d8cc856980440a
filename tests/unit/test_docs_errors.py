"""Every error the harness raises is in troubleshooting.md, with its symptom and fix."""

import importlib
import pkgutil

import harness
from harness.errors import HarnessError
from harness.layout import PROJECT_ROOT


def all_errors() -> set[str]:
    for module in pkgutil.walk_packages(harness.__path__, "harness."):
        if ".local" in module.name or ".aws" in module.name or module.name.endswith("__main__"):
            continue  # adapters import moto/boto3: their errors subclass the core ones
        importlib.import_module(module.name)
    found: set[str] = set()
    pending = [HarnessError]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            found.add(sub.__name__)
            pending.append(sub)
    return found


def test_every_error_has_a_troubleshooting_row() -> None:
    text = (PROJECT_ROOT / "docs" / "troubleshooting.md").read_text()
    missing = sorted(name for name in all_errors() if f"| `{name}` |" not in text)
    assert missing == [], f"add a row to docs/troubleshooting.md for {missing}"
