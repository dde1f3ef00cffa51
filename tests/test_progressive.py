"""Progressive (LapSRN-style) upsampling, deep supervision at several sizes, and starting a model from
another scale or architecture by layer name."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from srkit import models  # noqa: E402
from srkit.errors import InvalidValueError  # noqa: E402
from srkit.train import TrainConfig, train  # noqa: E402
from srkit.train.supervised import _dataset, _sampler, _supervised, _target_factors, box_downscale  # noqa: E402

SMALL = {"blocks": 1, "filters": 8}
ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("scale", [2, 4, 8])
def test_progressive_output_and_supervised_view_sizes(scale):
    m = models.build("edsr_progressive", scale, **SMALL)
    x = np.random.default_rng(0).random((1, 5, 7, 1), dtype=np.float32)
    assert np.asarray(m(x)).shape == (1, 5 * scale, 7 * scale, 1)
    view = _supervised(m)
    outs = view(x)
    outs = outs if isinstance(outs, (list, tuple)) else [outs]
    # the final output first, then prediction1 (x2), prediction2 (x4): the final one is not repeated
    expected = [scale] + [2 ** k for k in range(1, scale.bit_length() - 1)]
    assert [tuple(np.asarray(o).shape[1:3]) for o in outs] == [(5 * f, 7 * f) for f in expected]
    np.testing.assert_allclose(np.asarray(outs[0]), np.asarray(m(x)), atol=1e-6)
    if len(outs) > 1:
        assert _target_factors(view) == [scale // f for f in expected]


def test_progressive_layer_names_match_the_flagship_up_to_the_body():
    edsr = models.build("edsr", 8, **SMALL)
    prog = models.build("edsr_progressive", 8, **SMALL)
    names = {layer.name for layer in prog.layers}
    shared = ["head", "block1_conv1", "block1_conv2", "block1_scale", "block1_add", "body_end", "long_skip",
              "up1_conv", "up1_shuffle", "up2_conv", "up3_conv", "up3_shuffle"]
    for n in shared:
        assert n in names and edsr.get_layer(n).__class__ is prog.get_layer(n).__class__, n
    assert {"prediction1", "prediction2", "stage3_tail", "stage2_block1_conv1"} <= names
    assert "prediction3" not in names


def test_progressive_refuses_scale_3_and_bad_stage_blocks():
    with pytest.raises(InvalidValueError, match="2, 4, 8"):
        models.build("edsr_progressive", 3, **SMALL)
    with pytest.raises(InvalidValueError, match="stage_blocks"):
        models.build("edsr_progressive", 4, stage_blocks=-1, **SMALL)


def test_box_downscale_is_the_block_mean():
    hr = np.arange(2 * 8 * 8 * 1, dtype=np.float32).reshape(2, 8, 8, 1) / 128
    out = box_downscale(hr, 4)
    assert out.shape == (2, 2, 2, 1)
    assert out[1, 0, 1, 0] == pytest.approx(hr[1, 0:4, 4:8, 0].mean())
    assert box_downscale(hr, 1) is not None and np.array_equal(box_downscale(hr, 1), hr)


def test_supervised_targets_are_the_box_filtered_hr():
    cfg = TrainConfig("edsr_progressive", 8, steps=3, eval_every=3, val_limit=1, limit=2, model_config=SMALL,
                      patch_size=8, batch_size=2)
    sampler = _sampler(cfg)
    x, y = sampler.batch_at(cfg.seed, 0, cfg.batch_size)
    x, (final, p1, p2) = next(iter(_dataset(cfg, sampler, 0, [1, 4, 2])))
    y = np.asarray(y)
    assert np.asarray(final).shape == (2, 64, 64, 1) and np.asarray(p1).shape == (2, 16, 16, 1)
    assert np.asarray(p2).shape == (2, 32, 32, 1)
    np.testing.assert_allclose(np.asarray(final), y, atol=1e-7)
    np.testing.assert_allclose(np.asarray(p1)[1, 3, 5], y[1, 12:16, 20:24].mean(axis=(0, 1)), atol=1e-6)
    np.testing.assert_allclose(np.asarray(p2), box_downscale(y, 2), atol=1e-6)


def test_progressive_trains_with_a_loss_at_each_stage_and_saves(tmp_path):
    cfg = TrainConfig("edsr_progressive", 8, steps=3, eval_every=3, val_limit=1, limit=2, model_config=SMALL,
                      patch_size=8, batch_size=2)
    assert cfg.supervision == 0.5  # the registry's default
    result = train(cfg, out_dir=tmp_path, verbose=0)
    assert np.isfinite(result.history[-1]["loss"]) and "val_psnr" in result.history[-1]
    assert len(result.model.outputs) == 1
    loaded = keras.saving.load_model(tmp_path / "model.keras", safe_mode=True)
    x = np.random.default_rng(1).random((1, 4, 5, 1), dtype=np.float32)
    assert np.asarray(loaded(x)).shape == (1, 32, 40, 1)
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(result.model(x)), atol=1e-5)


def test_a_killed_progressive_run_resumes_with_its_three_outputs(tmp_path):
    cfg = TrainConfig("edsr_progressive", 8, steps=2, eval_every=1, val_limit=1, limit=2, model_config=SMALL,
                      patch_size=8, batch_size=2)

    class Kill(Exception):
        pass

    class KillAfterFirstEpoch(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            raise Kill()

    with pytest.raises(Kill):
        train(cfg, out_dir=tmp_path, verbose=0, callbacks=[KillAfterFirstEpoch()])
    checkpoint = keras.saving.load_model(sorted(tmp_path.glob("checkpoint*.keras"))[-1], safe_mode=True)
    assert _target_factors(checkpoint) == [1, 4, 2]  # the training view: final, x2 and x4 predictions
    resumed = train(cfg, out_dir=tmp_path, verbose=0)
    assert [h["step"] for h in resumed.history] == [1, 2] and len(resumed.model.outputs) == 1


def test_edsr_x8_upsamples_eight_times():
    m = models.build("edsr", 8, **SMALL)
    assert np.asarray(m(np.zeros((1, 3, 4, 1), np.float32))).shape == (1, 24, 32, 1)
    assert [layer.name for layer in m.layers if layer.name.endswith("_conv") and layer.name.startswith("up")] == \
        ["up1_conv", "up2_conv", "up3_conv"]


@pytest.mark.parametrize("target_name", ["edsr", "edsr_progressive"])
def test_transfer_weights_copies_shared_layers_from_an_x4_edsr(target_name):
    keras.utils.set_random_seed(0)
    source = models.build("edsr", 4, **SMALL)
    target = models.build(target_name, 8, **SMALL)
    before = {layer.name: [np.array(w) for w in layer.get_weights()] for layer in target.layers if layer.weights}
    report = models.transfer_weights(source, target)
    body = ["head", "block1_conv1", "block1_conv2", "body_end", "up1_conv", "up2_conv"]
    assert set(body) <= set(report["copied"])
    for n in body:
        for a, b in zip(source.get_layer(n).get_weights(), target.get_layer(n).get_weights()):
            np.testing.assert_array_equal(a, b)
    assert report["extended"] == ["up3_conv <- up2_conv"]
    for a, b in zip(source.get_layer("up2_conv").get_weights(), target.get_layer("up3_conv").get_weights()):
        np.testing.assert_array_equal(a, b)
    if target_name == "edsr":
        assert "tail" in report["copied"] and report["fresh"] == [] and report["unused"] == []
    else:  # the stages' own layers keep their fresh initialisation; edsr's tail has no counterpart
        assert {"stage1_tail", "stage3_block1_conv1"} <= set(report["fresh"]) and report["unused"] == ["tail"]
        for n in report["fresh"]:
            for a, b in zip(before[n], target.get_layer(n).get_weights()):
                np.testing.assert_array_equal(a, b)
    plain = models.build(target_name, 8, **SMALL)
    report = models.transfer_weights(source, plain, extend_upsampling=False)
    assert "up3_conv" in report["fresh"] and report["extended"] == []


def test_transfer_weights_reports_shape_mismatches():
    source = models.build("edsr", 4, blocks=1, filters=8)
    target = models.build("edsr", 4, blocks=2, filters=16)
    report = models.transfer_weights(source, target)
    assert report["copied"] == [] and any(s.startswith("head:") for s in report["skipped"])
    assert "block2_conv1" in report["fresh"]
    with pytest.raises(InvalidValueError, match="Keras models"):
        models.transfer_weights("edsr", target)


def test_init_from_tool_writes_a_file_training_can_start_from(tmp_path):
    src = tmp_path / "edsr_x4.keras"
    models.build("edsr", 4, **SMALL).save(src)
    out = tmp_path / "init.keras"
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "init_from.py"), str(src), "--model", "edsr_progressive",
                           "--scale", "8", "--out", str(out), "--model-config", '{"blocks": 1, "filters": 8}'],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "copied" in proc.stdout and "up3_conv <- up2_conv" in proc.stdout
    loaded = keras.saving.load_model(out, safe_mode=True)
    np.testing.assert_array_equal(loaded.get_layer("head").get_weights()[0],
                                  keras.saving.load_model(src, safe_mode=True).get_layer("head").get_weights()[0])
    cfg = TrainConfig("edsr_progressive", 8, steps=1, eval_every=1, val_limit=1, limit=2, model_config=SMALL,
                      patch_size=8, batch_size=2, init_weights=str(out))
    assert train(cfg, verbose=0).history
    bad = subprocess.run([sys.executable, str(ROOT / "tools" / "init_from.py"), str(src), "--model", "edsr_progressive",
                          "--scale", "3", "--out", str(tmp_path / "x.keras")], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2 and "2, 4, 8" in bad.stderr



def test_init_from_refuses_to_copy_nothing_and_pairs_automatic_names_by_order(tmp_path):
    keras.utils.set_random_seed(0)
    src = tmp_path / "espcn_x3.keras"
    models.build("espcn", 3)  # a first build moves Keras's automatic layer names on (conv2d_3, ...)
    source = models.build("espcn", 3)
    assert [layer.name for layer in source.layers if layer.weights][0] != "conv2d"
    source.save(src)
    tool = [sys.executable, str(ROOT / "tools" / "init_from.py"), str(src), "--model", "espcn", "--scale", "4"]
    out = tmp_path / "x4.keras"
    by_name = subprocess.run(tool + ["--out", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert by_name.returncode == 2 and "--by-order" in by_name.stderr and not out.exists()
    by_order = subprocess.run(tool + ["--out", str(out), "--by-order"], capture_output=True, text=True, cwd=ROOT)
    assert by_order.returncode == 0, by_order.stderr
    assert "copied (2)" in by_order.stdout and "skipped (1)" in by_order.stdout
    loaded = keras.saving.load_model(out, safe_mode=True)
    convs = lambda m: [layer for layer in m.layers if layer.weights]  # noqa: E731
    for a, b in zip(convs(source)[:2], convs(loaded)[:2]):
        for wa, wb in zip(a.get_weights(), b.get_weights()):
            np.testing.assert_array_equal(wa, wb)
    assert convs(loaded)[2].get_weights()[0].shape == (3, 3, 32, 16)

def test_config_refuses_a_scale_the_progressive_model_cannot_build():
    from srkit.configs import TrainConfig
    from srkit.errors import InvalidValueError

    with pytest.raises(InvalidValueError, match="edsr_progressive is built for scales 2, 4, 8, not 3"):
        TrainConfig("edsr_progressive", 3)
    assert TrainConfig("edsr_progressive", 8).scale == 8
