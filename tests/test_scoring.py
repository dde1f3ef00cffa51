"""srkit.scoring: the one benchmark-scoring loop, SSIM from scikit-image, OpenCV as an optional extra."""

import sys

import numpy as np
import pytest
from scipy.ndimage import correlate1d

from srkit import degrade
from srkit.burst import evaluate_bursts
from srkit.data import load_benchmark
from srkit.errors import OptionalDependencyError, ShapeError, SrkitError
from srkit.evaluate import OPENCV_VARIANTS, PROTOCOL_VARIANTS, evaluate, protocol_effects
from srkit.metrics import psnr, ssim, texture_distance, to_y_channel
from srkit.scoring import METRICS, mean_scores, score_benchmark, score_image, score_pairs


def reference_ssim(a: np.ndarray, b: np.ndarray) -> float:
    """ssim_index.m written out: 11x11 Gaussian (sigma 1.5), K = (0.01, 0.03), valid region, L = 255."""
    r = np.arange(11) - 5
    g = np.exp(-(r**2) / (2 * 1.5**2))
    g /= g.sum()

    def filt(x):
        y = correlate1d(correlate1d(x, g, axis=0, mode="constant"), g, axis=1, mode="constant")
        return y[5:-5, 5:-5]

    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mu_a, mu_b = filt(a), filt(b)
    s_aa, s_bb, s_ab = filt(a * a) - mu_a**2, filt(b * b) - mu_b**2, filt(a * b) - mu_a * mu_b
    m = ((2 * mu_a * mu_b + c1) * (2 * s_ab + c2)) / ((mu_a**2 + mu_b**2 + c1) * (s_aa + s_bb + c2))
    return float(m.mean())


@pytest.mark.parametrize("dataset,scale", [("Set5", 4), ("Set14", 3)])
def test_ssim_equals_the_reference_implementation_on_benchmarks(dataset, scale):
    for p in load_benchmark(dataset, scale, limit=4 if dataset == "Set14" else None):
        sr = degrade.upscale(p.lr, scale)
        a, b = to_y_channel(sr)[scale:-scale, scale:-scale], to_y_channel(p.hr)[scale:-scale, scale:-scale]
        assert ssim(sr, p.hr, crop_border=scale) == pytest.approx(reference_ssim(a, b), abs=1e-6), p.name
    p = load_benchmark("Set5", 2)[3]  # all three colour channels
    sr = degrade.upscale(p.lr, 2)
    per_channel = [reference_ssim(sr[..., c].astype(float), p.hr[..., c].astype(float)) for c in range(3)]
    assert ssim(sr, p.hr, y_channel=False) == pytest.approx(np.mean(per_channel), abs=1e-6)
    assert ssim(p.hr, p.hr) == pytest.approx(1.0)


def test_score_image_quantises_reshapes_and_shaves():
    p = load_benchmark("Set5", 3)[0]
    sr = degrade.upscale(p.lr, 3)
    s = score_image(sr, p.hr, 3)
    assert list(s) == ["psnr", "ssim"]
    assert s["psnr"] == psnr(sr, p.hr, 3) and s["ssim"] == ssim(sr, p.hr, 3)
    assert score_image(sr / 255.0 + 0.4 / 255, p.hr, 3) == s  # floats are quantised as saving would
    assert score_image(sr, p.hr, 3, crop_border=0)["psnr"] == psnr(sr, p.hr, 0)
    assert score_image(sr, p.hr, 3, y_channel=False)["psnr"] == psnr(sr, p.hr, 3, y_channel=False)
    t = score_image(sr, p.hr, 3, ("texture", "psnr"))
    assert list(t) == ["texture", "psnr"] and t["texture"] == texture_distance(sr, p.hr, 3)
    grey = score_image(sr[..., 0], p.hr[..., :1], 3)  # (H, W) counts as (H, W, 1)
    assert grey["psnr"] == psnr(sr[..., :1], p.hr[..., :1], 3)
    custom = score_image(sr, p.hr, 3, {"border": lambda a, b, scale, crop, y: crop, "scale": lambda *a: a[2]})
    assert custom == {"border": 3.0, "scale": 3.0}
    with pytest.raises(ShapeError, match=r"Set5/baby at x3.*\(170, 170, 3\).*\(510, 510, 3\)"):
        score_image(p.lr, p.hr, 3, where="Set5/baby at x3")
    with pytest.raises(ValueError, match="Unknown metric.*lpips"):
        score_image(sr, p.hr, 3, ("psnr", "lpips"))
    with pytest.raises(ValueError, match="always measured on Y"):
        score_image(sr, p.hr, 3, ("texture",), y_channel=False)
    assert set(METRICS) == {"psnr", "ssim", "texture"}


