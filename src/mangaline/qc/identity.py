"""Character identity: a character's colours inside their mask in a shot, against their turnaround sheet (CIEDE2000)."""

from __future__ import annotations

import numpy as np
from PIL import Image

from mangaline.model import Character
from mangaline.render import INK, figure_for, shade

__all__ = ["ROLES", "delta_e2000", "identity_drift", "lab", "turnaround_colours"]

ROLES = ("skin", "hair", "outfit")
_FIND = 1.0  # ΔE within which a sheet pixel counts as the palette colour itself (not a tone of it)
_CLAIM = 6.0  # ΔE within which a shot pixel is claimed by a reference colour (edge blends fall outside)
_MIN_PIXELS = 12


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


def _mode(pixels: np.ndarray) -> np.ndarray:
    """The most frequent colour: a flat cel colour, unmoved by the blended pixels along its edges."""
    values, counts = np.unique(np.round(pixels, 3), axis=0, return_counts=True)
    return values[counts.argmax()]


def turnaround_colours(sheet: Image.Image, character: Character, variant: str = "default") -> dict[str, np.ndarray]:
    """The character's colours as the turnaround sheet shows them (the Lab of the most common matching pixel).

    Raises ValueError naming the role when the sheet does not show it at all.
    """
    fig = figure_for(character, variant)
    # Every colour of the character competes for pixels, so near-black hair is not confused with dark trousers or ink.
    wanted = {"skin": fig.skin, "hair": fig.hair, "outfit": fig.top, "bottom": fig.bottom, "accent": fig.accent,
              "eyes": fig.eyes, "ink": INK, "outfit shadow": shade(fig.top, 0.2), "hair shadow": shade(fig.hair, 0.25),
              "skin shadow": shade(fig.skin, 0.15), "bottom shadow": shade(fig.bottom, 0.12)}
    pixels = lab(np.asarray(sheet.convert("RGB")).reshape(-1, 3))
    found = {}
    for role, rgb in wanted.items():
        close = pixels[delta_e2000(pixels, lab(np.array(rgb, np.float64))) < _FIND]
        if len(close) < _MIN_PIXELS:
            if role in ROLES:
                raise ValueError(f"{character.id}: the turnaround sheet shows no {role} colour")
            continue
        found[role] = _mode(close)
    return found


def identity_drift(keyframe: Image.Image, mask: np.ndarray, reference: dict[str, np.ndarray]) -> dict[str, float]:
    """ΔE2000 per role between the character's pixels in the shot and their turnaround.

    Each pixel inside ``mask`` goes to the nearest reference colour; a role that
    claims too few pixels (because the shot shows someone else's colours) scores
    infinity.
    """
    pixels = lab(np.asarray(keyframe.convert("RGB"))[np.asarray(mask, bool)])
    roles = list(reference)
    distances = np.stack([delta_e2000(pixels, reference[r]) for r in roles], axis=-1) if len(pixels) else np.zeros((0, len(roles)))
    nearest = distances.argmin(axis=-1) if len(pixels) else np.zeros(0, int)
    drift = {}
    for i, role in enumerate(roles):
        if role not in ROLES:
            continue
        claimed = pixels[(nearest == i) & (distances[:, i] < _CLAIM)] if len(pixels) else pixels
        drift[role] = float(delta_e2000(_mode(claimed), reference[role])) if len(claimed) >= _MIN_PIXELS else float("inf")
    return drift
