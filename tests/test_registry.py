"""The model registry: one spec per architecture, read by training, the command line and the zoo tools."""

import json
import math

import pytest

keras = pytest.importorskip("keras")

from srkit import models  # noqa: E402
from srkit.cli import build_parser, main  # noqa: E402
from srkit.configs import GANConfig, TrainConfig, defaults  # noqa: E402
from srkit.models import ModelSpec, register, spec, unregister  # noqa: E402


def toy(scale, channels=1, filters=4):
    """A two-layer sub-pixel network: the smallest model that is still an SR model."""
    inp = keras.Input((None, None, channels))
    x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(inp)
    x = keras.layers.Conv2D(channels * scale * scale, 3, padding="same")(x)
    return keras.Model(inp, models.PixelShuffle(scale)(x), name=f"toy_x{scale}")


@pytest.fixture
def toy_registered():
    register(ModelSpec("toy", toy, "lr", "a two-layer toy", patch_size=8, batch_size=4, learning_rate=2e-3))
    yield
    unregister("toy")


def test_adding_a_model_is_one_builder_and_one_entry(toy_registered, tmp_path, capsys):
    assert models.build("toy", 3).output_shape == (None, None, None, 1)
    config = TrainConfig("toy", 3)
    assert (config.patch_size, config.batch_size, config.learning_rate) == (8, 4, 2e-3)
    out = tmp_path / "toy"
    rc = main(["train", "toy", "--scale", "3", "--steps", "6", "--eval-every", "3", "--val-limit", "1",
               "--limit", "2", "--out", str(out), "--quiet"])
    assert rc == 0
    assert "toy x3: 6 steps" in capsys.readouterr().out
    state = json.loads((out / "state.json").read_text())
    assert [h["step"] for h in state["history"]] == [3, 6]
    assert all(math.isfinite(h["val_psnr"]) and h["epoch_time_s"] > 0 for h in state["history"])
    assert (out / "model.keras").exists()
    assert models.load_model(out / "model.keras").count_params() == toy(3).count_params()


def test_the_command_line_lists_registered_models(toy_registered):
    text = build_parser()._subparsers._group_actions[0].choices["train"].format_help()
    for name, m in models.REGISTRY.items():
        assert name in text and m.summary in text
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "no_such_model", "--scale", "2"])


def test_command_line_defaults_are_the_configs_defaults():
    ns = build_parser().parse_args(["train", "espcn", "--scale", "3"])
    assert not hasattr(ns, "steps") and not hasattr(ns, "learning_rate")  # left out: the config decides
    text = build_parser()._subparsers._group_actions[0].choices["train"].format_help()
    assert f"(default: {defaults(TrainConfig)['steps']})" in text
    gan_help = build_parser()._subparsers._group_actions[0].choices["train-gan"].format_help()
    assert f"(default: {defaults(GANConfig)['adversarial_weight']})" in gan_help


def test_specs_are_checked():
    with pytest.raises(ValueError, match="input_kind"):
        ModelSpec("bad", toy, "video")
    with pytest.raises(ValueError, match="identifier"):
        ModelSpec("bad name", toy)
    with pytest.raises(TypeError, match="callable"):
        ModelSpec("bad", 42)
    with pytest.raises(ValueError, match="already registered"):
        register(ModelSpec("espcn", toy))
    with pytest.raises(ValueError, match="Unknown model 'nope'"):
        spec("nope")


def test_every_registered_model_builds_with_its_declared_input_kind():
    for name, m in models.REGISTRY.items():
        net = models.build(name, 2, **({"blocks": 1} if name == "edsr" else {}))
        rank = len(net.input_shape)
        assert rank == (5 if m.input_kind == "burst" else 4), name
        if m.input_kind == "pre_upsampled":
            assert net.output_shape[1:3] == net.input_shape[1:3] or None in net.input_shape[1:3], name


def test_zoo_cards_carry_the_registry_targets():
    from srkit import zoo

    for name, scale in zoo.available():
        if name in models.REGISTRY and spec(name).targets:
            assert zoo.card(name, scale)["targets"] == spec(name).card_targets(), (name, scale)
