"""Colour arithmetic for the flat manga look: hex to RGB, one shade tone, tints and the ink."""

from __future__ import annotations

__all__ = ["INK", "RGB", "hex_rgb", "lighten", "mix", "shade", "sky_colours"]

RGB = tuple[int, int, int]

# Outlines are a warm near-black rather than pure black, as in printed manga.
INK: RGB = (38, 30, 42)


def hex_rgb(value: str) -> RGB:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _clamp(v: float) -> int:
    return max(0, min(255, int(round(v))))


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """``a`` moved a fraction ``t`` towards ``b``."""
    return tuple(_clamp(x + (y - x) * t) for x, y in zip(a, b))  # type: ignore[return-value]


def shade(c: RGB, amount: float = 0.25) -> RGB:
    """The one shadow tone of a colour: darker and a little cooler, like a cel shadow."""
    dark = tuple(_clamp(x * (1.0 - amount)) for x in c)
    return mix(dark, (60, 50, 110), amount * 0.35)


def lighten(c: RGB, amount: float = 0.2) -> RGB:
    return mix(c, (255, 255, 255), amount)


def sky_colours(time_of_day: str) -> tuple[RGB, RGB, str]:
    """Sky gradient (top, horizon) and the time bucket: day, night, dusk or dawn."""
    t = (time_of_day or "DAY").upper()
    if any(k in t for k in ("NIGHT", "MIDNIGHT", "LATE")):
        return (10, 14, 40), (48, 56, 104), "night"
    if any(k in t for k in ("DUSK", "SUNSET", "EVENING", "TWILIGHT")):
        return (74, 62, 138), (252, 158, 96), "dusk"
    if any(k in t for k in ("DAWN", "SUNRISE", "MORNING")):
        return (132, 176, 232), (255, 214, 178), "dawn"
    return (96, 164, 236), (200, 230, 252), "day"
