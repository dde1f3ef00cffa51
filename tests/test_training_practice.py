"""Training practice (notebook 06): weight decay, the L1 penalty, augmentation modes, training-set PSNR,
early stopping, learning-rate schedules and optimizers, the range test and dropout; each checked by what
it does, bad settings refused."""

import json
import math

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from srkit.configs import TrainConfig  # noqa: E402
from srkit.errors import InvalidValueError  # noqa: E402
from srkit.pipeline import PatchSampler, dihedral  # noqa: E402
from srkit.train import (learning_rate_at, lr_range_test, make_optimizer, train, training_pairs,  # noqa: E402
                         training_psnr, with_l1_penalty)


def tiny(**kw):
    base = dict(model="espcn", scale=2, steps=30, eval_every=10, val_limit=1, limit=3, batch_size=8, patch_size=10)
    base.update(kw)
    return TrainConfig(**base)


def kernel_l1(model) -> float:
    return float(sum(np.abs(np.asarray(layer.kernel)).sum() for layer in model.layers if hasattr(layer, "kernel")))


# --------------------------------------------------------------------------------------------------
# Configuration: new fields checked, defaults and stored configs unchanged
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("field, value, words", [
    ("optimizer", "rmsprop", "optimizer must be one of 'adam', 'sgd'"),
    ("schedule", "linear", "schedule must be one of"),
    ("weight_decay", -1e-4, "weight_decay must be a finite number >= 0"),
    ("weight_decay", float("nan"), "weight_decay"),
    ("l1_penalty", "1e-5", "l1_penalty must be a finite number"),
    ("augment", "mixup", "augment must be one of 'flips', 'none', 'colour_jitter'"),
    ("augment", True, "augment must be one of"),
    ("train_psnr_images", -1, "train_psnr_images must be a whole number >= 0"),
    ("early_stopping", 0, "early_stopping must be a whole number >= 1"),
    ("rescale", [1.0], "rescale factors must be numbers strictly between 0 and 1"),
    ("rescale", [0.9, -0.5], "strictly between 0 and 1"),
    ("rescale", "0.9", "rescale must be a list of downscaling factors"),
    ("rescale", [0.8, 0.8], "rescale factors must be distinct"),
])
def test_bad_settings_are_refused_with_the_rule(field, value, words):
    with pytest.raises(InvalidValueError, match=words) as err:
        tiny(**{field: value})
    assert repr(value)[:6] in str(err.value) or str(value)[:6] in str(err.value)


def test_settings_that_cannot_work_together_are_refused():
    with pytest.raises(InvalidValueError, match="needs a validation set"):
        tiny(early_stopping=2, val_set=None)
    with pytest.raises(InvalidValueError, match="time_budget_s"):
        tiny(schedule="step", time_budget_s=10)
    with pytest.raises(InvalidValueError, match="dropout must be below 1"):
        from srkit.models import espcn
        espcn(2, dropout=1.0)
    with pytest.raises(InvalidValueError, match="filters must be a list"):
        from srkit.models import espcn
        espcn(2, filters=[])


def test_defaults_and_stored_configs_are_unchanged():
    c = TrainConfig("espcn", 3)
    assert (c.optimizer, c.schedule, c.weight_decay, c.l1_penalty, c.augment, c.train_psnr_images,
            c.early_stopping) == ("adam", "cosine", 0.0, 0.0, "flips", 0, None)
    stored = c.to_json()
    assert not set(TrainConfig.LATER_FIELDS) & set(stored)  # config.json of old runs still compares equal
    assert TrainConfig.from_json(json.loads(json.dumps(stored))) == c
    d = TrainConfig("espcn", 3, weight_decay=1e-3, augment="none", early_stopping=2).to_json()
    assert (d["weight_decay"], d["augment"], d["early_stopping"]) == (1e-3, "none", 2)
    assert TrainConfig.from_json(d).weight_decay == 1e-3
    r = TrainConfig("espcn", 3, rescale=[0.9, 0.6])
    assert r.rescale == (0.9, 0.6) and r.to_json()["rescale"] == [0.9, 0.6]
    assert TrainConfig.from_json(json.loads(json.dumps(r.to_json()))) == r


