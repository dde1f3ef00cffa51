"""srkit.color: BT.601 luma and uint8 quantisation, the one home of both, checked against scikit-image."""

import numpy as np
import pytest
from skimage.color import rgb2ycbcr

import srkit.io
import srkit.metrics
from srkit.color import (
    Y_COEFFS,
    Y_OFFSET,
    replace_y,
    rgb_to_y,
    rgb_to_ycbcr,
    round_255,
    to_uint8,
    ycbcr_to_rgb,
)
from srkit.data import load_benchmark
from srkit.errors import ShapeError


@pytest.fixture(scope="module")
def rgb():
    return load_benchmark("Set5", 2)[1].hr  # bird, uint8 (H, W, 3)


def test_luma_equals_scikit_image(rgb):
    ref = rgb2ycbcr(rgb)[..., 0]  # float64, 0-255 scale
    np.testing.assert_allclose(rgb_to_y(rgb), ref, atol=1e-6)
    np.testing.assert_allclose(rgb_to_y(rgb.astype(np.float64)), ref, atol=1e-6)
    y32 = rgb_to_y(rgb.astype(np.float32))
    assert y32.dtype == np.float32  # the fast path keeps float32
    np.testing.assert_allclose(y32, ref, atol=1e-4)
    assert rgb_to_y(np.array([255.0, 255.0, 255.0])) == pytest.approx(235.0)
    assert rgb_to_y(np.zeros(3)) == pytest.approx(Y_OFFSET)
    assert sum(Y_COEFFS) == pytest.approx(219.0)


def test_ycbcr_round_trip_and_luma(rgb):
    ycc = rgb_to_ycbcr(rgb)
    assert ycc.shape == rgb.shape and ycc.dtype == np.float64
    np.testing.assert_allclose(ycc[..., 0], rgb_to_y(rgb), atol=1e-9)
    assert 16 - 1e-9 <= ycc[..., 1:].min() and ycc[..., 1:].max() <= 240 + 1e-9
    np.testing.assert_array_equal(to_uint8(ycbcr_to_rgb(ycc)), rgb)
    np.testing.assert_allclose(rgb_to_ycbcr(rgb / 255.0), ycc, atol=1e-9)  # floats in [0, 1] too
    with pytest.raises(ShapeError, match="last axis 3"):
        rgb_to_ycbcr(rgb[..., :1])
    with pytest.raises(ShapeError, match="dtype"):
        rgb_to_ycbcr(rgb.astype(np.int32))
    with pytest.raises(ShapeError, match="last axis 3"):
        ycbcr_to_rgb(np.zeros((4, 4, 2)))
    with pytest.raises(ShapeError, match="last axis 3"):
        rgb_to_y(np.zeros((4, 4, 2)))


def test_replace_y_equals_a_full_ycbcr_round_trip(rgb):
    ycc = rgb_to_ycbcr(rgb)
    new_y = np.clip(ycc[..., 0] + np.linspace(-20, 20, rgb.shape[1])[None, :], 16, 235)
    ycc[..., 0] = new_y
    out = replace_y(rgb, new_y)
    assert out.dtype == np.float32 and out.shape == rgb.shape
    np.testing.assert_allclose(out, ycbcr_to_rgb(ycc), atol=1e-5)
    np.testing.assert_allclose(replace_y(rgb, rgb_to_y(rgb)) * 255, rgb, atol=1e-3)  # own luma: identity


def test_quantisation_rounds_half_up_and_saturates():
    np.testing.assert_array_equal(round_255(np.array([-3.0, 0.49, 0.5, 1.5, 254.5, 255.4, 300.0])),
                                  [0, 0, 1, 2, 255, 255, 255])
    assert round_255(np.array([2.5])).dtype == np.uint8
    x = np.array([0.0, 0.5 / 255, 0.5, 1.0, 1.2, -0.1])
    np.testing.assert_array_equal(to_uint8(x), [0, 1, 128, 255, 255, 0])
    u = np.arange(5, dtype=np.uint8)
    assert to_uint8(u) is u
    with pytest.raises(ShapeError, match="NaN"):
        to_uint8(np.array([0.5, np.nan]))
    with pytest.raises(ShapeError, match="dtype"):
        to_uint8(np.array([1, 2], np.int16))


def test_other_modules_use_the_same_functions():
    assert srkit.metrics.rgb_to_y is rgb_to_y
    assert srkit.io.to_uint8 is to_uint8
    assert srkit.metrics.Y_COEFFS == Y_COEFFS
    img = np.array([[[255, 0, 0], [0, 0, 0]]], np.uint8)
    np.testing.assert_allclose(srkit.metrics.to_y_channel(img), [[16 + 65.481, 16.0]])
