"""The GAN chapter: discriminator, loss terms, trainer (checkpoints, resume, NaN stop), network
interpolation, the texture measure and the perception-distortion tools."""

from __future__ import annotations

import json

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from srkit import gan  # noqa: E402
from srkit.data import load_benchmark  # noqa: E402
from srkit.degrade import gaussian_blur, upscale  # noqa: E402
from srkit.errors import ShapeError, SrkitError  # noqa: E402
from srkit.metrics import radial_power_spectrum, spectral_log_ratio, texture_distance  # noqa: E402
from srkit.models import espcn, multiframe_rnn, srcnn  # noqa: E402


def np_bce(logits, target):
    p = 1 / (1 + np.exp(-logits))
    return float(np.mean(-(target * np.log(p) + (1 - target) * np.log(1 - p))))


# --- discriminator and losses --------------------------------------------------------------------


def test_discriminator_takes_any_size_and_exposes_features():
    d = gan.discriminator(channels=1, filters=8, blocks=3)
    for size in (32, 48, 96):
        assert d(np.zeros((2, size, size, 1), "float32")).shape == (2, 1)
    outs = gan.feature_model(d)(np.zeros((1, 64, 64, 1), "float32"))
    assert len(outs) == 4  # logit + one map per strided block
    assert [o.shape[1] for o in outs[1:]] == [32, 16, 8]
    with pytest.raises(ValueError, match="blocks"):
        gan.discriminator(blocks=0)


def test_adversarial_losses_match_their_formulas():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(1, 1, (8, 1)).astype("float32"), rng.normal(-1, 1, (8, 1)).astype("float32")
    d, g = (float(v) for v in gan.adversarial_loss(real, fake, "standard"))
    assert d == pytest.approx(np_bce(real, 1) + np_bce(fake, 0), rel=1e-5)
    assert g == pytest.approx(np_bce(fake, 1), rel=1e-5)
    d, g = (float(v) for v in gan.adversarial_loss(real, fake, "relativistic"))
    r, f = real - fake.mean(), fake - real.mean()
    assert d == pytest.approx(np_bce(r, 1) + np_bce(f, 0), rel=1e-5)
    assert g == pytest.approx(np_bce(r, 0) + np_bce(f, 1), rel=1e-5)
    # a discriminator that is sure and right: its loss near 0, the generator's large
    d, g = (float(v) for v in gan.adversarial_loss(np.full((4, 1), 20.0, "float32"), np.full((4, 1), -20.0, "float32")))
    assert d < 1e-6 and g > 20
    with pytest.raises(ValueError, match="adversarial"):
        gan.adversarial_loss(real, fake, "wasserstein")


def test_pixel_and_feature_matching_losses():
    a = np.zeros((1, 4, 4, 1), "float32")
    b = np.full((1, 4, 4, 1), 0.5, "float32")
    assert float(gan.pixel_loss(a, b, "l1")) == pytest.approx(0.5)
    assert float(gan.pixel_loss(a, b, "l2")) == pytest.approx(0.25)
    with pytest.raises(ValueError, match="pixel"):
        gan.pixel_loss(a, b, "ssim")
    assert float(gan.feature_matching_loss([a, b], [a, b])) == 0.0
    assert float(gan.feature_matching_loss([a, a], [b, a])) == pytest.approx(0.25)
    with pytest.raises(ValueError, match="same"):
        gan.feature_matching_loss([a], [a, b])


def test_vgg_loss_fails_clearly_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(SrkitError, match="never downloads") as e:
        gan.VGGFeatures()
    assert str(tmp_path) in str(e.value) and "perceptual_weight=0" in str(e.value)


# --- trainer -----------------------------------------------------------------------------------


def tiny_config(**kw):
    base = dict(steps=4, eval_every=2, patch_size=8, batch_size=2, limit=3, val_limit=1, disc_filters=4,
                disc_blocks=2)
    base.update(kw)
    return gan.GANConfig(**base)


