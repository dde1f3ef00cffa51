"""The training engine: it trains, validates, checkpoints, resumes exactly, and stops on trouble."""

import json

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from srkit.cli import main  # noqa: E402
from srkit.errors import SrkitError  # noqa: E402
from srkit.models import spec  # noqa: E402
from srkit.train import TrainConfig, train  # noqa: E402


def tiny(**kw):
    base = dict(model="espcn", scale=2, steps=30, eval_every=10, val_limit=1, limit=3, batch_size=8)
    base.update(kw)
    return TrainConfig(**base)


def test_config_defaults_and_validation():
    c = TrainConfig("edsr", 4)
    assert (c.patch_size, c.batch_size, c.learning_rate) == (spec("edsr").patch_size, spec("edsr").batch_size, spec("edsr").learning_rate)
    assert TrainConfig.from_json(json.loads(json.dumps(c.to_json()))) == c
    with pytest.raises(ValueError, match="Unknown model"):
        TrainConfig("vdsr", 2)
    with pytest.raises(ValueError, match="scale"):
        TrainConfig("espcn", 6)
    with pytest.raises(ValueError, match="loss"):
        TrainConfig("espcn", 2, loss="huber")


def test_training_learns_validates_and_saves(tmp_path):
    result = train(tiny(steps=60, eval_every=20), out_dir=tmp_path, verbose=0)
    assert [h["step"] for h in result.history] == [20, 40, 60]
    assert all("val_psnr" in h and "loss" in h for h in result.history)
    assert result.history[-1]["loss"] < result.history[0]["loss"]
    assert result.history[-1]["val_psnr"] > 25  # well above a blank image, on Set5 x2
    for f in ("config.json", "state.json", "checkpoint-e000003.keras", "model.keras"):
        assert (tmp_path / f).exists()
    loaded = keras.saving.load_model(tmp_path / "model.keras", safe_mode=True)
    assert loaded.count_params() == result.model.count_params()