def test_score_pairs_rows_labels_and_means():
    pairs = load_benchmark("Set5", 2, limit=3)
    rows = score_pairs(lambda pair: degrade.upscale(pair.lr, 2), pairs, 2, method="bicubic", dataset="Set5")
    assert [r["image"] for r in rows] == [p.name for p in pairs]
    assert list(rows[0]) == ["method", "dataset", "scale", "image", "psnr", "ssim"]
    table = evaluate("bicubic", "Set5", 2, per_image=True, limit=3)
    assert [r["psnr"] for r in rows] == list(table.psnr) and [r["ssim"] for r in rows] == list(table.ssim)
    m = mean_scores(rows)
    assert m == {"psnr": pytest.approx(table.psnr.mean(), abs=1e-12), "ssim": pytest.approx(table.ssim.mean(), abs=1e-12)}
    assert score_benchmark("bicubic", "Set5", 2, limit=3, method="bicubic") == rows
    hr_rows = score_pairs(lambda pair: pair.hr, pairs, 2, ("psnr", "texture"))
    assert all(r["psnr"] == float("inf") and r["texture"] == 0 for r in hr_rows)
    with pytest.raises(ShapeError, match="bicubic/Set5/baby at x2.*expected"):
        score_pairs(lambda pair: pair.lr, pairs, 2, method="bicubic", dataset="Set5")
    with pytest.raises(ValueError, match="no scores to average"):
        mean_scores([])
    with pytest.raises(ValueError, match="texture"):
        mean_scores(rows, ("psnr", "texture"))


def test_evaluate_and_bursts_go_through_the_loop():
    table = evaluate("nearest", ["Set5"], [4], limit=2)
    rows = score_benchmark("nearest", "Set5", 4, limit=2)
    assert table.psnr[0] == pytest.approx(mean_scores(rows)["psnr"], abs=1e-12)
    bic = evaluate_bursts("bicubic", "Set5", 4, frames=2, limit=2)
    assert list(bic.columns) == ["dataset", "frames", "psnr", "ssim"] and bic.frames[0] == 2
    assert 20 < bic.psnr[0] < 40 and 0.5 < bic.ssim[0] < 1


def test_protocol_effects_rows_are_the_scores_they_describe():
    pytest.importorskip("cv2")
    t = protocol_effects("Set5", 4)
    assert list(t.variant) == list(PROTOCOL_VARIANTS)
    row = t.set_index("variant")
    pairs = load_benchmark("Set5", 4)
    bic = [degrade.upscale(p.lr, 4) for p in pairs]
    assert row.loc["paper protocol", "psnr"] == pytest.approx(np.mean([psnr(s, p.hr, 4) for s, p in zip(bic, pairs)]))
    assert row.loc["RGB instead of Y", "psnr"] == pytest.approx(
        np.mean([psnr(s, p.hr, 4, y_channel=False) for s, p in zip(bic, pairs)]))
    assert row.loc["no border shave", "ssim"] == pytest.approx(np.mean([ssim(s, p.hr, 0) for s, p in zip(bic, pairs)]))
    assert row.loc["paper protocol", "d_psnr"] == 0
    assert row.loc["RGB instead of Y", "d_psnr"] < 0


def test_opencv_is_optional(monkeypatch, capsys):
    pytest.importorskip("cv2")
    with_cv = protocol_effects("Set5", 4).set_index("variant")
    monkeypatch.setitem(sys.modules, "cv2", None)  # as if OpenCV were not installed
    img = load_benchmark("Set5", 4)[1].hr
    with pytest.raises(OptionalDependencyError, match=r'pip install "srkit\[opencv\]"') as info:
        degrade.library_resize(img, (10, 10), "opencv")
    assert isinstance(info.value, SrkitError) and isinstance(info.value, ImportError)
    assert "opencv-contrib-python-headless" in str(info.value)
    assert degrade.library_resize(img, (10, 10), "pil").shape == (10, 10, 3)  # other libraries still work
    without = protocol_effects("Set5", 4).set_index("variant")
    note = capsys.readouterr().out
    assert "left out" in note and "srkit[opencv]" in note
    assert list(without.index) == [v for v in PROTOCOL_VARIANTS if v not in OPENCV_VARIANTS]
    assert (without.psnr == with_cv.loc[without.index, "psnr"]).all()
    assert len(protocol_effects("Set5", 4, opencv=False)) == len(without)
    with pytest.raises(OptionalDependencyError, match="optional"):
        protocol_effects("Set5", 4, opencv=True)
