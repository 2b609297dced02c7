"""The shape a language model must give for one chunk of a story: scenes of beats, each with its source quote."""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["BeatReply", "ChunkReply", "NameReply", "SceneReply", "strict_schema"]


class _Reply(BaseModel):
    # extra keys are ignored: some models add commentary fields, and they change nothing we keep
    model_config = ConfigDict(extra="ignore")


class NameReply(_Reply):
    """A character or a place as this part of the story names it, with the other names it goes by."""

    name: str = Field(min_length=1, description="the canonical name; reuse the known name when it is the same one")
    aliases: list[str] = Field(default_factory=list, description="other names, nicknames or titles used for it")


class BeatReply(_Reply):
    """One moment: an action paragraph or one spoken line, and the exact source text it comes from."""

    kind: Literal["action", "dialogue"]
    text: str = Field(min_length=1, description="action: what is seen, in the story's language; dialogue: the spoken words only")
    speaker: str | None = Field(default=None, description="dialogue only: who speaks (a known name when possible)")
    parenthetical: str | None = Field(default=None, description="dialogue only: how it is said (quietly, laughing), or null")
    quote: str = Field(min_length=1, description="a verbatim excerpt of the story text this beat comes from, copied exactly")


class SceneReply(_Reply):
    """One continuous stretch in one place and time."""

    chapter: str | None = Field(default=None, description="the chapter heading exactly as written if this scene starts a chapter, else null")
    place: str = Field(min_length=1, description="where it happens (a known place name when possible)")
    interior: bool = Field(default=True, description="true indoors, false outdoors")
    time_of_day: str = Field(default="DAY", description="DAY, NIGHT, MORNING, EVENING, ...")
    beats: list[BeatReply] = Field(default_factory=list)


class ChunkReply(_Reply):
    """The breakdown of one chunk of the story."""

    characters: list[NameReply] = Field(default_factory=list, description="every character who appears or speaks")
    places: list[NameReply] = Field(default_factory=list, description="every place where a scene happens")
    scenes: list[SceneReply] = Field(default_factory=list)


def strict_schema() -> dict[str, Any]:
    """ChunkReply's JSON schema in the form strict structured outputs accept.

    Strict mode wants every property listed as required, no additional properties and no
    defaults; optional fields stay nullable, so the same replies validate either way.
    """
    schema = copy.deepcopy(ChunkReply.model_json_schema())

    def tighten(node: Any) -> None:
        if isinstance(node, dict):
            node.pop("default", None)
            node.pop("title", None)
            node.pop("minLength", None)
            if node.get("type") == "object" and "properties" in node:
                node["required"] = list(node["properties"])
                node["additionalProperties"] = False
            for value in node.values():
                tighten(value)
        elif isinstance(node, list):
            for item in node:
                tighten(item)

    tighten(schema)
    return schema
