"""A layered keyframe: what the storyboard draws and the motion-comic animator moves."""

from __future__ import annotations

from pydantic import Field

from .base import Record, SafeId


class Sprite(Record):
    """A small RGBA image switched on over a layer (open mouth, closed eyes), in canvas pixels."""

    file: SafeId = Field(description="file name beside layers.json")
    x: int
    y: int


class Layer(Record):
    """One RGBA image placed on the canvas; its depth sets how far it moves with the camera."""

    name: str = Field(description="background, char:<id>, foreground ...")
    file: SafeId = Field(description="file name beside layers.json")
    x: int = Field(description="top-left corner on the canvas, pixels")
    y: int
    width: int
    height: int
    depth: float = Field(gt=0, description="metres from the camera; near layers move more (parallax)")
    character: SafeId | None = None
    speaking_mouth: Sprite | None = Field(default=None, description="drawn over the layer while the character speaks")
    blink: Sprite | None = Field(default=None, description="drawn over the layer while the character blinks")


class KeyframeLayers(Record):
    """A shot's keyframe as layers, back to front, on a canvas larger than the frame.

    The frame (the video size) sits centred on the canvas; the margin is room for
    camera moves. ``keyframe.png`` beside it is the flattened frame-sized picture.
    """

    shot: str = Field(description="the shot's code, or location@spot for a set plate")
    canvas_width: int
    canvas_height: int
    frame_width: int
    frame_height: int
    layers: list[Layer]
    focal: float | None = Field(default=None, description="the camera's focal length in frame pixels; turns depth into parallax")
