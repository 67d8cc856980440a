"""The configuration reference, generated from the model (docs/config-reference.md).

``python -m harness.config.reference > docs/config-reference.md`` writes it; a test fails
when the file differs from what the model says, so the reference cannot go stale.
"""

from __future__ import annotations

import json
from typing import Any

from harness.config import HarnessConfig

HEADER = """# Configuration reference

Generated from the config model (`harness/config/`) by
`python -m harness.config.reference > docs/config-reference.md`;
`tests/unit/test_config_reference.py` fails when this file is stale. How the sources combine
(file, `HARNESS__SECTION__KEY` environment overrides, `$HARNESS_CONFIG_JSON` in Lambda):
[configuration.md](configuration.md).
"""


def _type(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    if "enum" in prop:
        return "one of " + ", ".join(f"`{value}`" for value in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    if "anyOf" in prop:
        return " or ".join(_type(option, defs) for option in prop["anyOf"])
    if "$ref" in prop:
        return str(prop["$ref"]).rsplit("/", 1)[-1]
    kind = str(prop.get("type", "any"))
    if kind == "array":
        return f"list of {_type(prop.get('items', {}), defs)}"
    if kind == "object":
        extra = prop.get("additionalProperties")
        return f"table of {_type(extra, defs)}" if isinstance(extra, dict) else "table"
    return {"null": "none"}.get(kind, kind)


def _limits(prop: dict[str, Any]) -> str:
    found = []
    for key, text in (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="),
                      ("exclusiveMaximum", "<")):  # fmt: skip
        if key in prop:
            found.append(f"{text} {prop[key]}")
    if "pattern" in prop:
        found.append(f"matches `{prop['pattern']}`")
    for option in prop.get("anyOf", []):
        found.extend(part for part in [_limits(option)] if part)
    return ", ".join(found)


def _cell(value: Any) -> str:
    return f"`{json.dumps(value)}`".replace("|", "\\|")


def _section(title: str, schema: dict[str, Any], defaults: Any, defs: dict[str, Any]) -> list[str]:
    lines = [f"## `{title}`", ""]
    if schema.get("description"):
        lines += [" ".join(schema["description"].split()), ""]
    lines += ["| key | type | default | limits |", "|---|---|---|---|"]
    for key, prop in schema.get("properties", {}).items():
        default = defaults.get(key) if isinstance(defaults, dict) else None
        lines.append(
            f"| `{key}` | {_type(prop, defs)} | {_cell(default)} | {_limits(prop)} |".replace(
                "|  |", "| |"
            )
        )
    return [*lines, ""]


def render_reference() -> str:
    schema = HarnessConfig.model_json_schema()
    defs = schema.get("$defs", {})
    defaults = HarnessConfig().model_dump(mode="json")
    lines = [HEADER]
    for name, prop in schema["properties"].items():
        ref = (
            prop.get("$ref")
            or (prop.get("additionalProperties") or {}).get("$ref")
            or (prop.get("items") or {}).get("$ref")
        )
        if not ref:
            continue
        section = defs[ref.rsplit("/", 1)[-1]]
        if "$ref" in prop:  # a section
            lines += _section(f"[{name}]", section, defaults[name], defs)
        elif "items" in prop:  # an array of sections, e.g. [[targets]]
            lines += _section(f"[[{name}]]", section, _model_defaults(section), defs)
        else:  # a table of sections, e.g. [scenarios.<name>]
            lines += _section(f"[{name}.<name>]", section, _model_defaults(section), defs)
        for key, sub in section.get("properties", {}).items():
            sub_ref = (sub.get("additionalProperties") or {}).get("$ref")
            if sub_ref:
                nested = defs[sub_ref.rsplit("/", 1)[-1]]
                title = f"[{name}.{key}.<name>]"
                lines += _section(title, nested, _model_defaults(nested), defs)
    return "\n".join(lines).rstrip() + "\n"


def _model_defaults(section: dict[str, Any]) -> dict[str, Any]:
    """Defaults of a section kept in tables (no single default instance in the model): what
    the schema records for each key."""
    return {key: prop.get("default") for key, prop in section.get("properties", {}).items()}


if __name__ == "__main__":
    print(render_reference(), end="")
