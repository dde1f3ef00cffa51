"""Device-fed training (srkit.train.device): packing, the patches drawn inside the compiled step, training,
and the clear errors.  The compiled parts need the JAX backend, so they run in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from srkit import pipeline
from srkit.errors import InvalidValueError, SrkitError
from srkit.train.device import DevicePairs, require_jax, tile_psnr, tiles

ROOT = Path(__file__).resolve().parents[1]


def _images(n=4, seed=0):
    rng = np.random.default_rng(seed)
    return [(f"im{i}", rng.integers(0, 256, (40 + 6 * i, 52 - 4 * i, 3), dtype=np.uint8)) for i in range(n)]


def test_pairs_hold_the_sampler_images_in_the_model_channels():
    s = pipeline.PatchSampler(_images(), scale=2, patch_size=8)
    p = DevicePairs.from_sampler(s)
    assert len(p) == 4 and p.lr.shape[0] == p.hr.shape[0] == 4 and p.lr.shape[-1] == 1
    assert p.hr.shape[1:3] == (2 * p.lr.shape[1], 2 * p.lr.shape[2])
    np.testing.assert_allclose(p.weights, s._p)
    for i in range(4):
        h, w = p.lr_sizes[i]
        assert (h, w) == (s.hr[i].shape[0] // 2, s.hr[i].shape[1] // 2)
        np.testing.assert_array_equal(p.lr[i, :h, :w], pipeline.to_channels(s.lr[i], "y"))
        np.testing.assert_array_equal(p.hr[i, : 2 * h, : 2 * w], pipeline.to_channels(s.hr[i], "y"))
        assert not p.lr[i, h:].any() and not p.lr[i, :, w:].any()  # zero padding beyond the image


def test_pre_upsampled_pairs_store_the_lr_at_hr_size():
    s = pipeline.PatchSampler(_images(2), scale=3, patch_size=6, pre_upsample=True, channels="rgb")
    p = DevicePairs.from_sampler(s)
    assert p.pre_upsample and p.lr.shape == p.hr.shape and p.lr.shape[-1] == 3


def test_random_degradations_and_colour_jitter_are_refused():
    with pytest.raises(InvalidValueError, match="deterministic degradations"):
        DevicePairs.from_sampler(pipeline.PatchSampler(_images(2), 2, 8, degradation="dn"))
    with pytest.raises(InvalidValueError, match="colour_jitter"):
        DevicePairs.from_sampler(pipeline.PatchSampler(_images(2), 2, 8, augment="colour_jitter"))
    with pytest.raises(InvalidValueError, match="PatchSampler"):
        DevicePairs.from_sampler(object())


def test_the_tensorflow_backend_gets_a_clear_error():
    import keras

    if keras.backend.backend() == "jax":
        pytest.skip("this process runs on JAX")
    with pytest.raises(SrkitError, match="KERAS_BACKEND=jax"):
        require_jax()


def test_tiles_and_tile_psnr():
    rng = np.random.default_rng(1)
    lr = rng.random((20, 25, 1)).astype(np.float32)
    hr = rng.random((40, 50, 1)).astype(np.float32)
    x, y = tiles([(lr, hr)], 8, 2)
    assert x.shape == (6, 8, 8, 1) and y.shape == (6, 16, 16, 1)  # 2 rows x 3 columns; borders dropped
    np.testing.assert_array_equal(y[4], hr[16:32, 16:32])
    assert tile_psnr(y, y, 2) == pytest.approx(120.0)  # identical (mse floor 1e-12)
    assert tile_psnr(np.clip(y + 0.1, 0, 1), y, 0) < tile_psnr(np.clip(y + 0.01, 0, 1), y, 0)
    with pytest.raises(InvalidValueError, match="smaller tile"):
        tiles([(lr, hr)], 30, 2)


_JAX_SCRIPT = r"""
import numpy as np, jax, keras
from srkit import models, pipeline
from srkit.pipeline import dihedral
from srkit.train.device import DevicePairs, DeviceTrainer, cosine_rate
rng = np.random.default_rng(0)
images = [rng.integers(0, 256, (60 + 4 * i, 70 - 3 * i, 3), dtype=np.uint8) for i in range(5)]
s = pipeline.PatchSampler(images, scale=2, patch_size=10)
pairs = DevicePairs.from_sampler(s)
model = models.build("espcn", scale=2)
tr = DeviceTrainer(model, pairs, batch_size=16, steps_per_call=10, seed=3)

