"""Bad input at the kit's entry points: each case gets a clear error (exit status 2 on the command line, an
:class:`srkit.errors.SrkitError` in Python) naming the value and the rule, never a traceback or a silently
wrong result; the good neighbours of each case still work."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image

from srkit import burst, data, degrade
from srkit.burst import check_frames
from srkit.cli import main
from srkit.configs import GANConfig, TrainConfig
from srkit.errors import InvalidValueError, ShapeError, SrkitError


@pytest.fixture(autouse=True)
def _repo_data(monkeypatch):
    monkeypatch.delenv("SRKIT_DATA", raising=False)


@pytest.fixture
def image_file(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "in.png"
    Image.fromarray((rng.random((32, 32, 3)) * 255).astype(np.uint8)).save(path)
    return path


# (command-line arguments, a fragment of the error message); "IMG" is replaced by a 32x32 image file.
CLI_CASES = [
    (["degrade", "IMG", "OUT", "--scale", "2", "--blur", "inf"], "--blur (blur_sigma) must be a finite number from 0 to 100"),
    (["degrade", "IMG", "OUT", "--scale", "2", "--blur", "1e5"], "got 100000.0"),
    (["degrade", "IMG", "OUT", "--scale", "2", "--blur", "-1"], "--blur (blur_sigma) must be"),
    (["degrade", "IMG", "OUT", "--scale", "2", "--blur", "20"], "larger than the 32x32 image (at most 65x65"),
    (["degrade", "IMG", "OUT", "--scale", "2", "--noise", "nan"], "--noise (noise_sigma) must be a finite number"),
    (["degrade", "IMG", "OUT", "--scale", "2", "--noise", "-3"], "--noise (noise_sigma) must be"),
    (["degrade", "IMG", "OUT", "--scale", "2", "--noise", "1e9"], "from 0 to 255"),
    (["degrade", "IMG", "OUT", "--scale", "2", "--jpeg", "0"], "--jpeg (jpeg_quality) must be a whole number from 1 to 100"),
    (["degrade", "IMG", "OUT", "--scale", "2", "--jpeg", "101"], "got 101"),
    (["degrade", "IMG", "OUT", "--scale", "0"], "positive integer"),
    (["degrade", "IMG", "OUT", "--scale", "2", "--seed", "-1"], "--seed must be a whole number >= 0"),
    (["upscale", "IMG", "OUT", "--scale", "2", "--model", "bicubic", "--tile", "-1"], "--tile must be a whole number >= 0"),
    (["upscale", "IMG", "OUT", "--scale", "0", "--model", "bicubic"], "--scale must be a whole number >= 1"),
    (["upscale", "IMG", "OUT", "--scale", "100000", "--model", "bicubic"], "more than the kit's limit of 400,000,000"),
    (["evaluate", "bicubic", "--data", "Set5", "--scale", "2", "--limit", "-1"], "limit must be a whole number >= 1"),
    (["evaluate", "bicubic", "--data", "Set5", "--scale", "2", "--limit", "0"], "error: --limit must be a whole number"),
    (["evaluate", "bicubic", "--data", "Set6", "--scale", "2"], "No benchmark dataset named 'Set6'"),
    (["evaluate", "bicubic", "--data", "Set5", "Set6", "--scale", "2"], "Available: BSD100, Set14, Set5"),
    (["evaluate", "bicubic", "--data", "Set5", "--scale", "5"], "scales (2, 3, 4, 8), not 5"),
    (["train", "espcn", "--scale", "2", "--batch-size", "0"], "--batch-size must be a whole number >= 1, got 0"),
    (["train", "espcn", "--scale", "2", "--patch-size", "-4"], "--patch-size must be"),
    (["train", "espcn", "--scale", "2", "--steps", "0"], "steps must be"),
    (["train", "espcn", "--scale", "2", "--eval-every", "0"], "--eval-every must be"),
    (["train", "espcn", "--scale", "2", "--lr", "nan"], "--lr (learning_rate) must be a finite number > 0"),
    (["train", "espcn", "--scale", "2", "--lr", "0"], "--lr (learning_rate) must be"),
    (["train", "espcn", "--scale", "2", "--time-budget", "inf"], "--time-budget (time_budget_s) must be a finite number > 0"),
    (["train", "espcn", "--scale", "2", "--limit", "0"], "limit must be"),
    (["train", "espcn", "--scale", "2", "--val-limit", "-2"], "--val-limit must be"),
    (["train", "espcn", "--scale", "2", "--val", "Set6"], "--val (val_set) must be 'val' (the held-out training images, the default), one of the test benchmarks Set5, Set14, BSD100"),
    (["train", "espcn", "--scale", "2", "--model-config", '{"nosuch": 1}'], "'nosuch', which the espcn builder"),
    (["train", "espcn", "--scale", "2", "--model-config", '{"scale": 3}'], "must not contain scale"),
    (["train", "espcn", "--scale", "2", "--model-config", "{bad"], "--model-config must be a JSON object"),
    (["train", "espcn", "--scale", "2", "--model-config", "[1]"], "--model-config must be a dict"),
    (["train", "espcn", "--scale", "2", "--init", "no_such.keras"], "--init (init_weights) 'no_such.keras' is not a file"),
    (["train", "espcn", "--scale", "5"], "scale must be one of 2, 3, 4, 8"),
    (["train", "espcn", "--scale", "2", "--warmup", "-1"], "--warmup (warmup_steps) must be"),
    (["train-gan", "--disc-blocks", "0"], "--disc-blocks must be a whole number >= 1"),
    (["train-gan", "--disc-filters", "0"], "--disc-filters must be"),
    (["train-gan", "--g-lr", "inf"], "--g-lr (g_learning_rate) must be a finite number > 0"),
    (["train-gan", "--d-lr=-1e-4"], "--d-lr (d_learning_rate) must be"),
    (["train-gan", "--pixel-weight", "nan"], "--pixel-weight must be a finite number >= 0"),
    (["train-gan", "--adversarial-weight", "-1"], "--adversarial-weight must be"),
    (["train-gan", "--batch-size", "0"], "--batch-size must be"),
    (["train-gan", "--val", "Urban100"], "--val (val_set) must be 'val'"),
]


@pytest.mark.parametrize("argv, fragment", CLI_CASES, ids=[" ".join(a[:1] + a[3:] if a[0] in ("degrade", "upscale") else a)
                                                         for a, _ in CLI_CASES])
def test_command_line_refuses_bad_input(argv, fragment, image_file, tmp_path, capsys):
    out = tmp_path / "out.png"
    argv = [str(image_file) if a == "IMG" else str(out) if a == "OUT" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"srkit {argv[0]}: error: ") and fragment in err
    assert "Traceback" not in err
    assert not out.exists()


IMG = np.zeros((20, 20, 3), np.uint8)
FRAMES = np.full((3, 10, 10, 1), 128, np.uint8)

# (what is called, the exception class, a fragment of its message)
PY_CASES = [
    (lambda: TrainConfig("espcn", 2, model_config={"nosuch": 1}), InvalidValueError, "Its arguments are: activation, dropout, filters"),
    (lambda: TrainConfig("edsr", 2, model_config={"channels": 3}), InvalidValueError, "must not contain channels"),
    (lambda: TrainConfig("espcn", 2, batch_size=0), InvalidValueError, "batch_size"),
    (lambda: TrainConfig("espcn", 2, batch_size=True), InvalidValueError, "batch_size"),
    (lambda: TrainConfig("espcn", 2, steps=2.5), InvalidValueError, "steps must be a whole number"),
    (lambda: TrainConfig("espcn", 2, steps="100"), InvalidValueError, "steps"),
    (lambda: TrainConfig("espcn", 2, learning_rate=float("inf")), InvalidValueError, "learning_rate"),
    (lambda: TrainConfig("espcn", 2, channels="ycbcr"), InvalidValueError, "channels must be one of 'y', 'rgb'"),
    (lambda: TrainConfig("espcn", 2, train_sets=()), InvalidValueError, "at least one training set"),
    (lambda: TrainConfig("espcn", 2, train_sets=[""]), InvalidValueError, "train_sets"),
    (lambda: TrainConfig("espcn", 2, val_set="Set6"), InvalidValueError, "val_set"),
    (lambda: TrainConfig("espcn", 2, val_limit=0), InvalidValueError, "val_limit"),
    (lambda: TrainConfig("espcn", 2, seed=-1), InvalidValueError, "seed"),
    (lambda: TrainConfig("espcn", 2, init_weights=""), InvalidValueError, "init_weights must be 'zoo'"),
    (lambda: TrainConfig("drcn", 2, supervision=float("nan")), InvalidValueError, "supervision"),
    (lambda: TrainConfig("espcn", True), InvalidValueError, "scale must be one of 2, 3, 4, 8"),
    (lambda: GANConfig(feature_weight=float("-inf")), InvalidValueError, "feature_weight"),
    (lambda: GANConfig(perceptual_weight=float("nan")), InvalidValueError, "perceptual_weight"),
    (lambda: GANConfig(time_budget_s=0), InvalidValueError, "time_budget_s"),
    (lambda: GANConfig(patch_size=0), InvalidValueError, "patch_size"),
    (lambda: GANConfig(generator=None), InvalidValueError, "generator must be"),
    (lambda: degrade.Degradation(2, blur_sigma=float("inf")), InvalidValueError, "blur_sigma"),
    (lambda: degrade.Degradation(2, blur_sigma=1.0, blur_size=4), InvalidValueError, "positive odd number"),
    (lambda: degrade.Degradation(2, noise_sigma=float("nan")), InvalidValueError, "noise_sigma"),
    (lambda: degrade.Degradation(2, jpeg_quality=0), InvalidValueError, "jpeg_quality"),
    (lambda: degrade.Degradation(2, jpeg_quality=50.5), InvalidValueError, "jpeg_quality"),
    (lambda: degrade.Degradation(float("inf")), InvalidValueError, "positive integer"),
    (lambda: degrade.Degradation("4"), InvalidValueError, "positive integer"),
    (lambda: degrade.Degradation(2, blur_sigma=10)(IMG), InvalidValueError, "larger than the 20x20 image"),
    (lambda: degrade.gaussian_blur(IMG, float("nan")), InvalidValueError, "sigma must be a finite number"),
    (lambda: degrade.gaussian_blur(IMG, 1e5), InvalidValueError, "<= 100"),
    (lambda: degrade.gaussian_blur(IMG, 1.0, size=10**6), InvalidValueError, "from 1 to 1001"),
    (lambda: degrade.gaussian_kernel(0.0), InvalidValueError, "sigma"),
    (lambda: degrade.add_gaussian_noise(IMG, float("nan")), InvalidValueError, "noise sigma"),
    (lambda: degrade.add_gaussian_noise(IMG, -1.0), InvalidValueError, "noise sigma"),
    (lambda: degrade.add_gaussian_noise(IMG, 1.0, rng=-5), InvalidValueError, "seed"),
    (lambda: degrade.jpeg_compress(IMG, 0), InvalidValueError, "JPEG quality"),
    (lambda: degrade.jpeg_compress(IMG, 101), InvalidValueError, "JPEG quality"),
    (lambda: data.load_benchmark("Set5", 2, limit=-1), InvalidValueError, "limit must be a whole number >= 1"),
    (lambda: data.load_benchmark("Set5", 2, limit=0), InvalidValueError, "limit"),
    (lambda: data.load_benchmark("Set5", 2, limit=1.5), InvalidValueError, "limit"),
    (lambda: data.load_benchmark("Set5", 5), InvalidValueError, "not 5"),
    (lambda: data.load_benchmark("Set5", True), InvalidValueError, "not True"),
    (lambda: data.load_benchmark(None, 2), InvalidValueError, "non-empty string"),
    (lambda: data.load_benchmark("Set6", 2), SrkitError, "No benchmark dataset named 'Set6'"),
    (lambda: check_frames(FRAMES.astype(np.float32)), InvalidValueError, "values from 128 to 128"),
    (lambda: check_frames(FRAMES.astype(np.float32)), InvalidValueError, "divide by 255"),
    (lambda: check_frames(np.full((3, 10, 10, 1), np.nan, np.float32)), InvalidValueError, "NaN or infinite"),
    (lambda: check_frames(np.full((3, 10, 10, 1), -0.5, np.float32)), InvalidValueError, "[0, 1]"),
    (lambda: check_frames(np.zeros((3, 10, 10, 4), np.uint8)), ShapeError, "Drop the alpha channel"),
    (lambda: check_frames(np.zeros((3, 10, 10, 2), np.uint8)), ShapeError, "grey (1 channel) or RGB (3)"),
    (lambda: check_frames(np.zeros((3, 10, 10, 1), np.int64)), ShapeError, "uint8 (0-255) or float"),
    (lambda: check_frames([FRAMES[0], FRAMES[1].astype(np.float32) / 255]), ShapeError, "same dtype"),
    (lambda: check_frames(np.zeros((10, 10, 1), np.uint8)), ShapeError, "(N, h, w, C)"),
    (lambda: check_frames([]), ShapeError, "no frames"),
    (lambda: burst.make_burst(np.zeros((64, 64), np.uint8), 4, frames=0), InvalidValueError, "frames must be"),
    (lambda: burst.make_burst(np.zeros((64, 64), np.uint8), 4, noise_sigma=float("nan")), InvalidValueError,
     "noise_sigma must be a finite number"),
    (lambda: burst.make_burst(np.zeros((64, 64), np.uint8), 2.5), InvalidValueError, "scale must be a whole number"),
    (lambda: check_frames(5), ShapeError, "list of images"),
]


@pytest.mark.parametrize("call, error, fragment", PY_CASES)
def test_python_calls_refuse_bad_input(call, error, fragment):
    with pytest.raises(error) as e:
        call()
    assert fragment in str(e.value)
    assert isinstance(e.value, SrkitError)
    assert isinstance(e.value, ValueError) or isinstance(e.value, FileNotFoundError)


def test_good_neighbours_still_work(image_file, tmp_path, capsys):
    out = tmp_path / "lr.png"
    assert main(["degrade", str(image_file), str(out), "--scale", "2", "--blur", "1.6", "--noise", "5",
                 "--jpeg", "100", "--seed", "0"]) == 0
    assert np.asarray(Image.open(out)).shape == (16, 16, 3)
    assert main(["degrade", str(image_file), str(out), "--scale", "2", "--blur", "10", "--overwrite"]) == 0
    capsys.readouterr()
    assert main(["upscale", str(image_file), str(tmp_path / "sr.png"), "--scale", "3", "--model", "bicubic",
                 "--tile", "0"]) == 0
    assert np.asarray(Image.open(tmp_path / "sr.png")).shape == (96, 96, 3)
    capsys.readouterr()
    assert main(["evaluate", "bicubic", "--data", "set5", "--scale", "2", "--limit", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[-1] == "1"  # one image, as asked
    c = TrainConfig("espcn", 2, model_config={"filters": [8, 4]}, val_set="set14", val_limit=1, limit=1,
                    time_budget_s=1, train_sets="T91", steps=3.0)
    assert (c.val_set, c.train_sets, c.steps, c.eval_every) == ("Set14", ("T91",), 3, 3)
    assert TrainConfig("espcn", 2, val_set="").val_set is None
    assert TrainConfig("drcn", 2, supervision=0.5).supervision == 0.5
    g = GANConfig(adversarial_weight=0, perceptual_weight=0.0, disc_blocks=1, disc_filters=1, val_set=None)
    assert (g.adversarial_weight, g.disc_blocks, g.val_set) == (0.0, 1, None)
    assert degrade.Degradation(2, noise_sigma=255, jpeg_quality=1)(IMG, rng=0).shape == (10, 10, 3)
    assert len(data.load_benchmark("Set5", 2, limit=1)) == 1
    assert len(data.load_benchmark("Set5", 2, limit=10**6)) == 5
    for frames in (FRAMES, FRAMES.astype(np.float32) / 255, list(FRAMES[..., 0])):
        assert check_frames(frames).shape == (3, 10, 10, 1)
    assert check_frames(np.zeros((2, 8, 8, 3), np.float64)).dtype == np.float64


@pytest.mark.slow
def test_bursts_float_frames_equal_uint8_frames_and_scale_is_checked():
    from srkit.models import multiframe_rnn

    model = multiframe_rnn(4, frames=3, filters=4)
    b = burst.make_burst(np.asarray(Image.new("RGB", (64, 64), (90, 160, 30))), 4, frames=3, seed=0)
    as_uint8 = burst.upscale_burst(model, b)
    as_float = burst.upscale_burst(model, b.frames.astype(np.float32) / 255.0)
    np.testing.assert_allclose(as_float, as_uint8, atol=1e-5)
    assert math.isfinite(float(as_uint8.mean()))
    with pytest.raises(InvalidValueError, match="divide by 255"):
        burst.upscale_burst(model, b.frames.astype(np.float32))
    with pytest.raises(ShapeError, match="Drop the alpha"):
        burst.upscale_burst(model, np.concatenate([b.frames, b.frames[..., :1]], axis=-1))
    for bad in (4.5, 0, "4"):
        with pytest.raises(InvalidValueError, match="scale must be a whole number"):
            burst.upscale_burst(model, b, scale=bad)
    with pytest.raises(ShapeError, match="not x2"):
        burst.upscale_burst(model, b, scale=2)
    assert burst.upscale_burst(model, b, scale=4, tile=8, overlap=4).shape == as_uint8.shape
