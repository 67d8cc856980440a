"""Turn pydantic validation failures into harness errors that name the field and the fix, and
check the few values every entry point shares (endpoint URLs)."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from harness.errors import HarnessError

M = TypeVar("M", bound=BaseModel)
MAX_SHOWN_CHARS = 60
"""A rejected value is shown up to this many characters: enough to recognise it, and a
rejection message stays small however large the input was."""
MAX_MESSAGE_CHARS = 240
"""What is wrong is shown up to this many characters (our own messages say how to fix it)."""
MAX_PROBLEMS_SHOWN = 10


def _clip(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters)"


def format_validation_error(err: ValidationError) -> str:
    """One line per problem: the dotted field path, what is wrong, and what was given.

    Bounded in size: values and paths are clipped, and at most ``MAX_PROBLEMS_SHOWN`` problems
    are listed (the rest are counted), so a huge input cannot make a huge message.
    """
    problems = err.errors()
    lines = []
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        location = _clip(".".join(str(part) for part in problem["loc"]) or "(root)")
        given = problem.get("input")
        shown = "" if isinstance(given, dict) else f" (got {_clip(repr(given))})"
        lines.append(f"- {location}: {_clip(problem['msg'], MAX_MESSAGE_CHARS)}{shown}")
    if len(problems) > MAX_PROBLEMS_SHOWN:
        lines.append(f"- ... and {len(problems) - MAX_PROBLEMS_SHOWN} more problem(s)")
    return "\n".join(lines)


def parse_as(model: type[M], data: Any, error: type[HarnessError], what: str) -> M:
    """Validate ``data`` as ``model``; on failure raise ``error`` listing every bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise error(f"invalid {what}:\n{format_validation_error(err)}") from err


def endpoint_problem(url: str) -> str | None:
    """What is wrong with a target endpoint URL (``http(s)://host[:port][/path]``), or None."""
    if any(char.isspace() for char in url):
        return "must not contain spaces"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "must start with http:// or https://"
    try:
        parts.port  # noqa: B018 - reading it validates it
    except ValueError:
        return "has an invalid port"
    if not parts.hostname:
        return "names no host"
    if parts.query or parts.fragment:
        return "must not have a query or fragment"
    return None


def check_endpoint(url: str) -> str:
    """``url`` without a trailing slash; a ValueError names what is wrong (for validators)."""
    problem = endpoint_problem(url)
    if problem is not None:
        raise ValueError(f"{_clip(url)!r} {problem}")
    return url.rstrip("/")
