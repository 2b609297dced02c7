"""The design department's step: a character's reference sheet, drawn from the bible."""

from __future__ import annotations

from ..engine import Step, StepContext, StepOutput
from ..model import Character
from ..render.sheet import EXPRESSIONS, SHEET_VIEWS, draw_character_sheet

__all__ = ["CHARACTER_SHEET"]


def character_sheet(ctx: StepContext) -> StepOutput:
    character = Character.model_validate(ctx.params["character"])
    out = ctx.workdir / "sheet.png"
    draw_character_sheet(character, out)
    # The version and approval travel with the take, so a shot's reference names the design it was checked against.
    return StepOutput(components={"sheet.png": out},
                      data={"character": character.id, "version": character.version, "approved": character.approved,
                            "views": list(SHEET_VIEWS), "expressions": list(EXPRESSIONS)})


CHARACTER_SHEET = Step(name="design.character_sheet", version="2", fn=character_sheet, kind="cpu")
