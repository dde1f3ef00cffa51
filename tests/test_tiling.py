"""Every upscaling path works tile by tile with bounded memory, gives exactly the untiled result, and refuses
results above the documented limit (srkit.degrade.MAX_UPSCALE_PIXELS) before doing any work."""

from __future__ import annotations

import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

from srkit import degrade
from srkit.cli import main
from srkit.errors import InvalidValueError
from srkit.infer import InterpolationUpscaler, KerasUpscaler, predict_tiled
from srkit.io import read_image, save_image


def _image(h, w, c=3, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, c), dtype=np.uint8)


@pytest.mark.parametrize("method", degrade.INTERPOLATIONS)
@pytest.mark.parametrize("scale", [2, 3, 4])
def test_tiled_interpolation_is_exactly_the_untiled_one(method, scale):
    img = _image(61, 47)
    whole = degrade.upscale(img, scale, method, tile=None)
    assert whole.shape == (61 * scale, 47 * scale, 3)
    for tile in (1, 5, 16):
        np.testing.assert_array_equal(degrade.upscale(img, scale, method, tile=tile), whole)
        np.testing.assert_array_equal(InterpolationUpscaler(method, tile=tile)(img, scale), whole)
    floats = img[..., :2] / 255.0  # float images and any channel count: bit for bit as well
    np.testing.assert_array_equal(degrade.upscale(floats, scale, method, tile=7),
                                  degrade.upscale(floats, scale, method, tile=None))


def _matlab_weights(n: int, s: int):
    """Bicubic weights and (clipped) indices with MATLAB's mapping u = x / s + (1 - 1 / s) / 2, per output pixel."""
    u = np.arange(1, n * s + 1) / s + 0.5 * (1 - 1 / s)
    taps = np.floor(u - 2)[:, None] + np.arange(6)[None, :]
    w = degrade._cubic(u[:, None] - taps)
    return w / w.sum(axis=1, keepdims=True), np.clip(taps.astype(int) - 1, 0, n - 1)


def _matlab_upscale(lr: np.ndarray, s: int) -> np.ndarray:
    out = lr.astype(np.float64)
    for axis in (0, 1):
        w, idx = _matlab_weights(out.shape[axis], s)
        x = np.moveaxis(out, axis, 0)
        out = np.moveaxis(np.floor(np.einsum("ij,ij...->i...", w, x[idx]) + 0.5).clip(0, 255), 0, axis)
    return out.astype(np.uint8)


def test_tile_exact_weights_leave_the_benchmark_bicubic_unchanged():
    """Tiling needs weights computed from each output pixel's phase (x3: x / 3 rounds differently from phase
    + whole pixels); they agree with MATLAB's mapping to 1e-13 and give the same pixels on Set5 and Set14."""
    from srkit.data import load_benchmark

    n = 40
    weights, _ = degrade._contributions(n, n * 3, 3.0, "bicubic", True, "replicate")
    direct, _ = _matlab_weights(n, 3)
    np.testing.assert_allclose(weights, direct[:, np.any(direct != 0, axis=0)], rtol=0, atol=1e-13)
    for name in ("Set5", "Set14"):
        for pair in load_benchmark(name, 3):
            np.testing.assert_array_equal(degrade.upscale(pair.lr, 3), _matlab_upscale(pair.lr, 3), err_msg=pair.name)


def test_the_command_line_tiles_interpolation_exactly(tmp_path, capsys):
    src = save_image(tmp_path / "in.png", _image(50, 70))
    for tile in ("0", "9", "128"):
        assert main(["upscale", str(src), str(tmp_path / f"t{tile}.png"), "--model", "bicubic", "--scale", "3",
                     "--tile", tile]) == 0
    whole = read_image(tmp_path / "t0.png")
    np.testing.assert_array_equal(whole, degrade.upscale(read_image(src), 3, tile=None))
    for tile in ("9", "128"):
        np.testing.assert_array_equal(read_image(tmp_path / f"t{tile}.png"), whole)


