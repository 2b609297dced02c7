"""Keyframes: a shot drawn as parallax layers with mouth and blink sprites, plus the flattened frame."""

from __future__ import annotations

import json
import math
from pathlib import Path

from PIL import Image

from mangaline.errors import RenderError
from mangaline.atomic import atomic_path, write_text_atomic
from mangaline.layout import Camera, Placement, block_scene, place_camera
from mangaline.model import Bible, KeyframeLayers, Layer, Project, Scene, Shot, Sprite
from mangaline.render import View, draw_figure, draw_set, figure_for, view_for

__all__ = ["draw_keyframe", "shot_camera", "SUPERSAMPLE"]

SUPERSAMPLE = 2
_MIN_DEPTH = 0.35  # a character nearer than this is behind the lens, not in the picture


def _even(value: float) -> int:
    return max(2, int(round(value / 2.0)) * 2)


def _check_bible(shot: Shot, scene: Scene, bible: Bible) -> None:
    if scene.location not in bible.locations:
        known = ", ".join(sorted(bible.locations)) or "none"
        raise RenderError(shot.code, f"location {scene.location!r} of scene {scene.id} is not in the bible",
                          hint=f"known locations: {known}; fix the scene heading or add the location under bible/locations/")
    for cast in shot.casting:
        if cast.character not in bible.characters:
            known = ", ".join(sorted(bible.characters)) or "none"
            raise RenderError(shot.code, f"character {cast.character!r} in the casting is not in the bible",
                              hint=f"known characters: {known}; fix the casting or add the character under bible/characters/")


def shot_camera(shot: Shot, scene: Scene, bible: Bible) -> tuple[Camera, dict[str, Placement]]:
    """The camera and blocking the keyframe of ``shot`` is drawn with."""
    _check_bible(shot, scene, bible)
    blocking = block_scene(scene, bible)
    return place_camera(shot, scene, blocking, bible.locations[scene.location].set), blocking


def _write_png(image: Image.Image, path: Path) -> None:
    with atomic_path(path) as tmp:
        image.save(tmp, format="PNG", optimize=False, compress_level=6)


def _write_text(text: str, path: Path) -> None:
    write_text_atomic(path, text)


def draw_keyframe(shot: Shot, scene: Scene, bible: Bible, project: Project, out_dir: Path, *,
                  overscan: float = 1.2, seed: int = 0) -> KeyframeLayers:
    """Draw ``shot`` into ``out_dir`` as layer PNGs, ``layers.json`` and the flattened ``keyframe.png``.

    The canvas is the frame times ``overscan`` (even sizes) with the frame centred;
    layers run back to front: ``background`` (the set), one ``char:<id>`` per
    on-screen character (far to near), then ``foreground`` when set pieces stand
    in front of everyone.
    """
    if overscan < 1.0:
        raise RenderError(shot.code, f"overscan {overscan} is below 1.0", hint="the canvas must hold the whole frame")
    camera, blocking = shot_camera(shot, scene, bible)
    location = bible.locations[scene.location]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fw, fh = project.width, project.height
    cw, ch = max(_even(fw * overscan), fw), max(_even(fh * overscan), fh)
    if (cw - fw) % 2:
        cw += 1
    if (ch - fh) % 2:
        ch += 1
    view = View(camera=camera, frame_width=fw, frame_height=fh, canvas_width=cw, canvas_height=ch, ss=SUPERSAMPLE)

    cast = []
    for casting in shot.casting:
        if not casting.on_screen or casting.character not in blocking:
            continue
        place = blocking[casting.character]
        character = bible.characters[casting.character]
        fig = figure_for(character, casting.variant)
        depth = view.depth(place.x, place.y, fig.face_height)
        if depth < _MIN_DEPTH:
            continue
        cast.append((depth, casting, place, fig))
    cast.sort(key=lambda item: -item[0])

    nearest = min((c[0] for c in cast), default=None)
    picture = draw_set(location.set, interior=scene.interior, time_of_day=scene.time_of_day, view=view, seed=seed,
                       foreground_before=nearest)
    layers: list[Layer] = []
    images: list[tuple[Image.Image, int, int]] = []
    _write_png(picture.background, out_dir / "background.png")
    layers.append(Layer(name="background", file="background.png", x=0, y=0, width=cw, height=ch,
                        depth=round(picture.far_depth, 4)))
    images.append((picture.background, 0, 0))

    right, _, _ = camera.basis()
    for depth, casting, place, fig in cast:
        to_camera = math.degrees(math.atan2(camera.y - place.y, camera.x - place.x))
        pose = view_for(place.facing_deg, to_camera, (right[0], right[1]))
        fx, fy, _ = view.to_canvas(place.x, place.y, fig.face_height)
        ppm = view.focal / depth
        drawing = draw_figure(fig, pose, face_x=fx, face_y=fy, ppm=ppm, canvas=(cw, ch), ss=SUPERSAMPLE)
        if drawing is None:
            continue
        cid = casting.character
        stem = f"char-{cid}"
        _write_png(drawing.image, out_dir / f"{stem}.png")
        mouth = blink = None
        if drawing.mouth is not None:
            _write_png(drawing.mouth[0], out_dir / f"{stem}-mouth.png")
            mouth = Sprite(file=f"{stem}-mouth.png", x=drawing.mouth[1], y=drawing.mouth[2])
        if drawing.blink is not None:
            _write_png(drawing.blink[0], out_dir / f"{stem}-blink.png")
            blink = Sprite(file=f"{stem}-blink.png", x=drawing.blink[1], y=drawing.blink[2])
        layers.append(Layer(name=f"char:{cid}", file=f"{stem}.png", x=drawing.x, y=drawing.y,
                            width=drawing.image.width, height=drawing.image.height, depth=round(depth, 4),
                            character=cid, speaking_mouth=mouth, blink=blink))
        images.append((drawing.image, drawing.x, drawing.y))

    if picture.foreground is not None:
        _write_png(picture.foreground, out_dir / "foreground.png")
        fore_depth = max(0.1, (nearest or 1.0) * 0.7)
        layers.append(Layer(name="foreground", file="foreground.png", x=0, y=0, width=cw, height=ch, depth=round(fore_depth, 4)))
        images.append((picture.foreground, 0, 0))

    canvas = Image.new("RGBA", (cw, ch), (0, 0, 0, 255))
    for image, x, y in images:
        canvas.alpha_composite(image, (x, y))
    ox, oy = view.offset
    frame = canvas.crop((ox, oy, ox + fw, oy + fh)).convert("RGB")
    _write_png(frame, out_dir / "keyframe.png")

    record = KeyframeLayers(shot=shot.code, canvas_width=cw, canvas_height=ch, frame_width=fw, frame_height=fh, layers=layers)
    _write_text(record.model_dump_json(indent=2), out_dir / "layers.json")
    _write_text(json.dumps({"shot": shot.code, "camera": camera.to_dict(),
                            "blocking": {k: [v.x, v.y, v.facing_deg] for k, v in blocking.items()}}, indent=2),
                out_dir / "camera.json")
    return record
