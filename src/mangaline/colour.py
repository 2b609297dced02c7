"""Colour, in one place for every department: named colours, hex and RGB, the flat manga look's tones, colour distances.

The design picks palettes with it, the draft renderer paints with it and QC measures pictures with it,
so a colour means the same thing to all three.
"""

from __future__ import annotations

import colorsys
import math

import numpy as np

__all__ = [
    "INK",
    "NAMED",
    "RGB",
    "delta_e",
    "delta_e2000",
    "from_hsl",
    "hex_of",
    "hex_rgb",
    "hue_of",
    "lab",
    "lighten",
    "mix",
    "shade",
    "tone",
    "unit_rgb",
]

RGB = tuple[int, int, int]

# Outlines are a warm near-black rather than pure black, as in printed manga.
INK: RGB = (38, 30, 42)

# One hex per colour name; the language vocabularies map their words onto these names.
NAMED: dict[str, str] = {
    "red": "#c8302e",
    "crimson": "#a3172b",
    "scarlet": "#e0301e",
    "maroon": "#6e1a22",
    "blue": "#2f5fa8",
    "navy": "#1f2f5a",
    "light_blue": "#7fb2e5",
    "teal": "#2f8a8a",
    "green": "#3f8a4a",
    "dark_green": "#2a5a3a",
    "olive": "#6b6b2e",
    "yellow": "#e8c547",
    "gold": "#d4a93c",
    "blonde": "#e3c27a",
    "orange": "#e27a2e",
    "pink": "#e88aa8",
    "purple": "#6e4a9a",
    "black": "#1c1c1f",
    "white": "#f2f2ee",
    "grey": "#8c8c8c",
    "silver": "#c0c4c8",
    "brown": "#6b4428",
    "dark_brown": "#3b2618",
    "auburn": "#8a3b22",
    "beige": "#d9c3a0",
    "cream": "#f1e6c8",
}

# ------------------------------------------------------------------------------------------ hex and RGB


def hex_rgb(value: str) -> RGB:
    """'#rrggbb' (or 'rrggbb') as three integers in 0..255."""
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def unit_rgb(value: str) -> tuple[float, float, float]:
    """'#rrggbb' as three floats in 0..1."""
    return tuple(int(value[i : i + 2], 16) / 255.0 for i in (1, 3, 5))  # type: ignore[return-value]


def hex_of(r: float, g: float, b: float) -> str:
    """Three floats in 0..1 as '#rrggbb'."""
    clamp = lambda c: max(0, min(255, round(c * 255)))  # noqa: E731
    return f"#{clamp(r):02x}{clamp(g):02x}{clamp(b):02x}"


def from_hsl(hue: float, saturation: float, lightness: float) -> str:
    r, g, b = colorsys.hls_to_rgb(hue % 1.0, lightness, saturation)
    return hex_of(r, g, b)


def hue_of(value: str) -> float:
    return colorsys.rgb_to_hls(*unit_rgb(value))[0]


def tone(value: str, how: str) -> str:
    """The 'dark' or 'light' version of a hex colour, for words like 'dark green' or 'pale blue'."""
    r, g, b = unit_rgb(value)
    if how == "dark":
        return hex_of(r * 0.6, g * 0.6, b * 0.6)
    if how == "light":
        return hex_of(r + (1 - r) * 0.45, g + (1 - g) * 0.45, b + (1 - b) * 0.45)
    return value


# ------------------------------------------------------------------------------------------ the flat manga look


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


# ------------------------------------------------------------------------------------------ distances


def _lab76(value: str) -> tuple[float, float, float]:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in unit_rgb(value))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(a: str, b: str) -> float:
    """Perceptual distance of two hex colours (CIE76 in Lab): about 2 is just noticeable, over 25 a different colour.

    The design's thresholds (distinct outfits, hair, accents) were set against this rounded
    conversion; measuring with ``lab`` would re-pick the colours of bibles already designed.
    """
    return math.dist(_lab76(a), _lab76(b))


def lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (0..255, last axis 3) to CIE L*a*b* under D65."""
    c = np.asarray(rgb, np.float64) / 255.0
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    m = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]])
    xyz = c @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def delta_e2000(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """CIEDE2000 colour difference between Lab arrays (broadcasting on all but the last axis)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    l1, a1, b1 = a[..., 0], a[..., 1], a[..., 2]
    l2, a2, b2 = b[..., 0], b[..., 1], b[..., 2]
    c1, c2 = np.hypot(a1, b1), np.hypot(a2, b2)
    cm = (c1 + c2) / 2
    g = 0.5 * (1 - np.sqrt(cm ** 7 / (cm ** 7 + 25.0 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dl = l2 - l1
    dc = c2p - c1p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(c1p * c2p == 0, 0, dh)
    dH = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    lm = (l1 + l2) / 2
    cmp_ = (c1p + c2p) / 2
    hsum = h1p + h2p
    hm = np.where(np.abs(h1p - h2p) > 180, np.where(hsum < 360, (hsum + 360) / 2, (hsum - 360) / 2), hsum / 2)
    hm = np.where(c1p * c2p == 0, hsum, hm)
    t = (1 - 0.17 * np.cos(np.radians(hm - 30)) + 0.24 * np.cos(np.radians(2 * hm))
         + 0.32 * np.cos(np.radians(3 * hm + 6)) - 0.20 * np.cos(np.radians(4 * hm - 63)))
    sl = 1 + 0.015 * (lm - 50) ** 2 / np.sqrt(20 + (lm - 50) ** 2)
    sc = 1 + 0.045 * cmp_
    sh = 1 + 0.015 * cmp_ * t
    rt = -2 * np.sqrt(cmp_ ** 7 / (cmp_ ** 7 + 25.0 ** 7)) * np.sin(np.radians(60 * np.exp(-(((hm - 275) / 25) ** 2))))
    return np.sqrt((dl / sl) ** 2 + (dc / sc) ** 2 + (dH / sh) ** 2 + rt * (dc / sc) * (dH / sh))