def test_interpolation_memory_is_bounded_by_the_tile(tmp_path):
    """Besides the uint8 result, a tiled interpolation holds about one tile's work; the untiled float64
    computation holds many times the result."""
    img = _image(300, 200)
    result_bytes = 300 * 4 * 200 * 4 * 3
    up = InterpolationUpscaler("bilinear", tile=32)
    up(img[:40, :40], 4)  # warm up
    tracemalloc.start()
    try:
        out = up(img, 4)
        _, tiled_peak = tracemalloc.get_traced_memory()
        del out
        tracemalloc.reset_peak()
        degrade.upscale(img, 4, "bilinear", tile=None)
        _, untiled_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert tiled_peak < result_bytes + 3_000_000, (tiled_peak, result_bytes)
    assert untiled_peak > 8 * result_bytes  # what tiling saves


@pytest.mark.parametrize("call", [
    lambda: degrade.upscale(np.zeros((1000, 1000), np.uint8), 21),
    lambda: InterpolationUpscaler("nearest")(np.zeros((5001, 5000), np.uint8), 4),
    lambda: predict_tiled(lambda r, c: np.zeros((8 * (r.stop - r.start), 8 * (c.stop - c.start))), (3000, 2200)),
], ids=["degrade.upscale", "InterpolationUpscaler", "predict_tiled"])
def test_results_above_the_limit_are_refused_before_any_work(call):
    with pytest.raises(InvalidValueError, match=r"more than the kit's limit of 400,000,000 .*Crop the input"):
        call()


def test_a_network_refuses_results_above_the_limit_before_running():
    class Never:
        input_shape = (None, None, None, 1)
        name = "never"

        def __call__(self, *a, **k):
            raise AssertionError("the network must not run")

    with pytest.raises(InvalidValueError, match="limit of 400,000,000"):
        KerasUpscaler(Never())(np.zeros((5001, 5000), np.uint8), 4)
    assert degrade.MAX_UPSCALE_PIXELS == 400_000_000 >= 6000 * 4000 * 4 ** 2


@pytest.mark.slow
def test_a_6000x4000_photo_at_x4_with_bicubic_is_tiled_on_the_command_line(tmp_path):
    """The 24000x16000 result (1.15 GB) is made tile by tile and written row by row: the process never holds
    much more than the result itself (untiled float64 bicubic would need over 9 GB)."""
    y, x = np.mgrid[0:4000, 0:6000]
    img = np.stack([(x * 7 + y * 3) % 256, (x // 3 + y) % 256, (x ^ y) & 255], axis=-1).astype(np.uint8)
    src = save_image(tmp_path / "photo.png", img)
    out = tmp_path / "photo_x4.png"
    # The peak of this process's own memory: VmHWM (ru_maxrss would also count the pytest process it was
    # forked from, which Linux carries over exec).
    code = ("import sys; from srkit.cli import main; rc = main(sys.argv[1:]); "
            "hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')][0]; "
            "print('maxrss_kb', hwm); sys.exit(rc)")
    done = subprocess.run([sys.executable, "-c", code, "upscale", str(src), str(out), "--model", "bicubic",
                           "--scale", "4"], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "6000x4000 -> " in done.stdout and ": 24000x16000 (bicubic x4" in done.stdout
    peak = int(done.stdout.split("maxrss_kb")[1].split()[0]) * 1024
    result_bytes = 24000 * 16000 * 3
    assert peak < result_bytes + 1_000_000_000, f"peak RSS {peak / 1e9:.2f} GB"  # measured: 1.26 GB
    sr = read_image(out, max_pixels=None)
    assert sr.shape == (16000, 24000, 3)
    m = degrade.interpolation_margin("bicubic")
    for y0, x0 in ((0, 0), (1234, 4321), (3960, 5950)):  # corners and a tile-straddling interior patch
        ya, xa = max(0, y0 - m), max(0, x0 - m)
        crop = img[ya:y0 + 40 + m, xa:x0 + 50 + m]
        ref = degrade.upscale(crop, 4, tile=None)
        got = sr[y0 * 4:(y0 + 40) * 4, x0 * 4:(x0 + 50) * 4]
        np.testing.assert_array_equal(got, ref[(y0 - ya) * 4:(y0 - ya + 40) * 4, (x0 - xa) * 4:(x0 - xa + 50) * 4][
            :got.shape[0], :got.shape[1]])
