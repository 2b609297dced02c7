"""The design department's step: a character's turnaround sheet, from the image model the router picked."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from ..atomic import atomic_path
from ..engine import Step, StepContext, StepOutput
from ..errors import ProviderError
from ..model import TURNAROUND_EXPRESSIONS, TURNAROUND_PANEL, TURNAROUND_STRIP, TURNAROUND_VIEWS, Character, design_fingerprint
from ..providers.protocols import ImageRequest
from ..providers.studio import DRAFT, Route, Studio

__all__ = ["CHARACTER_SHEET", "SHEET_VIEW", "panel_box", "sheet_panels", "sheet_prompt"]

_FIGURE = 1024  # the views' height in pixels a sheet is asked at
SHEET_SIZE = (int(_FIGURE * TURNAROUND_PANEL) * len(TURNAROUND_VIEWS), _FIGURE + int(_FIGURE * TURNAROUND_STRIP))
"""Five views side by side over a strip of three expressions, at 1024 px a figure."""


def sheet_panels() -> tuple[str, ...]:
    """Every panel of a turnaround sheet by name: five views, then three expressions."""
    return (*(f"views/{v}" for v in TURNAROUND_VIEWS), *(f"expressions/{e}" for e in TURNAROUND_EXPRESSIONS))


def panel_box(size: tuple[int, int], panel: str) -> tuple[int, int, int, int]:
    """Where a panel sits on a sheet of ``size``: the views in a row on top, the expressions in a strip below."""
    w, h = size
    row = round(h / (1 + TURNAROUND_STRIP))
    group, name = panel.split("/")
    names = TURNAROUND_VIEWS if group == "views" else TURNAROUND_EXPRESSIONS
    if name not in names:
        raise ValueError(f"a turnaround sheet has no panel {panel!r}; it has {', '.join(sheet_panels())}")
    i, n = names.index(name), len(names)
    top, bottom = (0, row) if group == "views" else (row, h)
    return round(w * i / n), top, round(w * (i + 1) / n), bottom


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
    upload = ctx.inputs.get("reference")  # a picture a person uploaded for the character, if any
    if route.tier != "draft":
        # the draft sheet is the model's composition: the same views, in the same places, in the bible's colours;
        # an uploaded picture is the person to draw in them
        references = (drawn.files["image"],)
        if upload is not None:
            references += (next(iter(upload.components.values())),)
            prompt += (" The person is the one in the second reference picture: their face, hair and clothes as "
                       "shown there, drawn in the first reference's views and style.")
        try:
            made = studio.image(route, ImageRequest(prompt=prompt, width=width, height=height, seed=ctx.seed,
                                                    references=references),
                                ctx.workdir, step=ctx.step, entity=ctx.entity)
        except ProviderError as err:
            if not studio.falls_back(err):
                raise
            fallback = str(err).splitlines()[0]
    # The version, approval and design fingerprint travel with the take, so a shot's reference names the
    # design it was checked against, and `mangaline approve` can lock exactly the design this sheet shows.
    return StepOutput(components={"sheet.png": made.files["image"]},
                      data={"character": character.id, "version": character.version,
                            "design_sha256": design_fingerprint(character),
                            "design": character.design.model_dump(mode="json"),
                            "views": list(TURNAROUND_VIEWS), "expressions": list(TURNAROUND_EXPRESSIONS),
                            **route.params(), **({"fallback": fallback} if fallback else {}),
                            **({"reference": {"take": upload.take_id, "filename": upload.data.get("filename"),
                                              "used": made is not drawn}} if upload is not None else {})},
                      provider=made.provider, model=made.model, prompt=None if route.tier == "draft" else prompt,
                      cost=made.cost,
                      warnings=[f"{character.id}: sheet drawn by the draft model instead of {route.model}: {fallback}"] if fallback else [])


CHARACTER_SHEET = Step(name="design.character_sheet", version="5", fn=character_sheet, kind="cpu")


def sheet_view(ctx: StepContext) -> StepOutput:
    """One panel of a character's sheet as a take of its own: a view or expression a person can check on its own,
    and the reference a keyframe names, with the sheet take and design it was cut from."""
    panel = ctx.params["panel"]
    sheet = ctx.inputs["sheet"]
    image = Image.open(sheet.components["sheet.png"]).convert("RGB")
    out = Path(ctx.workdir) / "panel.png"
    with atomic_path(out) as tmp:
        image.crop(panel_box(image.size, panel)).save(tmp, format="PNG")
    keep = ("character", "version", "design_sha256", "provider", "model", "tier")
    return StepOutput(components={"panel.png": out},
                      data={"panel": panel, "sheet_take": sheet.take_id, **{k: sheet.data[k] for k in keep if k in sheet.data}})


SHEET_VIEW = Step(name="design.sheet_view", version="1", fn=sheet_view, kind="cpu")
"""Entity ``{character}:{panel}``, e.g. ``june:views/back``; its input is the character's sheet take."""
