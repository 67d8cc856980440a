"""The base of every payload the state machine carries: JSON, camelCase, validated.

Everything on the wire is JSON (camelCase, like the rest of Step Functions) and validated by
pydantic on the way in, so a bad field is named where it entered.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

RUN_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{0,47}$"
SCENARIO_NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
# A target name is part of every series key ("<target>/<scenario>/<metric>"): no "/" or "#".
# Empty means "derive it" (harness.planning.plan.target_identity).
TARGET_NAME_PATTERN = r"^([A-Za-z0-9][A-Za-z0-9._:-]{0,99})?$"


class WireModel(BaseModel):
    """Base for models that travel as JSON: camelCase on the wire, unknown fields refused."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        defer_build=True,
    )

    def to_wire(self) -> dict[str, object]:
        """The JSON-ready dict the state machine carries."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class StateEvent(WireModel):
    """A slice of the execution state: fields the reader does not use are ignored."""

    model_config = ConfigDict(**{**WireModel.model_config, "extra": "ignore"})
