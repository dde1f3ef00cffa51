"""Tests for srkit.quality (NIQE): the features follow their definitions, the shipped pristine model is the one
tools/fit_niqe.py makes, and NIQE ranks distortions the way the paper says it should."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import gamma

from srkit.data import load_benchmark
from srkit.degrade import add_gaussian_noise, gaussian_blur, jpeg_compress, upscale
from srkit.errors import InvalidValueError, ShapeError
from srkit.quality import (FEATURE_NAMES, PRISTINE_FILE, PristineModel, fit_pristine, image_features, mscn, niqe,
                           patch_features, pristine_model)

SET14 = ("baboon", "comic", "lenna", "zebra")  # textured, drawn, portrait, stripes


@pytest.fixture(scope="module")
def set14():
    return {p.name: p for p in load_benchmark("Set14", 4) if p.name in SET14}


def _ggd_sample(shape: float, n: int, rng) -> np.ndarray:
    """Samples of a zero-mean generalised Gaussian with the given shape (|x|^shape is Gamma(1/shape) distributed)."""
    g = rng.gamma(1 / shape, 1.0, n) ** (1 / shape)
    return g * rng.choice([-1.0, 1.0], n)


@pytest.mark.parametrize("shape", [0.8, 1.0, 2.0, 3.0])
def test_ggd_fit_recovers_the_shape_of_generalised_gaussian_samples(shape):
    rng = np.random.default_rng(1)
    patch = _ggd_sample(shape, 96 * 96 * 4, rng).reshape(4, 96, 96)
    feats = patch_features(patch)
    assert feats.shape == (4, 18)
    # GGD shape: within 10% of the truth for every patch (9216 samples each)
    assert np.allclose(feats[:, 0], shape, rtol=0.1), feats[:, 0]
    assert np.allclose(feats[:, 1], np.mean(patch.reshape(4, -1) ** 2, axis=1))


def test_gaussian_noise_has_shape_two_and_symmetric_neighbour_products():
    rng = np.random.default_rng(2)
    feats = patch_features(rng.normal(0, 1, (3, 96, 96)))
    assert np.allclose(feats[:, 0], 2.0, atol=0.15)
    for d in range(4):  # independent neighbours: the products are symmetric around 0
        shape, mean, left, right = feats[:, 2 + 4 * d: 6 + 4 * d].T
        assert np.all(np.abs(mean) < 0.05) and np.allclose(left, right, rtol=0.15)


def test_aggd_mean_follows_its_formula():
    rng = np.random.default_rng(3)
    x = rng.normal(0, 1, (1, 96, 96))
    x[x < 0] *= 0.5  # skewed: left spread half the right
    feats = patch_features(x)
    pairs = (x * np.roll(x, (0, 1), axis=(1, 2))).ravel()
    left = np.sqrt(np.mean(pairs[pairs < 0] ** 2))
    right = np.sqrt(np.mean(pairs[pairs > 0] ** 2))
    a = feats[0, 2]
    mean = (right - left) * gamma(2 / a) / gamma(1 / a) * np.sqrt(gamma(1 / a) / gamma(3 / a))
    assert feats[0, 3] == pytest.approx(mean, rel=1e-9)
    assert feats[0, 4] == pytest.approx(left**2) and feats[0, 5] == pytest.approx(right**2)


def test_mscn_of_a_flat_image_is_zero_and_of_an_edge_is_signed():
    flat, std = mscn(np.full((20, 20), 77.0))
    assert np.allclose(flat, 0) and np.allclose(std, 0, atol=1e-4)
    edge = np.zeros((20, 20))
    edge[:, 10:] = 200
    c, _ = mscn(edge)
    assert c[5, 9] < -0.5 and c[5, 10] > 0.5 and abs(c[5, 0]) < 1e-6


def test_features_of_an_image_count_patches_at_two_scales(set14):
    hr = set14["lenna"].hr  # 512x512
    feats, sharp = image_features(hr)
    assert feats.shape == ((512 // 96) ** 2, 36) and len(FEATURE_NAMES) == 36
    assert sharp.shape == (25,) and np.all(sharp > 0)
    assert np.isfinite(feats).all()


def _release_features(block: np.ndarray) -> list[float]:
    """computefeature.m of the NIQE release, transcribed line by line for one block (no vectorisation)."""
    gam = np.arange(0.2, 10.0005, 0.001)
    v = block.ravel(order="F")  # MATLAB's structdis(:)
    r_gam = gamma(1 / gam) * gamma(3 / gam) / gamma(2 / gam) ** 2
    sigma_sq = np.mean(v**2)
    feat = [gam[np.argmin(np.abs(sigma_sq / np.mean(np.abs(v)) ** 2 - r_gam))], sigma_sq]
    r_gam = gamma(2 / gam) ** 2 / (gamma(1 / gam) * gamma(3 / gam))
    for shift in ((0, 1), (1, 0), (1, 1), (-1, 1)):  # shifts = [0 1; 1 0; 1 1; -1 1]
        pair = v * np.roll(block, shift, axis=(0, 1)).ravel(order="F")  # circshift
        left, right = np.sqrt(np.mean(pair[pair < 0] ** 2)), np.sqrt(np.mean(pair[pair > 0] ** 2))
        g = left / right
        rhat = np.mean(np.abs(pair)) ** 2 / np.mean(pair**2)
        rhatnorm = rhat * (g**3 + 1) * (g + 1) / (g**2 + 1) ** 2
        alpha = gam[np.argmin((r_gam - rhatnorm) ** 2)]
        const = np.sqrt(gamma(1 / alpha)) / np.sqrt(gamma(3 / alpha))
        feat += [alpha, (right - left) * (gamma(2 / alpha) / gamma(1 / alpha)) * const, left**2, right**2]
    return feat


def test_vectorised_features_match_the_release_block_by_block(set14):
    from srkit.color import rgb_to_y
    from srkit.degrade import imresize

    hr = set14["comic"].hr  # 360x248: 3 x 2 patches
    feats, sharp = image_features(hr)
    grey = np.floor(rgb_to_y(hr.astype(np.float64)) + 0.5)[:288, :192]
    c1, std = mscn(grey)
    c2, _ = mscn(imresize(grey, 0.5))
    for n, (i, j) in enumerate((i, j) for i in range(3) for j in range(2)):  # blocks in row order
        want = (_release_features(c1[96 * i:96 * i + 96, 96 * j:96 * j + 96])
                + _release_features(c2[48 * i:48 * i + 48, 48 * j:48 * j + 48]))
        assert np.allclose(feats[n], want, rtol=1e-9, atol=1e-12), n
        assert sharp[n] == pytest.approx(std[96 * i:96 * i + 96, 96 * j:96 * j + 96].mean())


def test_large_images_are_described_in_bands_with_the_same_features(set14, monkeypatch):
    import srkit.quality as q

    hr = set14["lenna"].hr[:300, :500]  # 3 rows of 5 patches
    whole = image_features(hr)
    monkeypatch.setattr(q, "_BAND_PIXELS", 1)  # one row of patches per band
    banded = image_features(hr)
    assert banded[0].shape == (15, 36)
    assert np.array_equal(banded[0], whole[0]) and np.allclose(banded[1], whole[1], rtol=1e-12, atol=0)


def test_shipped_pristine_model_is_what_the_fitting_command_makes(set14):
    model = pristine_model()
    assert PRISTINE_FILE.exists() and PRISTINE_FILE.stat().st_size < 100_000
    assert model.mean.shape == (36,) and model.cov.shape == (36, 36)
    assert np.allclose(model.cov, model.cov.T) and np.linalg.eigvalsh(model.cov).min() > -1e-9
    info = model.info
    assert info["command"].startswith("python tools/fit_niqe.py") and info["data"] == ["T91", "BSD200"]
    assert info["patch_size"] == 96 and info["sharpness_threshold"] == 0.75 and info["patches"] > 500


@pytest.mark.slow
def test_refitting_reproduces_the_shipped_model():
    from srkit.data import load_training_images

    model = fit_pristine(load_training_images(["T91", "BSD200"]))
    shipped = pristine_model()
    assert model.info["patches"] == shipped.info["patches"]
    assert np.allclose(model.mean, shipped.mean, rtol=1e-9) and np.allclose(model.cov, shipped.cov, rtol=1e-9)


def test_fit_keeps_only_sharp_patches(tmp_path):
    rng = np.random.default_rng(4)
    sharp = rng.integers(0, 256, (192, 192), dtype=np.uint8)
    half_flat = sharp.copy()
    half_flat[:, 96:] = gaussian_blur(sharp, 4.0)[:, 96:]  # two of its four patches blurred
    model = fit_pristine([("a", sharp), ("b", half_flat), ("tiny", sharp[:50, :50])])
    assert model.info["images"] == 2 and model.info["skipped_small_images"] == 1
    assert model.info["patches"] == 4 + 2
    saved = PristineModel.load(model.save(tmp_path / "m.npz"))
    assert np.array_equal(saved.mean, model.mean) and saved.info == model.info


@pytest.mark.parametrize("kind, levels", [("blur", (1.0, 2.0, 3.0)), ("noise", (5, 15, 30)), ("jpeg", (50, 20, 5))])
def test_niqe_ranks_increasing_distortion_in_order(set14, kind, levels):
    make = {"blur": lambda im, v: gaussian_blur(im, v), "noise": lambda im, v: add_gaussian_noise(im, v, 0),
            "jpeg": lambda im, v: jpeg_compress(im, v)}[kind]
    for name, pair in set14.items():
        scores = [niqe(make(pair.hr, v)) for v in levels]
        assert all(a < b for a, b in zip(scores, scores[1:])), (name, kind, levels, scores)


def test_niqe_rates_hr_better_than_bicubic_x4_on_average(set14):
    hr = [niqe(p.hr, crop_border=4) for p in set14.values()]
    bic = [niqe(upscale(p.lr, 4), crop_border=4) for p in set14.values()]
    assert np.mean(hr) + 2 < np.mean(bic), (hr, bic)


def test_niqe_input_rules():
    rng = np.random.default_rng(5)
    im = rng.integers(0, 256, (100, 120, 3), dtype=np.uint8)
    assert niqe(im) == pytest.approx(niqe(im.astype(np.float64) / 255))
    assert niqe(im[..., :1]) == pytest.approx(niqe(im[..., 0]))
    with pytest.raises(ShapeError, match="at least 96x96"):
        niqe(im[:50])
    with pytest.raises(ShapeError, match="at least 96x96"):
        niqe(np.zeros((1, 1, 3), np.uint8))
    with pytest.raises(InvalidValueError, match=r"\[0, 1\]"):
        niqe(im.astype(np.float64))
    with pytest.raises(ShapeError):
        niqe(np.zeros((100, 100, 4), np.uint8))
    assert niqe(np.full((100, 100), 128, np.uint8)) == float("inf")  # no contrast at all
    with pytest.raises(ShapeError, match="border"):
        niqe(im, crop_border=60)


# --------------------------------------------------------------------------------------------------
# Validation on all 14 Set14 images: the means are the numbers docs/results.md reports
# (.venv/bin/python tools/niqe_validation.py prints them).
# --------------------------------------------------------------------------------------------------
DISTORTIONS = {
    "blur": ((1.0, 2.0, 3.0), lambda im, v: gaussian_blur(im, v)),
    "noise": ((5, 15, 30), lambda im, v: add_gaussian_noise(im, v, 0)),
    "jpeg": ((90, 50, 20, 10), lambda im, v: jpeg_compress(im, v)),
}


@pytest.fixture(scope="module")
def set14_all():
    pairs = load_benchmark("Set14", 4)
    assert len(pairs) == 14
    return pairs


@pytest.fixture(scope="module")
def set14_sr_niqe(set14_all):
    """Mean NIQE (4-pixel border shaved) of HR, bicubic, EDSR and EDSR-GAN x4 on Set14, computed once."""
    from srkit.zoo import upscaler

    ups = {"hr": None, "bicubic": upscale, "edsr": upscaler("edsr"), "edsr_gan": upscaler("edsr_gan")}
    return {name: float(np.mean([niqe(p.hr if up is None else up(p.lr, 4), crop_border=4) for p in set14_all]))
            for name, up in ups.items()}


@pytest.mark.parametrize("kind", ["blur", "noise"])
def test_mean_niqe_on_set14_rises_with_blur_and_noise_from_the_hr_on(set14_all, kind):
    levels, make = DISTORTIONS[kind]
    means = [np.mean([niqe(p.hr) for p in set14_all])]
    means += [np.mean([niqe(make(p.hr, v)) for p in set14_all]) for v in levels]
    assert all(a < b for a, b in zip(means, means[1:])), (kind, means)
    assert means[-1] > 2 * means[0], means  # the strongest level is far from the HR, not a rounding step


def test_mean_niqe_on_set14_rises_as_jpeg_quality_falls(set14_all):
    levels, make = DISTORTIONS["jpeg"]
    means = [np.mean([niqe(make(p.hr, q)) for p in set14_all]) for q in levels]
    assert all(a < b for a, b in zip(means, means[1:])), (levels, means)
    assert means[-1] > means[0] + 2, means


@pytest.mark.xfail(strict=True, reason="Set14's HR images carry sensor noise and film grain that JPEG at quality 90 "
                                       "smooths away, so NIQE rates q90 slightly more natural than the HR itself")
def test_mean_niqe_of_set14_hr_is_below_jpeg_quality_90(set14_all):
    hr = np.mean([niqe(p.hr) for p in set14_all])
    q90 = np.mean([niqe(jpeg_compress(p.hr, 90)) for p in set14_all])
    assert hr < q90, (hr, q90)


@pytest.mark.slow
def test_niqe_ranks_hr_then_edsr_then_bicubic_at_x4_on_set14(set14_sr_niqe):
    s = set14_sr_niqe
    assert s["hr"] + 3 < s["edsr"] < s["bicubic"], s


@pytest.mark.slow
def test_niqe_ranks_the_gan_output_between_hr_and_edsr_at_x4_on_set14(set14_sr_niqe):
    """The perception side of the trade-off: the GAN output is rated more natural than the PSNR model's."""
    s = set14_sr_niqe
    assert s["hr"] + 1 < s["edsr_gan"] < s["edsr"] - 1, s


@pytest.mark.slow
def test_niqe_rewards_the_gan_outputs_fine_detail(set14_all, set14_sr_niqe):
    """A light blur (sigma 0.7) of the GAN output raises its NIQE: what makes it more natural to the measure is
    the fine-scale detail the GAN adds, not the image size, the border or the colour handling."""
    from srkit.zoo import upscaler

    gan = upscaler("edsr_gan")
    blurred = np.mean([niqe(gaussian_blur(gan(p.lr, 4), 0.7), crop_border=4) for p in set14_all])
    assert set14_sr_niqe["edsr_gan"] + 0.3 < blurred < set14_sr_niqe["bicubic"], (blurred, set14_sr_niqe)
