"""The second-order ("realistic") degradation: seeded, exact shapes, each step equal to the kit's own
functions when its ranges are collapsed, noise levels as documented, clear refusals, and training with it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from srkit.color import round_255
from srkit.configs import TrainConfig
from srkit.data import load_training_images
from srkit.degrade import (DEGRADATIONS, Degradation, SecondOrderDegradation, bicubic_downsample, blur_kernel,
                           degradation, gaussian_blur, gaussian_kernel, imresize, jpeg_compress)
from srkit.errors import InvalidValueError, ShapeError
from srkit.pipeline import PatchSampler

# Every step off, no resize but the final one (bicubic): switch single steps on in each test.
NOTHING = dict(blur_prob=0.0, blur_prob2=0.0, resize_probs=(0, 0, 1), resize_probs2=(0, 0, 1), noise_prob=0.0,
               noise_prob2=0.0, jpeg_prob=0.0, jpeg_prob2=0.0, resize_modes=("bicubic",))


@pytest.fixture(scope="module")
def photo():
    """A 96x96 RGB crop of a training photo."""
    return np.ascontiguousarray(load_training_images(["T91"], limit=1)[0][1][:96, :96])


def test_same_seed_same_image_other_seeds_differ(photo):
    d = SecondOrderDegradation(4)
    a, b = d(photo, 7), d(photo, np.random.default_rng(7))
    assert np.array_equal(a, b)
    others = [d(photo, s) for s in range(1, 6)]
    assert all(not np.array_equal(a, o) for o in others)
    # a generator is advanced: two calls on it give two different degradations
    rng = np.random.default_rng(3)
    assert not np.array_equal(d(photo, rng), d(photo, rng))


@pytest.mark.parametrize("scale", [2, 3, 4])
@pytest.mark.parametrize("channels", [1, 3])
def test_output_shape_and_dtype(photo, scale, channels):
    hr = photo[:90, :84] if channels == 3 else photo[:90, :84, :1]
    for seed in range(4):
        lr = SecondOrderDegradation(scale)(hr, seed)
        assert lr.dtype == np.uint8 and lr.shape == (90 // scale, 84 // scale, channels)
    assert SecondOrderDegradation(scale)(hr[..., 0], 0).shape == (90 // scale, 84 // scale)  # 2-D in, 2-D out
    assert SecondOrderDegradation(4)(photo[:95, :94], 0).shape == (23, 23, 3)  # modcropped first


def test_a_degraded_image_differs_from_bicubic_but_keeps_its_brightness(photo):
    d, ref = SecondOrderDegradation(4), bicubic_downsample(photo, 4).astype(float)
    outs = [d(photo, s).astype(float) for s in range(12)]
    mae = [np.abs(o - ref).mean() for o in outs]
    assert min(mae) > 2 and np.mean(mae) > 6
    assert max(abs(o.mean() - ref.mean()) for o in outs) < 8


def test_only_an_isotropic_blur_is_gaussian_blur_then_the_final_resize(photo):
    d = SecondOrderDegradation(3, **{**NOTHING, "blur_prob": 1.0, "iso_prob": 1.0, "blur_sigma": (1.5, 1.5),
                                     "kernel_size": (7, 7)})
    hr = photo[:90, :90]
    want = round_255(imresize(gaussian_blur(hr.astype(np.float64), 1.5, 7), output_shape=(30, 30)))
    assert np.array_equal(d(hr, 0), want)
    # with nothing on, it is the bicubic downsampling (in float, rounded once; MATLAB rounds after each pass)
    plain = SecondOrderDegradation(3, **NOTHING)(hr, 0)
    assert np.array_equal(plain, round_255(imresize(hr.astype(np.float64), 1 / 3)))
    assert np.abs(plain.astype(int) - bicubic_downsample(hr, 3)).max() <= 1


def test_blur_kernels():
    assert np.array_equal(blur_kernel(9, 1.2), gaussian_kernel(1.2, 9))
    np.testing.assert_allclose(blur_kernel(9, 1.2, 1.2, 0.7), gaussian_kernel(1.2, 9), atol=1e-15)
    k = blur_kernel(41, 4.0, 1.0, 0.0)  # wide along x (columns), narrow along y (rows)
    r = np.arange(41) - 20
    var_x, var_y = (k.sum(axis=0) * r**2).sum(), (k.sum(axis=1) * r**2).sum()
    assert k.sum() == pytest.approx(1.0) and var_x == pytest.approx(16.0, rel=1e-3)
    assert var_y == pytest.approx(1.0, rel=1e-3)
    np.testing.assert_allclose(blur_kernel(41, 4.0, 1.0, np.pi / 2), k.T, atol=1e-12)
    diag = blur_kernel(41, 4.0, 1.0, np.pi / 4)  # turned 45 degrees counter-clockwise: up-right is long
    assert diag[20 - 5, 20 + 5] > 10 * diag[20 + 5, 20 + 5]


def test_anisotropic_blur_of_large_kernels_matches_a_direct_correlation(photo):
    from scipy.ndimage import correlate

    d = SecondOrderDegradation(1, **{**NOTHING, "blur_prob": 1.0, "iso_prob": 0.0, "blur_sigma": (2.5, 2.5),
                                     "kernel_size": (21, 21)})
    rng = np.random.default_rng(5)
    out = d(photo, 5)
    # the same draws: blur? (1), kernel side, iso? (0), two sigmas, angle
    rng.random(); rng.integers(10, 11); rng.random()
    k = blur_kernel(21, rng.uniform(2.5, 2.5), rng.uniform(2.5, 2.5), rng.uniform(-np.pi, np.pi))
    x = photo.astype(np.float64)
    want = round_255(np.stack([correlate(x[..., c], k, mode="nearest") for c in range(3)], axis=-1))
    assert np.abs(out.astype(int) - want).max() <= 1 and np.mean(out != want) < 1e-3


def test_only_jpeg_is_jpeg_compress(photo):
    hr = photo[:64, :64]
    first = SecondOrderDegradation(2, **{**NOTHING, "jpeg_prob": 1.0, "jpeg_quality": (40, 40)})
    want = round_255(imresize(jpeg_compress(hr, 40).astype(np.float64), output_shape=(32, 32)))
    assert np.array_equal(first(hr, 1), want)
    # round 2 shrinks to half the LR size (16x16), the final step resizes to 32x32 and JPEGs, in either order
    final = {**NOTHING, "jpeg_prob2": 1.0, "jpeg_quality2": (60, 60), "resize_probs2": (0, 1, 0),
             "resize_range2": (0.5, 0.5)}
    small = imresize(hr.astype(float), output_shape=(16, 16))
    last_after = SecondOrderDegradation(2, **final, jpeg_first_prob=0.0)
    assert np.array_equal(last_after(hr, 1), jpeg_compress(round_255(imresize(small, output_shape=(32, 32))), 60))
    last_before = SecondOrderDegradation(2, **final, jpeg_first_prob=1.0)
    want = round_255(imresize(jpeg_compress(round_255(small), 60).astype(float), output_shape=(32, 32)))
    assert np.array_equal(last_before(hr, 1), want)
    assert SecondOrderDegradation(1, **{**NOTHING, "jpeg_prob": 1.0, "jpeg_quality": (100, 100)})(hr, 0).shape \
        == hr.shape


def test_area_resize_is_the_block_mean(photo):
    d = SecondOrderDegradation(2, **{**NOTHING, "resize_modes": ("area",)})
    hr = photo[:40, :40].astype(np.float64)
    blocks = hr.reshape(20, 2, 20, 2, 3).mean(axis=(1, 3))
    assert np.array_equal(d(photo[:40, :40], 0), round_255(blocks))


def test_random_resizes_keep_their_documented_sizes(photo):
    # round 1 always shrinks to exactly half (0.5 .. 0.5), then the final resize restores the LR size
    d = SecondOrderDegradation(1, **{**NOTHING, "resize_probs": (0, 1, 0), "resize_range": (0.5, 1.0)})
    hr = photo[:64, :64]
    lr = d(hr, 3)
    assert lr.shape == hr.shape
    assert np.abs(lr.astype(float) - hr).mean() > 1  # the detail lost by the shrink


def _noise_only(**kw):
    return SecondOrderDegradation(1, **{**NOTHING, "noise_prob": 1.0, **kw})


def test_gaussian_noise_has_its_sigma_and_grey_noise_is_the_same_in_every_channel():
    flat = np.full((128, 128, 3), 128, np.uint8)
    colour = _noise_only(gaussian_noise_prob=1.0, noise_sigma=(10, 10), gray_noise_prob=0.0)(flat, 0).astype(float)
    assert colour.std() == pytest.approx(10, abs=0.3)
    assert abs(np.corrcoef(colour[..., 0].ravel(), colour[..., 1].ravel())[0, 1]) < 0.05
    grey = _noise_only(gaussian_noise_prob=1.0, noise_sigma=(10, 10), gray_noise_prob=1.0)(flat, 0)
    assert np.array_equal(grey[..., 0], grey[..., 1]) and np.array_equal(grey[..., 0], grey[..., 2])
    assert grey.astype(float).std() == pytest.approx(10, abs=0.3)


def test_poisson_noise_grows_with_the_square_root_of_the_level():
    d = _noise_only(gaussian_noise_prob=0.0, poisson_scale=(2, 2), gray_noise_prob=0.0)
    for level in (25, 100):
        out = d(np.full((128, 128, 1), level, np.uint8), 0).astype(float)
        assert out.std() == pytest.approx(2 * np.sqrt(level), rel=0.05)
        assert out.mean() == pytest.approx(level, abs=0.5)


def test_noise_levels_over_many_seeds_stay_in_the_documented_range():
    d = _noise_only(gaussian_noise_prob=1.0, gray_noise_prob=0.0)  # default sigmas 1..30
    flat = np.full((64, 64, 1), 128, np.uint8)
    sigmas = np.array([d(flat, s).astype(float).std() for s in range(60)])
    assert sigmas.min() > 0.5 and sigmas.max() < 31.5
    assert sigmas.min() < 6 and sigmas.max() > 25  # the whole range is used
    assert 12 < np.median(sigmas) < 19  # uniform in [1, 30]: median 15.5


def test_bad_settings_are_refused_with_what_to_do():
    with pytest.raises(InvalidValueError, match="jpeg_quality.*1 to 100"):
        SecondOrderDegradation(4, jpeg_quality=(0, 90))
    with pytest.raises(InvalidValueError, match="jpeg_quality2.*1 to 100"):
        SecondOrderDegradation(4, jpeg_quality2=(30, 101))
    with pytest.raises(InvalidValueError, match=r"low <= high.*swap"):
        SecondOrderDegradation(4, blur_sigma=(3.0, 0.2))
    with pytest.raises(InvalidValueError, match="low <= high"):
        SecondOrderDegradation(4, noise_sigma2=(20, 5))
    with pytest.raises(InvalidValueError, match="noise_prob.*between 0"):
        SecondOrderDegradation(4, noise_prob=1.5)
    with pytest.raises(InvalidValueError, match="gray_noise_prob2"):
        SecondOrderDegradation(4, gray_noise_prob2=-0.1)
    with pytest.raises(InvalidValueError, match="add up to 1"):
        SecondOrderDegradation(4, resize_probs=(0.5, 0.5, 0.5))
    with pytest.raises(InvalidValueError, match="noise_sigma"):
        SecondOrderDegradation(4, noise_sigma=(-1, 5))
    with pytest.raises(InvalidValueError, match="blur_sigma.*positive"):
        SecondOrderDegradation(4, blur_sigma=(0, 2))
    with pytest.raises(InvalidValueError, match="odd"):
        SecondOrderDegradation(4, kernel_size=(7, 20))
    with pytest.raises(InvalidValueError, match="resize_modes"):
        SecondOrderDegradation(4, resize_modes=("lanczos9",))
    with pytest.raises(InvalidValueError, match="pair"):
        SecondOrderDegradation(4, jpeg_quality=50)
    for scale in (0, 2.5, -4, True):
        with pytest.raises(InvalidValueError, match="scale factor must be a positive integer"):
            SecondOrderDegradation(scale)
    d = SecondOrderDegradation(2)
    with pytest.raises(ShapeError, match="uint8"):
        d(np.zeros((8, 8, 3), np.float32), 0)
    with pytest.raises(ShapeError, match=r"\(H, W, 3\)"):
        d(np.zeros((8, 8, 4), np.uint8), 0)
    with pytest.raises(InvalidValueError, match="seed"):
        d(np.zeros((8, 8, 3), np.uint8), -1)


def test_degradations_by_name():
    assert DEGRADATIONS == ("bicubic", "bd", "dn", "mixed", "realistic")
    assert degradation("bicubic", 3) == Degradation.BI(3)
    assert degradation("bd", 2) == Degradation.BD(2) and degradation("dn", 4) == Degradation.DN(4)
    assert degradation("realistic", 4) == SecondOrderDegradation(4)
    with pytest.raises(InvalidValueError, match="'bicubic', 'bd', 'dn', 'mixed', 'realistic'.*'nope'"):
        degradation("nope", 4)
    with pytest.raises(InvalidValueError, match="scale"):
        degradation("realistic", 0)


@pytest.fixture(scope="module")
def images():
    return load_training_images(["T91"], limit=3)


def test_sampler_crops_the_hr_patch_then_degrades_it_with_the_batch_generator(images):
    sampler = PatchSampler(images, 4, 12, degradation=SecondOrderDegradation(4), channels="rgb", augment="none")
    lr, hr = sampler.sample(np.random.default_rng(11))
    assert lr.shape == (12, 12, 3) and hr.shape == (48, 48, 3) and lr.dtype == hr.dtype == np.uint8
    rng = np.random.default_rng(11)  # the same draws by hand: image, position, then the degradation
    i = rng.choice(len(sampler.hr), p=sampler._p)
    y, x = int(rng.integers(0, sampler.hr[i].shape[0] // 4 - 11)), int(rng.integers(0, sampler.hr[i].shape[1] // 4 - 11))
    want_hr = sampler.hr[i][4 * y:4 * y + 48, 4 * x:4 * x + 48]
    assert np.array_equal(hr, want_hr)
    assert np.array_equal(lr, SecondOrderDegradation(4)(want_hr, rng))


def test_sampler_batches_are_degraded_and_a_function_of_seed_and_step(images):
    sampler = PatchSampler(images, 3, 16, degradation="realistic", channels="rgb")
    lr, hr = sampler.batch_at(5, 2, 6)
    assert lr.shape == (6, 16, 16, 3) and hr.shape == (6, 48, 48, 3) and lr.dtype == np.float32
    again = sampler.batch_at(5, 2, 6)
    assert np.array_equal(lr, again[0]) and np.array_equal(hr, again[1])
    assert not np.array_equal(lr, sampler.batch_at(5, 3, 6)[0])
    # the LR patches are not the bicubic downsampling of their HR patches
    bicubic = np.stack([imresize(h, 1 / 3) for h in hr.astype(np.float64)])
    assert np.abs(lr - bicubic).mean() > 0.02
    pre = PatchSampler(images, 3, 16, degradation="realistic", pre_upsample=True)
    lr_up, hr_up = pre.batch_at(5, 2, 2)
    assert lr_up.shape == hr_up.shape == (2, 48, 48, 1)
    with pytest.raises(InvalidValueError, match="degradation must be one of"):
        PatchSampler(images, 3, 16, degradation="nope")
    with pytest.raises(ValueError, match="downsamples by 4"):
        PatchSampler(images, 3, 16, degradation=SecondOrderDegradation(4))


def test_train_config_degradation():
    with pytest.raises(InvalidValueError, match="degradation must be one of.*'realistic'"):
        TrainConfig("espcn", 4, degradation="nope")
    c = TrainConfig("espcn", 4, degradation="realistic")
    stored = json.loads(json.dumps(c.to_json()))
    assert stored["degradation"] == "realistic" and TrainConfig.from_json(stored) == c
    plain = TrainConfig("espcn", 4)
    assert "degradation" not in plain.to_json()  # older run folders (without the field) still resume
    assert TrainConfig.from_json(plain.to_json()) == plain


def test_cli_train_has_a_degradation_option():
    from srkit.cli import _config_kwargs, build_parser

    args = build_parser().parse_args(["train", "espcn", "--scale", "4", "--degradation", "realistic"])
    assert TrainConfig(**_config_kwargs(args, TrainConfig)).degradation == "realistic"
    args = build_parser().parse_args(["train", "espcn", "--scale", "4"])
    assert TrainConfig(**_config_kwargs(args, TrainConfig)).degradation == "bicubic"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "espcn", "--scale", "4", "--degradation", "nope"])


def test_multiframe_models_refuse_other_degradations():
    pytest.importorskip("keras")
    from srkit.errors import SrkitError
    from srkit.train.supervised import _sampler

    with pytest.raises(SrkitError, match="bicubic bursts"):
        _sampler(TrainConfig("multiframe_rnn", 4, degradation="realistic", limit=1))


def test_a_tiny_training_run_with_the_realistic_degradation(tmp_path):
    pytest.importorskip("keras")
    from srkit.train import train

    config = TrainConfig("espcn", 4, steps=3, eval_every=3, val_limit=1, limit=2, batch_size=4,
                         degradation="realistic")
    result = train(config, out_dir=tmp_path, verbose=0)
    assert result.history and int(result.history[-1]["step"]) == 3
    assert np.isfinite(result.final_val_psnr)
    assert json.loads((tmp_path / "config.json").read_text())["degradation"] == "realistic"


def test_mixed_is_one_round_of_blur_noise_and_jpeg_each_half_the_time():
    import numpy as np

    from srkit.degrade import SecondOrderDegradation, bicubic_downsample, degradation

    d = degradation("mixed", 4)
    assert d == SecondOrderDegradation.mixed(4)
    assert (d.resize_probs, d.resize_probs2, d.resize_modes) == ((0.0, 0.0, 1.0), (0.0, 0.0, 1.0), ("bicubic",))
    hr = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    clean = bicubic_downsample(hr, 4).astype(int)
    # about one draw in eight is the clean bicubic LR (up to the rounding of a float pipeline)
    near_clean = sum(np.abs(d(hr, i).astype(int) - clean).max() <= 1 for i in range(400))
    assert 25 <= near_clean <= 80
    assert d(hr, 3).shape == (16, 16, 3) and np.array_equal(d(hr, 3), d(hr, 3))
