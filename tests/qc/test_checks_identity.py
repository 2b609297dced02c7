"""The identity checks on real draft takes and model-like takes: each character against their turnaround sheet.

Clean takes pass; swapped palettes, a hue-turned outfit and another character's face pasted over the right
body fail with a reason that names the character. The embedding check runs a tiny real ONNX image encoder
built here (colour-opponent filters, pooled), when onnx and onnxruntime are installed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mangaline.checks import Take, Truth
from mangaline.checks.identity import EmbeddingIdentityCheck, IdentityCheck
from mangaline.colour import hex_rgb, lab
from mangaline.errors import ConfigError
from tests.qc.test_checks_layout import Look, cafe, draw_sheets, picture, shared_shot, truth_of

TWO_SHOT, MAYA_MS = "ep01_sc01_sh060", "ep01_sc01_sh020"


def head_from_sheet(sheet: Path) -> np.ndarray:
    """The front head of a turnaround sheet's expression strip, as RGBA (the paper made clear)."""
    rgb = picture(sheet)
    views_height = round(rgb.shape[0] / 1.36)
    cell = rgb[views_height + 4:, : rgb.shape[1] // 3]
    drawn = np.abs(cell.astype(int) - np.array([246, 243, 236])).max(axis=-1) > 24
    rows, cols = np.nonzero(drawn)
    cut = (slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1))
    return np.dstack([cell[cut], np.where(drawn[cut], 255, 0).astype(np.uint8)])


def paste_face(image: np.ndarray, head: np.ndarray, folder: Path, character: str) -> np.ndarray:
    """``head`` laid over the character's head, scaled to it, as a careless face swap does."""
    layout = json.loads((folder / "layout.json").read_text())
    placed = next(c for c in layout["characters"] if c["id"] == character)
    u, v = placed["face"]
    size = (placed["bbox"][3] - placed["bbox"][1]) / 6.2  # a head, for a teen figure drawn in its box
    box = (round(u - 0.6 * size), round(v - 0.75 * size), round(u + 0.6 * size), round(v + 0.5 * size))
    out = Image.fromarray(image).convert("RGBA")
    patch = Image.fromarray(head, "RGBA").resize((box[2] - box[0], box[3] - box[1]), Image.Resampling.LANCZOS)
    out.alpha_composite(patch, box[:2])
    return np.asarray(out.convert("RGB"))


def turn_outfit(image: np.ndarray, mask: np.ndarray, colour: str) -> np.ndarray:
    """The pixels of ``colour`` (and its shades) inside ``mask`` turned a third of the way round the hue circle."""
    near = np.linalg.norm(lab(image) - lab(np.array(hex_rgb(colour), float)), axis=-1) < 25
    out = image.copy()
    out[mask & near] = image[mask & near][:, [2, 0, 1]]
    return out


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("identity")
    sheets = draw_sheets(cafe(), root)
    two = shared_shot(tmp_path_factory, TWO_SHOT, size=(540, 960))
    single = shared_shot(tmp_path_factory, MAYA_MS)
    swapped = shared_shot(tmp_path_factory, TWO_SHOT, "swapped palettes", size=(540, 960))
    swapped_single = shared_shot(tmp_path_factory, MAYA_MS, "swapped palettes", size=(540, 960))
    two_truth, single_truth = truth_of(two, sheets), truth_of(single, sheets)
    look = Look()
    plate, single_plate = picture(two / "keyframe.png"), picture(single / "keyframe.png")
    maya = single_truth.character_mask("maya")
    return {
        "sheets": sheets, "two": two_truth, "single": single_truth, "single folder": single,
        "two draft": two / "keyframe.png",
        "two still": look.still(plate, root / "two.jpg"),
        "two clip": Look(size=(720, 1280), push=0.03).held(plate, root / "two.mp4"),
        "single draft": single / "keyframe.png",
        "single still": look.still(single_plate, root / "single.jpg"),
        "swapped": look.still(picture(swapped / "keyframe.png"), root / "swapped.jpg"),
        "swapped single": swapped_single / "keyframe.png",
        "face pasted": look.still(paste_face(single_plate, head_from_sheet(sheets["kenji"]), single, "maya"),
                                  root / "face.jpg"),
        "outfit turned": look.still(turn_outfit(single_plate, maya, "#d9463b"), root / "outfit.jpg"),
    }


def judge(shots: dict, take: str, truth: str):
    return IdentityCheck().judge(Take(shots[take]), shots[truth])


# ------------------------------------------------------------------------------------------ colours


@pytest.mark.parametrize(("take", "truth"), [("two draft", "two"), ("two still", "two"), ("two clip", "two"),
                                             ("single draft", "single"), ("single still", "single")])
def test_clean_takes_match_the_turnaround(shots: dict, take: str, truth: str) -> None:
    verdict = judge(shots, take, truth)
    assert verdict.passed, verdict.reason
    assert verdict.reason.startswith("Maya, Kenji match" if truth == "two" else "Maya matches")


def test_swapped_palettes_fail_and_name_the_character(shots: dict) -> None:
    verdict = judge(shots, "swapped", "two")
    assert not verdict.passed and verdict.score < 0.2
    assert any(f"shows colours that are not {name}'s" in verdict.reason for name in ("Maya", "Kenji")), verdict.reason


def test_another_characters_face_pasted_over_fails(shots: dict) -> None:
    verdict = judge(shots, "face pasted", "single")
    assert not verdict.passed, verdict.reason
    assert "of Maya's face shows colours that are not Maya's" in verdict.reason