def test_config_validation():
    c = gan.GANConfig()
    assert gan.GANConfig.from_json(json.loads(json.dumps(c.to_json()))) == c
    for bad in (dict(scale=5), dict(adversarial="hinge"), dict(pixel="l3"), dict(steps=0),
                dict(adversarial_weight=-1.0)):
        with pytest.raises(ValueError):
            gan.GANConfig(**bad)


def test_trainer_rejects_mismatched_models():
    g = espcn(4, channels=1)
    with pytest.raises(ShapeError, match="channel"):
        gan.GANTrainer(g, gan.discriminator(channels=3, filters=4, blocks=1))


def test_wrong_psnr_checkpoints_are_refused(tmp_path):
    pre = srcnn(4)  # pre-upsampling: output size = input size
    pre.save(tmp_path / "srcnn.keras")
    with pytest.raises(SrkitError, match="not x4"):
        gan.load_generator(str(tmp_path / "srcnn.keras"), 4)
    multi = multiframe_rnn(4, frames=2, filters=4)
    multi.save(tmp_path / "multi.keras")
    with pytest.raises(SrkitError, match="single-image"):
        gan.load_generator(str(tmp_path / "multi.keras"), 4)
    with pytest.raises(SrkitError, match="does not exist"):
        gan.load_generator(str(tmp_path / "nothing.keras"), 4)
    with pytest.raises(SrkitError, match="not x4"):
        gan.train_gan(tiny_config(), generator=espcn(2))


@pytest.mark.slow
def test_training_logs_every_term_checkpoints_and_resumes_exactly(tmp_path):
    g = espcn(4, channels=1)
    full = gan.train_gan(tiny_config(), out_dir=tmp_path / "full", verbose=0, generator=g)
    assert [h["step"] for h in full.history] == [2, 4]
    for term in ("pixel", "adversarial", "feature", "g_loss", "d_loss", "d_real_acc", "d_fake_acc",
                 "val_psnr", "val_texture"):
        assert all(np.isfinite(h[term]) for h in full.history), term
    assert all(h["epoch_time_s"] > 0 for h in full.history)  # the same engine as supervised training
    for f in ("config.json", "state.json", "generator-e000002.keras", "discriminator-e000002.keras", "model.keras"):
        assert (tmp_path / "full" / f).exists()
    half = gan.train_gan(tiny_config(steps=4), out_dir=tmp_path / "half", verbose=0, generator=g,
                         callbacks=[_StopAt(1)])
    assert [h["step"] for h in half.history] == [2]
    resumed = gan.train_gan(tiny_config(steps=4), out_dir=tmp_path / "half", verbose=0, generator=g)
    assert [h["step"] for h in resumed.history] == [2, 4]
    for a, b in zip(full.generator.get_weights(), resumed.generator.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)
    with pytest.raises(SrkitError, match="different configuration"):
        gan.train_gan(tiny_config(steps=6, adversarial_weight=1.0), out_dir=tmp_path / "half", verbose=0, generator=g)


class _StopAt(keras.callbacks.Callback):
    def __init__(self, epochs):
        super().__init__()
        self.epochs = epochs

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 >= self.epochs:
            self.model.stop_training = True


@pytest.mark.slow
def test_caller_generator_is_not_modified(tmp_path):
    g = espcn(4, channels=1)
    before = [w.copy() for w in g.get_weights()]
    gan.train_gan(tiny_config(steps=2, eval_every=2, val_set=None), out_dir=None, verbose=0, generator=g)
    assert all(np.array_equal(a, b) for a, b in zip(before, g.get_weights()))