# --------------------------------------------------------------------------------------------------
# Schedules and optimizers
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("warmup", [0, 25])
def test_cosine_schedule_is_keras_cosine_decay(warmup):
    steps, lr = 200, 3e-3
    keras_schedule = keras.optimizers.schedules.CosineDecay(
        lr if not warmup else 0.0, decay_steps=max(1, steps - warmup), alpha=0.01,
        warmup_target=lr if warmup else None, warmup_steps=warmup)
    for s in (0, 1, 10, 24, 25, 26, 100, 199, 200, 250):
        assert learning_rate_at(s, lr, steps, "cosine", warmup) == pytest.approx(float(keras_schedule(s)), rel=1e-5, abs=1e-12)


def test_step_and_constant_schedules():
    lr = 1e-3
    assert [learning_rate_at(s, lr, 100, "step") for s in (0, 49, 50, 74, 75, 99)] == \
        pytest.approx([lr, lr, lr / 2, lr / 2, lr / 4, lr / 4])
    assert learning_rate_at(5, lr, 100, "step", warmup_steps=10) == pytest.approx(lr / 2)  # half-way up the warm-up
    assert learning_rate_at(10, lr, 110, "step", warmup_steps=10) == pytest.approx(lr)
    assert learning_rate_at(60, lr, 110, "step", warmup_steps=10) == pytest.approx(lr / 2)
    assert learning_rate_at(80, lr, 100, "constant") == lr
    with pytest.raises(InvalidValueError, match="schedule"):
        learning_rate_at(1, lr, 100, "exponential")


def test_training_follows_the_step_schedule_and_sgd_trains():
    result = train(tiny(steps=40, schedule="step", optimizer="sgd", learning_rate=0.02), verbose=0, live_plot=False)
    assert isinstance(result.model.optimizer, keras.optimizers.SGD)
    assert result.model.optimizer.momentum == pytest.approx(0.9)
    # logged after each epoch: the rate set before its last step
    assert [h["learning_rate"] for h in result.history] == pytest.approx([learning_rate_at(s - 1, 0.02, 40, "step")
                                                                           for s in (10, 20, 30, 40)])
    assert result.history[-1]["loss"] < result.history[0]["loss"]


def test_weight_decay_is_decoupled_and_shrinks_weights():
    for name in ("adam", "sgd"):
        opt = make_optimizer(name, 0.1, weight_decay=0.5)
        w = keras.Variable(np.ones((3,), np.float32))
        opt.apply_gradients([(keras.ops.zeros((3,)), w)])  # no gradient: only the decay moves the weight
        assert np.allclose(np.asarray(w), 1 - 0.1 * 0.5), name
    assert make_optimizer("adam", 1e-3).weight_decay is None  # the default: no decay at all
    plain = train(tiny(), verbose=0, live_plot=False)
    decayed = train(tiny(weight_decay=20.0), verbose=0, live_plot=False)  # 2% per step at lr 1e-3
    assert kernel_l1(decayed.model) < 0.8 * kernel_l1(plain.model)


def test_l1_penalty_is_added_to_the_loss_saved_and_shrinks_weights(tmp_path):
    from srkit.models import espcn, load_model

    model = espcn(2)
    penalised = with_l1_penalty(model, 1e-3)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), penalised.get_weights()))
    assert float(sum(penalised.losses)) == pytest.approx(1e-3 * kernel_l1(model), rel=1e-5)
    penalised.save(tmp_path / "m.keras")
    assert float(sum(load_model(tmp_path / "m.keras").losses)) == pytest.approx(float(sum(penalised.losses)), rel=1e-5)
    plain = train(tiny(learning_rate=1e-2), verbose=0, live_plot=False)
    sparse = train(tiny(learning_rate=1e-2, l1_penalty=1e-2), verbose=0, live_plot=False)
    assert kernel_l1(sparse.model) < 0.8 * kernel_l1(plain.model)


