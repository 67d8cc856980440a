"""The code digest finds a module's imports from the lines that start one; it must find what
parsing the whole module finds, or fall back to parsing it."""

from __future__ import annotations

import ast
import pkgutil
import textwrap

import pytest

import harness
from harness.planning.code_digest import _import_statements, _source, _statements


def imports_by_full_parse(source: bytes) -> list[str]:
    nodes = _statements(ast.parse(source).body)
    return sorted(ast.dump(n) for n in nodes if isinstance(n, ast.Import | ast.ImportFrom))


def imports_found(source: bytes) -> list[str]:
    nodes = _import_statements(source)
    return sorted(ast.dump(n) for n in nodes if isinstance(n, ast.Import | ast.ImportFrom))


def test_every_harness_module_gets_the_imports_a_full_parse_finds() -> None:
    modules = ["harness", *(m.name for m in pkgutil.walk_packages(harness.__path__, "harness."))]
    checked = 0
    for module in modules:
        found = _source(module)
        if found is None:
            continue
        assert imports_found(found[1]) == imports_by_full_parse(found[1]), module
        checked += 1
    assert checked > 100


ODD_LAYOUTS = {
    "parenthesised over lines": """
        from harness.wire import (
            RunPlan,  # a comment (with parentheses)
            RunRequest,
        )
        """,
    "continued by a backslash": """
        import harness.wire, \\
            harness.errors
        """,
    "after a semicolon": """
        value = 1; import harness.errors
        """,
    "two on one line": """
        import harness.errors; import harness.layout
        from harness import wire; value = 1
        """,
    "inside a function and a class": """
        def late():
            from harness.planning import plan

            class Inner:
                import harness.layout
        """,
    "relative": """
        from . import plan
        from .schedule import Job
        from .. import errors
        """,
    "the word in a docstring line": """
        '''What this does:
        import harness.wire is not a statement here.
        '''
        import harness.errors
        """,
    "the word in a comment and a string": """
        # import harness.layout
        text = "import harness.config"
        from harness import errors
        """,
}


@pytest.mark.parametrize("layout", sorted(ODD_LAYOUTS))
def test_odd_layouts_find_exactly_the_real_imports_or_more(layout: str) -> None:
    source = textwrap.dedent(ODD_LAYOUTS[layout]).encode()
    expected = imports_by_full_parse(source)
    found = imports_found(source)
    assert set(expected) <= set(found), "an import was missed"
    # Extra ones may only come from a line that reads as an import (the docstring's).
    assert set(found) - set(expected) <= {ast.dump(ast.parse("import harness.wire").body[0])}
