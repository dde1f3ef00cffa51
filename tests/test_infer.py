"""srkit.infer: seamless bounded-memory tiling, the exact fast bicubic, and the colour step."""

import numpy as np
import pytest

from srkit import degrade, zoo
from srkit.burst import make_burst, upscale_burst
from srkit.color import replace_y, replace_y_uint8, to_uint8
from srkit.data import load_benchmark
from srkit.errors import ShapeError
from srkit.infer import KerasUpscaler, bicubic_upscale, predict_tiled


def _nearest_x2(x):
    return np.repeat(np.repeat(x, 2, axis=0), 2, axis=1)


def test_predict_tiled_odd_sizes_and_bounded_windows():
    img = np.arange(13 * 7 * 2, dtype=np.float32).reshape(13, 7, 2)
    windows = []

    def run(rows, cols):
        windows.append((rows.stop - rows.start, cols.stop - cols.start))
        return _nearest_x2(img[rows, cols])

    out = predict_tiled(run, (13, 7), tile=4, overlap=2)
    np.testing.assert_array_equal(out, _nearest_x2(img))
    assert len(windows) == 4 * 2 and max(max(w) for w in windows) <= 4 + 2 * 2
    # a tile larger than the image, and no tiling: one run on the whole image
    windows.clear()
    np.testing.assert_array_equal(predict_tiled(run, (13, 7), tile=100, overlap=3), _nearest_x2(img))
    np.testing.assert_array_equal(predict_tiled(run, (13, 7)), _nearest_x2(img))
    assert windows == [(13, 7), (13, 7)]
    # fixed-size windows move back inside the image
    windows.clear()
    np.testing.assert_array_equal(predict_tiled(run, (13, 7), window=5), _nearest_x2(img))
    assert set(windows) == {(5, 5)}
    with pytest.raises(ShapeError, match="at least 8x8"):
        predict_tiled(run, (13, 7), window=8)
    with pytest.raises(ValueError, match="tile must be a positive whole number"):
        predict_tiled(run, (13, 7), tile=0)
    with pytest.raises(ValueError, match="overlap must be"):
        predict_tiled(run, (13, 7), tile=4, overlap=-2)
    with pytest.raises(ShapeError, match="whole upscaling factor"):
        predict_tiled(lambda r, c: np.zeros((3, 3)), (2, 2))


def test_predict_tiled_finish_sets_the_dtype():
    img = np.random.default_rng(0).random((9, 11, 3)).astype(np.float32)
    out = predict_tiled(lambda r, c: _nearest_x2(img[r, c]), (9, 11), tile=5, overlap=1, finish=to_uint8)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, to_uint8(_nearest_x2(img)))


def test_keras_upscaler_tiles_a_small_odd_image():
    model = zoo.load("espcn", 3)
    lr = load_benchmark("Set5", 3)[1].lr[:11, :17]
    whole = KerasUpscaler(model, output="float")(lr, 3)
    tiled = KerasUpscaler(model, output="float", tile=5, overlap=6)(lr, 3)
    assert whole.shape == tiled.shape == (33, 51, 3)
    np.testing.assert_allclose(tiled, whole, atol=1e-5)


@pytest.mark.parametrize("name,scale", [("espcn", 3), ("srcnn", 3)])
def test_tiled_equals_untiled_on_a_benchmark_image(name, scale):
    model = zoo.load(name, scale)
    lr = load_benchmark("Set14", scale)[0].lr  # baboon, whole
    whole = KerasUpscaler(model, output="float")(lr, scale)
    tiled = KerasUpscaler(model, output="float", tile=48, overlap=16)(lr, scale)
    np.testing.assert_allclose(tiled, whole, atol=1e-5)
    q_whole, q_tiled = KerasUpscaler(model)(lr, scale), KerasUpscaler(model, tile=48, overlap=16)(lr, scale)
    assert q_whole.dtype == q_tiled.dtype == np.uint8
    assert np.abs(q_whole.astype(int) - q_tiled).max() <= 1 and (q_whole != q_tiled).mean() < 1e-4


