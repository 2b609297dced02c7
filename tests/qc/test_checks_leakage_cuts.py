"""Leakage and cut checks on drawn rooms and clips real FFmpeg makes from them.

A room drawn as the draft draws one (flat colours in black ink, a window, a pillar, a figure) passes the
leakage check as a still, as a model-like still and as a clip; the same room under a storyboard grid, in
panels with a gutter, inside a panel border or with a watermark fails it. At a cut, a steady one passes;
a jump in brightness the drawings do not have fails, and so does a continued action that does not continue.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from mangaline.checks import Take, Truth, load_checks, run_checks, run_cut_checks
from mangaline.checks.cuts import CutContinuityCheck, CutExposureCheck
from mangaline.checks.leakage import LeakageCheck
from mangaline.errors import ConfigError
from mangaline.ffmpeg import run_ffmpeg
from tests.qc.test_checks_technical import PAN, SIZE, draw_room

W, H = SIZE


def still(image: Image.Image, path: Path) -> Path:
    image.save(path)
    return path


def model_like(image: Image.Image) -> Image.Image:
    """As a model paints a still: larger, softened, grained, graded a touch, saved as JPEG."""
    big = image.resize((480, 854), Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(0.8))
    a = np.asarray(big).astype(np.float32) * np.array([1.04, 1.0, 0.95]) + 6
    a += np.random.default_rng(7).normal(0, 3, a.shape)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=80)
    return Image.open(buffer).convert("RGB")


def grid(image: Image.Image) -> Image.Image:
    """A storyboard's thirds grid, 2 px white lines over the whole frame."""
    out = image.copy()
    draw = ImageDraw.Draw(out)
    for i in (1, 2):
        draw.line((W * i // 3, 0, W * i // 3, H), fill=(255, 255, 255), width=2)
        draw.line((0, H * i // 3, W, H * i // 3), fill=(255, 255, 255), width=2)
    return out


def gutter(image: Image.Image, other: Image.Image) -> Image.Image:
    """Two panels of a page, one over the other, a white gutter between their black borders."""
    out = image.copy()
    out.paste(other.crop((0, H // 2, W, H)), (0, H // 2))
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, H // 2 - 8, W, H // 2 + 8), fill=(0, 0, 0))
    draw.rectangle((0, H // 2 - 5, W, H // 2 + 5), fill=(255, 255, 255))
    return out


def border(image: Image.Image) -> Image.Image:
    """The panel's border: a white margin and a black rule around the picture."""
    out = image.copy()
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, 0, W - 1, H - 1), outline=(255, 255, 255), width=10)
    draw.rectangle((10, 10, W - 11, H - 11), outline=(0, 0, 0), width=3)
    return out


def watermark(image: Image.Image, text: str = "AI generated", corner: str = "bottom", crossed: bool = False) -> Image.Image:
    out = image.copy()
    draw = ImageDraw.Draw(out)
    font = ImageFont.load_default(size=22)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    y = H - 40 - bottom if corner == "bottom" else 24
    if crossed:  # the drawing's ink outlines run down through where the text is laid over it
        for x in (W - 16 - right + 0.3 * right, W - 16 - right + 0.7 * right):
            draw.line((x - 20, y - 60, x + 10, y + bottom + 60), fill=(20, 16, 24), width=5)
    draw.text((W - 16 - right, y), text, font=font, fill=(255, 255, 255))
    return out


def outlined(image: Image.Image, text: str = "PREVIEW") -> Image.Image:
    """White letters with a thin black outline, set close, over a pale coat, on a full-size frame: once it is made
    small to be judged, the letters and the coat between them run together into one piece of light ink, and the
    outlines into one piece of dark ink."""
    out = image.copy()
    draw = ImageDraw.Draw(out)
    font = ImageFont.load_default(size=80)
    x, y = 60, out.height - 200
    draw.rectangle((0, y - 40, 700, out.height), fill=(200, 170, 60))
    for letter in text:
        draw.text((x, y), letter, font=font, fill=(255, 255, 255), stroke_width=2, stroke_fill=(0, 0, 0))
        x += draw.textlength(letter, font=font) + 2
    return out


def clip(picture: Path, out: Path, vf: str = PAN, seconds: float = 1.0) -> Path:
    run_ffmpeg(["-y", "-loglevel", "error", "-loop", "1", "-framerate", "24", "-i", str(picture), "-vf", vf,
                "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(out)], out.name)
    return out


@pytest.fixture(scope="module")
def rooms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("leakage")
    big = draw_room(tmp / "big.png")
    full = Image.open(draw_room(tmp / "full.png", size=(1080, 1920))).convert("RGB")
    moved_big = draw_room(tmp / "moved_big.png", figure_x=0.22)
    room = Image.open(big).resize(SIZE, Image.Resampling.LANCZOS)
    moved = Image.open(moved_big).resize(SIZE, Image.Resampling.LANCZOS)
    made = {
        "big": big, "moved big": moved_big,
        "clean": still(room, tmp / "clean.png"),
        "model": still(model_like(room), tmp / "model.jpg"),
        "moved": still(moved, tmp / "moved.png"),
        "grid": still(grid(room), tmp / "grid.png"),
        "gutter": still(gutter(room, moved), tmp / "gutter.png"),
        "border": still(border(room), tmp / "border.png"),
        "watermark": still(watermark(room), tmp / "watermark.png"),
        "model watermark": still(model_like(watermark(room, "Kling AI", "top")), tmp / "model_watermark.jpg"),
        # a word of four letters: four glyphs in a row are text (they scored 0.5, on the threshold, and passed)
        "short watermark": still(watermark(room, "SALE", "top"), tmp / "short_watermark.png"),
        # laid over the drawing: ink lines that cross the text do not make it part of the drawing
        "crossed watermark": still(watermark(room, "PREVIEW copy", "bottom", crossed=True), tmp / "crossed.png"),
        "outlined watermark": still(outlined(full), tmp / "outlined.png"),
    }
    made["clip"] = clip(big, tmp / "clip.mp4")
    made["grid clip"] = clip(big, tmp / "grid_clip.mp4", f"{PAN},drawgrid=w=iw/3:h=ih/3:t=2:c=white")
    return made


def leakage(path: Path, shot: Truth | None = None) -> tuple[bool, float, str]:
    report = run_checks(Take(path), shot or Truth(shot="sh010", width=W, height=H), [LeakageCheck()])
    (found,) = report.verdicts
    return found.passed, found.score, found.reason


@pytest.mark.parametrize("name", ["clean", "model", "moved", "clip"])
def test_a_drawn_room_with_its_ink_window_and_pillar_is_no_leakage(rooms: dict[str, Path], name: str) -> None:
    passed, score, reason = leakage(rooms[name])
    assert passed and score >= 0.8, reason


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("grid", "a lattice of 3x3 cells: lines right across at x=36"),
        ("gutter", "white band right across at y=960"),
        ("border", "along all four edges"),
        ("watermark", "text-like glyphs in the bottom right"),
        ("model watermark", "text-like glyphs in the top right"),
        ("short watermark", "4 text-like glyphs in the top right"),
        ("crossed watermark", "text-like glyphs in the bottom right"),
        ("outlined watermark", "text-like glyphs in the bottom left"),
        ("grid clip", "the first frame: a lattice of 3x3 cells"),
    ],
)
def test_what_the_page_or_the_storyboard_left_fails_and_is_placed(rooms: dict[str, Path], name: str, words: str) -> None:
    passed, score, reason = leakage(rooms[name])
    assert not passed and score < 0.5, reason
    assert words in reason


def test_text_where_the_subtitles_go_is_theirs(rooms: dict[str, Path]) -> None:
    captions = Truth(shot="sh010", width=W, height=H, captions=((0.0, 0.8, 1.0, 1.0),))
    assert leakage(rooms["watermark"], captions)[0]
    assert not leakage(rooms["model watermark"], captions)[0]  # the top of the frame is no caption's


def test_leakage_takes_its_threshold_and_options_from_the_settings(rooms: dict[str, Path]) -> None:
    strict, = load_checks({"leakage": {"threshold": 0.9}}, subject="image", only=["leakage"])
    assert strict.threshold == 0.9
    assert strict.judge(Take(rooms["clean"]), Truth(shot="sh010", width=W, height=H)).passed
    # a single line right across the frame (the floor's edge, drawn or not) costs a little, not a failure
    floor = Image.open(rooms["clean"]).copy()
    ImageDraw.Draw(floor).line((0, 500, W, 500), fill=(255, 255, 255), width=2)
    lined = still(floor, rooms["clean"].with_name("floor.png"))
    shot = Truth(shot="sh010", width=W, height=H)
    assert LeakageCheck().judge(Take(lined), shot).passed
    assert not strict.judge(Take(lined), shot).passed
    with pytest.raises(ConfigError, match=r"\[qc.checks.leakage\] cover must be a number from 0.5 to 1"):
        LeakageCheck({"cover": 2})


# cuts ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cuts(rooms: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("cuts")
    big = Image.open(rooms["big"])
    lit = still(big.point(lambda v: min(255, v + 50)), tmp / "lit_big.png")  # the same room under a brighter lamp
    first = (0, 0, W * 10 // 12, H * 10 // 12)  # what the pan shows at its start: the shot's drawing, its plate
    return {
        "a": clip(rooms["big"], tmp / "a.mp4"),
        # the pan runs on: the next shot starts where the last ended (at 1 s) and re-graded a touch
        "runs on": clip(rooms["big"], tmp / "runs_on.mp4", PAN.replace("t*", "(t+1)*") + ",eq=saturation=1.05"),
        "brighter": clip(rooms["big"], tmp / "brighter.mp4", PAN.replace("t*", "(t+1)*") + ",eq=brightness=0.2"),
        "moved": clip(rooms["moved big"], tmp / "moved.mp4", PAN.replace("t*", "(t+1)*")),
        "lit": clip(lit, tmp / "lit.mp4"),
        "plate": still(big.crop(first).resize(SIZE, Image.Resampling.BOX), tmp / "plate.png"),
        "lit plate": still(Image.open(lit).crop(first).resize(SIZE, Image.Resampling.BOX), tmp / "lit_plate.png"),
    }


def cut(before: Path, after: Path, before_truth: Truth, after_truth: Truth) -> dict[str, tuple[bool, float, str]]:
    report = run_cut_checks(Take(before), Take(after), before_truth, after_truth,
                            [CutExposureCheck(), CutContinuityCheck()])
    return {v.check: (v.passed, v.score, v.reason) for v in report.verdicts}


def shot(code: str, plate: Path | None = None, scene: str = "ep01_sc01", *, continuous: bool = False) -> Truth:
    return Truth(shot=code, width=W, height=H, scene=scene, plate=plate, continuous_with_next=continuous)


def test_a_steady_cut_passes_and_a_jump_in_brightness_fails_naming_the_shots(cuts: dict[str, Path]) -> None:
    steady = cut(cuts["a"], cuts["runs on"], shot("sh010"), shot("sh020"))
    assert list(steady) == ["cut_exposure"] and steady["cut_exposure"][0], steady
    passed, score, reason = cut(cuts["a"], cuts["brighter"], shot("sh010"), shot("sh020"))["cut_exposure"]
    assert not passed and score < 0.5 and reason.startswith("sh010 -> sh020: the light jumps at the cut: brightness +")
    # a new scene may bring new light: nothing to judge
    assert cut(cuts["a"], cuts["brighter"], shot("sh010"), shot("sh020", scene="ep01_sc02")) == {}


def test_a_jump_the_plates_have_too_passes(cuts: dict[str, Path]) -> None:
    drawn = cut(cuts["a"], cuts["lit"], shot("sh010", cuts["plate"]), shot("sh020", cuts["lit plate"]))
    assert drawn["cut_exposure"][0] and "beyond the plates' own +" in drawn["cut_exposure"][2], drawn
    assert not cut(cuts["a"], cuts["lit"], shot("sh010"), shot("sh020"))["cut_exposure"][0]


def test_a_continued_action_must_start_where_the_last_shot_ended(cuts: dict[str, Path]) -> None:
    runs_on = cut(cuts["a"], cuts["runs on"], shot("sh010", continuous=True), shot("sh020"))
    assert runs_on["cut_continuity"][0] and runs_on["cut_continuity"][1] > 0.8, runs_on
    broken = cut(cuts["a"], cuts["moved"], shot("sh010", continuous=True), shot("sh020"))
    passed, score, reason = broken["cut_continuity"]
    assert not passed and "sh010 -> sh020: the action does not carry on" in reason, broken
    assert broken["cut_exposure"][0]  # the same light: only the continuity is broken


def test_cut_checks_take_their_options_from_the_settings() -> None:
    checks = load_checks({"cut_exposure": {"max_luma": 4}, "cut_continuity": {"threshold": 0.9}}, subject="cut",
                         only=["cut_exposure", "cut_continuity"])
    assert [(c.name, c.threshold) for c in checks] == [("cut_continuity", 0.9), ("cut_exposure", 0.5)]
    assert checks[1].max_luma == 4.0
    with pytest.raises(ConfigError, match=r"\[qc.checks.cut_continuity\] has no option max_luma"):
        CutContinuityCheck({"max_luma": 4})


def test_text_is_the_drawings_only_where_bigger_ink_runs_along_it() -> None:
    """A row of glyphs with a shelf under it, or an outline over it, is drawn; outlines that only cross it (a
    watermark laid over the drawing) leave it free."""
    from mangaline.checks.leakage import _held

    x0, x1, y0, y1, room = 100, 300, 50, 70, 10
    shelf = np.zeros((200, 400), bool)
    shelf[72:76, 90:310] = True  # under the row, all along it
    assert _held(shelf, x0, x1, y0, y1, room)
    fringe = np.zeros((200, 400), bool)
    fringe[40:46, 95:305] = True  # the outline the spikes hang from
    assert _held(fringe, x0, x1, y0, y1, room)
    crossed = np.zeros((200, 400), bool)
    for x in (150, 210, 260):  # the drawing's outlines running down through the text
        crossed[0:200, x:x + 5] = True
    assert not _held(crossed, x0, x1, y0, y1, room)


def test_a_watermark_across_the_middle_is_found_against_the_drawing_and_a_moved_face_is_not(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """In the middle of the frame eyes and buttons line up like letters: a row there is text only where the shot's own
    drawing has no such marks and its glyphs are strokes, not blots. Without the drawing the middle is left alone."""
    from tests.qc.test_checks_layout import cafe, composite, draw_shot, truth_of

    tmp = tmp_path_factory.mktemp("middle")
    folder = draw_shot(cafe(), "ep01_sc01_sh010", tmp / "shot", (540, 960))
    truth = truth_of(folder)
    plate = Image.open(folder / "keyframe.png").convert("RGB")
    marked = plate.copy()
    draw = ImageDraw.Draw(marked)
    font = ImageFont.load_default(size=40)
    left, top, right, bottom = draw.textbbox((0, 0), "SAMPLE", font=font)
    draw.text(((540 - right) / 2, 236), "SAMPLE", font=font, fill=(50, 50, 60))  # on the wall, a quarter down
    found = LeakageCheck().judge(Take(still(marked, tmp / "marked.png")), truth)
    assert not found.passed and "text-like glyphs in the top centre" in found.reason, found.reason
    assert "y=4" in found.reason or "y=5" in found.reason, found.reason  # at 1080 wide: not in the top band
    assert LeakageCheck().judge(Take(folder / "keyframe.png"), truth).passed
    moved = Image.fromarray(composite(folder, {"maya": 0.35, "kenji": -0.3}))
    assert LeakageCheck().judge(Take(still(moved, tmp / "moved.png")), truth).passed
    unknown = Truth(shot=truth.shot, width=truth.width, height=truth.height)
    assert LeakageCheck().judge(Take(tmp / "marked.png"), unknown).passed


def test_letters_that_touch_a_long_outline_they_cross_are_still_letters() -> None:
    """A watermark laid over a pillar's edge: where the edge runs through a letter they are one piece of ink, too tall
    to be a letter. Long straight strokes (leaning a little, as a set's edges do in perspective) are taken out first,
    so the letters stand on their own; the edges alone are no text."""
    from mangaline.checks.leakage import find_leakage

    frame = Image.new("RGB", (1080, 1920), (46, 92, 170))
    draw = ImageDraw.Draw(frame)
    font = ImageFont.load_default(size=48)
    text, at = "(c) studio", (60, 1700)
    left, _, right, _ = draw.textbbox(at, text, font=font)
    for share in (0.15, 0.35, 0.55, 0.75, 0.93):  # pillars' inked edges with a pale rim, from high above to the foot
        x = left + share * (right - left) - 12
        draw.line((x, 1300, x + 24, 1919), fill=(30, 24, 36), width=8)
        draw.line((x + 7, 1300, x + 31, 1919), fill=(190, 190, 196), width=4)
    assert find_leakage(np.asarray(frame.resize((540, 960), Image.Resampling.BOX))) == []
    draw.text(at, text, font=font, fill=(240, 240, 240), stroke_width=2, stroke_fill=(30, 30, 40))
    found = [f for f in find_leakage(np.asarray(frame.resize((540, 960), Image.Resampling.BOX))) if f.kind == "text"]
    assert found and "bottom left" in found[0].where, found


def test_a_watermark_over_small_drawn_marks_is_not_taken_for_them() -> None:
    """A row of letters laid across a row of the drawing's own small marks (buttons, eyes): the drawing has marks near
    every letter, but none of a letter's size, so the row is not the drawing's."""
    from mangaline.checks.leakage import find_leakage

    drawn = Image.new("RGB", (540, 960), (70, 90, 150))
    draw = ImageDraw.Draw(drawn)
    for x in range(60, 500, 26):
        draw.ellipse((x, 470, x + 9, 479), fill=(235, 225, 200))
    assert find_leakage(np.asarray(drawn), drawn=np.asarray(drawn)) == []
    take = drawn.copy()
    draw = ImageDraw.Draw(take)
    font = ImageFont.load_default(size=56)
    _, _, right, bottom = draw.textbbox((0, 0), "(c) studio", font=font)
    draw.text(((540 - right) / 2, 475 - bottom / 2), "(c) studio", font=font, fill=(235, 235, 240))
    found = [f for f in find_leakage(np.asarray(take), drawn=np.asarray(drawn)) if f.kind == "text"]
    assert found and "middle centre" in found[0].where, found
