"""Post-training int8 quantisation: the int8 flatbuffer really computes in int8, stays close to the float
model, the float flatbuffer equals the Keras model, and the TFLite upscaler follows the upscaler contract."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from srkit import quantize as q  # noqa: E402
from srkit import zoo  # noqa: E402
from srkit.color import rgb_to_y  # noqa: E402
from srkit.data import load_benchmark  # noqa: E402
from srkit.errors import InvalidValueError, ShapeError  # noqa: E402
from srkit.evaluate import evaluate  # noqa: E402
from srkit.infer import KerasUpscaler  # noqa: E402

SIZE = 24  # a small window keeps conversion and calibration fast


@pytest.fixture(scope="module")
def espcn():
    return zoo.load("espcn", 3)


@pytest.fixture(scope="module")
def calibration():
    return q.calibration_patches(3, SIZE, count=8, limit=4)


@pytest.fixture(scope="module")
def flats(espcn, calibration):
    return q.float_tflite(espcn, 3, input_size=SIZE), q.int8_tflite(espcn, 3, calibration, input_size=SIZE)


@pytest.fixture(scope="module")
def image():
    return load_benchmark("Set5", 3, limit=1)[0].lr[:40, :50]  # 40x50: not a multiple of the windows' tile


def _luma(rgb):
    return (rgb_to_y(rgb.astype(np.float32)) / np.float32(255.0)).astype(np.float32)


def test_calibration_patches_are_training_luma_patches(calibration):
    assert calibration.shape == (8, SIZE, SIZE, 1) and calibration.dtype == np.float32
    assert 0.0 <= calibration.min() and calibration.max() <= 1.0 and calibration.std() > 0.01


def test_int8_flatbuffer_computes_in_int8(flats, espcn):
    flat, int8 = flats
    ops = q.tflite_ops(int8)
    names = [o["op"] for o in ops]
    assert names[0] == "QUANTIZE" and names[-1] == "DEQUANTIZE"
    convs = [o for o in ops if o["op"] == "CONV_2D"]
    assert len(convs) == 3
    for o in convs:  # activations and weights int8, bias int32
        assert o["inputs"] == ("int8", "int8", "int32") and o["output"] == "int8", o
    for o in ops[1:-1]:
        assert "float32" not in o["inputs"] and o["output"] == "int8", o
    assert "DEPTH_TO_SPACE" in names
    # a tanh is an op of its own; a ReLU is fused into the convolution before it
    activation = [l for l in espcn.layers if isinstance(l, keras.layers.Conv2D)][0].get_config()["activation"]
    assert ("TANH" in names) == (activation == "tanh"), (activation, names)
    assert q._float_ops(int8) == []
    assert all(o["output"] == "float32" for o in q.tflite_ops(flat) if o["op"] == "CONV_2D")
    assert len(int8) < 0.5 * len(flat)  # int8 weights: a quarter of the bytes, plus the graph


def test_float_flatbuffer_equals_the_keras_model(espcn, flats, image):
    y = _luma(image)
    ref = np.asarray(espcn(y[None, :, :, None], training=False))[0, :, :, 0]
    up = q.TFLiteUpscaler(flats[0], overlap=5)  # receptive field 9: 4 pixels each side suffice
    out = up.luma(y)
    assert out.shape == ref.shape == (120, 150)
    np.testing.assert_allclose(out, ref, atol=1e-5)


def test_int8_output_is_close_to_the_float_model(espcn, flats, image):
    y = _luma(image)
    ref = np.asarray(espcn(y[None, :, :, None], training=False))[0, :, :, 0]
    out = q.TFLiteUpscaler(flats[1], overlap=5).luma(y)
    psnr = 10 * np.log10(1.0 / np.mean((out - ref) ** 2))
    assert 30.0 < psnr < 80.0, psnr  # measured about 35 dB: close, but really quantised


def test_upscaler_output_rgb_grey_and_small_images(espcn, flats, image):
    up = q.TFLiteUpscaler(flats[0], name="espcn_float", overlap=5)
    rgb = up(image, 3)
    assert rgb.shape == (120, 150, 3) and rgb.dtype == np.uint8
    # the same colour pipeline as the Keras upscaler (Y rounding aside)
    ref = KerasUpscaler(espcn)(image, 3)
    assert np.abs(rgb.astype(int) - ref.astype(int)).max() <= 1
    grey = up(image[..., 0], 3)
    assert grey.shape == (120, 150, 1) and grey.dtype == np.uint8
    small = up(image[:10, :13], 3)  # smaller than the window: edge-extended, then cropped
    assert small.shape == (30, 39, 3) and small.dtype == np.uint8
    floats = up(image.astype(np.float32) / 255.0, 3)
    np.testing.assert_array_equal(floats, rgb)


def test_evaluate_scores_the_tflite_upscaler(flats):
    table = evaluate(q.TFLiteUpscaler(flats[1], name="espcn_int8"), ["Set5"], [3], limit=1)
    assert table.loc[0, "method"] == "espcn_int8"
    assert 25.0 < table.loc[0, "psnr"] < 45.0


def test_transposed_convolution_and_prelu_quantise_to_int8():
    model = zoo.load("fsrcnn", 3)
    flat = q.int8_tflite(model, 3, q.calibration_patches(3, 16, count=4, limit=2), input_size=16)
    kinds = {o["op"]: o["output"] for o in q.tflite_ops(flat)}
    assert kinds["TRANSPOSE_CONV"] == "int8" and kinds["PRELU"] == "int8"
    assert q._float_ops(flat) == []


def test_bad_models_and_inputs_are_refused_clearly(espcn, flats, image):
    inp = keras.Input((None, None, 3))
    from srkit.models import PixelShuffle

    rgb_model = keras.Model(inp, PixelShuffle(3)(keras.layers.Conv2D(27, 3, padding="same")(inp)))
    with pytest.raises(ShapeError, match="3 channels"):
        q.float_tflite(rgb_model, 3, input_size=16)
    with pytest.raises(InvalidValueError, match="Keras SR model"):
        q.int8_tflite("espcn", 3)
    with pytest.raises(ShapeError, match="not x2"):
        q.float_tflite(espcn, 2, input_size=16)
    with pytest.raises(InvalidValueError, match="TFLite"):
        q.TFLiteUpscaler(b"not a flatbuffer")
    with pytest.raises(InvalidValueError, match="TFLite flatbuffer"):
        q.TFLiteUpscaler(espcn)
    with pytest.raises(InvalidValueError, match="overlap"):
        q.TFLiteUpscaler(flats[0], overlap=12)
    up = q.TFLiteUpscaler(flats[0])
    with pytest.raises(ShapeError, match="x3, not x2"):
        up(image, 2)
    with pytest.raises(ShapeError, match="alpha"):
        up(np.zeros((20, 20, 4), np.uint8), 3)
    with pytest.raises(InvalidValueError, match="0-255"):
        up(image.astype(np.float32), 3)
    with pytest.raises(ShapeError, match="larger than"):
        q.int8_tflite(espcn, 3, np.zeros((2, 32, 32, 1), np.float32), input_size=SIZE)


def test_the_committed_bench_scores_the_shipped_weights():
    """bench/quantization.json must be re-run when a model it covers is retrained: its Keras rows are the
    cards' scores, and each int8 row's delta is its PSNR minus the Keras model's."""
    import json
    from pathlib import Path

    bench = json.loads((Path(__file__).parents[1] / "bench" / "quantization.json").read_text())
    assert bench["command"].startswith("python bench/quantization.py")
    rows = bench["rows"]
    keras_rows = [r for r in rows if r["variant"] == "keras"]
    assert keras_rows
    for r in keras_rows:
        card = zoo.card(r["model"], r["scale"])["scores"][r["dataset"]]["psnr"]
        assert r["psnr"] == pytest.approx(card, abs=1e-3), f"{r['model']} x{r['scale']} {r['dataset']}: re-run the bench"
    base = {(r["model"], r["scale"], r["dataset"]): r["psnr"] for r in keras_rows}
    for r in rows:
        assert r["delta_psnr"] == pytest.approx(r["psnr"] - base[(r["model"], r["scale"], r["dataset"])], abs=2e-4)