def test_upscale_burst_tiled_equals_untiled_with_the_zoo_model():
    model = zoo.load("multiframe_rnn", 4)
    burst = make_burst(load_benchmark("Set14", 4)[0].hr, 4, frames=model.input_shape[1], seed=0)
    whole = upscale_burst(model, burst, scale=4)
    tiled = upscale_burst(model, burst, scale=4, tile=40, overlap=12)
    assert whole.shape == tiled.shape == (burst.frames.shape[1] * 4, burst.frames.shape[2] * 4)
    np.testing.assert_allclose(tiled, whole, atol=1e-4)
    odd = upscale_burst(model, burst.frames[:, :23, :31], tile=9, overlap=12)
    assert odd.shape == (92, 124)


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_bicubic_upscale_is_identical_to_degrade_upscale(scale):
    import keras  # noqa: F401  (the fast path is taken once Keras is loaded)

    from srkit.infer import _fast_path_works

    assert _fast_path_works()
    rng = np.random.default_rng(scale)
    for h, w, c in [(1, 1, 1), (2, 5, 3), (17, 9, 3), (31, 40, 1), (64, 47, 3)]:
        img = rng.integers(0, 256, (h, w, c)).astype(np.uint8)
        img[: h // 2] = img[: h // 2] // 32 * 32  # flat areas and sharp edges too
        np.testing.assert_array_equal(bicubic_upscale(img, scale), degrade.upscale(img, scale))
    for pair in load_benchmark("Set5", scale):
        np.testing.assert_array_equal(bicubic_upscale(pair.lr, scale), degrade.upscale(pair.lr, scale))
    grey = rng.integers(0, 256, (12, 10)).astype(np.uint8)  # other shapes take the reference path
    np.testing.assert_array_equal(bicubic_upscale(grey, scale), degrade.upscale(grey, scale))


def test_replace_y_uint8_equals_quantised_replace_y():
    rng = np.random.default_rng(3)
    rgb = rng.integers(0, 256, (40, 30, 3)).astype(np.uint8)
    y = rng.uniform(0, 260, (40, 30)).astype(np.float32)
    expected = to_uint8(replace_y(rgb, y))
    np.testing.assert_array_equal(replace_y_uint8(rgb, y), expected)
    np.testing.assert_array_equal(replace_y_uint8(rgb.astype(np.float32), y), expected)
    with pytest.raises(ShapeError, match="NaN"):
        replace_y_uint8(rgb, np.full((40, 30), np.nan, np.float32))


def test_quantised_output_is_the_quantised_float_output():
    model = zoo.load("espcn", 3)
    lr = load_benchmark("Set14", 3)[1].lr
    np.testing.assert_array_equal(KerasUpscaler(model)(lr, 3), to_uint8(KerasUpscaler(model, output="float")(lr, 3)))


def test_luma_model_colour_is_the_reference_bicubic_with_the_network_luma():
    from srkit.color import rgb_to_y

    model = zoo.load("espcn", 2)
    up = KerasUpscaler(model)
    lr = load_benchmark("Set5", 2)[2].lr
    y = up.forward((rgb_to_y(lr.astype(np.float32)) / np.float32(255.0))[..., None])
    expected = to_uint8(replace_y(degrade.upscale(lr, 2), y[..., 0] * np.float32(255.0)))
    np.testing.assert_array_equal(up(lr, 2), expected)


def test_many_image_sizes_and_models_do_not_print_retracing_warnings(caplog):
    # A notebook cell that compares models on a benchmark runs compiled forward passes on many sizes;
    # TensorFlow's retracing note must not land in its output, and other TensorFlow warnings still do.
    import logging

    from srkit import zoo
    from srkit.infer import KerasUpscaler

    rng = np.random.default_rng(0)
    with caplog.at_level(logging.WARNING, logger="tensorflow"):
        for name in ("espcn", "fsrcnn", "srcnn"):
            up = KerasUpscaler(zoo.load(name, 3))
            for h, w in [(9, 11), (13, 8), (17, 19), (10, 23), (21, 12), (15, 15), (8, 30)]:
                assert up(rng.integers(0, 256, (h, w, 3), dtype=np.uint8), 3).shape == (3 * h, 3 * w, 3)
        logging.getLogger("tensorflow").warning("an unrelated TensorFlow warning")
    messages = [r.getMessage() for r in caplog.records]
    assert not any("retracing" in m for m in messages)
    assert "an unrelated TensorFlow warning" in messages


@pytest.mark.parametrize("name", ["srcnn", "fsrcnn", "espcn", "edsr"])
def test_images_a_few_pixels_across_keep_their_colour(name):
    """A network's zero padding would darken an image only a few pixels across (FSRCNN turns a 1x1 grey 200
    into 67-95); the kit extends such images by their edge pixels first, so a constant colour stays that colour."""
    up = KerasUpscaler(zoo.load(name, 3), tile=128)
    for shape in [(1, 1, 3), (1, 7, 3), (7, 1, 3), (3, 3, 3), (1, 1, 1), (2, 40, 3)]:
        img = np.empty(shape, np.uint8)
        img[...] = (200, 60, 30)[:shape[2]]
        out = up(img, 3)
        assert out.shape == (shape[0] * 3, shape[1] * 3, shape[2])
        assert np.abs(out.astype(int) - img[0, 0]).max() <= 1, (shape, out.reshape(-1, shape[2]).min(0))
    big = np.random.default_rng(0).integers(0, 256, (16, 24, 3), dtype=np.uint8)  # 16 pixels and more: as they are
    np.testing.assert_array_equal(up(big, 3), up._region(big, 3, True))


def test_bicubic_alone_does_not_load_tensorflow():
    """Interpolation needs no deep-learning library: without Keras loaded, bicubic takes the NumPy path."""
    import subprocess
    import sys

    code = ("import sys, numpy as np; from srkit.infer import bicubic_upscale, InterpolationUpscaler; "
            "img = np.arange(300, dtype=np.uint8).reshape(10, 10, 3); bicubic_upscale(img, 3); "
            "InterpolationUpscaler('bicubic')(img, 2); print('keras' in sys.modules, 'tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]
