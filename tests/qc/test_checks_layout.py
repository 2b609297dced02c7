"""The layout checks on real draft takes and model-like takes made from them: clean ones pass, a moved pillar,
a mirrored shot and a character moved across the frame fail, and each reason names what is wrong.

The takes are drawn by the real draft renderer from a real layout of the café sample (with a pillar), and
the model-like ones are what a video model hands back: smaller, softened, grained, graded a few ΔE,
re-encoded as H.264 with a slow push-in. The helpers here are shared by the identity and lip sync tests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter

from mangaline.checks import Take, Truth
from mangaline.checks.layout import (PlacementCheck, ScreenDirectionCheck, SetLayoutCheck, SetPiecesCheck,
                                     seen_frames)
from mangaline.ffmpeg import run_ffmpeg
from mangaline.layout import lay_out_shot
from mangaline.model import Bible, SetElement
from mangaline.render.keyframe import draw_layout
from mangaline.render.sheet import draw_character_sheet
from tests.storyboard.cafe_sample import make_bible, make_scene

WIDTH, HEIGHT = 1080, 1920
FPS = 24
LAYOUT_CHECKS = (SetLayoutCheck, SetPiecesCheck, PlacementCheck, ScreenDirectionCheck)


# ------------------------------------------------------------------------------------------ real takes


def cafe(pillar_x: float = 2.0) -> Bible:
    """The café sample with a pillar standing between the counter and the table."""
    bible = make_bible()
    bible.locations["cafe"].set.elements.append(
        SetElement(name="pillar 1", kind="pillar", x=pillar_x, y=3.8, width=0.4, depth=0.4, height=2.9,
                   colour="#b8b0a0"))
    return bible


def draw_shot(bible: Bible, code: str, out: Path, size: tuple[int, int] = (WIDTH, HEIGHT)) -> Path:
    """One shot of the café scene laid out and drawn by the draft renderer into ``out``."""
    scene = make_scene()
    shot = next(s for s in scene.shots if s.code == code)
    draw_layout(lay_out_shot(shot, scene, bible, *size), out, seed=0)
    return out


def swapped_palettes() -> Bible:
    """The café with Maya's and Kenji's palettes exchanged (their outfits take the palette's colours)."""
    bible = cafe()
    maya, kenji = bible.characters["maya"].design, bible.characters["kenji"].design
    maya.palette, kenji.palette = kenji.palette, maya.palette
    maya.outfits, kenji.outfits = {}, {}
    return bible


BIBLES = {"cafe": cafe, "moved pillar": lambda: cafe(pillar_x=3.6), "swapped palettes": swapped_palettes}


def shared_shot(factory: pytest.TempPathFactory, code: str, bible: str = "cafe",
                size: tuple[int, int] = (WIDTH, HEIGHT)) -> Path:
    """A shot drawn once for the whole test session (the identity, layout and lip sync tests share them)."""
    folder = factory.getbasetemp() / "shots" / f"{bible.replace(' ', '-')}-{code}-{size[0]}x{size[1]}"
    if not (folder / "layout.json").is_file():
        draw_shot(BIBLES[bible](), code, folder, size)
    return folder


def draw_sheets(bible: Bible, out: Path) -> dict[str, Path]:
    return {cid: draw_character_sheet(character, out / f"sheet-{cid}.png", height=512)
            for cid, character in bible.characters.items()}


def truth_of(folder: Path, sheets: dict[str, Path] | None = None, **fields) -> Truth:
    """The truth a take of the drawn shot in ``folder`` is held to, as the line builds it from the keyframe take."""
    files = {p.name: p for p in folder.iterdir() if p.is_file()}
    return Truth.from_keyframe(json.loads((folder / "layout.json").read_text())["shot"], files, sheets=sheets or {},
                               **fields)


def picture(path: Path) -> np.ndarray:
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB"))


@dataclass(frozen=True)
class Look:
    """How a model's take of a shot differs from the draft while still being right."""

    size: tuple[int, int] = (480, 854)
    push: float = 0.03  # a slow push-in, as a share of the frame (a still is the push's last frame)
    blur: float = 0.8
    noise: float = 3.0
    contrast: float = 0.97
    saturation: float = 0.94
    lift: tuple[float, float, float] = (3.0, 0.0, -3.0)  # a warm grade, in 8-bit levels

    def still(self, image: np.ndarray, out: Path) -> Path:
        h, w = image.shape[:2]
        dx, dy = round(w * self.push / 2), round(h * self.push / 2)
        img = Image.fromarray(image).crop((dx, dy, w - dx, h - dy)).resize(self.size, Image.Resampling.LANCZOS)
        a = np.asarray(img.filter(ImageFilter.GaussianBlur(self.blur))).astype(np.float32)
        a = (a - 128) * self.contrast + 128
        grey = a.mean(axis=2, keepdims=True)
        a = grey + (a - grey) * self.saturation + np.array(self.lift, np.float32)
        a += np.random.default_rng(0).normal(0, self.noise, a.shape)
        Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).save(out, quality=85)
        return out

    def filters(self, frames: int) -> str:
        w, h = self.size
        return (f"zoompan=z='1+{self.push}*on/{max(1, frames - 1)}':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=1:s={w}x{h}"
                f":fps={FPS},gblur=sigma={self.blur},"
                f"eq=contrast={self.contrast}:saturation={self.saturation}:gamma_r=1.02,"
                f"noise=alls={round(self.noise)}:allf=t,format=yuv420p")

    def clip(self, frames: np.ndarray, out: Path) -> Path:
        """A clip of ``frames`` (n, h, w, 3) as a model renders it: pushed in, softened, grained, graded, H.264."""
        raw = out.with_suffix(".rgb")
        np.ascontiguousarray(frames, np.uint8).tofile(raw)
        n, h, w = frames.shape[:3]
        run_ffmpeg(["-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-r", str(FPS),
                    "-i", str(raw), "-vf", self.filters(n), "-c:v", "libx264", "-preset", "veryfast", "-crf", "26",
                    str(out)], f"model-like clip {out.name}")
        raw.unlink()
        return out

    def held(self, image: np.ndarray, out: Path, seconds: float = 2.0) -> Path:
        """A clip of one picture held for ``seconds`` (the camera pushing in)."""
        small = np.asarray(Image.fromarray(image).resize((self.size[0] * 2, self.size[1] * 2), Image.Resampling.BOX))
        return self.clip(np.repeat(small[None], round(seconds * FPS), axis=0), out)


