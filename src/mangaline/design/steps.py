"""The design department's step: a character's reference sheet, drawn from the bible."""

from __future__ import annotations

from ..engine import Step, StepContext, StepOutput
from ..model import Character
from ..render.sheet import EXPRESSIONS, SHEET_VIEWS, draw_character_sheet
from .approval import design_fingerprint

__all__ = ["CHARACTER_SHEET"]


def character_sheet(ctx: StepContext) -> StepOutput:
    character = Character.model_validate(ctx.params["character"])
    out = ctx.workdir / "sheet.png"
    draw_character_sheet(character, out)
    # The version, approval and design fingerprint travel with the take, so a shot's reference names the
    # design it was checked against, and `mangaline approve` can lock exactly the design this sheet shows.
    return StepOutput(components={"sheet.png": out},
                      data={"character": character.id, "version": character.version, "approved": character.approved,
                            "design_sha256": design_fingerprint(character),
                            "design": character.design.model_dump(mode="json"),
                            "views": list(SHEET_VIEWS), "expressions": list(EXPRESSIONS)})


CHARACTER_SHEET = Step(name="design.character_sheet", version="3", fn=character_sheet, kind="cpu")
