"""The storyboard's paid keyframe: an image model paints over the draft keyframe, holding the cast to their sheets.

The model gets the draft keyframe (its composition: where the set stands, who is where, facing
which way), the set plate painted from the camera spot nearest its view (the room as every shot
of it shows it), one board of the cast (each on-screen character cut from their turnaround sheet in the
view the layout draws them), the guide maps where it takes control images, and a prompt built from
the shot's action, size, angle and the project's style. What comes back is the shot's keyframe, and
a one-layer layered keyframe of it, so the draft video model can still move a camera over it.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageOps

from ..atomic import atomic_path
from ..engine import Step, StepContext, StepOutput, TakeView
from ..errors import ProviderError
from ..model import KeyframeLayers, Layer, Shot
from ..model.layout import ShotLayout
from ..model.script import framing_words
from ..providers.protocols import ImageRequest
from ..providers.studio import Route, Studio

__all__ = ["PAINTOVER", "board_of_cast", "keyframe_prompt"]

# where a turnaround sheet draws each view: the sheet's panel, mirrored for the one it does not draw
_SHEET_PANEL = {"front": ("front", False), "right": ("right", False), "side_right": ("side_right", False),
                "back": ("back", False), "left": ("left", False), "side_left": ("side_right", True)}


def keyframe_prompt(shot: Shot, cast: dict[str, dict[str, str]], style: str) -> str:
    """The words an image model gets for a shot's keyframe: framing, action, who is in it, the style."""
    parts = [f"{framing_words(shot)}, vertical frame, {style} style"]
    if shot.action.strip():
        parts.append(" ".join(shot.action.split()))
    people = [f"{who['name']} ({who['description']})" if who.get("description") else who["name"] for who in cast.values()]
    if people:
        parts.append("In the shot: " + "; ".join(people) + ", each exactly as on the character board")
    parts.append("keep the composition, the set, the positions, the facing and the light of the first reference image")
    return ". ".join(p.rstrip(".") for p in parts) + "."


def board_of_cast(crops: list[Path], out: Path, *, height: int = 768) -> Path:
    """The cast side by side on one light board, each at the same height: one reference image however many they are."""
    pictures = [Image.open(p).convert("RGB") for p in crops]
    scaled = [im.resize((max(1, round(im.width * height / im.height)), height)) for im in pictures]
    board = Image.new("RGB", (sum(im.width for im in scaled) + 16 * (len(scaled) + 1), height + 32), (246, 243, 236))
    x = 16
    for im in scaled:
        board.paste(im, (x, 16))
        x += im.width + 16
    with atomic_path(out) as tmp:
        board.save(tmp, format="PNG")
    return out


def cast_view(inputs: dict[str, TakeView], character: str, view: str, out: Path) -> Path:
    """A character's picture for the layout's ``view`` from their sheet's view takes (a profile the sheet does not
    draw is the other one, mirrored)."""
    panel, mirrored = _SHEET_PANEL.get(view, ("front", False))
    image = Image.open(inputs[f"view:{character}:views/{panel}"].components["panel.png"])
    if mirrored:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    with atomic_path(out) as tmp:
        image.save(tmp, format="PNG")
    return out


def paintover(ctx: StepContext) -> StepOutput:
    params = ctx.params
    shot = Shot.model_validate(params["shot"])
    route = Route.of(params)
    draft = ctx.inputs["keyframe"].components
    layout = ShotLayout.model_validate_json(draft["layout.json"].read_text())
    work = Path(ctx.workdir)
    crops = [cast_view(ctx.inputs, c.id, c.view, work / f"cast-{c.id}.png")
             for c in layout.characters if f"view:{c.id}:views/front" in ctx.inputs]
    references = [draft["keyframe.png"]]
    plate = ctx.inputs.get(f"plate:{layout.plate}")
    if plate is not None:
        references.append(plate.components["plate.png"])
    if crops:
        references.append(board_of_cast(crops, work / "cast-board.png"))
    guides = {name: draft[f"{name}.png"] for name in ("depth", "edges", "pose") if f"{name}.png" in draft}
    width, height = layout.frame_width, layout.frame_height
    # a reviewer's retake prompt (production.retake) stands in for the one made from the shot
    prompt = params.get("prompt") or keyframe_prompt(shot, params["cast"], params["style"])
    studio = Studio.open(ctx.resources)
    try:
        made = studio.image(
            route, ImageRequest(prompt=prompt, width=params["width"], height=params["height"], references=tuple(references),
                                guides=guides, seed=ctx.seed),
            work, step=ctx.step, entity=ctx.entity, shot_type=shot.kind.value,
        )
    except ProviderError as err:
        if not studio.falls_back(err):
            raise
        # the draft keyframe, layers and all, stands in for the painting; flagged for a person
        reason = str(err).splitlines()[0]
        return StepOutput(components=dict(draft), data={"shot": shot.code, "fallback": reason, **route.params()},
                          provider="draft", model="draft-renderer",
                          warnings=[f"{shot.code}: keyframe drawn by the draft model instead of {route.model}: {reason}"])
    picture = Image.open(made.files["image"]).convert("RGB")
    keyframe = work / "keyframe.png"
    with atomic_path(keyframe) as tmp:
        # a model that makes other shapes (gpt-image: 2:3) is cropped to the frame from the centre, never stretched
        ImageOps.fit(picture, (width, height), Image.Resampling.LANCZOS).save(tmp, format="PNG")
    # one flat layer over the whole canvas, so the draft video model can still move a camera over the painting
    cw, ch = layout.canvas_width, layout.canvas_height
    background = work / "background.png"
    with atomic_path(background) as tmp:
        ImageOps.fit(picture, (cw, ch), Image.Resampling.LANCZOS).convert("RGBA").save(tmp, format="PNG")
    far = max((c.depth for c in layout.characters), default=5.0) * 2
    layers = KeyframeLayers(shot=shot.code, canvas_width=cw, canvas_height=ch, frame_width=width, frame_height=height,
                            layers=[Layer(name="background", file="background.png", x=0, y=0, width=cw, height=ch,
                                          depth=round(far, 4))])
    (work / "layers.json").write_text(layers.model_dump_json(indent=2))
    return StepOutput(
        components={"keyframe.png": keyframe, "background.png": background, "layers.json": work / "layers.json",
                    "layout.json": draft["layout.json"], **({"cast-board.png": references[-1]} if crops else {})},
        data={"shot": shot.code, "references": len(references), "plate": layout.plate if plate is not None else None,
              **route.params(), **({"prompt": params["prompt"]} if params.get("prompt") else {})},
        provider=route.provider, model=route.model, prompt=prompt, cost=made.cost,
    )


PAINTOVER = Step(name="storyboard.paintover", version="2", fn=paintover, kind="io")
