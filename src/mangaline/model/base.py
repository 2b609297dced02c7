"""The base class of every production-model record and the schema version."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

SCHEMA_VERSION = 1


class Record(BaseModel):
    """Plain data: validated on assignment, unknown keys refused so typos in YAML are caught."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False)
