"""The design department's step: a character's turnaround sheet, from the image model the router picked."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from ..atomic import atomic_path
from ..engine import Step, StepContext, StepOutput
from ..errors import ProviderError
from ..model import TURNAROUND_EXPRESSIONS, TURNAROUND_PANEL, TURNAROUND_STRIP, TURNAROUND_VIEWS, Character
from ..providers.protocols import ImageRequest
from ..providers.studio import DRAFT, Route, Studio
from .approval import design_fingerprint

__all__ = ["CHARACTER_SHEET", "sheet_prompt"]

_FIGURE = 1024  # the views' height in pixels a sheet is asked at
SHEET_SIZE = (int(_FIGURE * TURNAROUND_PANEL) * len(TURNAROUND_VIEWS), _FIGURE + int(_FIGURE * TURNAROUND_STRIP))
"""Five views side by side over a strip of three expressions, at 1024 px a figure."""


def crop_sheet(sheet: Path, out_dir: Path) -> dict[str, Path]:
    """Each view and expression of a sheet as its own picture, cut where the sheet lays them out (at any size)."""
    image = Image.open(sheet).convert("RGB")
    w, h = image.size
    row = round(h / (1 + TURNAROUND_STRIP))
    views, faces = len(TURNAROUND_VIEWS), len(TURNAROUND_EXPRESSIONS)
    boxes = {f"views/{v}.png": (round(w * i / views), 0, round(w * (i + 1) / views), row)
             for i, v in enumerate(TURNAROUND_VIEWS)}
    boxes.update({f"expressions/{e}.png": (round(w * i / faces), row, round(w * (i + 1) / faces), h)
                  for i, e in enumerate(TURNAROUND_EXPRESSIONS)})
    crops: dict[str, Path] = {}
    for name, box in boxes.items():
        path = out_dir / name.replace("/", "-")
        with atomic_path(path) as tmp:
            image.crop(box).save(tmp, format="PNG")
        crops[name] = path
    return crops


def sheet_prompt(character: Character, style: str = "flat-manga") -> str:
    """The words an image model gets for a character's turnaround: the bible's design, the views, the style."""
    design = character.design
    palette = design.palette
    outfit = next(iter(design.outfits.values()), None)
    parts = [
        f"Character turnaround sheet of {character.name}, {style} style, plain light background",
        "five full-body views left to right: front, three-quarter right, right profile, back, three-quarter left; "
        "below them three head close-ups: neutral, talking with mouth open, eyes closed",
        f"{design.age} {design.gender if design.gender != 'unspecified' else 'person'}, {design.build.value} build, "
        f"{design.height:.2f} m tall, {design.hair_style.value} {palette.hair} hair, {design.eye_shape} {palette.eyes} eyes, "
        f"skin {palette.skin}",
    ]
    if outfit is not None:
        wear = f"wearing a {outfit.top_colour or palette.outfit} {outfit.top} and {outfit.bottom_colour or palette.outfit_secondary} {outfit.bottom}"
        if outfit.accessory:
            wear += f", {outfit.accessory_colour or palette.accent} {outfit.accessory}"
        parts.append(wear)
    if design.features:
        parts.append(", ".join(design.features))
    if character.description:
        parts.append(" ".join(character.description.split()))
    parts.append("the same person, proportions and colours in every view, exactly as laid out in the reference")
    return ". ".join(p.rstrip(".") for p in parts) + "."


def character_sheet(ctx: StepContext) -> StepOutput:
    character = Character.model_validate(ctx.params["character"])
    route = Route.of(ctx.params)
    width, height = SHEET_SIZE
    prompt = sheet_prompt(character)
    studio = Studio.open(ctx.resources)
    brief = {"kind": "sheet", "character": character.model_dump(mode="json")}
    drawn = studio.image(DRAFT["image"], ImageRequest(prompt=prompt, width=width, height=height, seed=ctx.seed, brief=brief),
                         ctx.workdir, step=ctx.step, entity=ctx.entity)
    made, fallback = drawn, None
    if route.tier != "draft":
        # the draft sheet is the model's composition: the same views, in the same places, in the bible's colours
        try:
            made = studio.image(route, ImageRequest(prompt=prompt, width=width, height=height, seed=ctx.seed,
                                                    references=(drawn.files["image"],)),
                                ctx.workdir, step=ctx.step, entity=ctx.entity)
        except ProviderError as err:
            if not studio.falls_back(err):
                raise
            fallback = str(err).splitlines()[0]
    crops = crop_sheet(made.files["image"], Path(ctx.workdir))
    # The version, approval and design fingerprint travel with the take, so a shot's reference names the
    # design it was checked against, and `mangaline approve` can lock exactly the design this sheet shows.
    return StepOutput(components={"sheet.png": made.files["image"], **crops},
                      data={"character": character.id, "version": character.version, "approved": character.approved,
                            "design_sha256": design_fingerprint(character),
                            "design": character.design.model_dump(mode="json"),
                            "views": list(TURNAROUND_VIEWS), "expressions": list(TURNAROUND_EXPRESSIONS),
                            **route.params(), **({"fallback": fallback} if fallback else {})},
                      provider=made.provider, model=made.model, prompt=None if route.tier == "draft" else prompt,
                      cost=made.cost,
                      warnings=[f"{character.id}: sheet drawn by the draft model instead of {route.model}: {fallback}"] if fallback else [])


CHARACTER_SHEET = Step(name="design.character_sheet", version="4", fn=character_sheet, kind="cpu")
