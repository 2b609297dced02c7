"""The voice model's random draws become noise inputs: a tiny model built in code goes through the rewrite."""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
onnxruntime = pytest.importorskip("onnxruntime")

from onnx import TensorProto, helper  # noqa: E402

from mangaline.render.piper_voice import _noise_fed  # noqa: E402


def tiny_noisy_model():
    """y = x + RandomNormalLike(x): x of any [1, C, T]."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, None, None])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, None, None])
    nodes = [helper.make_node("RandomNormalLike", ["x"], ["draw"], dtype=TensorProto.FLOAT),
             helper.make_node("Add", ["x", "draw"], ["y"])]
    graph = helper.make_graph(nodes, "noisy", [x], [y])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])


def run(model, feed):
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, feed)[0]


def test_the_draw_reads_the_noise_input_tiled_and_shaped_as_its_tensor():
    model = tiny_noisy_model()
    inputs = _noise_fed(model)
    assert inputs == ("mangaline_noise_0",)
    assert not any(node.op_type.startswith("Random") for node in model.graph.node)
    x = np.zeros((1, 3, 5), np.float32)
    noise = np.arange(7, dtype=np.float32)  # shorter than the 15 values needed: it repeats
    y = run(model, {"x": x, inputs[0]: noise})
    assert y.shape == (1, 3, 5)
    assert np.array_equal(y.ravel(), np.resize(noise, 15))


def test_the_same_noise_gives_the_same_output_and_other_noise_another():
    model = tiny_noisy_model()
    (name,) = _noise_fed(model)
    x = np.ones((1, 2, 4), np.float32)
    rng = np.random.default_rng(5)
    noise = rng.standard_normal(64).astype(np.float32)
    first = run(model, {"x": x, name: noise})
    assert np.array_equal(first, run(model, {"x": x, name: noise}))
    assert not np.array_equal(first, run(model, {"x": x, name: noise[::-1].copy()}))