# every patch is the crop (and symmetry) the draw says, inside its image
x, y, i, r, q, t = map(np.asarray, jax.tree_util.tree_leaves(jax.jit(tr._sample)(jax.random.PRNGKey(5), *tr._data)))
for b in range(16):
    h, w = pairs.lr_sizes[i[b]]
    assert 0 <= r[b] <= h - 10 and 0 <= q[b] <= w - 10, (b, r[b], q[b], h, w)
    ex = dihedral(pairs.lr[i[b], r[b]:r[b] + 10, q[b]:q[b] + 10], t[b] % 4, t[b] >= 4)
    ey = dihedral(pairs.hr[i[b], 2 * r[b]:2 * r[b] + 20, 2 * q[b]:2 * q[b] + 20], t[b] % 4, t[b] >= 4)
    assert np.array_equal(ex, x[b]) and np.array_equal(ey, y[b]), b
print("symmetries", len(set(t.tolist())))

before = [w.copy() for w in model.get_weights()]
first = tr.run(steps=20, learning_rate=1e-3)
second = tr.run(steps=200, learning_rate=cosine_rate(1e-3, 220))
host = tr.run_host_fed(s, steps=20, learning_rate=1e-4, threads=2)
print("steps", tr.steps, first["steps"], second["steps"], host["steps"], host["input"])
print("loss", first["loss"], second["loss"])
assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))  # untouched until sync
tr.sync()
assert not all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
model.save(OUT)
back = models.load_model(OUT, compile=False)
assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), back.get_weights()))
print("saved ok")
for bad, msg in ((lambda: DeviceTrainer(models.build("espcn", scale=3), pairs), "do not match"),
                 (lambda: DeviceTrainer(model, pairs, loss="ssim"), "loss must be"),
                 (lambda: tr.run(), "steps=, seconds=")):
    try:
        bad()
    except Exception as e:
        assert msg in str(e), e
        print("refused:", msg)
"""


def test_device_fed_training_on_jax(tmp_path):
    """Patches drawn in the compiled step are the right crops; training lowers the loss; weights sync and save."""
    pytest.importorskip("jax")
    code = f"OUT = {str(tmp_path / 'm.keras')!r}\n" + _JAX_SCRIPT
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, cwd=ROOT,
                          env=dict(os.environ, KERAS_BACKEND="jax"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert int(out.split("symmetries ")[1].split()[0]) >= 5  # 16 draws over 8 symmetries
    steps = out.split("steps ")[1].split()
    assert steps[:4] == ["240", "20", "200", "20"] and steps[4] == "host"
    first, second = map(float, out.split("loss ")[1].split()[:2])
    assert second < 0.8 * first
    assert "saved ok" in out and out.count("refused:") == 3


def test_gpu_script_packs_and_trains_on_the_jax_backend(tmp_path):
    """tools/gpu_train.py end to end on this CPU: pack the luma images, continue a zoo model for a few
    seconds with the data on the device, and get back a loadable model and the log."""
    pytest.importorskip("jax")
    from srkit.color import rgb_to_y
    from srkit.io import read_image

    pack = tmp_path / "pack"
    proc = subprocess.run([sys.executable, "tools/gpu_train.py", "pack", "--out", str(pack), "--models", "espcn_x3"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    t91 = sorted((pack / "data" / "train" / "T91").glob("*.png"))
    assert len(t91) == 91 and len(list((pack / "data" / "train" / "BSD200").glob("*.png"))) == 200
    rgb, y = read_image(ROOT / "data" / "train" / "T91" / t91[0].name), read_image(t91[0])
    assert y.shape == rgb.shape[:2] + (1,)
    assert np.abs(y[..., 0].astype(float) - rgb_to_y(rgb.astype(np.float32))).max() <= 0.5 + 1e-3  # rounded luma
    assert (pack / "models" / "espcn_x3.keras").exists()

    out = tmp_path / "out"
    cmd = [sys.executable, "tools/gpu_train.py", "train", "--models", "espcn_x3", "--models-dir", str(pack / "models"),
           "--budget", "25", "--batch", "4", "--patch", "10", "--steps-per-call", "2", "--out", str(out)]
    env = dict(os.environ, KERAS_BACKEND="jax", SRKIT_DATA=str(pack / "data"))
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    import json

    log = json.loads((out / "gpu_train.json").read_text())
    m = log["models"]["espcn_x3"]
    assert log["backend"] == "jax" and m["steps"] > 0 and m["images"] == 291 - 8  # the 8 validation images held out
    assert abs(m["val_tiles_psnr_after"] - m["val_tiles_psnr_before"]) < 1.0  # a few steps at a low rate
    from srkit.models import load_model

    assert load_model(out / "espcn_x3.keras", compile=False).count_params() > 0
    # the train step refuses another backend
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env=dict(env, KERAS_BACKEND="tensorflow"))
    assert proc.returncode != 0 and "KERAS_BACKEND=jax" in proc.stderr
