"""Named colours and the colour arithmetic used to keep a cast and its sets easy to tell apart."""

from __future__ import annotations

import colorsys
import math

__all__ = [
    "NAMED",
    "HAIR_NATURAL",
    "HAIR_ELDER",
    "SKIN_TONES",
    "hex_of",
    "rgb_of",
    "shade",
    "delta_e",
    "from_hsl",
    "hue_of",
]

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

# Hair colours a default may use, most common first; grey and white are left to the text or to elders.
HAIR_NATURAL: list[str] = ["#1c1c1f", "#3b2618", "#6b4428", "#8a3b22", "#e3c27a", "#2b2f4a", "#5a3a2a", "#b07a45"]
HAIR_ELDER: list[str] = ["#8c8c8c", "#c0c4c8", "#e6e6e0", "#6e6e6e"]

SKIN_TONES: list[str] = ["#f6dcc6", "#efcfb0", "#e5bb95", "#d1a27a", "#b07e58", "#8a5a3c"]


def rgb_of(value: str) -> tuple[float, float, float]:
    """'#rrggbb' as three floats in 0..1."""
    return tuple(int(value[i : i + 2], 16) / 255.0 for i in (1, 3, 5))  # type: ignore[return-value]


def hex_of(r: float, g: float, b: float) -> str:
    clamp = lambda c: max(0, min(255, round(c * 255)))  # noqa: E731
    return f"#{clamp(r):02x}{clamp(g):02x}{clamp(b):02x}"


def shade(value: str, how: str) -> str:
    """'dark' or 'light' version of a colour, for words like 'dark green' or 'pale blue'."""
    r, g, b = rgb_of(value)
    if how == "dark":
        return hex_of(r * 0.6, g * 0.6, b * 0.6)
    if how == "light":
        return hex_of(r + (1 - r) * 0.45, g + (1 - g) * 0.45, b + (1 - b) * 0.45)
    return value


def from_hsl(hue: float, saturation: float, lightness: float) -> str:
    r, g, b = colorsys.hls_to_rgb(hue % 1.0, lightness, saturation)
    return hex_of(r, g, b)


def hue_of(value: str) -> float:
    return colorsys.rgb_to_hls(*rgb_of(value))[0]


def _lab(value: str) -> tuple[float, float, float]:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb_of(value))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(a: str, b: str) -> float:
    """Perceptual distance (CIE76 in Lab): about 2 is just noticeable, over 25 reads as a different colour."""
    return math.dist(_lab(a), _lab(b))
