"""Character identity: each character's colours in the take, inside the layout's mask, against their turnaround sheet.

``IdentityCheck`` measures hair, skin and outfit by CIEDE2000 (and the face on its own, so another
character's face pasted over the right body is caught); ``EmbeddingIdentityCheck`` compares an image
embedding of the character's crop with one of their sheet, with a model the user installs (ONNX).
``turnaround_colours`` and ``identity_drift`` are the colour measures a draft keyframe is held to.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from PIL import Image

from ..colour import INK, delta_e2000, lab, shade
from ..errors import ConfigError
from ..model import TURNAROUND_PANEL, TURNAROUND_VIEWS, Character
from ..model.figure import figure_for
from ..model.qc import Verdict
from .base import Check, Take, Truth
from .layout import box_mask, display_name, drawn_shot, layout_character, seen_frames

__all__ = ["ROLES", "EmbeddingIdentityCheck", "IdentityCheck", "Palette", "foreign_share", "identity_drift",
           "read_palette", "sheet_colours", "turnaround_colours"]

ROLES = ("skin", "hair", "outfit")
_FIND = 1.0  # ΔE within which a sheet pixel counts as the palette colour itself (not a tone of it)
_CLAIM = 6.0  # ΔE within which a shot pixel is claimed by a reference colour (edge blends fall outside)
_MIN_PIXELS = 12

_TAKE_CLAIM = 12.0  # a take is graded, blurred and noisy: a pixel this close to a reference colour is claimed by it
_GOOD_DE, _BAD_DE = 3.0, 12.0  # ΔE2000 scoring 1 and 0: a few ΔE of grade passes, another palette does not
_MIN_REGION = 150  # pixels of a character (at the working size) below which there is too little to judge
_MIN_ROLE = 12  # pixels a role must cover, thickly, in the plate for the take to be held to it
_SHOWN = 0.25  # a role claiming fewer pixels than this share of its thick plate pixels is missing from the take
_FOREIGN_DE = 6.0  # ΔE from every colour of the character (after its grade) past which a pixel is someone else's
_FOREIGN_OK, _FOREIGN_SPAN = 0.1, 0.3  # more foreign share than the plate's scoring 1, and the span down to 0
_SOFTEN = 1.0  # px of blur both pictures get before foreign colours are counted
_SAMPLE = 3000  # pixels of a region measured
_MIN_FACE = 250  # pixels of a face (at the working size) below which it is judged only as part of the figure


# ------------------------------------------------------------------------------------------ colours of a sheet


def _mode(pixels: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """The most frequent colour (each pixel counted ``weights`` times): a flat cel colour, unmoved by the blended
    pixels along its edges."""
    values, inverse = np.unique(np.round(pixels, 3), axis=0, return_inverse=True)
    counts = np.bincount(inverse.ravel(), weights=weights, minlength=len(values))
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
    # a sheet is drawn in flat colours: measure each distinct colour once, weighted by how many pixels show it
    rgb = np.asarray(sheet.convert("RGB")).reshape(-1, 3).astype(np.int32)
    packed, counts = np.unique((rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2], return_counts=True)
    pixels = lab(np.stack([packed >> 16, (packed >> 8) & 255, packed & 255], axis=-1))
    found = {}
    for role, colour in wanted.items():
        close = delta_e2000(pixels, lab(np.array(colour, np.float64))) < _FIND
        if counts[close].sum() < _MIN_PIXELS:
            if role in ROLES:
                raise ValueError(f"{character.id}: the turnaround sheet shows no {role} colour")
            continue
        found[role] = _mode(pixels[close], counts[close])
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


@dataclass(frozen=True)
class Palette:
    """How a region's pixels fall on a character's colours: per role, the pixels its family claims, how far they moved.

    A role's family is the role, its shadow tone and any minor colour (eyes, accent) a graded take could
    not tell from it; a pixel claimed by any of them says where that role's colour went.
    """

    claimed: Mapping[str, int]
    total: int  # pixels read
    shift: Mapping[str, np.ndarray]  # per role: its family's median Lab offset from the colours claiming its pixels
    grade: np.ndarray  # the median Lab offset of every claimed pixel: how the take graded this character as a whole
    owner: np.ndarray  # per pixel of the region, the index (in the reference) of the colour claiming it; -1: none

    def drift(self, role: str, reference: Mapping[str, np.ndarray]) -> float:
        if self.claimed.get(role, 0) < _MIN_PIXELS:
            return math.inf
        return float(delta_e2000(reference[role] + self.shift[role], reference[role]))


def families(reference: Mapping[str, np.ndarray]) -> dict[str, list[int]]:
    """Per main role, the indices (in ``reference``) of the colours that count as it on a take."""
    names = list(reference)
    mains = [role for role in ROLES if role in reference]
    found = {}
    for role in mains:
        members = [names.index(role)]
        for i, other in enumerate(names):
            if other == role or other in mains or other.endswith(" shadow") and other != f"{role} shadow":
                continue
            if other == f"{role} shadow" or float(delta_e2000(reference[other], reference[role])) < _TAKE_CLAIM:
                members.append(i)
        found[role] = members
    return found


def _nearest(pixels: np.ndarray, colours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per Lab pixel, the nearest of ``colours`` (by Lab distance) and its CIEDE2000 difference from it."""
    nearest = np.linalg.norm(pixels[:, None, :] - colours[None, :, :], axis=-1).argmin(axis=-1)
    return nearest, delta_e2000(pixels, colours[nearest])


