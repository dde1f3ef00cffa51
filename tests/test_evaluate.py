"""Tests for srkit.evaluate: scoring callables, dicts of upscalers and Keras models on the benchmarks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from srkit import degrade
from srkit.data import load_benchmark
from srkit.errors import ShapeError
from srkit.color import replace_y
from srkit.evaluate import as_upscaler, evaluate, summarize
from srkit.infer import InterpolationUpscaler, KerasUpscaler
from srkit.metrics import psnr, rgb_to_y, ssim


@pytest.fixture(autouse=True)
def _repo_data(monkeypatch):
    monkeypatch.delenv("SRKIT_DATA", raising=False)


def bicubic_fn(lr, s):
    return degrade.upscale(lr, s, "bicubic")


@pytest.fixture(scope="module")
def bicubic_set5_x2():
    return evaluate("bicubic", "Set5", 2)


# --------------------------------------------------------------------------------------------------
# Callables and names
# --------------------------------------------------------------------------------------------------
def test_callable_equals_named_bicubic(bicubic_set5_x2):
    table = evaluate(lambda lr, s: degrade.upscale(lr, s, "bicubic"), "Set5", 2)
    assert list(table.columns) == ["method", "dataset", "scale", "psnr", "ssim", "images"]
    assert len(table) == 1 and len(bicubic_set5_x2) == 1
    assert table.loc[0, "psnr"] == bicubic_set5_x2.loc[0, "psnr"]
    assert table.loc[0, "ssim"] == bicubic_set5_x2.loc[0, "ssim"]
    assert table.loc[0, "images"] == 5
    assert bicubic_set5_x2.loc[0, "method"] == "bicubic"
    assert bicubic_set5_x2.loc[0, "psnr"] == pytest.approx(33.66, abs=0.02)  # the published baseline


def test_named_function_gives_the_method_name():
    table = evaluate(bicubic_fn, "Set5", 4, limit=1)
    assert table.loc[0, "method"] == "bicubic_fn"


def test_per_image_rows_match_the_metrics(bicubic_set5_x2):
    table = evaluate("bicubic", "Set5", 2, per_image=True)
    assert len(table) == 5
    assert list(table.columns) == ["method", "dataset", "scale", "image", "psnr", "ssim"]
    assert list(table["image"]) == ["baby", "bird", "butterfly", "head", "woman"]
    pair = load_benchmark("Set5", 2)[2]
    sr = degrade.upscale(pair.lr, 2)
    assert table.loc[2, "psnr"] == pytest.approx(psnr(sr, pair.hr, crop_border=2), abs=1e-12)
    assert table.loc[2, "ssim"] == pytest.approx(ssim(sr, pair.hr, crop_border=2), abs=1e-12)
    # The average is the mean of per-image scores (not the PSNR of a pooled MSE).
    assert bicubic_set5_x2.loc[0, "psnr"] == pytest.approx(table["psnr"].mean(), abs=1e-12)
    summary = summarize(table)
    pd.testing.assert_frame_equal(summary, bicubic_set5_x2)


def test_several_datasets_and_scales_keep_their_order():
    table = evaluate("nearest", ["Set14", "Set5"], [3, 2], limit=1)
    assert list(zip(table["dataset"], table["scale"])) == [("Set14", 3), ("Set5", 3), ("Set14", 2), ("Set5", 2)]
    assert list(table["images"]) == [1, 1, 1, 1]


def test_float_outputs_are_quantised_like_saved_images():
    pair = load_benchmark("Set5", 3, limit=1)[0]
    as_float = evaluate(lambda lr, s: degrade.upscale(lr, s) / 255.0, "Set5", 3, limit=1)
    as_uint8 = evaluate(bicubic_fn, "Set5", 3, limit=1)
    assert as_float.loc[0, "psnr"] == pytest.approx(as_uint8.loc[0, "psnr"], abs=1e-12)
    assert pair.hr.shape[2] == 3


def test_dict_of_upscalers_per_scale():
    calls = []

    def up(tag):
        def f(lr, s):
            calls.append((tag, s))
            return degrade.upscale(lr, s, "bicubic" if tag == "cubic" else "nearest")

        return f

    table = evaluate({2: up("cubic"), 3: up("nearest")}, "Set5", [2, 3], limit=2)
    assert set(calls) == {("cubic", 2), ("nearest", 3)}
    assert len(calls) == 4
    ref = evaluate("bicubic", "Set5", 2, limit=2)
    near = evaluate("nearest", "Set5", 3, limit=2)
    assert table.loc[0, "psnr"] == ref.loc[0, "psnr"]
    assert table.loc[1, "psnr"] == near.loc[0, "psnr"]
    with pytest.raises(ValueError, match="scale 4"):
        evaluate({2: up("cubic")}, "Set5", [2, 4], limit=1)


def test_wrong_size_output_is_a_shape_error():
    with pytest.raises(ShapeError, match="expected"):
        evaluate(lambda lr, s: lr, "Set5", 2, limit=1)
    with pytest.raises(ShapeError):
        evaluate(lambda lr, s: degrade.upscale(lr, s)[..., :1], "Set5", 2, limit=1)  # channels dropped


def test_as_upscaler():
    up = as_upscaler("lanczos3")
    assert isinstance(up, InterpolationUpscaler) and up.name == "lanczos3"
    lr = np.random.default_rng(0).integers(0, 256, size=(5, 6, 3), dtype=np.uint8)
    np.testing.assert_array_equal(up(lr, 2), degrade.upscale(lr, 2, "lanczos3"))
    assert as_upscaler(bicubic_fn) is bicubic_fn
    with pytest.raises(ValueError, match="Unknown upscaler"):
        as_upscaler("supermodel9000")
    with pytest.raises(TypeError):
        as_upscaler(42)
    with pytest.raises(ValueError):
        InterpolationUpscaler("bicubic2")


def test_unknown_dataset_is_reported():
    from srkit.errors import DatasetNotFoundError

    with pytest.raises(DatasetNotFoundError, match="Set6"):
        evaluate("bicubic", "Set6", 2)


def test_replace_y_with_own_luma_is_the_identity():
    rgb = np.random.default_rng(1).integers(0, 256, size=(7, 9, 3), dtype=np.uint8)
    out = replace_y(rgb, rgb_to_y(rgb.astype(np.float64)))
    assert out.dtype == np.float32 and out.min() >= 0 and out.max() <= 1
    np.testing.assert_allclose(out * 255, rgb, atol=1e-3)
    brighter = replace_y(rgb, rgb_to_y(rgb.astype(np.float64)) + 10)
    inside = (rgb > 20).all(axis=-1) & (rgb < 230).all(axis=-1)  # not clipped
    np.testing.assert_allclose(rgb_to_y(brighter * 255.0)[inside], rgb_to_y(rgb.astype(float))[inside] + 10, atol=1e-3)


# --------------------------------------------------------------------------------------------------
# Keras models
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def keras():
    import keras

    return keras


@pytest.fixture(scope="module")
def identity_y(keras):
    inp = keras.Input((None, None, 1))
    return keras.Model(inp, keras.layers.Identity()(inp), name="identity_y")


@pytest.fixture(scope="module")
def identity_rgb(keras):
    inp = keras.Input((None, None, 3))
    conv = keras.layers.Conv2D(3, 1, use_bias=False)
    model = keras.Model(inp, conv(inp), name="identity_rgb")
    conv.set_weights([np.eye(3, dtype="float32").reshape(1, 1, 3, 3)])  # a 1x1 conv that is the identity
    return model


@pytest.fixture(scope="module")
def nearest_x2_rgb(keras):
    inp = keras.Input((None, None, 3))
    return keras.Model(inp, keras.layers.UpSampling2D(size=2, interpolation="nearest")(inp), name="nn_x2")


def test_keras_model_is_wrapped(identity_y):
    up = as_upscaler(identity_y)
    assert isinstance(up, KerasUpscaler)
    assert up.channels == 1 and up.name == "identity_y"


def test_pre_upsampling_y_model_equals_bicubic(identity_y):
    pair = load_benchmark("Set5", 3, limit=1)[0]
    sr = KerasUpscaler(identity_y, output="float")(pair.lr, 3)
    bic = degrade.upscale(pair.lr, 3)
    assert sr.shape == bic.shape  # detected as pre-upsampling: fed the bicubic image
    # Y put back into the bicubic colour: the same image up to float rounding.
    assert np.abs(sr * 255 - bic).max() <= 1.0
    quantised = KerasUpscaler(identity_y)(pair.lr, 3)
    assert quantised.dtype == np.uint8 and np.abs(quantised.astype(int) - bic).max() <= 1

    table = evaluate(identity_y, "Set5", 3, limit=2)
    ref = evaluate("bicubic", "Set5", 3, limit=2)
    assert table.loc[0, "method"] == "identity_y"
    assert table.loc[0, "images"] == 2
    assert table.loc[0, "psnr"] == pytest.approx(ref.loc[0, "psnr"], abs=0.05)
    assert table.loc[0, "ssim"] == pytest.approx(ref.loc[0, "ssim"], abs=0.001)


def test_rgb_and_y_models_on_a_grey_image(identity_y, identity_rgb):
    # Set14's third image, bridge, is single-channel.
    table_y = evaluate(identity_y, "Set14", 2, limit=3, per_image=True)
    table_rgb = evaluate(identity_rgb, "Set14", 2, limit=3, per_image=True)
    ref = evaluate("bicubic", "Set14", 2, limit=3, per_image=True)
    assert list(ref["image"]) == ["baboon", "barbara", "bridge"]
    for t in (table_y, table_rgb):
        np.testing.assert_allclose(t["psnr"], ref["psnr"], atol=0.05)
    pair = load_benchmark("Set14", 2, limit=3)[2]
    out = KerasUpscaler(identity_rgb)(pair.lr, 2)
    assert out.shape == pair.hr.shape == (2 * pair.lr.shape[0], 2 * pair.lr.shape[1], 1)


def test_post_upsampling_model_matches_nearest(nearest_x2_rgb):
    table = evaluate(nearest_x2_rgb, "Set5", 2)
    ref = evaluate("nearest", "Set5", 2)
    assert table.loc[0, "method"] == "nn_x2"
    assert table.loc[0, "psnr"] == pytest.approx(ref.loc[0, "psnr"], abs=0.1)
    assert table.loc[0, "ssim"] == pytest.approx(ref.loc[0, "ssim"], abs=0.002)
    # It is not bicubic: the comparison above is meaningful.
    assert ref.loc[0, "psnr"] < evaluate("bicubic", "Set5", 2).loc[0, "psnr"] - 1


def test_post_upsampling_model_at_the_wrong_scale(nearest_x2_rgb):
    with pytest.raises(ShapeError, match="scale 3"):
        evaluate(nearest_x2_rgb, "Set5", 3, limit=1)


def test_models_with_unsupported_inputs_are_refused(keras):
    inp = keras.Input((None, None, 2))
    with pytest.raises(ShapeError, match="2 channels"):
        KerasUpscaler(keras.Model(inp, inp))
    a, b = keras.Input((None, None, 1)), keras.Input((None, None, 1))
    with pytest.raises(ShapeError, match="one input"):
        KerasUpscaler(keras.Model([a, b], keras.layers.Add()([a, b])))


def test_robustness_clean_condition_is_the_benchmark_and_noise_is_seeded():
    from srkit.evaluate import evaluate, robustness

    t = robustness(["bicubic", "nearest"], "Set5", 4, ["clean", "noise 15", "JPEG 30"], limit=2)
    assert list(t.condition.unique()) == ["clean", "noise 15", "JPEG 30"] and set(t.method) == {"bicubic", "nearest"}
    clean = t[(t.method == "bicubic") & (t.condition == "clean")].psnr.item()
    assert clean == pytest.approx(evaluate("bicubic", "Set5", 4, limit=2).psnr.item(), abs=1e-9)
    noisy = t[(t.method == "bicubic") & (t.condition == "noise 15")].psnr.item()
    assert noisy < clean - 0.5
    again = robustness("bicubic", "Set5", 4, ["noise 15"], limit=2).psnr.item()
    assert again == noisy
    other_seed = robustness("bicubic", "Set5", 4, ["noise 15"], limit=2, seed=1).psnr.item()
    assert other_seed != noisy


def test_robustness_refuses_bad_conditions_before_work():
    from srkit.errors import InvalidValueError
    from srkit.evaluate import robustness

    with pytest.raises(InvalidValueError, match="Unknown condition"):
        robustness("bicubic", "Set5", 4, ["fog"])
    with pytest.raises(InvalidValueError, match="JPEG quality|jpeg_quality"):
        robustness("bicubic", "Set5", 4, {"bad": {"jpeg_quality": 101}})