# --------------------------------------------------------------------------------------------------
# Augmentation
# --------------------------------------------------------------------------------------------------
def test_dihedral_gives_the_eight_symmetries():
    x = np.arange(12).reshape(3, 4)
    outs = {dihedral(x, k, f).tobytes() + bytes(dihedral(x, k, f).shape) for k in range(4) for f in (False, True)}
    assert len(outs) == 8
    assert np.array_equal(dihedral(x, 1, True), np.fliplr(np.rot90(x)))
    assert np.array_equal(dihedral(x, 0, False), x)


def _sampler(augment):
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, (60, 66, 3), dtype=np.uint8)
    return PatchSampler([img], 3, patch_size=8, augment=augment)


def test_augmentation_modes():
    from srkit.degrade import bicubic_downsample

    flips, none, jitter, legacy = (_sampler(a) for a in ("flips", "none", "colour_jitter", True))
    assert flips.augment == legacy.augment == "flips" and _sampler(False).augment == "none"
    for seed in range(20):
        a, b = flips.batch_at(seed, 0, 4), legacy.batch_at(seed, 0, 4)
        assert all(np.array_equal(x, y) for x, y in zip(a, b))  # the default draws exactly as before
    # 'none': the LR patch is the bicubic downsampling of the HR patch, unrotated
    lr, hr = none.sample(np.random.default_rng(5))
    full_lr = bicubic_downsample(none.hr[0], 3)
    ys, xs = np.where((np.lib.stride_tricks.sliding_window_view(full_lr, lr.shape) == lr).all(axis=(-3, -2, -1))[..., 0])
    assert len(ys) >= 1 and np.array_equal(none.hr[0][3 * ys[0]:3 * ys[0] + 24, 3 * xs[0]:3 * xs[0] + 24], hr)
    # 'colour_jitter': the same HR patch as 'flips', a different LR patch (the pair is broken)
    differs = 0
    for seed in range(10):
        (lr_f, hr_f), (lr_j, hr_j) = flips.sample(np.random.default_rng(seed)), jitter.sample(np.random.default_rng(seed))
        assert np.array_equal(hr_f, hr_j)
        differs += not np.array_equal(lr_f, lr_j)
    assert differs >= 8
    with pytest.raises(InvalidValueError, match="augment must be one of"):
        _sampler("cutmix")


# --------------------------------------------------------------------------------------------------
# Training-set PSNR, the gap, early stopping
# --------------------------------------------------------------------------------------------------
def test_training_psnr_is_logged_and_the_gap_follows():
    cfg = tiny(train_psnr_images=2)
    result = train(cfg, verbose=0, live_plot=False)
    pairs = training_pairs(cfg, 2)
    from srkit.data import load_training_images
    assert [p.name for p in pairs] == [n for n, _ in load_training_images(cfg.train_sets, limit=3)[:2]]
    assert all(p.hr.shape[0] % 2 == 0 and p.lr.shape[0] * 2 == p.hr.shape[0] for p in pairs)
    last = result.history[-1]
    assert last["train_psnr"] == pytest.approx(training_psnr(result.model, pairs, 2), abs=1e-9)
    assert last["train_bicubic_psnr"] == pytest.approx(training_psnr("bicubic", pairs, 2), abs=1e-9)
    assert result.gap == pytest.approx(last["train_psnr"] - last["val_psnr"])
    assert result.gain_gap == pytest.approx((last["train_psnr"] - last["train_bicubic_psnr"])
                                            - (last["val_psnr"] - last["val_bicubic_psnr"]))
    assert len({h["train_bicubic_psnr"] for h in result.history}) == 1  # the baseline of fixed images
    assert len({h["train_psnr"] for h in result.history}) == len(result.history)  # the model's changes
    assert "train_psnr" not in train(tiny(steps=10), verbose=0, live_plot=False).history[-1]