@pytest.mark.slow
def test_a_killed_run_resumes_exactly(tmp_path):
    full = train(tiny(), out_dir=tmp_path / "full", verbose=0)

    class Kill(Exception):
        pass

    class KillAfterFirstEpoch(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            raise Kill()

    with pytest.raises(Kill):
        train(tiny(), out_dir=tmp_path / "resumed", verbose=0, callbacks=[KillAfterFirstEpoch()])
    assert json.loads((tmp_path / "resumed" / "state.json").read_text())["step"] == 10
    resumed = train(tiny(), out_dir=tmp_path / "resumed", verbose=0)
    assert [h["step"] for h in resumed.history] == [10, 20, 30]
    for a, b in zip(full.model.get_weights(), resumed.model.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.slow
def test_a_kill_between_checkpoint_and_state_resumes_from_the_previous_epoch(tmp_path, monkeypatch):
    from srkit.train import RunFolder

    full = train(tiny(), out_dir=tmp_path / "full", verbose=0)

    class Kill(Exception):
        pass

    real = RunFolder._write_json
    saves = []

    def killed_before_second_state(self, name, data):
        if name == "state.json":
            saves.append(data["epoch"])
            if data["epoch"] == 2:  # epoch 2's checkpoint is on disk, its state.json never lands
                raise Kill()
        real(self, name, data)

    monkeypatch.setattr(RunFolder, "_write_json", killed_before_second_state)
    with pytest.raises(Kill):
        train(tiny(), out_dir=tmp_path / "resumed", verbose=0)
    monkeypatch.setattr(RunFolder, "_write_json", real)
    assert json.loads((tmp_path / "resumed" / "state.json").read_text())["step"] == 10
    resumed = train(tiny(), out_dir=tmp_path / "resumed", verbose=0)
    assert [h["step"] for h in resumed.history] == [10, 20, 30]
    for a, b in zip(full.model.get_weights(), resumed.model.get_weights()):
        np.testing.assert_array_equal(a, b)
    # only the last epoch's checkpoint is kept
    assert sorted(p.name for p in (tmp_path / "resumed").glob("checkpoint*")) == ["checkpoint-e000003.keras"]


def test_a_damaged_run_folder_is_named_with_what_to_do(tmp_path):
    train(tiny(steps=10), out_dir=tmp_path, verbose=0)
    (tmp_path / "state.json").write_text("{not json")
    with pytest.raises(SrkitError, match=r"state\.json.*damaged.*resume=False"):
        train(tiny(steps=10), out_dir=tmp_path, verbose=0)
    (tmp_path / "state.json").write_text(json.dumps({"epoch": 1, "step": 10, "history": [],
                                                      "checkpoints": {"checkpoint": "gone.keras"}}))
    with pytest.raises(SrkitError, match="not there"):
        train(tiny(steps=10), out_dir=tmp_path, verbose=0)
    (tmp_path / "gone.keras").write_bytes(b"truncated")
    with pytest.raises(SrkitError, match=r"Could not load the checkpoint .*gone\.keras.*resume=False"):
        train(tiny(steps=10), out_dir=tmp_path, verbose=0)
    assert train(tiny(steps=10), out_dir=tmp_path, verbose=0, resume=False).history[-1]["step"] == 10


def test_resuming_with_another_config_is_refused(tmp_path):
    train(tiny(steps=10), out_dir=tmp_path, verbose=0)
    with pytest.raises(SrkitError, match="different configuration"):
        train(tiny(steps=10, learning_rate=0.1), out_dir=tmp_path, verbose=0)


def test_nan_loss_stops_with_a_clear_error(tmp_path, monkeypatch):
    from srkit.pipeline import PatchSampler

    real = PatchSampler.batch_at

    def poisoned(self, seed, step, batch_size):
        lr, hr = real(self, seed, step, batch_size)
        return lr, hr * np.nan

    monkeypatch.setattr(PatchSampler, "batch_at", poisoned)
    with pytest.raises(SrkitError, match="loss became nan"):
        train(tiny(steps=20), out_dir=tmp_path, verbose=0)


@pytest.mark.slow
def test_time_budget_stops_training():
    result = train(tiny(steps=10**7, eval_every=25, time_budget_s=3.0, val_set=None), verbose=0)
    assert result.history[-1]["step"] < 10**7
    assert result.history[-1]["learning_rate"] < tiny().learning_rate


def test_pre_upsampling_model_trains_on_bicubic_input():
    result = train(tiny(model="srcnn", steps=10, eval_every=10, patch_size=8), verbose=0)
    assert result.history[-1]["val_psnr"] > 20


def test_train_command_line(tmp_path, capsys):
    out = tmp_path / "run"
    rc = main(["train", "espcn", "--scale", "3", "--steps", "10", "--eval-every", "5", "--limit", "2",
               "--batch-size", "4", "--out", str(out), "--quiet"])
    assert rc == 0
    assert "espcn x3: 10 steps" in capsys.readouterr().out
    assert (out / "model.keras").exists()


@pytest.mark.slow
def test_training_under_a_distribution_strategy():
    import tensorflow as tf

    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
    result = train(tiny(steps=10, eval_every=10), verbose=0, strategy=strategy)
    assert result.history[-1]["step"] == 10 and result.history[-1]["val_psnr"] > 15


@pytest.mark.slow
def test_fine_tuning_starts_from_the_pretrained_weights(tmp_path):
    from srkit import zoo

    cfg = TrainConfig("espcn", 3, steps=2, eval_every=2, learning_rate=1e-9, init_weights="zoo", limit=2, batch_size=4)
    result = train(cfg, verbose=0)
    tested = result.test_scores(["Set5"])  # the final weights on the test set, as on the card
    assert tested.psnr.iloc[0] == pytest.approx(zoo.card("espcn", 3)["scores"]["Set5"]["psnr"], abs=0.05)
    wrong = TrainConfig("espcn", 2, steps=2, eval_every=2, init_weights=str(zoo.ZOO_DIR / "models" / "fsrcnn_x2.keras"), limit=2)
    with pytest.raises(SrkitError, match="same architecture"):
        train(wrong, verbose=0)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["sequence_rnn", "drcn"])
def test_recurrent_single_image_models_train(name):
    result = train(tiny(model=name, scale=3, steps=6, eval_every=6, patch_size=8, batch_size=4), verbose=0)
    assert result.history[-1]["step"] == 6 and result.history[-1]["val_psnr"] > 20


@pytest.mark.slow
def test_drcn_deep_supervision_trains_every_prediction_and_saves_the_plain_model(tmp_path):
    cfg = TrainConfig("drcn", 3, steps=4, eval_every=2, limit=3, val_limit=1, batch_size=4,
                      model_config={"recursions": 3})
    assert cfg.supervision == 0.5  # the drcn default
    result = train(cfg, out_dir=tmp_path, verbose=0)
    last = result.history[-1]
    assert all(f"prediction{t}_loss" in last for t in (1, 2, 3)) and "val_psnr" in last
    assert len(result.model.outputs) == 1
    saved = keras.saving.load_model(tmp_path / "model.keras", safe_mode=True)
    assert len(saved.outputs) == 1
    longer = train(TrainConfig("drcn", 3, steps=6, eval_every=2, limit=3, val_limit=1, batch_size=4,
                                model_config={"recursions": 3}), out_dir=tmp_path / "other", verbose=0)
    assert [h["step"] for h in longer.history] == [2, 4, 6]
    one = train(TrainConfig("drcn", 3, steps=2, eval_every=2, limit=3, val_limit=1, batch_size=4,
                            model_config={"recursions": 1}), verbose=0)  # nothing to supervise: plain training
    assert "loss" in one.history[-1]
    with pytest.raises(ValueError, match="only for drcn"):
        TrainConfig("espcn", 3, supervision=0.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        TrainConfig("drcn", 3, supervision=1.5)


def test_every_epoch_records_its_training_time(tmp_path):
    # Time budgets, zoo cards and study tables add up epoch_time_s: every run must log it, not only timed ones.
    result = train(tiny(steps=20, eval_every=10, val_set=None), out_dir=tmp_path, verbose=0)
    assert [h["step"] for h in result.history] == [10, 20]
    assert all(h["epoch_time_s"] > 0 for h in result.history)
    saved = json.loads((tmp_path / "state.json").read_text())["history"]
    assert [h["epoch_time_s"] for h in saved] == [h["epoch_time_s"] for h in result.history]


def test_runs_validate_on_held_out_images_and_report_the_benchmarks_at_the_end(tmp_path, capsys):
    config = tiny(steps=10, eval_every=10)
    assert TrainConfig("espcn", 3).val_set == "val"
    result = train(config, verbose=0)
    assert result.final_val_psnr == result.history[-1]["val_psnr"] == result.best_val_psnr
    from srkit.train import validate

    assert validate(result.model, 2, "val", limit=1)["val_psnr"] == pytest.approx(result.final_val_psnr, abs=1e-6)
    tested = result.test_scores(["Set5"], limit=1)
    assert tested.dataset.tolist() == ["Set5"] and tested.psnr.iloc[0] > 15
    assert TrainConfig("espcn", 3, val_set="set5").val_set == "Set5"  # a benchmark may still be chosen
    with pytest.raises(ValueError, match="'val'"):
        TrainConfig("espcn", 3, val_set="Set6")
    rc = main(["train", "espcn", "--scale", "2", "--steps", "4", "--eval-every", "4", "--limit", "2", "--val-limit",
               "1", "--batch-size", "4", "--out", str(tmp_path / "r"), "--quiet", "--test", "Set5"])
    out = capsys.readouterr().out
    assert rc == 0 and "val PSNR" in out and "test (final weights): Set5" in out
    assert main(["train", "espcn", "--scale", "2", "--steps", "4", "--out", str(tmp_path / "s"),
                 "--test", "Set6"]) != 0  # refused before training
    assert not (tmp_path / "s" / "model.keras").exists()


def test_train_command_line_takes_the_training_practice_options(tmp_path, capsys):
    out = tmp_path / "run"
    rc = main(["train", "espcn", "--scale", "2", "--steps", "6", "--eval-every", "2", "--limit", "2", "--val-limit", "1",
               "--batch-size", "4", "--out", str(out), "--quiet", "--test", "--augment", "none", "--optimizer", "sgd",
               "--schedule", "step", "--weight-decay", "1e-4", "--l1-penalty", "1e-6", "--train-psnr-images", "1",
               "--early-stopping", "5", "--rescale", "0.8", "0.6"])
    assert rc == 0
    import json

    cfg = json.loads((out / "config.json").read_text())
    assert (cfg["augment"], cfg["optimizer"], cfg["schedule"], cfg["weight_decay"], cfg["l1_penalty"],
            cfg["train_psnr_images"], cfg["early_stopping"], cfg["rescale"]) == ("none", "sgd", "step", 1e-4, 1e-6, 1,
                                                                                 5, [0.8, 0.6])
    state = json.loads((out / "state.json").read_text())
    assert "train_psnr" in state["history"][-1]
    assert "test (final weights)" not in capsys.readouterr().out  # --test with no set: no test
    with pytest.raises(SystemExit) as e:  # argparse refuses an unknown choice, naming the valid ones
        main(["train", "espcn", "--scale", "2", "--augment", "mixup", "--out", str(tmp_path / "x")])
    assert e.value.code == 2 and "colour_jitter" in capsys.readouterr().err


def test_fine_tuning_from_the_zoo_builds_the_zoo_models_network():
    from srkit import zoo
    from srkit.errors import InvalidValueError

    arch = zoo.card("espcn", 3)["architecture"]["config"]
    cfg = TrainConfig("espcn", 3, init_weights="zoo")
    assert cfg.model_config == {k: v for k, v in arch.items() if k != "channels"}  # e.g. the zoo's ReLU
    assert TrainConfig.from_json(cfg.to_json()).model_config == cfg.model_config  # resuming rebuilds the same
    other = "tanh" if arch.get("activation", "tanh") == "relu" else "relu"
    with pytest.raises(InvalidValueError, match="taken from the zoo's card"):
        TrainConfig("espcn", 3, init_weights="zoo", model_config={"activation": other})


def test_weights_of_another_activation_are_refused(tmp_path):
    from srkit.models import espcn

    path = tmp_path / "relu.keras"
    espcn(3, activation="relu").save(path)
    cfg = TrainConfig("espcn", 3, steps=2, eval_every=2, init_weights=str(path), model_config={"activation": "tanh"},
                      limit=2, batch_size=4, val_set=None)
    with pytest.raises(SrkitError, match="other activations"):
        train(cfg, verbose=0)
