"""Tests for srkit.pipeline: aligned LR/HR patch pairs, augmentation, seeding and the tf.data wrapper."""

from __future__ import annotations

import numpy as np
import pytest

from srkit.data import load_training_images
from srkit.degrade import Degradation, imresize
from srkit.errors import ShapeError
from srkit.metrics import rgb_to_y
from srkit.pipeline import FSRCNN_RESCALE, PatchSampler, check_rescale, patch_dataset, rescaled_copies, to_channels

SCALE, PATCH = 3, 16


@pytest.fixture(scope="module")
def images():
    return load_training_images(["T91"], limit=5)


@pytest.fixture(scope="module")
def plain_sampler(images):
    return PatchSampler(images, SCALE, PATCH, augment=False, channels="rgb")


def _interior_diff(hr_patch: np.ndarray, lr_patch: np.ndarray, border: int = 3) -> np.ndarray:
    """|imresize(hr, 1/scale) - lr| with ``border`` LR pixels dropped on each side."""
    down = imresize(np.ascontiguousarray(hr_patch), 1 / SCALE)
    assert down.shape == lr_patch.shape
    d = np.abs(down.astype(int) - lr_patch.astype(int))
    return d[border:-border, border:-border]


def _transform(a: np.ndarray, k: int, flip: bool) -> np.ndarray:
    a = np.rot90(a, k)
    return a[:, ::-1] if flip else a


TRANSFORMS = [(k, flip) for k in range(4) for flip in (False, True)]


# --------------------------------------------------------------------------------------------------
# Shapes and alignment
# --------------------------------------------------------------------------------------------------
def test_sampler_shapes(plain_sampler):
    assert len(plain_sampler) == 5
    assert plain_sampler.skipped == []
    lr, hr = plain_sampler.sample(np.random.default_rng(0))
    assert lr.dtype == np.uint8 and hr.dtype == np.uint8
    assert lr.shape == (PATCH, PATCH, 3)
    assert hr.shape == (SCALE * PATCH, SCALE * PATCH, 3)
    lrb, hrb = plain_sampler.batch(np.random.default_rng(0), 5)
    assert lrb.shape == (5, PATCH, PATCH, 3) and hrb.shape == (5, SCALE * PATCH, SCALE * PATCH, 3)
    assert lrb.dtype == np.float32 and hrb.dtype == np.float32
    assert plain_sampler.num_channels == 3


