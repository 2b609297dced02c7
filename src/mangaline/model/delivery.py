"""Deliveries: the frames an episode is delivered in (9:16, 16:9, 1:1), each the same cut and mix re-framed."""

from __future__ import annotations

from pydantic import Field

from ..errors import MangalineError
from .base import Record

__all__ = ["ASPECTS", "Aspect", "aspect_frame", "parse_aspects"]

ASPECTS: dict[str, tuple[int, int]] = {"9:16": (9, 16), "16:9": (16, 9), "1:1": (1, 1)}
"""Each delivery format by name -> its width and height ratio."""


class Aspect(Record):
    """One delivery frame: its name (``16:9``), the tag files carry (``16x9``) and its size in pixels."""

    name: str = Field(description="width:height, e.g. 16:9")
    width: int
    height: int

    @property
    def tag(self) -> str:
        """The name as it goes into file names and entities: ``16x9``."""
        return self.name.replace(":", "x")


def aspect_frame(name: str, project_width: int, project_height: int) -> Aspect:
    """The delivery frame ``name`` for a project drawn at ``project_width`` x ``project_height``.

    Its short side is the project's short side, so every delivery is as sharp as the master; the long side
    follows the ratio, rounded to an even number of pixels (H.264's 4:2:0). The project's own ratio is
    the project's own frame.
    """
    w, h = ASPECTS[name]
    short = min(project_width, project_height)
    if w * project_height == h * project_width:
        return Aspect(name=name, width=project_width, height=project_height)
    even = lambda v: max(2, int(round(v / 2.0)) * 2)  # noqa: E731
    if w >= h:
        return Aspect(name=name, width=even(short * w / h), height=short)
    return Aspect(name=name, width=short, height=even(short * h / w))


def parse_aspects(text: str) -> list[str]:
    """``"9:16,16:9"`` as a list of delivery format names, in the order given; anything else is refused by name."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    accepted = ", ".join(ASPECTS)
    if not names:
        raise MangalineError("no delivery format named", hint=f"give one or more of {accepted}, e.g. --formats 9:16,16:9")
    unknown = [name for name in names if name not in ASPECTS]
    if unknown:
        raise MangalineError(f"unknown delivery format {unknown[0]!r}", hint=f"accepted formats: {accepted} (width:height)")
    return list(dict.fromkeys(names))
