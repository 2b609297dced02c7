"""Character identity: a character's colours inside their mask in a shot, against their turnaround sheet (CIEDE2000)."""

from __future__ import annotations

import numpy as np
from PIL import Image

from mangaline.colour import INK, delta_e2000, lab, shade
from mangaline.model import Character
from mangaline.model.figure import figure_for

__all__ = ["ROLES", "identity_drift", "turnaround_colours"]

ROLES = ("skin", "hair", "outfit")
_FIND = 1.0  # ΔE within which a sheet pixel counts as the palette colour itself (not a tone of it)
_CLAIM = 6.0  # ΔE within which a shot pixel is claimed by a reference colour (edge blends fall outside)
_MIN_PIXELS = 12


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