def test_whole_images_are_modcropped_and_degraded_once(images, plain_sampler):
    for (_, img), hr, lr in zip(images, plain_sampler.hr, plain_sampler.lr):
        h, w = img.shape[0] // SCALE * SCALE, img.shape[1] // SCALE * SCALE
        np.testing.assert_array_equal(hr, img[:h, :w])
        assert lr.shape == (h // SCALE, w // SCALE, 3)


def test_lr_patch_is_the_bicubic_downscale_of_the_hr_patch(plain_sampler):
    rng = np.random.default_rng(1)
    for _ in range(8):
        lr, hr = plain_sampler.sample(rng)
        d = _interior_diff(hr, lr)
        # Without augmentation the interior is bit-exact (same taps, same per-pass rounding).
        assert d.max() == 0


def test_alignment_check_detects_a_one_pixel_shift(plain_sampler):
    """Guards the alignment test above: LR (y, x) pairs with HR (3y, 3x), and a shift is caught."""
    lr_img, hr_img = plain_sampler.lr[0], plain_sampler.hr[0]
    y, x = 5, 7
    lr = lr_img[y : y + PATCH, x : x + PATCH]
    aligned = hr_img[SCALE * y : SCALE * (y + PATCH), SCALE * x : SCALE * (x + PATCH)]
    assert _interior_diff(aligned, lr).max() == 0
    for dy, dx in ((1, 0), (0, -1)):
        ys, xs = SCALE * (y + dy), SCALE * (x + dx)
        shifted = hr_img[ys : ys + SCALE * PATCH, xs : xs + SCALE * PATCH]
        assert _interior_diff(shifted, lr).mean() > 2


def test_augmented_pairs_stay_aligned(images):
    sampler = PatchSampler(images, SCALE, PATCH, augment=True, channels="rgb")
    rng = np.random.default_rng(2)
    for _ in range(16):
        lr, hr = sampler.sample(rng)
        assert lr.shape == (PATCH, PATCH, 3) and hr.shape == (SCALE * PATCH, SCALE * PATCH, 3)
        d = _interior_diff(hr, lr)
        # A 90-degree rotation swaps which axis MATLAB's imresize resizes first, so the uint8 rounding
        # (and clipping of overshoots) after the first pass differs: about 1 pixel in 5 is off by one
        # grey level, a rare saturated one by a few; a misaligned patch would be off almost everywhere.
        assert (d <= 1).mean() >= 0.98
        assert (d == 0).mean() >= 0.7
        # Undoing the flip/rotation recovers the exact pair.
        exact = [
            t
            for t in TRANSFORMS
            if _interior_diff(_transform(hr, *t), _transform(lr, *t)).max() == 0
        ]
        assert exact


def test_augmentation_applies_the_same_transform_to_both_patches(images):
    """The first draw of a seeded generator picks the same position with and without augmentation,
    so the augmented pair must be one of the 8 flips/rotations of the plain pair, the same for both."""
    plain = PatchSampler(images, SCALE, PATCH, augment=False, channels="rgb")
    augmented = PatchSampler(images, SCALE, PATCH, augment=True, channels="rgb")
    used = set()
    for seed in range(40):
        lr0, hr0 = plain.sample(np.random.default_rng(seed))
        lr1, hr1 = augmented.sample(np.random.default_rng(seed))
        matches = [
            t
            for t in TRANSFORMS
            if np.array_equal(_transform(lr0, *t), lr1) and np.array_equal(_transform(hr0, *t), hr1)
        ]
        assert matches, f"seed {seed}: augmented pair is not a flip/rotation of the plain pair"
        used.add(matches[0])
    assert len(used) >= 6  # augmentation really varies


# --------------------------------------------------------------------------------------------------
# Seeding and channels
# --------------------------------------------------------------------------------------------------
def test_same_seed_same_batch(images):
    a = PatchSampler(images, SCALE, PATCH).batch(np.random.default_rng(7), 8)
    b = PatchSampler(images, SCALE, PATCH).batch(np.random.default_rng(7), 8)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    c = PatchSampler(images, SCALE, PATCH).batch(np.random.default_rng(8), 8)
    assert not np.array_equal(a[0], c[0])
    assert not np.array_equal(a[1], c[1])


def test_y_and_rgb_channels(images):
    y_lr, y_hr = PatchSampler(images, SCALE, PATCH, channels="y").batch(np.random.default_rng(4), 6)
    c_lr, c_hr = PatchSampler(images, SCALE, PATCH, channels="rgb").batch(np.random.default_rng(4), 6)
    assert y_lr.shape == (6, PATCH, PATCH, 1) and y_hr.shape == (6, SCALE * PATCH, SCALE * PATCH, 1)
    assert c_lr.shape == (6, PATCH, PATCH, 3) and c_hr.shape == (6, SCALE * PATCH, SCALE * PATCH, 3)
    for arr in (y_lr, y_hr, c_lr, c_hr):
        assert arr.dtype == np.float32
        assert 0.0 <= arr.min() and arr.max() <= 1.0
    # Y is BT.601 studio swing: within [16, 235] / 255, and computed from the same RGB patches.
    assert y_hr.min() >= 16 / 255 - 1e-6 and y_hr.max() <= 235 / 255 + 1e-6
    np.testing.assert_allclose(y_hr[..., 0], rgb_to_y(c_hr.astype(np.float64) * 255) / 255, atol=1e-5)
    np.testing.assert_allclose(y_lr[..., 0], rgb_to_y(c_lr.astype(np.float64) * 255) / 255, atol=1e-5)
    # RGB is the uint8 patch divided by 255.
    np.testing.assert_allclose(c_hr * 255, np.round(c_hr * 255), atol=1e-3)


def test_to_channels_on_grey_images():
    grey = np.array([[[0], [51]], [[204], [255]]], dtype=np.uint8)
    y = to_channels(grey, "y")
    assert y.shape == (2, 2, 1)
    np.testing.assert_allclose(y[..., 0], [[0, 0.2], [0.8, 1.0]], atol=1e-7)  # grey kept, not squeezed
    rgb = to_channels(grey, "rgb")
    assert rgb.shape == (2, 2, 3)
    np.testing.assert_allclose(rgb, np.repeat(y, 3, axis=-1), atol=1e-7)
    with pytest.raises(ValueError, match="channels"):
        to_channels(grey, "lab")


# --------------------------------------------------------------------------------------------------
# Which images are used
# --------------------------------------------------------------------------------------------------
def test_images_smaller_than_a_patch_are_skipped(images):
    small = ("tiny", np.zeros((40, 60, 3), dtype=np.uint8))  # 40 < 3 * 16
    sampler = PatchSampler([small, *images[:2]], SCALE, PATCH)
    assert sampler.skipped == ["tiny"]
    assert len(sampler) == 2
    # Unnamed images get a generated name.
    sampler = PatchSampler([np.zeros((20, 20), np.uint8), images[0][1]], SCALE, PATCH)
    assert sampler.skipped == ["image0"]


def test_all_images_too_small_is_an_error():
    with pytest.raises(ShapeError, match="patch_size"):
        PatchSampler([np.zeros((47, 100, 3), np.uint8), np.zeros((100, 47, 1), np.uint8)], SCALE, PATCH)


def test_bad_arguments_are_refused(images):
    with pytest.raises(ValueError, match="channels"):
        PatchSampler(images, SCALE, PATCH, channels="ycbcr")
    with pytest.raises(ValueError, match="patch_size"):
        PatchSampler(images, SCALE, 0)
    with pytest.raises(ValueError, match="scale"):
        PatchSampler(images, SCALE, PATCH, degradation=Degradation(2))
    with pytest.raises(ShapeError, match="uint8"):
        PatchSampler([np.zeros((60, 60, 3), np.float32)], SCALE, PATCH)


def test_patches_are_drawn_in_proportion_to_positions():
    # Flat images identify which one a patch came from. LR sizes 16x16 (1 position) and 16x31
    # (16 positions): the first should be drawn 1 time in 17.
    a = np.full((48, 48, 1), 10, dtype=np.uint8)
    b = np.full((48, 93, 1), 200, dtype=np.uint8)
    sampler = PatchSampler([a, b], SCALE, PATCH, channels="y")
    lr, _ = sampler.batch(np.random.default_rng(0), 1700)
    from_a = int(np.sum(lr[:, 0, 0, 0] < 0.5))
    assert 60 <= from_a <= 140


def test_noise_degradation_corrupts_lr_patches(images):
    clean = PatchSampler(images, SCALE, PATCH, augment=False, channels="rgb")
    noisy = PatchSampler(images, SCALE, PATCH, degradation=Degradation(SCALE, noise_sigma=10),
                         augment=False, channels="rgb")
    lr0, hr0 = clean.sample(np.random.default_rng(5))
    lr1, hr1 = noisy.sample(np.random.default_rng(5))
    np.testing.assert_array_equal(hr0, hr1)  # same position, HR untouched
    diff = lr1.astype(float) - lr0.astype(float)
    assert not np.array_equal(lr0, lr1)
    assert 7 < diff.std() < 13
    assert abs(diff.mean()) < 2
    # Noise is drawn from the generator, so it is reproducible too.
    lr2, _ = noisy.sample(np.random.default_rng(5))
    np.testing.assert_array_equal(lr1, lr2)


# --------------------------------------------------------------------------------------------------
# tf.data
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dataset():
    return patch_dataset(["T91"], scale=2, patch_size=12, batch_size=4, seed=3, steps=2, limit=4)


def test_patch_dataset_shapes_and_length(dataset):
    import tensorflow as tf

    batches = list(dataset)
    assert len(batches) == 2
    assert int(dataset.cardinality()) == 2
    for lr, hr in batches:
        assert isinstance(lr, tf.Tensor) and isinstance(hr, tf.Tensor)
        assert lr.dtype == tf.float32 and hr.dtype == tf.float32
        assert tuple(lr.shape) == (4, 12, 12, 1)
        assert tuple(hr.shape) == (4, 24, 24, 1)
    assert not np.array_equal(batches[0][0].numpy(), batches[1][0].numpy())


def test_patch_dataset_is_reproducible(dataset):
    first = [(lr.numpy(), hr.numpy()) for lr, hr in dataset]
    second = [(lr.numpy(), hr.numpy()) for lr, hr in dataset]
    again = patch_dataset(["T91"], scale=2, patch_size=12, batch_size=4, seed=3, steps=2, limit=4)
    third = [(lr.numpy(), hr.numpy()) for lr, hr in again]
    for (a_lr, a_hr), (b_lr, b_hr), (c_lr, c_hr) in zip(first, second, third):
        np.testing.assert_array_equal(a_lr, b_lr)
        np.testing.assert_array_equal(a_hr, b_hr)
        np.testing.assert_array_equal(a_lr, c_lr)
        np.testing.assert_array_equal(a_hr, c_hr)
    other = patch_dataset(["T91"], scale=2, patch_size=12, batch_size=4, seed=4, steps=2, limit=4)
    assert not np.array_equal(next(iter(other))[0].numpy(), first[0][0])


def test_patch_dataset_pairs_are_aligned(dataset):
    lr, hr = next(iter(dataset))
    for i in range(4):
        down = imresize(hr.numpy()[i].astype(np.float64) * 255, 0.5)
        d = np.abs(down - lr.numpy()[i].astype(np.float64) * 255)[2:-2, 2:-2]
        assert d.mean() < 1.0  # Y is not rounded, the LR was made from uint8 RGB


def test_patch_dataset_from_a_list_of_images_and_endless():
    rng = np.random.default_rng(0)
    imgs = [rng.integers(0, 256, size=(40, 40, 3), dtype=np.uint8) for _ in range(2)]
    ds = patch_dataset(imgs, scale=2, patch_size=8, batch_size=3, channels="rgb", seed=0)
    batches = list(ds.take(5))
    assert len(batches) == 5
    assert tuple(batches[0][0].shape) == (3, 8, 8, 3)
    assert tuple(batches[0][1].shape) == (3, 16, 16, 3)


def test_patch_dataset_accepts_path_folders(tmp_path):
    from pathlib import Path

    from PIL import Image

    folder = tmp_path / "imgs"
    folder.mkdir()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, size=(32, 32, 3), dtype=np.uint8)).save(folder / "a.png")
    ds = patch_dataset([Path(folder)], scale=2, patch_size=8, batch_size=2, steps=1)
    lr, hr = next(iter(ds))
    assert tuple(lr.shape) == (2, 8, 8, 1) and tuple(hr.shape) == (2, 16, 16, 1)


