"""imresize must reproduce the benchmark LR files (MATLAB imresize, bicubic, antialiased)."""

import numpy as np
import pytest

from srkit import degrade
from srkit.data import BENCHMARKS, SCALES, data_dir
from srkit.errors import ShapeError
from srkit.io import read_image


@pytest.mark.parametrize("dataset", BENCHMARKS)
@pytest.mark.parametrize("scale", SCALES)
def test_imresize_reproduces_shipped_lr_files(dataset, scale):
    root = data_dir() / "benchmark" / dataset
    total = identical = 0
    worst = 0
    for hr_path in sorted((root / "HR").glob("*.png")):
        hr = read_image(hr_path)
        lr = read_image(root / "LR_bicubic" / f"X{scale}" / hr_path.name)
        ours = degrade.bicubic_downsample(hr, scale)
        assert ours.shape == lr.shape, hr_path.name
        diff = np.abs(ours.astype(int) - lr.astype(int))
        total += diff.size
        identical += int((diff == 0).sum())
        worst = max(worst, int(diff.max()))
    assert identical / total >= 0.995
    assert worst <= 1


def test_symmetric_border_differs_from_files_only_at_the_edges():
    hr = read_image(data_dir() / "benchmark/Set14/HR/pepper.png")
    lr = read_image(data_dir() / "benchmark/Set14/LR_bicubic/X2/pepper.png").astype(int)
    sym = degrade.imresize(hr, 0.5, border="symmetric").astype(int)
    assert np.abs(sym - lr)[1:-1, 1:-1].max() == 0
    assert np.abs(sym - lr).max() > 1


def test_uint8_and_float_paths_agree_up_to_rounding(rng):
    img = rng.integers(0, 256, (40, 30, 3), dtype=np.uint8)
    u = degrade.imresize(img, 1 / 3)
    f = degrade.imresize(img.astype(np.float64) / 255, 1 / 3)
    assert u.dtype == np.uint8 and f.dtype == np.float64
    assert u.shape == f.shape == (14, 10, 3)
    assert np.abs(u / 255 - f).max() < 2.5 / 255


@pytest.mark.parametrize("method", degrade.INTERPOLATIONS)
def test_constant_image_stays_constant(method):
    img = np.full((12, 9), 0.37)
    for scale in (0.25, 0.5, 3.0):
        out = degrade.imresize(img, scale, method=method)
        np.testing.assert_allclose(out, 0.37, atol=1e-12)


def test_output_size_follows_matlab_ceil():
    img = np.zeros((10, 7), np.uint8)
    assert degrade.imresize(img, 1 / 3).shape == (4, 3)
    assert degrade.imresize(img, 2).shape == (20, 14)
    assert degrade.imresize(img, output_shape=(5, 9)).shape == (5, 9)
    assert degrade.imresize(np.zeros((510, 510), np.uint8), 1 / 3).shape == (170, 170)


def test_upscale_by_integer_and_nearest_repeats_pixels():
    lr = np.arange(12, dtype=np.uint8).reshape(3, 4)
    out = degrade.upscale(lr, 2, "nearest")
    np.testing.assert_array_equal(out, np.repeat(np.repeat(lr, 2, 0), 2, 1))


def test_downsampling_antialiases_high_frequencies():
    stripes = np.tile(np.array([0, 255], np.uint8), (18, 12))  # 1-pixel vertical stripes
    aa = degrade.imresize(stripes, 1 / 3).astype(float)
    no_aa = degrade.imresize(stripes, 1 / 3, antialiasing=False).astype(float)
    assert aa[:, 2:-2].std() < 15  # mostly averaged to grey
    assert no_aa[:, 2:-2].std() > 100  # aliased


def test_bad_arguments_have_clear_errors():
    img = np.zeros((8, 8), np.uint8)
    with pytest.raises(ValueError, match="exactly one"):
        degrade.imresize(img)
    with pytest.raises(ValueError, match="Unknown method"):
        degrade.imresize(img, 2, method="cubic-ish")
    with pytest.raises(ShapeError, match="uint8 and float"):
        degrade.imresize(img.astype(np.int32), 2)
    with pytest.raises(ShapeError):
        degrade.imresize(np.zeros((2, 2, 2, 2)), 2)
    with pytest.raises(ValueError, match="positive integer"):
        degrade.bicubic_downsample(img, 2.5)
    with pytest.raises(ShapeError, match="smaller than the scale"):
        degrade.modcrop(np.zeros((2, 8)), 3)


def test_modcrop_crops_bottom_right():
    img = np.arange(7 * 8).reshape(7, 8)
    out = degrade.modcrop(img, 3)
    np.testing.assert_array_equal(out, img[:6, :6])


def test_gaussian_kernel_and_blur(rng):
    k = degrade.gaussian_kernel(1.6, 7)
    assert k.shape == (7, 7) and abs(k.sum() - 1) < 1e-12 and k[3, 3] == k.max()
    flat = np.full((20, 20, 3), 100, np.uint8)
    np.testing.assert_array_equal(degrade.gaussian_blur(flat, 2.0), flat)
    noisy = rng.integers(0, 256, (32, 32), dtype=np.uint8)
    assert degrade.gaussian_blur(noisy, 1.5).std() < noisy.std() / 2
    with pytest.raises(ValueError):
        degrade.gaussian_kernel(1.0, 4)


def test_noise_is_seeded_and_has_the_right_strength():
    img = np.full((200, 200), 128, np.uint8)
    a = degrade.add_gaussian_noise(img, 10, rng=1)
    b = degrade.add_gaussian_noise(img, 10, rng=1)
    c = degrade.add_gaussian_noise(img, 10, rng=2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert 9.5 < a.astype(float).std() < 10.5


def test_jpeg_loses_information_but_keeps_shape(rng):
    img = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
    out = degrade.jpeg_compress(img, 20)
    assert out.shape == img.shape and out.dtype == np.uint8
    assert np.abs(out.astype(int) - img).mean() > 5
    grey = degrade.jpeg_compress(img[..., :1], 90)
    assert grey.shape == (32, 32, 1)


def test_degradation_presets():
    hr = read_image(data_dir() / "benchmark/Set5/HR/baby.png")
    lr = read_image(data_dir() / "benchmark/Set5/LR_bicubic/X4/baby.png")
    np.testing.assert_array_equal(degrade.Degradation.BI(4)(hr), lr)
    bd = degrade.Degradation.BD(4)(hr)
    assert bd.shape == lr.shape and not np.array_equal(bd, lr)
    dn = degrade.Degradation.DN(4)
    assert dn.is_random and not degrade.Degradation.BI(4).is_random
    np.testing.assert_array_equal(dn(hr, rng=5), dn(hr, rng=5))
    with pytest.raises(ValueError):
        degrade.Degradation(3, noise_sigma=-1)


def test_library_resizes_differ_from_matlab():
    hr = read_image(data_dir() / "benchmark/Set5/HR/bird.png")
    hr = degrade.modcrop(hr, 4)
    size = (hr.shape[0] // 4, hr.shape[1] // 4)
    matlab = degrade.bicubic_downsample(hr, 4).astype(int)
    for lib in ("pil", "opencv"):
        other = degrade.library_resize(hr, size, lib).astype(int)
        assert other.shape == matlab.shape
        assert np.abs(other - matlab).mean() > 0.1
