"""Which shot makes an episode's cover: readable faces, clear of the title's band."""

from __future__ import annotations

from types import SimpleNamespace

from mangaline.edit.delivery import cover_shot


def _shot(*heads: tuple[float, float, float], view: str = "front", width: int = 1080, height: int = 1920):
    """A layout as the cover reads it: heads given by centre (u, v) and height in pixels."""
    people = [SimpleNamespace(view=view, head=lambda u=u, v=v, s=s: [u - s / 2, v - s / 2, u + s / 2, v + s / 2])
              for u, v, s in heads]
    return SimpleNamespace(frame_width=width, frame_height=height, characters=people)


def test_two_readable_faces_beat_three_specks_in_a_wide_shot() -> None:
    wide = _shot((200, 600, 40), (540, 600, 40), (880, 600, 40))  # 2% of the frame's height each
    two_shot = _shot((300, 500, 260), (780, 520, 250))
    assert cover_shot({"wide": wide, "two": two_shot}) == "two"


def test_a_face_under_the_title_band_or_a_back_does_not_count() -> None:
    under_band = _shot((540, 1400, 400))  # its centre at 73% of the height, where the titles go
    backs = _shot((540, 500, 400), view="back")
    clear = _shot((540, 500, 200))
    assert cover_shot({"under": under_band, "backs": backs, "clear": clear}) == "clear"
    # with no face to show, the first shot
    assert cover_shot({"under": under_band, "backs": backs}) == "under"


def test_among_equals_the_larger_faces_then_the_earlier_shot() -> None:
    small, large = _shot((540, 500, 150)), _shot((540, 500, 300))
    assert cover_shot({"small": small, "large": large}) == "large"
    assert cover_shot({"a": large, "b": _shot((540, 500, 300))}) == "a"
