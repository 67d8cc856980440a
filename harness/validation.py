"""Turn pydantic validation failures into harness errors that name the field and the fix."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from harness.errors import HarnessError

M = TypeVar("M", bound=BaseModel)


def format_validation_error(err: ValidationError) -> str:
    """One line per problem: the dotted field path, what is wrong, and what was given."""
    lines = []
    for problem in err.errors():
        location = ".".join(str(part) for part in problem["loc"]) or "(root)"
        given = problem.get("input")
        shown = "" if isinstance(given, dict) else f" (got {_clip(repr(given))})"
        lines.append(f"- {location}: {problem['msg']}{shown}")
    return "\n".join(lines)


def _clip(text: str, limit: int = 200) -> str:
    """A rejected value as shown back: bounded (it may be a list of thousands of paths)."""
    return text if len(text) <= limit else f"{text[: limit - 20]}... ({len(text)} chars)"


def parse_as(model: type[M], data: Any, error: type[HarnessError], what: str) -> M:
    """Validate ``data`` as ``model``; on failure raise ``error`` listing every bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise error(f"invalid {what}:\n{format_validation_error(err)}") from err