def test_nan_loss_stops_with_the_reason_and_keeps_no_garbage(tmp_path):
    inp = keras.Input((None, None, 1))
    x = espcn(4, channels=1)(inp)
    out = keras.layers.Rescaling(float("nan"))(x)
    broken = keras.Model(inp, out)
    with pytest.raises(SrkitError, match="became nan at step 1"):
        gan.train_gan(tiny_config(), out_dir=tmp_path, verbose=0, generator=broken)
    assert not list(tmp_path.glob("generator*.keras")) and not (tmp_path / "model.keras").exists()


def test_diagnose_names_the_failures():
    ok = [{"d_loss": 1.2, "d_real_acc": 0.7, "d_fake_acc": 0.7, "adversarial": 1.5, "val_psnr": 30.0}] * 3
    assert gan.diagnose(ok) == []
    wins = ok + [{"d_loss": 0.01, "d_real_acc": 1.0, "d_fake_acc": 1.0, "adversarial": 9.0, "val_psnr": 29.0}]
    assert any("wins outright" in w for w in gan.diagnose(wins))
    climbing = [{"d_loss": 0.3, "d_real_acc": 0.95, "d_fake_acc": 0.95, "adversarial": a} for a in (1, 2, 3, 4)]
    assert any("climbed" in w for w in gan.diagnose(climbing))
    stuck = [{"d_loss": 1.38, "d_real_acc": 0.5, "d_fake_acc": 0.51}] * 2
    assert any("50%" in w for w in gan.diagnose(stuck))
    drift = [{"val_psnr": 30.0}, {"val_psnr": 25.0}]
    assert any("drifts" in w for w in gan.diagnose(drift))
    assert gan.diagnose([]) == []


# --- interpolation -----------------------------------------------------------------------------


def test_network_interpolation_blends_every_weight():
    a, b = espcn(4), espcn(4)
    b.set_weights([w + 1.0 for w in a.get_weights()])
    for alpha in (0.0, 0.3, 1.0):
        m = gan.interpolate(a, b, alpha)
        for wm, wa, wb in zip(m.get_weights(), a.get_weights(), b.get_weights()):
            np.testing.assert_allclose(wm, (1 - alpha) * wa + alpha * wb, atol=1e-6)
    with pytest.raises(ShapeError, match="different architectures"):
        gan.interpolate(a, espcn(4, filters=(32, 16)), 0.5)
    with pytest.raises(ValueError, match="alpha"):
        gan.interpolate(a, b, 1.5)


def test_interpolation_state_walks_between_the_two_models():
    from srkit.infer import KerasUpscaler
    from srkit.io import to_uint8
    from srkit.widgets import InterpolationState, InterpolationWidget

    pair = load_benchmark("Set5", 4, limit=1)[0]
    a, b = espcn(4), espcn(4)
    b.set_weights([w * 1.5 for w in a.get_weights()])
    s = InterpolationState(a, b, pair.lr, pair.hr, 4, alpha=0.0)
    assert np.array_equal(s.compare.images["blend"], s.compare.images["PSNR model"])
    m1 = s.set_alpha(1.0)
    assert np.array_equal(s.compare.images["blend"], s.compare.images["GAN"])
    assert set(m1) == {"psnr", "ssim", "texture"}
    s.set_alpha(0.5)
    assert np.array_equal(s.compare.images["blend"], to_uint8(KerasUpscaler(gan.interpolate(a, b, 0.5))(pair.lr, 4)))
    curve = s.curve((0.0, 0.5, 1.0))
    assert list(curve.alpha) == [0.0, 0.5, 1.0] and s.alpha == 0.5
    assert curve.psnr.iloc[0] == pytest.approx(s.compare.metrics["PSNR model"]["psnr"])
    with pytest.raises(ValueError, match="alpha"):
        s.set_alpha(-0.1)
    with pytest.raises(ShapeError, match="different architectures"):
        InterpolationState(a, espcn(4, filters=(32, 16)), pair.lr, pair.hr, 4)
    w = InterpolationWidget(s)
    w.slider.value = 1.0
    assert s.alpha == 1.0 and "alpha = 1.00" in w.label.value


