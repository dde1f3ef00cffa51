"""The metric protocol: Y (BT.601 studio swing), border shave, float64, per image."""

import math

import numpy as np
import pytest

from srkit import metrics
from srkit.data import load_benchmark
from srkit.degrade import upscale
from srkit.errors import ShapeError


def test_y_of_black_and_white_is_studio_swing():
    img = np.array([[[0, 0, 0], [255, 255, 255]]], np.uint8)
    y = metrics.to_y_channel(img)
    np.testing.assert_allclose(y, [[16.0, 235.0]])


def test_grey_images_are_scored_on_grey_values():
    img = np.array([[0, 255]], np.uint8)
    np.testing.assert_allclose(metrics.to_y_channel(img), [[0.0, 255.0]])
    np.testing.assert_allclose(metrics.to_y_channel(img[..., None]), [[0.0, 255.0]])


def test_psnr_matches_its_definition(rng):
    hr = rng.integers(0, 256, (20, 20), dtype=np.uint8)
    sr = np.clip(hr.astype(int) + rng.choice([-3, 3], hr.shape), 0, 255).astype(np.uint8)
    mse = np.mean((sr.astype(float) - hr) ** 2)
    assert metrics.psnr(sr, hr) == pytest.approx(10 * math.log10(255**2 / mse), abs=1e-12)
    assert metrics.psnr(hr, hr) == math.inf


def test_float_and_uint8_inputs_give_the_same_numbers(rng):
    hr = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
    sr = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
    assert metrics.psnr(sr / 255.0, hr / 255.0, 2) == pytest.approx(metrics.psnr(sr, hr, 2), abs=1e-9)
    assert metrics.ssim(sr / 255.0, hr, 2) == pytest.approx(metrics.ssim(sr, hr, 2), abs=1e-9)


def test_border_is_shaved_before_scoring(rng):
    hr = rng.integers(0, 256, (30, 30, 3), dtype=np.uint8)
    sr = hr.copy()
    sr[:3] = 0  # damage only the top 3 rows
    assert metrics.psnr(sr, hr, crop_border=3) == math.inf
    assert metrics.psnr(sr, hr, crop_border=2) < 40
    np.testing.assert_array_equal(metrics.crop_border(hr, 3), hr[3:-3, 3:-3])


def test_rgb_vs_y_channel_differ(rng):
    hr = rng.integers(0, 256, (24, 24, 3), dtype=np.uint8)
    sr = hr.copy()
    sr[..., 2] = 255 - sr[..., 2]  # blue changes, Y changes little (weight 24.966)
    assert metrics.psnr(sr, hr, y_channel=True) > metrics.psnr(sr, hr, y_channel=False) + 5


def _ssim_reference(a, b):
    """Direct, slow SSIM with explicit 11x11 windows, to check the fast one."""
    g = np.exp(-((np.arange(11) - 5) ** 2) / (2 * 1.5**2))
    w = np.outer(g, g)
    w /= w.sum()
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    vals = []
    for i in range(a.shape[0] - 10):
        for j in range(a.shape[1] - 10):
            pa, pb = a[i : i + 11, j : j + 11], b[i : i + 11, j : j + 11]
            ma, mb = (w * pa).sum(), (w * pb).sum()
            va, vb = (w * pa * pa).sum() - ma**2, (w * pb * pb).sum() - mb**2
            cov = (w * pa * pb).sum() - ma * mb
            vals.append(((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma**2 + mb**2 + c1) * (va + vb + c2)))
    return float(np.mean(vals))


def test_ssim_matches_a_direct_implementation(rng):
    a = rng.integers(0, 256, (24, 27), dtype=np.uint8)
    b = np.clip(a + rng.normal(0, 20, a.shape), 0, 255).astype(np.uint8)
    expected = _ssim_reference(a.astype(float), b.astype(float))
    assert metrics.ssim(b, a) == pytest.approx(expected, abs=1e-12)
    assert metrics.ssim(a, a) == pytest.approx(1.0)


def test_shape_mismatch_and_bad_input_errors(rng):
    a = np.zeros((10, 10, 3), np.uint8)
    with pytest.raises(ShapeError, match="shapes differ"):
        metrics.psnr(a, np.zeros((12, 10, 3), np.uint8))
    with pytest.raises(ShapeError):
        metrics.psnr(a.astype(np.int16), a)
    with pytest.raises(ShapeError, match="too small"):
        metrics.psnr(a, a, crop_border=5)
    with pytest.raises(ShapeError, match="11x11"):
        metrics.ssim(a, a)


def test_keras_metrics_agree_with_numpy_on_real_images():
    import keras

    pairs = load_benchmark("Set5", 3)
    for pair in pairs[:3]:
        sr = upscale(pair.lr, 3)
        t = keras.ops.convert_to_tensor(pair.hr[None] / 255.0)
        p = keras.ops.convert_to_tensor(sr[None] / 255.0)
        kp = float(keras.ops.convert_to_numpy(metrics.tf_psnr(t, p, crop_border=3))[0])
        ks = float(keras.ops.convert_to_numpy(metrics.tf_ssim(t, p, crop_border=3))[0])
        assert kp == pytest.approx(metrics.psnr(sr, pair.hr, 3), abs=0.01)
        assert ks == pytest.approx(metrics.ssim(sr, pair.hr, 3), abs=1e-3)


def test_keras_metric_is_differentiable():
    import keras
    import tensorflow as tf

    t = tf.random.uniform((2, 32, 32, 3), seed=1)
    p = tf.Variable(tf.random.uniform((2, 32, 32, 3), seed=2))
    psnr_fn = metrics.psnr_metric(crop_border=2)
    ssim_fn = metrics.ssim_metric(crop_border=2)
    assert psnr_fn.__name__ == "psnr" and ssim_fn.__name__ == "ssim"
    with tf.GradientTape() as tape:
        loss = -keras.ops.mean(psnr_fn(t, p)) - keras.ops.mean(ssim_fn(t, p))
    grad = tape.gradient(loss, p)
    assert grad is not None and float(tf.reduce_sum(tf.abs(grad))) > 0