def test_rescale_adds_a_matlab_bicubic_shrunk_copy_of_every_image(images):
    out = rescaled_copies(images, (0.9, 0.6))
    assert len(out) == 3 * len(images)
    assert [n for n, _ in out[: len(images)]] == [n for n, _ in images]  # the originals first, unchanged
    name, img = images[1]
    by_name = dict(out)
    assert np.array_equal(by_name[name], img)
    small = by_name[f"{name}@0.6"]
    assert small.dtype == np.uint8
    assert small.shape[:2] == (int(np.ceil(img.shape[0] * 0.6)), int(np.ceil(img.shape[1] * 0.6)))
    assert np.array_equal(small, imresize(img, 0.6))
    assert rescaled_copies(images, ()) == list(images)


def test_a_rescaling_sampler_draws_true_pairs_from_the_shrunk_images_too(images):
    plain = PatchSampler(images, SCALE, PATCH, augment=False, channels="rgb")
    sampler = PatchSampler(images, SCALE, PATCH, augment=False, channels="rgb", rescale=FSRCNN_RESCALE)
    assert sampler.rescale == FSRCNN_RESCALE
    assert len(sampler) + len(sampler.skipped) == 5 * (len(plain) + len(plain.skipped))
    assert len(sampler) > len(plain)
    # The shrunk copies hold fewer patch positions, so they are drawn less often, in proportion.
    assert sampler._p[: len(plain)].sum() > 0.3 and sampler._p[len(plain):].sum() > 0.3
    rng = np.random.default_rng(0)
    for _ in range(20):
        lr, hr = sampler.sample(rng)
        assert hr.shape == (SCALE * PATCH, SCALE * PATCH, 3)
        assert _interior_diff(hr, lr).max() <= 1  # LR is still the bicubic downsampling of its HR patch


@pytest.mark.parametrize("bad", [[1.0], [0.0], [0.5, 0.5], [True], "0.9", 0.9])
def test_bad_rescale_factors_are_refused(bad):
    from srkit.errors import InvalidValueError

    with pytest.raises(InvalidValueError, match="rescale"):
        check_rescale(bad)
    with pytest.raises(InvalidValueError, match="rescale"):
        PatchSampler([np.zeros((64, 64, 3), np.uint8)], 2, 8, rescale=bad)


def test_multiframe_models_refuse_rescaled_copies():
    pytest.importorskip("keras")
    from srkit.configs import TrainConfig
    from srkit.errors import SrkitError
    from srkit.train.supervised import _sampler

    with pytest.raises(SrkitError, match="rescale empty"):
        _sampler(TrainConfig("multiframe_rnn", 4, rescale=[0.9], limit=1))