def test_early_stopping_stops_keeps_the_best_weights_and_resumes_finished(tmp_path, monkeypatch):
    import srkit.train.supervised as sup

    scores = iter([20.0, 22.0, 21.0, 21.5, 23.0, 24.0])
    monkeypatch.setattr(sup, "validate", lambda *a, **k: {"val_psnr": next(scores), "val_ssim": 0.5})
    seen = []

    class Record(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append([w.copy() for w in self.model.get_weights()])

    cfg = tiny(steps=60, early_stopping=2)
    result = train(cfg, out_dir=tmp_path, verbose=0, live_plot=False, callbacks=[Record()])
    assert [h["val_psnr"] for h in result.history] == [20.0, 22.0, 21.0, 21.5]  # 2 epochs without a better one
    stop = result.early_stop
    assert (stop["stopped"], stop["epoch"], stop["step"], stop["stopped_at_step"], stop["restored"]) == (True, 2, 20, 40, True)
    assert "restored the weights of epoch 2" in stop["message"]
    assert result.final_val_psnr == 22.0 and result.best_val_psnr == 22.0
    assert all(np.array_equal(a, b) for a, b in zip(result.model.get_weights(), seen[1]))
    assert not all(np.array_equal(a, b) for a, b in zip(result.model.get_weights(), seen[3]))
    # run again: the run is finished, nothing more is trained, and the best weights come back from disk
    again = train(cfg, out_dir=tmp_path, verbose=0, live_plot=False)
    assert len(again.history) == 4 and again.early_stop["restored"]
    assert all(np.array_equal(a, b) for a, b in zip(again.model.get_weights(), seen[1]))


# --------------------------------------------------------------------------------------------------
# Range test and dropout
# --------------------------------------------------------------------------------------------------
def test_range_test_finds_where_the_loss_diverges():
    rt = lr_range_test(tiny(limit=2), min_lr=1e-4, max_lr=100.0, steps=80)
    ratios = rt.learning_rates[1:] / rt.learning_rates[:-1]
    assert np.allclose(ratios, (100.0 / 1e-4) ** (1 / 79))  # exponential
    assert rt.diverged is not None and rt.best < rt.diverged <= 100.0
    assert len(rt.losses) < 80  # it stopped when the loss exploded
    assert rt.suggested == pytest.approx(rt.best / 10)
    assert math.isfinite(rt.losses[0])
    with pytest.raises(InvalidValueError, match="max_lr"):
        lr_range_test(tiny(), min_lr=1.0, max_lr=0.1)
    with pytest.raises(InvalidValueError, match="steps"):
        lr_range_test(tiny(), steps=5)


def test_dropout_and_depth_options_of_espcn():
    from srkit.models import espcn

    plain = espcn(3)
    assert plain.count_params() == 22729 and not any(isinstance(la, keras.layers.Dropout) for la in plain.layers)
    dropped = espcn(3, dropout=0.3)
    assert sum(isinstance(la, keras.layers.Dropout) for la in dropped.layers) == 2
    assert dropped.count_params() == plain.count_params()
    x = np.random.default_rng(0).random((1, 8, 8, 1), dtype=np.float32)
    assert np.array_equal(np.asarray(dropped(x)), np.asarray(dropped(x)))  # inference: no dropout
    assert not np.array_equal(np.asarray(dropped(x, training=True)), np.asarray(dropped(x)))
    deep = espcn(3, filters=[16] * 5, activation="relu")
    assert sum(isinstance(la, keras.layers.Conv2D) for la in deep.layers) == 6
    assert tiny(model_config={"dropout": 0.1, "filters": [8, 8]}).model_config["dropout"] == 0.1