def composite(folder: Path, moved: dict[str, float] | None = None) -> np.ndarray:
    """The keyframe put together again from its layers, each character in ``moved`` slid that share of the frame."""
    layers = json.loads((folder / "layers.json").read_text())
    cw, ch, fw, fh = (layers[k] for k in ("canvas_width", "canvas_height", "frame_width", "frame_height"))
    canvas = Image.new("RGBA", (cw, ch), (0, 0, 0, 255))
    for layer in layers["layers"]:
        with Image.open(folder / layer["file"]) as img:
            x = layer["x"] + round((moved or {}).get(layer["character"], 0.0) * fw)
            canvas.alpha_composite(img.convert("RGBA"), (max(0, x), layer["y"]), (max(0, -x), 0))
    ox, oy = (cw - fw) // 2, (ch - fh) // 2
    return np.asarray(canvas.crop((ox, oy, ox + fw, oy + fh)).convert("RGB"))


# ------------------------------------------------------------------------------------------ the shots


@pytest.fixture(scope="module")
def two_shot(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The establishing two-shot (Maya left, Kenji right, the pillar behind Maya) and takes of it, good and bad."""
    root = tmp_path_factory.mktemp("layout")
    folder = shared_shot(tmp_path_factory, "ep01_sc01_sh010")
    moved = shared_shot(tmp_path_factory, "ep01_sc01_sh010", "moved pillar", size=(540, 960))
    plate = picture(folder / "keyframe.png")
    look = Look()
    return {
        "truth": truth_of(folder),
        "folder": folder,
        "draft": folder / "keyframe.png",
        "still": look.still(plate, root / "model.jpg"),
        "clip": Look(size=(720, 1280), push=0.04).held(plate, root / "model.mp4"),
        "moved pillar": look.still(picture(moved / "keyframe.png"), root / "moved.jpg"),
        "mirrored": look.still(np.ascontiguousarray(plate[:, ::-1]), root / "mirrored.jpg"),
        "maya moved": look.still(composite(folder, {"maya": 0.62}), root / "maya-moved.jpg"),
    }


def verdicts(take: Path, truth: Truth) -> dict:
    take = Take(take)
    return {check.name: check.judge(take, truth) for check in (cls() for cls in LAYOUT_CHECKS)}


# ------------------------------------------------------------------------------------------ clean takes pass


@pytest.mark.parametrize("take", ["draft", "still", "clip"])
def test_clean_takes_pass_every_layout_check(two_shot: dict, take: str) -> None:
    found = verdicts(two_shot[take], two_shot["truth"])
    for name, verdict in found.items():
        assert verdict is not None, f"{name} had nothing to say about a two-shot"
        assert verdict.passed, f"{take}: {name} {verdict.score:.2f}: {verdict.reason}"
    assert found["screen_direction"].reason.startswith("Maya is left of Kenji, as the layout has them")


def test_a_slow_push_is_framed_not_blamed(two_shot: dict) -> None:
    frames = seen_frames(Take(two_shot["clip"]), two_shot["truth"])
    assert [round(seen.framing.scale, 2) for seen in frames][0] == pytest.approx(1.0, abs=0.01)
    assert frames[-1].framing.scale == pytest.approx(1.04, abs=0.015)


# ------------------------------------------------------------------------------------------ defects fail


def test_a_moved_pillar_fails_the_set_checks_and_is_named(two_shot: dict) -> None:
    found = verdicts(two_shot["moved pillar"], two_shot["truth"])
    assert not found["set_layout"].passed and found["set_layout"].score < 0.4
    pieces = found["set_pieces"]
    assert not pieces.passed and pieces.reason.startswith("pillar 1 ("), pieces.reason
    assert found["placement"].passed and found["screen_direction"].passed, "the characters have not moved"


def test_a_mirrored_shot_fails_and_says_so(two_shot: dict) -> None:
    found = verdicts(two_shot["mirrored"], two_shot["truth"])
    assert not found["set_layout"].passed and "mirrored left to right" in found["set_layout"].reason
    placement = found["placement"]
    assert not placement.passed and any(placement.reason.startswith(f"{name} is {side} of frame") for name, side in
                                        (("Maya", "right"), ("Kenji", "left"))), placement.reason
    direction = found["screen_direction"]
    assert not direction.passed and direction.score == 0.0
    assert direction.reason == ("Kenji is left of Maya in the take; the layout has Maya on the left: "
                                "the shot crosses the line")


def test_a_character_moved_across_the_frame_fails_placement_and_the_180_degree_rule(two_shot: dict) -> None:
    found = verdicts(two_shot["maya moved"], two_shot["truth"])
    placement = found["placement"]
    assert not placement.passed and placement.reason.startswith("Maya is right of frame"), placement.reason
    assert "the layout has them left" in placement.reason
    assert not found["screen_direction"].passed


def test_grades_are_graded(two_shot: dict) -> None:
    """A score means something: the further a pillar moves, the lower the set scores."""
    truth = two_shot["truth"]
    clean = verdicts(two_shot["still"], truth)
    moved = verdicts(two_shot["moved pillar"], truth)
    assert clean["set_pieces"].score > 0.9 > moved["set_pieces"].score
    assert clean["set_layout"].score > 0.9 > moved["set_layout"].score


# ------------------------------------------------------------------------------------------ nothing to say


def test_the_checks_say_nothing_without_a_layout_to_hold_the_take_to(two_shot: dict) -> None:
    bare = Truth(shot="ep01_sc01_sh010", width=WIDTH, height=HEIGHT)
    assert all(verdict is None for verdict in verdicts(two_shot["still"], bare).values())


def test_screen_direction_needs_two_characters(tmp_path: Path) -> None:
    folder = draw_shot(cafe(), "ep01_sc01_sh030", tmp_path / "single", size=(270, 480))
    truth = truth_of(folder)
    assert ScreenDirectionCheck().judge(Take(folder / "keyframe.png"), truth) is None
    assert PlacementCheck().judge(Take(folder / "keyframe.png"), truth).passed


def test_the_checks_are_the_plugins_pyproject_names() -> None:
    from importlib.metadata import entry_points

    ours = {"identity", "identity_embedding", "set_layout", "set_pieces", "placement", "screen_direction", "lip_sync"}
    found = {ep.name: ep for ep in entry_points(group="mangaline.checks") if ep.name in ours}
    assert set(found) == ours
    for name, ep in found.items():
        cls = ep.load()
        assert cls.name == name and cls.description and cls.subjects <= {"image", "clip"}
        assert 0.0 < cls.threshold < 1.0


def test_a_few_of_a_characters_colours_elsewhere_in_the_set_do_not_stretch_their_size() -> None:
    """Her coat's colour on a poster across the set (one in seventeen of the plate's pixels of it): her size is taken
    where the layout has her, so a take that softens the poster away does not seem to show her smaller."""
    from mangaline.checks.layout import Colours, spot

    picture = np.zeros((480, 270, 3), np.float32)
    picture[..., 0] = 80.0  # a plain grey set (Lab)
    coat = np.array([50.0, 40.0, 30.0], np.float32)
    picture[200:360, 20:80] = coat  # her: 60 px wide, 160 px tall
    picture[100:110, 190:250] = coat  # the poster
    place = np.zeros((480, 270), bool)
    place[190:370, 10:90] = True
    found = spot(picture, Colours(coat[None], 10.0), place)
    softened = picture.copy()
    softened[100:110, 190:250] = (80.0, 0.0, 0.0)
    alone = spot(softened, Colours(coat[None], 10.0), place)
    assert found is not None and alone is not None
    assert found.pixels > alone.pixels + 500 and found.held == alone.held  # the poster is found, and not in place
    assert abs(found.width - alone.width) <= 1 and abs(found.height - alone.height) <= 1
    assert 0.95 < alone.size(found) < 1.05


def test_a_piece_in_the_walls_colours_taken_away_fails_set_pieces_by_its_outline(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The pillar painted in the very colour of the wall behind it: taken away, the wall shows where it stood in its
    colours, and only its outline, gone, says so."""
    size = (540, 960)
    bare = draw_shot(make_bible(), "ep01_sc01_sh010", tmp_path_factory.mktemp("bare"), size)
    bible = cafe()
    pillar = next(e for e in bible.locations["cafe"].set.elements if e.kind == "pillar")
    with_pillar = draw_shot(bible, "ep01_sc01_sh010", tmp_path_factory.mktemp("probe"), size)
    where = truth_of(with_pillar).element_masks()[pillar.name]
    behind = np.median(picture(bare / "keyframe.png")[where], axis=0).astype(int)
    pillar.colour = "#{:02x}{:02x}{:02x}".format(*behind)
    folder = draw_shot(bible, "ep01_sc01_sh010", tmp_path_factory.mktemp("hidden-pillar"), size)
    truth = truth_of(folder)
    look = Look()
    root = tmp_path_factory.mktemp("hidden-pillar-takes")
    check = SetPiecesCheck()
    clean = check.judge(Take(look.still(picture(folder / "keyframe.png"), root / "clean.jpg")), truth)
    assert clean is not None and clean.passed, clean
    gone = check.judge(Take(look.still(picture(bare / "keyframe.png"), root / "gone.jpg")), truth)
    assert gone is not None and not gone.passed, gone.reason
    assert pillar.name in gone.reason and "outline" in gone.reason, gone.reason