def test_a_hue_turned_outfit_fails(shots: dict) -> None:
    verdict = judge(shots, "outfit turned", "single")
    assert not verdict.passed, verdict.reason
    assert "Maya" in verdict.reason and ("outfit" in verdict.reason or "figure" in verdict.reason)


def test_scores_fall_with_the_damage(shots: dict) -> None:
    clean = judge(shots, "single still", "single").score
    assert clean > 0.8 > judge(shots, "outfit turned", "single").score
    assert judge(shots, "swapped", "two").score < 0.2


def test_identity_says_nothing_without_a_sheet_or_anyone_in_view(shots: dict, tmp_path: Path) -> None:
    folder = shots["single folder"]
    unsheeted = truth_of(folder)
    assert IdentityCheck().judge(Take(shots["single still"]), unsheeted) is None
    empty = Truth(shot=MAYA_MS, width=1080, height=1920)  # no layout, no guides
    assert IdentityCheck().judge(Take(shots["single still"]), empty) is None


def test_qc_keeps_its_names_for_the_colour_measures() -> None:
    import mangaline.checks.identity as checks
    import mangaline.qc as qc
    from mangaline.qc.identity import identity_drift, turnaround_colours

    assert turnaround_colours is checks.turnaround_colours and identity_drift is checks.identity_drift
    assert qc.ROLES == ("skin", "hair", "outfit")


# ------------------------------------------------------------------------------------------ an embedding model


def tiny_encoder(path: Path, sectors: int = 8) -> Path:
    """A real ONNX image encoder in a few nodes: colour-opponent filters in ``sectors`` hue directions (a pixel
    near grey answers none), max-pooled, averaged over the picture, projected: an embedding of which hues a crop
    shows and how much."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    a, b = np.array([1.0, -1.0, 0.0]), np.array([0.5, 0.5, -1.0])  # red-green and yellow-blue
    angles = np.arange(sectors) * 2 * np.pi / sectors
    hues = np.stack([np.cos(t) * a + np.sin(t) * b for t in angles]).astype(np.float32)[:, :, None, None]
    weights = [numpy_helper.from_array(hues, "hues"),
               numpy_helper.from_array(np.full(sectors, -0.12, np.float32), "grey"),
               numpy_helper.from_array(np.eye(sectors, dtype=np.float32), "projection")]
    nodes = [helper.make_node("Conv", ["image", "hues", "grey"], ["opponent"]),
             helper.make_node("Relu", ["opponent"], ["hue"]),
             helper.make_node("MaxPool", ["hue"], ["pooled"], kernel_shape=[2, 2], strides=[2, 2]),
             helper.make_node("GlobalAveragePool", ["pooled"], ["mean"]),
             helper.make_node("Flatten", ["mean"], ["flat"]),
             helper.make_node("Gemm", ["flat", "projection"], ["embedding"])]
    graph = helper.make_graph(nodes, "tiny-encoder",
                              [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 32, 32])],
                              [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, [1, sectors])], weights)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


@pytest.fixture(scope="module")
def encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("onnxruntime")
    return tiny_encoder(tmp_path_factory.mktemp("model") / "tiny.onnx")


def test_the_embedding_check_stays_quiet_without_a_model(shots: dict) -> None:
    assert EmbeddingIdentityCheck().judge(Take(shots["single still"]), shots["single"]) is None


def test_the_embedding_check_tells_the_right_character_from_another(shots: dict, encoder: Path) -> None:
    check = EmbeddingIdentityCheck({"model": str(encoder), "mean": [0, 0, 0], "std": [1, 1, 1]})
    assert check.side == 32
    right = check.judge(Take(shots["single draft"]), shots["single"])
    model_like = check.judge(Take(shots["single still"]), shots["single"])
    other = check.judge(Take(shots["swapped single"]), shots["single"])
    assert right.passed and model_like.passed, (right.reason, model_like.reason)
    assert right.score > 0.9 and not other.passed and other.score < 0.6
    assert other.reason.startswith("Maya's crop is") and "similar to their sheet" in other.reason


def test_the_embedding_check_says_whose_sheet_a_crop_is_closer_to(shots: dict, encoder: Path) -> None:
    check = EmbeddingIdentityCheck({"model": str(encoder), "mean": [0, 0, 0], "std": [1, 1, 1], "threshold": 0.5})
    verdict = check.judge(Take(shots["swapped"]), shots["two"])
    assert not verdict.passed
    assert "less than to" in verdict.reason


def test_the_embedding_check_refuses_a_bad_configuration(encoder: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match=r"\[qc.checks.identity_embedding\] model '.*missing.onnx' is not a file"):
        EmbeddingIdentityCheck({"model": str(tmp_path / "missing.onnx")})
    with pytest.raises(ConfigError, match="mean must be three numbers"):
        EmbeddingIdentityCheck({"model": str(encoder), "mean": [0.5]})
    with pytest.raises(ConfigError, match="has no option colour"):
        EmbeddingIdentityCheck({"colour": "red"})
    (tmp_path / "garbage.onnx").write_bytes(b"not a model")
    with pytest.raises(ConfigError, match="could not be loaded"):
        EmbeddingIdentityCheck({"model": str(tmp_path / "garbage.onnx")})
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if it were not installed
    with pytest.raises(ConfigError) as raised:
        EmbeddingIdentityCheck({"model": str(encoder)})
    assert "onnxruntime" in str(raised.value) and "pip install onnxruntime" in (raised.value.hint or "")