# --- texture measure and the perception-distortion table ---------------------------------------


def test_texture_distance_ranks_blur_and_is_zero_for_hr():
    hr = load_benchmark("Set5", 4, limit=2)[1].hr
    assert texture_distance(hr, hr, 4) == 0.0
    soft = gaussian_blur(hr, 1.0)
    softer = gaussian_blur(hr, 2.0)
    assert 0 < texture_distance(soft, hr, 4) < texture_distance(softer, hr, 4)
    freqs, ratio = spectral_log_ratio(softer, hr, 4)
    assert freqs.min() > 0.125 and np.all(ratio < 0)  # blur: too little power above the LR Nyquist
    rng = np.random.default_rng(0)
    noisy = np.clip(hr + rng.normal(0, 25, hr.shape), 0, 255).astype(np.uint8)
    _, ratio = spectral_log_ratio(noisy, hr, 4)
    assert ratio.mean() > 0  # noise: too much
    f, p = radial_power_spectrum(hr)
    assert len(f) == 32 and np.all(p >= 0)
    with pytest.raises(ShapeError, match="too small"):
        texture_distance(hr[:20, :20], hr[:20, :20], 4)
    with pytest.raises(ShapeError, match="differ"):
        texture_distance(hr[:40], hr, 4)


def test_perception_distortion_table_and_plot():
    from srkit.viz import perception_distortion_plot

    t = gan.perception_distortion_table({"HR": "hr", "bicubic": "bicubic"}, ["Set5"], 4, limit=2)
    hr, bic = t.iloc[0], t.iloc[1]
    assert np.isinf(hr.psnr) and hr.texture == 0.0
    bics = [upscale(p.lr, 4) for p in load_benchmark("Set5", 4, limit=2)]
    expect = np.mean([texture_distance(b, p.hr, 4) for b, p in zip(bics, load_benchmark("Set5", 4, limit=2))])
    assert bic.texture == pytest.approx(expect, abs=0.05) and bic.texture > 5
    curve = t.iloc[1:].assign(alpha=[0.0])
    ax = perception_distortion_plot(t, curve=curve)
    assert "texture" in ax.get_ylabel()


def test_perception_distortion_table_has_niqe_and_the_plot_can_use_it():
    import matplotlib.pyplot as plt

    from srkit.quality import niqe
    from srkit.viz import perception_distortion_plot

    pairs = load_benchmark("Set5", 4, limit=2)
    t = gan.perception_distortion_table({"HR": "hr", "bicubic": "bicubic"}, ["Set5"], 4, limit=2)
    assert list(t.columns) == ["method", "dataset", "psnr", "ssim", "texture", "niqe"]
    hr, bic = t.iloc[0], t.iloc[1]
    assert hr.niqe == pytest.approx(np.mean([niqe(p.hr, crop_border=4) for p in pairs]), rel=1e-9)
    assert bic.niqe == pytest.approx(np.mean([niqe(upscale(p.lr, 4), crop_border=4) for p in pairs]), rel=1e-9)
    assert hr.niqe + 3 < bic.niqe  # bicubic x4 is far from natural sharpness
    assert "niqe" not in gan.perception_distortion_table({"b": "bicubic"}, "Set5", 4, limit=1, niqe=False)
    ax = perception_distortion_plot(t, y="niqe")
    assert "NIQE" in ax.get_ylabel()
    (line,) = [ln for ln in ax.get_lines() if ln.get_linestyle() == ":"]  # HR: its NIQE as a horizontal line
    assert line.get_ydata()[0] == pytest.approx(hr.niqe)
    assert [tuple(o) for o in ax.collections[0].get_offsets()] == [(pytest.approx(bic.psnr), pytest.approx(bic.niqe))]
    plt.close(ax.figure)
    with pytest.raises(KeyError, match="niqe=True"):
        perception_distortion_plot(t.drop(columns="niqe"), y="niqe")