def read_palette(pixels: np.ndarray, reference: Mapping[str, np.ndarray], claim: float = _TAKE_CLAIM) -> Palette:
    """Each Lab pixel goes to its nearest reference colour, if within ``claim``; each role's family is then measured.

    A median offset, unlike the sheet's mode, holds on a take whose flat colours have been blurred,
    graded and re-encoded.
    """
    if not len(pixels):
        return Palette({}, 0, {}, np.zeros(3), np.zeros(0, int))
    colours = np.stack(list(reference.values()))
    nearest, apart = _nearest(pixels, colours)
    owner = np.where(apart < claim, nearest, -1)
    claimed, shift = {}, {}
    for role, members in families(reference).items():
        mine = np.isin(owner, members)
        claimed[role] = int(mine.sum())
        if claimed[role]:
            shift[role] = np.median(pixels[mine] - colours[owner[mine]], axis=0)
    held = owner >= 0
    grade = np.median(pixels[held] - colours[owner[held]], axis=0) if held.any() else np.zeros(3)
    return Palette(claimed, len(pixels), shift, grade, owner)


def foreign_share(pixels: np.ndarray, reference: Mapping[str, np.ndarray], grade: np.ndarray | None = None) -> float:
    """The share of Lab pixels further than ``_FOREIGN_DE`` from every colour of the character (moved by ``grade``):
    another character's face or hair, another palette."""
    if not len(pixels):
        return 0.0
    colours = np.stack(list(reference.values())) + (0.0 if grade is None else grade)
    return float((_nearest(pixels, colours)[1] > _FOREIGN_DE).mean())


def _sample(pixels: np.ndarray, most: int = _SAMPLE) -> np.ndarray:
    """At most ``most`` of ``pixels``, evenly spread: a region's medians and shares hold on a sample, for less work."""
    if len(pixels) <= most:
        return pixels
    return pixels[np.linspace(0, len(pixels) - 1, most).astype(int)]


def _soften(picture: np.ndarray) -> np.ndarray:
    """A picture blurred by a pixel: the plate's crisp edges and a model's soft ones then blend their colours alike."""
    from scipy import ndimage

    return ndimage.gaussian_filter(picture.astype(np.float32), (_SOFTEN, _SOFTEN, 0.0))


