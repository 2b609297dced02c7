"""The renderer's view of a set: projection of 3D points and polygons onto a supersampled canvas."""

from __future__ import annotations

from dataclasses import dataclass

from mangaline.layout.camera import Camera, project_point

__all__ = ["NEAR", "View"]

NEAR = 0.08  # metres; geometry nearer than this to the lens is cut away


@dataclass(frozen=True)
class View:
    """A camera seen through a frame, centred on a larger canvas, drawn ``ss`` times oversize."""

    camera: Camera
    frame_width: int
    frame_height: int
    canvas_width: int
    canvas_height: int
    ss: int = 2

    @property
    def offset(self) -> tuple[int, int]:
        return (self.canvas_width - self.frame_width) // 2, (self.canvas_height - self.frame_height) // 2

    @property
    def focal(self) -> float:
        return self.camera.focal(self.frame_height)

    def to_canvas(self, x: float, y: float, z: float) -> tuple[float, float, float]:
        """A set point in canvas pixels (not supersampled) and its depth."""
        u, v, d = project_point(self.camera, x, y, z, self.frame_width, self.frame_height)
        ox, oy = self.offset
        return u + ox, v + oy, d

    def depth(self, x: float, y: float, z: float) -> float:
        return self.camera.to_view(x, y, z)[2]

    def _view_to_px(self, r: float, u: float, d: float) -> tuple[float, float]:
        f = self.focal
        ox, oy = self.offset
        return (
            (self.frame_width / 2.0 + f * r / d + ox) * self.ss,
            (self.frame_height / 2.0 - f * u / d + oy) * self.ss,
        )

    def polygon(self, points: list[tuple[float, float, float]]) -> list[tuple[float, float]] | None:
        """Project a planar polygon, clipped against the near plane; None when nothing is left."""
        view = [self.camera.to_view(*p) for p in points]
        clipped: list[tuple[float, float, float]] = []
        n = len(view)
        for i in range(n):
            a, b = view[i], view[(i + 1) % n]
            a_in, b_in = a[2] >= NEAR, b[2] >= NEAR
            if a_in:
                clipped.append(a)
            if a_in != b_in:
                t = (NEAR - a[2]) / (b[2] - a[2])
                clipped.append((a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, NEAR))
        if len(clipped) < 3:
            return None
        return [self._view_to_px(*p) for p in clipped]

    def segment(self, a: tuple[float, float, float], b: tuple[float, float, float]) -> list[tuple[float, float]] | None:
        va, vb = self.camera.to_view(*a), self.camera.to_view(*b)
        if va[2] < NEAR and vb[2] < NEAR:
            return None
        if va[2] < NEAR or vb[2] < NEAR:
            t = (NEAR - va[2]) / (vb[2] - va[2])
            cut = tuple(va[i] + (vb[i] - va[i]) * t for i in range(3))
            if va[2] < NEAR:
                va = cut  # type: ignore[assignment]
            else:
                vb = cut  # type: ignore[assignment]
        return [self._view_to_px(*va), self._view_to_px(*vb)]

    def point(self, x: float, y: float, z: float) -> tuple[float, float, float] | None:
        """Supersampled canvas pixel of a point and its depth; None behind the near plane."""
        r, u, d = self.camera.to_view(x, y, z)
        if d < NEAR:
            return None
        px, py = self._view_to_px(r, u, d)
        return px, py, d

    def pixels_per_metre(self, depth: float) -> float:
        """Supersampled pixels per metre for something standing ``depth`` metres away."""
        return self.focal / max(depth, NEAR) * self.ss
