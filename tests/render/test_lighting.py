"""Characters lit by the set's lights: a faint tint within the identity tolerance, a rim on the edge facing the light."""

from __future__ import annotations

import numpy as np
import pytest

from mangaline.layout import Camera
from mangaline.model import Light
from mangaline.qc.identity import delta_e2000, lab
from mangaline.render import draw_figure, figure_for
from mangaline.render.figure import lighting_for

# The camera stands south of the set looking north, so east (x) is screen right.
CAMERA = Camera(x=2.0, y=-3.0, z=1.5, yaw=90.0, pitch=0.0)


def _lamp(x: float, y: float = 2.0, z: float = 2.0, intensity: float = 1.5, colour: str = "#ffa040") -> Light:
    return Light(name="lamp", kind="lamp", x=x, y=y, z=z, colour=colour, intensity=intensity)


def _draw(bible, light):
    fig = figure_for(bible.characters["maya"])
    drawing = draw_figure(fig, "front", face_x=300, face_y=200, ppm=500, canvas=(600, 1200), light=light)
    assert drawing is not None
    return np.asarray(drawing.image).astype(int), drawing


def test_a_near_lamp_lights_more_than_a_far_one_and_from_its_side():
    near = lighting_for([_lamp(3.0)], 2.0, 2.0, 1.6, CAMERA.to_view)
    far = lighting_for([_lamp(9.0, y=8.0)], 2.0, 2.0, 1.6, CAMERA.to_view)
    assert near is not None and far is not None and near.strength > 2 * far.strength
    assert near.colour == (255, 160, 64)
    assert near.direction[0] > 0.5, "a lamp east of her is on screen right"
    left = lighting_for([_lamp(0.5)], 2.0, 2.0, 1.6, CAMERA.to_view)
    assert left.direction[0] < -0.5
    assert lighting_for([], 2.0, 2.0, 1.6, CAMERA.to_view) is None
    mixed = lighting_for([_lamp(3.0, colour="#ff0000"), _lamp(1.0, colour="#0000ff")], 2.0, 2.0, 1.6, CAMERA.to_view)
    assert mixed.colour[0] > 100 and mixed.colour[2] > 100, "two lamps mix their colours"


def test_the_lit_edge_faces_the_light_and_the_flat_colours_stay_within_the_identity_tolerance(bible):
    dark, _ = _draw(bible, None)
    light = lighting_for([_lamp(3.5, z=1.6)], 2.0, 2.0, 1.6, CAMERA.to_view)
    lit, drawing = _draw(bible, light)
    assert dark.shape == lit.shape and (dark[..., 3] == lit[..., 3]).all(), "light never changes the silhouette"
    changed = np.abs(lit[..., :3] - dark[..., :3]).sum(axis=-1)
    solid = dark[..., 3] > 127
    rim = solid & (changed > 30)
    assert rim.sum() > 50, "the rim must be visible"
    cols = np.nonzero(rim)[1]
    assert np.median(cols) > dark.shape[1] / 2, "the rim is on the side toward the lamp (screen right)"
    # Away from the rim, every flat fill keeps within ΔE 3 of the unlit drawing (the turnaround's colours).
    body = solid & ~rim
    e = delta_e2000(lab(lit[..., :3][body]), lab(dark[..., :3][body]))
    assert e.max() < 3.0 and e.mean() > 0.3, f"tint ΔE max {e.max():.2f}, mean {e.mean():.2f}"
    # Sprites take the same tint, so an open mouth does not show as a patch.
    if drawing.mouth is not None:
        plain = draw_figure(figure_for(bible.characters["maya"]), "front", face_x=300, face_y=200, ppm=500,
                            canvas=(600, 1200)).mouth[0]
        m_lit, m_dark = np.asarray(drawing.mouth[0]).astype(int), np.asarray(plain).astype(int)
        inside = m_dark[..., 3] > 127
        assert np.abs(m_lit[..., :3][inside] - m_dark[..., :3][inside]).max() <= 12


def test_lighting_is_deterministic(bible):
    light = lighting_for([_lamp(3.5)], 2.0, 2.0, 1.6, CAMERA.to_view)
    a, _ = _draw(bible, light)
    b, _ = _draw(bible, light)
    assert (a == b).all()