def _thick_roles(palette: Palette, region: np.ndarray, reference: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per role, where it covers the plate a pixel away from any other colour: what a blurred, chroma-subsampled
    take can still show of it (a thin strand of hair in a wide shot cannot be held to)."""
    from scipy import ndimage

    owner = np.full(region.shape, -1)
    owner[region] = palette.owner
    return {role: ndimage.binary_erosion(np.isin(owner, members)) for role, members in families(reference).items()}


@lru_cache(maxsize=32)
def _sheet_colours(sheet: Path, mtime: float, character_json: str, variant: str) -> dict[str, np.ndarray]:
    character = Character.model_validate_json(character_json)
    with Image.open(sheet) as img:
        return turnaround_colours(img, character, variant)


def sheet_colours(truth: Truth, cid: str) -> tuple[Character, dict[str, np.ndarray]] | None:
    """The character (from the truth, else the layout) and their turnaround's colours; None without sheet or design."""
    ct = truth.characters.get(cid)
    if ct is None or ct.sheet is None or not Path(ct.sheet).is_file():
        return None
    placed = layout_character(truth, cid)
    data = ct.character if ct.character is not None else (placed or {}).get("character")
    if data is None:
        return None
    character = Character.model_validate(data)
    variant = ct.variant if ct.variant != "default" or placed is None else placed.get("variant", "default")
    sheet = Path(ct.sheet)
    return character, _sheet_colours(sheet, sheet.stat().st_mtime, character.model_dump_json(), variant)


class IdentityCheck(Check):
    """Each character's hair, skin and outfit in the take against their approved turnaround sheet (CIEDE2000)."""

    name: ClassVar[str] = "identity"
    subjects: ClassVar[frozenset[str]] = frozenset({"image", "clip"})
    threshold: float = 0.5
    description: ClassVar[str] = "each character's hair, skin, outfit and face colours against their turnaround sheet"

    def judge(self, take: Take, truth: Truth) -> Verdict | None:
        from scipy import ndimage

        drawn = drawn_shot(take, truth)
        plate, size = drawn.plate, drawn.size
        if plate is None:
            return None
        soft_plate = _soften(plate)
        scale = size[0] / truth.width
        worst: tuple[float, str] | None = None
        judged = []
        for cid, mask in drawn.masks.items():
            known = sheet_colours(truth, cid)
            if known is None:
                continue
            character, reference = known
            # the mask's rim blends into the set, and a model's take strays a pixel or two from the layout
            core = ndimage.binary_erosion(mask, iterations=1)
            if core.sum() < _MIN_REGION:
                continue
            face = drawn.faces.get(cid)
            head = core & box_mask(face.head_box(scale), size) if face is not None else np.zeros_like(core)
            thick = _thick_roles(read_palette(lab(plate[core]), reference, claim=_CLAIM), core, reference)
            for seen in seen_frames(take, truth):
                # the take framed as the layout is (a push crops the frame's edges: what it cropped is not judged)
                picture, inside = seen.framing.warp(seen.picture)
                soft = _soften(picture)
                body = core & inside
                if body.sum() < _MIN_REGION:
                    continue
                found = read_palette(lab(_sample(picture[body])), reference)
                shown = {role: int((where & inside).sum()) for role, where in thick.items()}
                score, reason = self._roles(character, reference, shown, int(body.sum()), found)
                for part, region in (("figure", body), ("face", head & inside)):
                    if part == "face" and region.sum() < _MIN_FACE:
                        continue
                    was = foreign_share(lab(_sample(soft_plate[region])), reference)
                    now = foreign_share(lab(_sample(soft[region])), reference, found.grade)
                    share = 1.0 - max(0.0, now - was - _FOREIGN_OK) / _FOREIGN_SPAN
                    if share < score:
                        score, reason = share, (f"{round(100 * now)}% of {character.name}'s {part} shows colours "
                                                f"that are not {character.name}'s (the plate: {round(100 * was)}%): "
                                                f"another character's, or another palette")
                if worst is None or score < worst[0]:
                    worst = (score, reason + seen.label)
            judged.append(character.name)
        if worst is None:
            return None
        passed = f"{', '.join(judged)} match{'es' if len(judged) == 1 else ''} the turnaround sheet" + (
            f"; closest call: {worst[1]}" if worst[0] < 1.0 else "")
        return self.verdict(worst[0], worst[1], passed)

    @staticmethod
    def _roles(character: Character, reference: Mapping[str, np.ndarray], shown: Mapping[str, int], region: int,
               found: Palette) -> tuple[float, str]:
        """The worst of hair, skin and outfit: ``shown`` is how much of each the plate shows thickly, in ``region``."""
        worst = (1.0, f"{character.name}'s colours are within ΔE {_GOOD_DE:.0f} of the turnaround")
        for role in ROLES:
            expected = shown.get(role, 0) / max(1, region) * found.total  # of the pixels read, those it should claim
            if shown.get(role, 0) < _MIN_ROLE or expected < 2 * _MIN_PIXELS:
                continue  # the layout's view hardly shows it (a back, a hood, a strand): nothing to hold the take to
            drift = found.drift(role, reference)
            if found.claimed.get(role, 0) < _SHOWN * expected or math.isinf(drift):
                score, reason = 0.0, f"{character.name}'s {role} colour is missing: the take shows other colours there"
            else:
                score = 1.0 - (drift - _GOOD_DE) / (_BAD_DE - _GOOD_DE)
                reason = f"{character.name}'s {role} is ΔE {drift:.1f} from the turnaround"
            if score < worst[0]:
                worst = (score, reason)
        return worst


# ------------------------------------------------------------------------------------------ an embedding model


IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
_SHEET_BACKGROUND = np.array([246, 243, 236])  # the paper a turnaround sheet is drawn on


def _square(image: np.ndarray, side: int) -> np.ndarray:
    """``image`` centred on a grey square and scaled to ``side``: the crop keeps its shape whatever its aspect."""
    h, w = image.shape[:2]
    n = max(h, w)
    canvas = np.full((n, n, 3), 128, np.uint8)
    canvas[(n - h) // 2:(n - h) // 2 + h, (n - w) // 2:(n - w) // 2 + w] = image
    return np.asarray(Image.fromarray(canvas).resize((side, side), Image.Resampling.BILINEAR))


def sheet_view(sheet: np.ndarray, view: str) -> np.ndarray | None:
    """The figure in the sheet's panel for ``view`` (``side_left``: the profile turned), cut to its drawn pixels."""
    flip = view == "side_left"
    view = "side_right" if flip else view
    if view not in TURNAROUND_VIEWS:
        view = "front"
    panel_w = sheet.shape[1] // len(TURNAROUND_VIEWS)
    panel_h = min(sheet.shape[0], round(panel_w / TURNAROUND_PANEL))
    i = TURNAROUND_VIEWS.index(view)
    panel = sheet[:panel_h, i * panel_w:(i + 1) * panel_w]
    drawn = np.abs(panel.astype(int) - _SHEET_BACKGROUND).max(axis=-1) > 24
    drawn[: max(1, panel_h // 16)] = False  # the sheet's caption
    rows, cols = np.nonzero(drawn)
    if not len(rows):
        return None
    figure = panel[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    return figure[:, ::-1] if flip else figure


class EmbeddingIdentityCheck(Check):
    """Each character's crop in the take against the same part of their sheet, by an image embedding model (ONNX).

    Inactive until ``model`` names an ONNX file: an image encoder taking (1, 3, H, W) float RGB, normalised by
    ``mean`` and ``std`` (ImageNet's by default), whose first output is the embedding. The score is the cosine
    similarity; what counts as the same character depends on the model, so set ``threshold`` for yours.
    """

    name: ClassVar[str] = "identity_embedding"
    subjects: ClassVar[frozenset[str]] = frozenset({"image", "clip"})
    threshold: float = 0.8
    description: ClassVar[str] = "each character's crop against their sheet, by an image embedding model you install"

    def configure(self, options: dict[str, Any]) -> None:
        table = f"[qc.checks.{self.name}]"
        model = options.pop("model", None)
        mean = options.pop("mean", IMAGENET_MEAN)
        std = options.pop("std", IMAGENET_STD)
        side = options.pop("size", None)
        super().configure(options)
        self.session = None
        for key, value in (("mean", mean), ("std", std)):
            numbers = isinstance(value, (list, tuple)) and all(isinstance(v, (int, float)) for v in value)
            if not numbers or len(value) != 3:
                raise ConfigError(f"{table} {key} must be three numbers (R, G, B), not {value!r}")
        if any(v <= 0 for v in std):
            raise ConfigError(f"{table} std must be three positive numbers, not {std!r}")
        if side is not None and not (isinstance(side, int) and 16 <= side <= 1024):
            raise ConfigError(f"{table} size must be a whole number of pixels from 16 to 1024, not {side!r}")
        self.mean = np.asarray(mean, np.float32).reshape(1, 3, 1, 1)
        self.std = np.asarray(std, np.float32).reshape(1, 3, 1, 1)
        if model is None:
            return
        if not isinstance(model, (str, Path)) or not str(model):
            raise ConfigError(f"{table} model must be the path of an ONNX file, not {model!r}")
        path = Path(model).expanduser()
        if not path.is_file():
            raise ConfigError(f"{table} model {str(path)!r} is not a file",
                              hint="give the path of an ONNX image encoder")
        try:
            import onnxruntime
        except ImportError as err:
            raise ConfigError(f"{table} model needs onnxruntime, which is not installed",
                              hint="pip install onnxruntime") from err
        try:
            self.session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        except Exception as err:  # onnxruntime raises its own types for a file it cannot load
            raise ConfigError(f"{table} model {str(path)!r} could not be loaded: {err}") from err
        shape = self.session.get_inputs()[0].shape
        fixed = [d for d in shape[2:4] if isinstance(d, int)]
        if side is None:
            side = fixed[0] if fixed else 224
        self.side = int(side)

    def embed(self, crop: np.ndarray) -> np.ndarray:
        """The model's embedding of an RGB crop, as a unit vector."""
        assert self.session is not None
        x = _square(crop, self.side).astype(np.float32).transpose(2, 0, 1)[None] / 255.0
        x = (x - self.mean) / self.std
        out = self.session.run(None, {self.session.get_inputs()[0].name: x.astype(np.float32)})[0]
        vector = np.asarray(out, np.float64).reshape(-1)
        norm = np.linalg.norm(vector)
        return vector / norm if norm > 0 else vector

    def _sheet_crop(self, truth: Truth, cid: str, mask: np.ndarray) -> np.ndarray | None:
        """The part of the sheet's figure the take shows: the layout's box of the whole figure tells which rows."""
        ct = truth.characters.get(cid)
        if ct is None or ct.sheet is None or not Path(ct.sheet).is_file():
            return None
        placed = layout_character(truth, cid) or {}
        with Image.open(ct.sheet) as img:
            figure = sheet_view(np.asarray(img.convert("RGB")), str(placed.get("view", "front")))
        if figure is None:
            return None
        box = placed.get("bbox")
        if box is None:
            return figure
        rows = np.nonzero(mask.any(axis=1))[0]
        scale = truth.height / mask.shape[0]
        top = (rows.min() * scale - box[1]) / (box[3] - box[1])
        bottom = ((rows.max() + 1) * scale - box[1]) / (box[3] - box[1])
        h = figure.shape[0]
        y0, y1 = int(np.clip(top, 0, 1) * h), int(np.clip(bottom, 0, 1) * h)
        return figure[y0:y1] if y1 - y0 >= 8 else None

    def judge(self, take: Take, truth: Truth) -> Verdict | None:
        if self.session is None:
            return None
        people = {}
        for cid, mask in drawn_shot(take, truth).masks.items():
            if mask.sum() < _MIN_REGION:
                continue
            reference = self._sheet_crop(truth, cid, mask)
            if reference is not None:
                people[cid] = (mask, self.embed(reference))
        if not people:
            return None
        worst: tuple[float, str] | None = None
        frames = seen_frames(take, truth)
        for cid, (mask, reference) in people.items():
            rows, cols = np.nonzero(mask)
            for seen in frames:
                picture, _ = seen.framing.warp(seen.picture)
                crop = picture[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
                embedding = self.embed(crop)
                similarity = float(embedding @ reference)
                others = {other: float(embedding @ emb) for other, (_, emb) in people.items() if other != cid}
                closer = [other for other, value in others.items() if value > similarity]
                reason = f"{display_name(truth, cid)}'s crop is {similarity:.2f} similar to their sheet"
                if closer:
                    best = max(closer, key=others.__getitem__)
                    reason += f", less than to {display_name(truth, best)}'s ({others[best]:.2f})"
                if worst is None or similarity < worst[0]:
                    worst = (similarity, reason + seen.label)
        if worst is None:
            return None
        return self.verdict(max(0.0, worst[0]), worst[1], f"every character looks like their sheet; lowest: {worst[1]}")
