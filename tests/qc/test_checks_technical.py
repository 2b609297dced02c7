"""The technical and sound checks on takes real FFmpeg makes from a drawn room: clean draft and model-like takes
pass; black frames, a freeze, flicker, the wrong shape, a clip cut short, a silent line, clipped or far too quiet
sound fail the check that is for them, and say why in numbers."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from mangaline.checks import CharacterTruth, LineTruth, Take, Truth, load_checks, run_checks
from mangaline.checks.audio import ClippingCheck, LoudnessCheck, SilenceCheck
from mangaline.checks.technical import BlackFramesCheck, DurationCheck, FlickerCheck, FormatCheck, FrozenFramesCheck
from mangaline.errors import ConfigError
from mangaline.ffmpeg import run_ffmpeg

SIZE = (360, 640)  # a 9:16 frame as small as a model's 480p clip scaled down; the draft's is 1080x1920
INK = (38, 30, 42)
CLIP_CHECKS = ["black_frames", "clipping", "duration", "flicker", "format", "frozen_frames", "loudness", "silence"]
LINE = LineTruth("june", 0.5, 1.5, text="You came back.")


def draw_room(path: Path, size: tuple[int, int] = (432, 768), *, figure_x: float = 0.5) -> Path:
    """A room as the draft draws one: flat colours in black ink, a window with its cross, a pillar, a figure."""
    w, h = size
    image = Image.new("RGB", size, (217, 208, 184))
    draw = ImageDraw.Draw(image)
    ink = max(2, w // 120)
    floor = int(h * 0.62)
    draw.rectangle((0, floor, w, h), fill=(122, 106, 88))
    draw.line((0, floor, w, floor), fill=INK, width=ink)
    draw.rectangle((int(w * 0.1), int(h * 0.18), int(w * 0.42), int(h * 0.4)), fill=(150, 190, 230), outline=INK, width=ink)
    draw.line((int(w * 0.26), int(h * 0.18), int(w * 0.26), int(h * 0.4)), fill=INK, width=ink)
    draw.line((int(w * 0.1), int(h * 0.29), int(w * 0.42), int(h * 0.29)), fill=INK, width=ink)
    draw.rectangle((int(w * 0.74), 0, int(w * 0.86), floor + h // 60), fill=(63, 138, 74), outline=INK, width=ink)
    cx, top = int(w * figure_x), int(h * 0.4)
    draw.ellipse((cx - w // 12, top, cx + w // 12, top + h // 9), fill=(245, 220, 200), outline=INK, width=ink)
    draw.rectangle((cx - w // 9, top + h // 9, cx + w // 9, int(h * 0.9)), fill=(40, 60, 140), outline=INK, width=ink)
    draw.rectangle((cx - w // 40, top + h // 9, cx + w // 40, top + h // 5), fill=(200, 40, 40), outline=INK, width=ink)
    image.save(path)
    return path


PAN = f"crop={SIZE[0] * 10 // 12}:{SIZE[1] * 10 // 12}:x='t*18':y='t*32',scale={SIZE[0]}:{SIZE[1]}"
"""The motion comic's slow camera move over the drawing, at the frame's size."""


def clip(room: Path, out: Path, vf: str = PAN, *, seconds: float = 2.0, audio: str | None = None,
         rate: int = 24) -> Path:
    args = ["-y", "-loglevel", "error", "-loop", "1", "-framerate", str(rate), "-i", str(room)]
    if audio is not None:
        args += ["-f", "lavfi", "-i", audio]
    args += ["-vf", vf, "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if audio is not None:
        args += ["-c:a", "aac", "-b:a", "96k", "-ar", "48000", "-shortest"]
    run_ffmpeg([*args, str(out)], out.name)
    return out


# a voice: a 180 Hz buzz with its harmonics, in syllables, from 0.5 s to 1.5 s (the line's time)
VOICE = "aevalsrc='0.25*(sin(2*PI*180*t)+0.5*sin(2*PI*360*t))*gt(sin(2*PI*5*t),-0.3)*between(t,0.5,1.5)':s=48000:d=2"
CLIPPED = ("aevalsrc='clip(4*(sin(2*PI*180*t)+0.5*sin(2*PI*360*t))*gt(sin(2*PI*5*t),-0.3)*between(t,0.5,1.5),-1,1)'"
           ":s=48000:d=2")  # the same voice 24 dB too hot, flattened against full scale
# the same clipped voice turned down under the rail, as a lossy codec leaves a clip it rounds off
ROUNDED = CLIPPED.replace("clip(", "0.91*clip(")
SOUND = {"loudness", "clipping", "silence"}
MODEL = f"{PAN},scale=480:854,gblur=sigma=0.7,noise=alls=3:allf=t,eq=saturation=1.06:gamma=1.04:brightness=0.01"


@pytest.fixture(scope="module")
def takes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("technical")
    room = draw_room(tmp / "room.png")
    still = tmp / "keyframe.png"
    Image.open(room).resize(SIZE, Image.Resampling.LANCZOS).save(still)
    return {
        "keyframe": still,
        "draft": clip(room, tmp / "draft.mp4"),
        "model": clip(room, tmp / "model.mp4", MODEL, audio=VOICE),
        "black": clip(room, tmp / "black.mp4", f"{PAN},drawbox=c=black:t=fill:enable='gte(t,1)'"),
        "flash": clip(room, tmp / "flash.mp4", f"{PAN},drawbox=c=black:t=fill:enable='between(n,20,25)'"),
        "frozen": clip(room, tmp / "frozen.mp4", f"scale={SIZE[0]}:{SIZE[1]}"),
        "flicker": clip(room, tmp / "flicker.mp4", f"{PAN},eq=brightness='0.04*mod(n,2)':eval=frame"),
        "landscape": clip(room, tmp / "landscape.mp4", f"{PAN},scale=640:360"),
        "short": clip(room, tmp / "short.mp4", seconds=0.8),
        "choppy": clip(room, tmp / "choppy.mp4", rate=12),
        "voiced": clip(room, tmp / "voiced.mp4", audio=VOICE),
        "mute": clip(room, tmp / "mute.mp4", audio="anullsrc=r=48000:cl=mono"),
        "dropout": clip(room, tmp / "dropout.mp4", audio=VOICE.replace("between(t,0.5,1.5)", "between(t,0.5,0.6)")),
        "clipped": clip(room, tmp / "clipped.mp4", audio=CLIPPED),
        "rounded": clip(room, tmp / "rounded.mp4", audio=ROUNDED),
        "quiet": clip(room, tmp / "quiet.mp4", audio=VOICE.replace("0.25*", "0.0008*")),
    }


def truth(lines: tuple[LineTruth, ...] = ()) -> Truth:
    return Truth(shot="ep01_sc01_sh010", width=SIZE[0], height=SIZE[1], fps=24.0, duration=2.0, lines=lines)


def every_check() -> list:
    return [FormatCheck(), DurationCheck(), BlackFramesCheck(), FrozenFramesCheck(), FlickerCheck(), LoudnessCheck(),
            ClippingCheck(), SilenceCheck()]


def verdicts(path: Path, shot: Truth | None = None) -> dict[str, tuple[bool, float, str]]:
    report = run_checks(Take(path), shot or truth((LINE,)), every_check())
    return {v.check: (v.passed, v.score, v.reason) for v in report.verdicts}


def test_clean_draft_and_model_like_takes_pass_every_check(takes: dict[str, Path]) -> None:
    draft = verdicts(takes["draft"])
    assert all(ok for ok, _, _ in draft.values()), draft
    # a draft segment has no sound: the sound checks have nothing to say about it
    assert set(draft) == {"format", "duration", "black_frames", "frozen_frames", "flicker"}
    model = verdicts(takes["model"])
    assert set(model) == set(CLIP_CHECKS) and all(ok for ok, _, _ in model.values()), model
    still = verdicts(takes["keyframe"])
    assert set(still) == {"format", "black_frames"} and all(ok for ok, _, _ in still.values()), still


@pytest.mark.parametrize(
    ("name", "check", "words"),
    [
        ("black", "black_frames", "1.00 s of the clip is black, 50% of it (1.00-2.00 s)"),
        ("flash", "black_frames", "0.25 s of the clip is black, 12% of it (0.83-1.08 s)"),
        ("frozen", "frozen_frames", "100% of the clip is frozen (0.00-2.00 s)"),
        ("flicker", "flicker", "the brightness swings by"),
        ("landscape", "format", "640x360 is 1.778 wide per high, asked 360x640 (0.562"),
        ("short", "duration", "0.8 s of 2.0 s asked (short by 1.2 s; 0.5 s allowed)"),
        ("choppy", "format", "12 fps is under the 24 fps asked (50% of the frames missing)"),
        ("mute", "silence", "line 1 (june, 0.50-1.50 s \"You came back.\"): 0.00 s of 1.00 s voiced heard"),
        ("dropout", "silence", "silent where a line is spoken"),
        ("clipped", "clipping", "of the samples are at full scale"),
        ("rounded", "clipping", "flat tops, clipped and rounded off by the codec"),
        ("quiet", "loudness", "the sound is too quiet"),
    ],
)
def test_a_defect_fails_its_check_and_says_why(takes: dict[str, Path], name: str, check: str, words: str) -> None:
    found = verdicts(takes[name])
    failed = {c for c, (ok, _, _) in found.items() if not ok}
    assert check in failed and words in found[check][2], found
    assert failed <= ({check} | SOUND if check in SOUND else {check}), found  # a quiet line is also hard to hear


def test_scores_are_graded_and_a_threshold_from_the_settings_moves_the_line(takes: dict[str, Path]) -> None:
    shot = Truth(shot="sh", width=SIZE[0], height=SIZE[1], duration=2.3)
    lenient, = load_checks({}, subject="clip", only=["duration"])
    strict, = load_checks({"duration": {"threshold": 0.8}}, subject="clip", only=["duration"])
    short_a_little = lenient.judge(Take(takes["draft"]), shot)
    assert short_a_little.passed and 0.6 < short_a_little.score < 0.8, short_a_little
    assert not strict.judge(Take(takes["draft"]), shot).passed
    # and an option moves a limit: a 0.3 s slack makes 0.3 s short score 0.5
    assert DurationCheck({"slack": 0.3, "slack_share": 0.0}).judge(Take(takes["draft"]), shot).score == pytest.approx(0.5)


def test_a_check_with_nothing_to_judge_says_nothing(takes: dict[str, Path]) -> None:
    still, draft = Take(takes["keyframe"]), Take(takes["draft"])
    assert DurationCheck().judge(draft, Truth(shot="sh", width=SIZE[0], height=SIZE[1])) is None  # no length asked
    assert LoudnessCheck().judge(draft, truth()) is None and ClippingCheck().judge(draft, truth()) is None
    assert SilenceCheck().judge(Take(takes["voiced"]), truth()) is None  # no line spoken
    assert SilenceCheck().judge(Take(takes["mute"]), truth()) is None
    assert LoudnessCheck().judge(Take(takes["mute"]), truth()) is None  # digital silence: nothing to level
    report = run_checks(still, truth(), every_check())
    assert {v.check for v in report.verdicts} == {"format", "black_frames"}


def test_a_voiced_line_is_heard(takes: dict[str, Path]) -> None:
    heard = SilenceCheck().judge(Take(takes["voiced"]), truth((LINE,)))
    assert heard.passed and heard.score > 0.9, heard
    # a line where the take is silent fails, naming it: only the second of two lines is missing
    late = LineTruth("tom", 1.6, 1.95, text="Late.")
    second = SilenceCheck().judge(Take(takes["voiced"]), truth((LINE, late)))
    assert not second.passed and "line 2 (tom, 1.60-1.95 s" in second.reason


def test_a_few_flat_tops_fail_however_long_the_take_and_a_hot_voice_that_crests_passes(tmp_path: Path) -> None:
    from mangaline.checks.base import SAMPLE_RATE
    from mangaline.wavfile import write_pcm16

    def sound(samples: np.ndarray, name: str) -> Take:
        write_pcm16(tmp_path / f"{name}.wav", samples.astype(np.float32), SAMPLE_RATE)
        return Take(tmp_path / f"{name}.wav", "clip")

    t = np.arange(8 * SAMPLE_RATE) / SAMPLE_RATE
    voice = 0.5 * np.sin(2 * np.pi * 180 * t) * (t < 2)
    # a hot voice cresting at 0.99 is over the level for a few samples at each crest, but never on the rail
    hot = 0.99 * np.sin(2 * np.pi * 900 * t + 0.3) * (t < 0.01)
    crest = ClippingCheck().judge(sound(hot, "hot"), truth())
    assert crest.passed, crest
    # three syllables driven into the rail, 40 samples flat in all: 0.01% of an 8 s take
    driven = voice.copy()
    for at in (0.5, 0.9, 1.3):
        i = round(at * SAMPLE_RATE)
        driven[i:i + 13] = 1.0
    verdict = ClippingCheck().judge(sound(driven, "driven"), truth())
    assert not verdict.passed and "3 flat tops of 3 or more" in verdict.reason, verdict
    # a click of two samples on the rail is not a clip
    tick = voice.copy()
    tick[SAMPLE_RATE: SAMPLE_RATE + 2] = 1.0
    assert ClippingCheck().judge(sound(tick, "tick"), truth()).passed


def test_bad_options_are_refused_naming_the_check() -> None:
    with pytest.raises(ConfigError, match=r"\[qc.checks.flicker\] max_swing must be a number from 0 to 255"):
        FlickerCheck({"max_swing": -1})
    with pytest.raises(ConfigError, match=r"\[qc.checks.format\] has no option aspect"):
        FormatCheck({"aspect": 0.1})
    with pytest.raises(ConfigError, match=r"\[qc.checks.loudness\] min_lufs \(-5\) must be under max_lufs"):
        LoudnessCheck({"min_lufs": -5})
    with pytest.raises(ConfigError, match=r"\[qc.checks.black_frames\] threshold must be a number from 0 to 1"):
        BlackFramesCheck({"threshold": 2})
    assert FrozenFramesCheck({"max_share": 0.3, "noise": 1}).max_share == 0.3


def test_the_checks_are_installed_plugins_for_the_right_takes() -> None:
    clip_checks = {c.name for c in load_checks(subject="clip", only=CLIP_CHECKS + ["leakage"])}
    assert clip_checks == set(CLIP_CHECKS) | {"leakage"}
    image_checks = {c.name for c in load_checks(subject="image", only=CLIP_CHECKS + ["leakage"])}
    assert image_checks == {"format", "black_frames", "leakage"}
    assert {c.name for c in load_checks({"flicker": {"enabled": False}}, only=CLIP_CHECKS)} == set(CLIP_CHECKS) - {"flicker"}


class _Frames:
    """A clip as decoded frames (n, h, w, 3) built in code: what the picture checks read of a take."""

    kind = "clip"
    info = None

    def __init__(self, frames: np.ndarray, fps: float = 24.0) -> None:
        self._frames = frames
        self.duration = len(frames) / fps

    def all_frames(self, width: int | None = 160) -> np.ndarray:
        return self._frames


def _camera(room: Path, count: int, *, zoom: float = 0.0, pan: float = 0.0, grain: float = 3.0) -> np.ndarray:
    """``count`` 160 px frames of the room as a model returns them: the camera pushes in by ``zoom`` and moves right
    by ``pan`` (shares of the frame) over the clip, steadily, and every frame has fresh grain."""
    steps = [i / (count - 1) for i in range(count)]
    return _views(room, [(1 + zoom * u, 0.5 + pan * (u - 0.5)) for u in steps], grain=grain, seed=7, margin=1.1)


def _speaking(who: str = "june", screen_x: float = 0.5, start: float = 0.2, end: float = 1.8) -> Truth:
    return Truth(shot="ep01_sc01_sh010", width=SIZE[0], height=SIZE[1], fps=24.0, duration=2.0,
                 characters={who: CharacterTruth(id=who, screen_x=screen_x)}, lines=(LineTruth(who, start, end),))


def test_a_models_still_grained_and_pushed_in_where_someone_speaks_is_frozen(tmp_path: Path) -> None:
    room = draw_room(tmp_path / "room.png")
    check = FrozenFramesCheck()
    # a still, grained afresh every frame and pushed in 3 % over 2 s, in a shot where the character in view speaks:
    # no two frames are the same to the bit, and nothing but the push moves; after the line as much as during it
    still = _Frames(_camera(room, 48, zoom=0.03))
    for spoken in (_speaking(), _speaking(start=0.0, end=0.3)):
        frozen = check.judge(still, spoken)
        assert not frozen.passed and "100% of the clip is frozen" in frozen.reason, frozen
    # the same grain on a camera that moves while she speaks: a slow pan, and a push-in five times the model's
    for moving in (_camera(room, 48, pan=0.05), _camera(room, 48, zoom=0.15)):
        verdict = check.judge(_Frames(moving), _speaking())
        assert verdict.passed and verdict.score == 1.0, verdict
    # the same still in a shot where nothing has to move: nobody speaks, or the speaker is out of the frame (a camera
    # easing in on a quiet shot looks just like it)
    for quiet in (truth(), _speaking(screen_x=1.3)):
        verdict = check.judge(still, quiet)
        assert verdict.passed and verdict.score == 1.0, (quiet, verdict)


def _eased_push(room: Path, count: int, *, zoom: float, hold_from: int | None = None) -> np.ndarray:
    """The camera pushing in by ``zoom`` over the clip, eased in and out as the motion plan eases a move, with fresh
    grain every frame; from ``hold_from`` on, the picture there held (grained afresh, pushed in 2 % more over the
    rest, as a model's freeze is)."""
    def zoom_at(u: float) -> float:
        return 1 + zoom * u * u * (3 - 2 * u)

    zooms = [zoom_at(i / (count - 1)) for i in range(count)]
    if hold_from is not None:
        zooms[hold_from:] = [zooms[hold_from] * (1 + 0.02 * k / (count - 1 - hold_from)) for k in range(count - hold_from)]
    return _views(room, [(z, 0.5) for z in zooms], grain=3.0, seed=11)


def _views(room: Path, cameras: list[tuple[float, float]], *, grain: float, seed: int, margin: float = 1.0) -> np.ndarray:
    """160 px frames of the room, one per camera (zoom, and the centre's place across the room, 0..1), each frame
    with fresh grain; ``margin`` zooms every frame in that much more, leaving room to pan into."""
    image = Image.open(room).convert("RGB")
    w, h = image.size
    rng = np.random.default_rng(seed)
    frames = []
    for z, across in cameras:
        cw, ch = w / z / margin, h / z / margin
        cx, cy = w * across, h / 2
        box = (cx - cw / 2, cy - ch / 2, cx + cw / 2, cy + ch / 2)
        frame = np.asarray(image.resize((160, 284), Image.Resampling.BILINEAR, box=box), np.float32)
        frames.append(np.clip(frame + rng.normal(0, grain, frame.shape), 0, 255).astype(np.uint8))
    return np.stack(frames)


def _person(tmp: Path, share: float) -> CharacterTruth:
    """june in view, her mask a block in the middle of the frame filling ``share`` of it."""
    w, h = SIZE
    mask = Image.new("L", SIZE, 0)
    side = (share * w * h) ** 0.5
    ImageDraw.Draw(mask).rectangle((w / 2 - side / 2, h / 2 - side / 2, w / 2 + side / 2, h / 2 + side / 2), fill=255)
    path = tmp / f"june-{share}.png"
    mask.save(path)
    return CharacterTruth(id="june", mask=path, screen_x=0.5)


def test_a_still_in_a_quiet_shot_is_frozen_where_the_shot_asks_for_motion(tmp_path: Path) -> None:
    room = draw_room(tmp_path / "room.png")
    check = FrozenFramesCheck()
    quiet = {move: Truth(shot="ep01_sc01_sh010", width=SIZE[0], height=SIZE[1], fps=24.0, duration=5.0, move=move)
             for move in ("push_in", "static")}
    # a 5 s push-in, eased: slow enough at either end to pass for a still pushed in, and it is the clean take
    eased = check.judge(_Frames(_eased_push(room, 120, zoom=0.15)), quiet["push_in"])
    assert eased.passed, eased
    # the same take held from 2.5 s on, where the camera should be travelling fastest: frozen
    held = check.judge(_Frames(_eased_push(room, 120, zoom=0.15, hold_from=60)), quiet["push_in"])
    assert not held.passed and "of the clip is frozen (2.5" in held.reason, held
    # a held shot: a still of the room passes, and so does one of someone far off; held on someone who fills a
    # third of the frame, the same still is frozen (the breathing and blinking of a close shot are missing)
    still = _Frames(_camera(room, 48, zoom=0.03))
    static = quiet["static"]
    assert check.judge(still, static).passed
    far = dataclasses.replace(static, characters={"june": _person(tmp_path, 0.02)})
    assert check.judge(still, far).passed
    close = check.judge(still, dataclasses.replace(static, characters={"june": _person(tmp_path, 0.3)}))
    assert not close.passed and "100% of the clip is frozen" in close.reason, close


def test_bars_round_the_picture_do_not_pass_for_a_freeze(tmp_path: Path) -> None:
    room = draw_room(tmp_path / "room.png")
    check = FrozenFramesCheck()
    # the draft's slow camera move, no grain, pillarboxed into a 16:9 frame: two thirds of the frame never change
    moving = _camera(room, 48, pan=0.02, grain=0.0)
    boxed = np.zeros((len(moving), 90, 160, 3), np.uint8)
    for i, frame in enumerate(moving):
        boxed[i, :, 55:105] = np.asarray(Image.fromarray(frame).resize((50, 90), Image.Resampling.BILINEAR))
    verdict = check.judge(_Frames(boxed), truth())
    assert verdict.passed and verdict.score == 1.0, verdict
    # the same picture frozen, in its bars: frozen
    frozen = check.judge(_Frames(np.repeat(boxed[:1], len(boxed), axis=0)), truth())
    assert not frozen.passed, frozen
