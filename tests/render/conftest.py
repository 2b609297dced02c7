"""Fixtures over the café sample: the bible, the scene and a small project."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The layout and render tests share this one sample; it lives beside the storyboard tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "storyboard"))

from cafe_sample import make_bible, make_scene  # noqa: E402
from mangaline.model import Bible, Project, Scene  # noqa: E402


@pytest.fixture
def bible() -> Bible:
    return make_bible()


@pytest.fixture
def scene() -> Scene:
    return make_scene()


@pytest.fixture
def small_project() -> Project:
    return Project(name="test", width=270, height=480)
