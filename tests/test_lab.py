"""Tests for srkit.lab: bringing an image (uploads incl. corrupt and 1-pixel ones), the choices, running and
scoring, exports that never overwrite, folder mode, the blind A/B test and its votes file, and the widgets'
logic driven without a browser."""

from __future__ import annotations

import io
import math
from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from srkit import zoo
from srkit.data import load_benchmark
from srkit.degrade import Degradation, modcrop
from srkit.errors import ImageReadError, InvalidValueError, ShapeError
from srkit.lab import (LAB_TILE, MIN_LR_SIDE, VOTE_COLUMNS, ABTest, LabState, LabWidget, available_methods,
                       bundled_images, process_folder, read_upload, read_votes, vote_summary)
from srkit.quality import niqe
from srkit.scoring import score_image


def _png(a: np.ndarray, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, format=fmt)
    return buf.getvalue()


@pytest.fixture(scope="module")
def butterfly():
    return load_benchmark("Set5", 4)[2].hr  # 256x256 colour


@pytest.fixture(scope="module")
def ran(butterfly):
    """A lab that ran bicubic and ESPCN on a degraded image (blur, noise, JPEG)."""
    lab = LabState()
    lab.load_bytes(_png(butterfly), "my butterfly.png")
    lab.configure(scale=4, mode="degrade", blur=0.8, noise=2.0, jpeg=90, seed=3)
    lab.run(["bicubic", "espcn"])
    return lab


# -- bringing an image ----------------------------------------------------------------------------------
def test_upload_bytes_are_read_with_the_kits_policy(butterfly):
    src = read_upload(_png(butterfly), "my butterfly.png")
    assert src.name == "my_butterfly" and src.path is None
    assert np.array_equal(src.image, butterfly)
    grey = read_upload(_png(butterfly[..., 0]), "g.png").image
    assert grey.shape == butterfly.shape[:2] + (1,)
    rgba = np.dstack([butterfly, np.zeros(butterfly.shape[:2], np.uint8)])  # fully transparent: white
    assert (read_upload(_png(rgba), "t.png").image == 255).all()


@pytest.mark.parametrize("content, words", [
    (b"", "empty"),
    (b"this is not an image at all", "not an image"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "not an image|corrupt|truncated"),
])
def test_bad_uploads_are_refused_naming_the_upload(content, words):
    with pytest.raises(ImageReadError, match=words) as err:
        read_upload(content, "holiday.png")
    assert "holiday.png" in str(err.value) and "srkit-upload-" not in str(err.value)


def test_a_truncated_upload_is_refused(butterfly):
    data = _png(butterfly)
    with pytest.raises(ImageReadError, match="holiday.png"):
        read_upload(data[: len(data) // 2], "holiday.png")


def test_a_one_pixel_image_is_refused_with_the_minimum_size():
    lab = LabState()
    lab.load_bytes(_png(np.full((1, 1, 3), 200, np.uint8)), "dot.png")
    for mode, need in (("lr", MIN_LR_SIDE), ("degrade", MIN_LR_SIDE * 4)):
        lab.configure(scale=4, mode=mode)
        with pytest.raises(ShapeError, match=f"too small.*{need}x{need}"):
            lab.run(["bicubic"])


def test_bundled_images_and_paths(tmp_path, butterfly):
    names = bundled_images()
    assert "Set5/butterfly" in names and "Set14/zebra" in names and len(names) == 5 + 14 + 100
    lab = LabState()
    assert np.array_equal(lab.load_bundled("Set5/butterfly").image, butterfly)
    with pytest.raises(InvalidValueError, match="bundled"):
        lab.load_bundled("Set5/nothing")
    path = tmp_path / "b.png"
    path.write_bytes(_png(butterfly))
    src = lab.load_path(path)
    assert src.path == path and src.name == "b"
    with pytest.raises(ImageReadError, match="no such file"):
        lab.load_path(tmp_path / "missing.png")


# -- choices --------------------------------------------------------------------------------------------
def test_methods_are_the_interpolations_and_the_single_image_zoo_models_of_a_scale():
    for s in (2, 3, 4):
        ms = available_methods(s)
        assert ms[:3] == ["nearest", "bilinear", "bicubic"]
        models = {n for n, k in zoo.available() if k == s and zoo.card(n, k).get("input_kind") != "burst"}
        assert set(ms) - set(ms[:5]) == models and models
    assert "edsr_gan" in available_methods(4) and "edsr_gan" not in available_methods(2)
    assert "multiframe_rnn" not in available_methods(4)


def test_invalid_choices_are_refused():
    lab = LabState()
    with pytest.raises(InvalidValueError, match="scales"):
        lab.configure(scale=5)
    with pytest.raises(InvalidValueError, match="mode"):
        lab.configure(mode="reference")
    with pytest.raises(ValueError, match="JPEG|jpeg"):
        lab.configure(jpeg=101)
    with pytest.raises(InvalidValueError, match="Bring an image"):
        lab.run(["bicubic"])
    lab.load_bundled("Set5/baby")
    with pytest.raises(InvalidValueError, match="edsr_gan"):
        lab.configure(scale=2)
        lab.run(["edsr_gan"])
    with pytest.raises(InvalidValueError, match="at least one"):
        lab.run([])


# -- running and scoring ----------------------------------------------------------------------------------
def test_degrade_mode_scores_against_the_reference(ran, butterfly):
    hr = modcrop(butterfly, 4)
    lr = Degradation(4, blur_sigma=0.8, noise_sigma=2.0, jpeg_quality=90)(hr, rng=3)
    assert np.array_equal(ran.lr, lr) and np.array_equal(ran.hr, hr)
    table = ran.table()
    assert list(table.method) == ["bicubic", "espcn", "HR (reference)"]
    for m in ("bicubic", "espcn"):
        row = table[table.method == m].iloc[0]
        want = score_image(ran.outputs[m].image, hr, 4)
        assert row.psnr == pytest.approx(want["psnr"]) and row.ssim == pytest.approx(want["ssim"])
        assert row.niqe == pytest.approx(niqe(ran.outputs[m].image, crop_border=4))
        assert row.seconds > 0
    assert ran.outputs["espcn"].image.shape == hr.shape
    ref = table[table.method == "HR (reference)"].iloc[0]
    assert ref.niqe == pytest.approx(niqe(hr, crop_border=4)) and math.isnan(ref.psnr)
    # the network beats bicubic on PSNR; the sharp reference is the most natural by NIQE
    assert table.psnr[1] > table.psnr[0] and ref.niqe < table.niqe[:2].min()


def test_the_comparison_shows_psnr_ssim_and_niqe(ran):
    cs = ran.comparison()
    assert cs.labels == ["bicubic", "espcn", "HR"] and cs.reference == "HR" and cs.crop_border == 4
    m = ran.outputs["espcn"].scores
    assert cs.metric_text("espcn") == f"{m['psnr']:.2f} dB / {m['ssim']:.4f} / NIQE {m['niqe']:.2f}"
    assert cs.metric_text("HR").startswith("ground truth / NIQE ")


def test_lr_mode_has_no_reference_but_niqe(butterfly):
    lab = LabState()
    lab.load_bytes(_png(butterfly[:64, :80]), "small.png")
    lab.configure(scale=2, mode="lr")
    table = lab.run(["bicubic", "nearest"])
    assert list(table.method) == ["bicubic", "nearest"] and table.psnr.isna().all() and table.ssim.isna().all()
    assert lab.outputs["bicubic"].image.shape == (128, 160, 3)
    assert np.isfinite(table.niqe).all()
    assert table.niqe[1] == pytest.approx(niqe(lab.outputs["nearest"].image, crop_border=2))
    cs = lab.comparison()
    assert cs.reference is None and cs.metric_text("nearest") == f"NIQE {table.niqe[1]:.2f}"
    lab.configure(scale=2, mode="lr")
    lab.load_bytes(_png(butterfly[:20, :30]), "tiny.png")
    assert math.isnan(lab.run(["bicubic"]).niqe[0])  # 40x60: smaller than one 96x96 NIQE patch
    assert lab.comparison().metric_text("bicubic") == "NIQE n/a"


def test_large_images_are_upscaled_tile_by_tile_as_in_one_piece(butterfly):
    lr = np.concatenate([butterfly] * 2, axis=1)[:, : LAB_TILE + 60]  # wider than one tile
    lab = LabState()
    lab.load_bytes(_png(lr), "wide.png")
    lab.configure(scale=2, mode="lr")
    lab.run(["espcn"])
    whole = zoo.upscaler("espcn", tile=None)(lr, 2)
    diff = np.abs(lab.outputs["espcn"].image.astype(int) - whole.astype(int))
    # the same up to float rounding: at most a few pixels one grey level off after quantisation
    assert diff.max() <= 1 and np.mean(diff > 0) < 1e-3


def test_progress_reports_every_method(butterfly):
    calls = []
    lab = LabState()
    lab.load_bytes(_png(butterfly), "b.png")
    lab.configure(scale=2, mode="degrade")
    lab.run(["bicubic", "bilinear"], progress=lambda d, t, w: calls.append((d, t, w)))
    assert calls[0] == (0, 3, "bicubic") and calls[1] == (1, 3, "bilinear") and calls[-1] == (3, 3, "done")


# -- export -------------------------------------------------------------------------------------------------
def test_export_writes_pngs_and_csv_and_never_overwrites_without_asking(ran, tmp_path):
    written = ran.export(tmp_path / "out")
    names = sorted(p.name for p in written)
    assert names == ["my_butterfly_x4_bicubic.png", "my_butterfly_x4_espcn.png", "my_butterfly_x4_metrics.csv"]
    assert np.array_equal(np.asarray(Image.open(tmp_path / "out" / "my_butterfly_x4_espcn.png")),
                          ran.outputs["espcn"].image)
    csv = pd.read_csv(tmp_path / "out" / "my_butterfly_x4_metrics.csv")
    assert list(csv.method) == list(ran.table().method)
    assert np.allclose(csv.psnr[:2], ran.table().psnr[:2], rtol=1e-5)
    before = {p: p.read_bytes() for p in written}
    (tmp_path / "out" / "my_butterfly_x4_bicubic.png").write_bytes(b"mine")
    with pytest.raises(FileExistsError, match="already exist.*Nothing was written"):
        ran.export(tmp_path / "out")
    assert (tmp_path / "out" / "my_butterfly_x4_bicubic.png").read_bytes() == b"mine"
    ran.export(tmp_path / "out", overwrite=True)
    assert written[0].read_bytes() == before[written[0]]
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]  # no temporary files left


def test_export_never_writes_over_the_image_brought(tmp_path, butterfly):
    src = tmp_path / "photo_x2_bicubic.png"
    lab = LabState()
    data = _png(butterfly[:40, :40])
    src.write_bytes(data)
    lab.load_path(src)
    lab.source.name = "photo"
    lab.configure(scale=2, mode="lr")
    lab.run(["bicubic"])
    with pytest.raises(InvalidValueError, match="never writes over it"):
        lab.export(tmp_path, overwrite=True)
    assert src.read_bytes() == data


# -- folder mode ------------------------------------------------------------------------------------------
def test_folder_mode_processes_every_image_and_lists_failures(tmp_path, butterfly):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.png").write_bytes(_png(butterfly[:96, :120]))
    (folder / "b.jpg").write_bytes(_png(butterfly[100:200, 50:170], "JPEG"))
    (folder / "c.png").write_bytes(b"broken")
    (folder / "d.png").write_bytes(_png(np.zeros((1, 1, 3), np.uint8)))
    calls = []
    rows, summary = process_folder(folder, ["bicubic", "nearest"], scale=2, out=tmp_path / "out",
                                   progress=lambda d, t, w: calls.append((d, t, w)))
    assert [c[2] for c in calls] == ["a.png", "b.jpg", "c.png", "d.png", "done"]
    ok = rows[rows.error == ""]
    assert set(ok.image) == {"a", "b"} and len(ok) == 2 * 3  # two methods and the reference each
    errors = dict(zip(rows[rows.error != ""].image, rows[rows.error != ""].error))
    assert "not an image" in errors["c"] and "too small" in errors["d"]
    assert list(summary.method) == ["bicubic", "nearest"] and list(summary.images) == [2, 2]
    mean = ok[ok.method == "bicubic"].psnr.mean()
    assert summary.psnr[0] == pytest.approx(mean) and summary.psnr[0] > summary.psnr[1]
    out = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert "summary.csv" in out and "a_x2_bicubic.png" in out and "b_x2_metrics.csv" in out
    with pytest.raises(FileExistsError, match="summary.csv"):
        process_folder(folder, ["bicubic"], scale=2, out=tmp_path / "out")
    with pytest.raises(InvalidValueError, match="another folder"):
        process_folder(folder, ["bicubic"], scale=2, out=folder)
    assert sorted(p.name for p in folder.iterdir()) == ["a.png", "b.jpg", "c.png", "d.png"]


# -- the A/B test -------------------------------------------------------------------------------------------
def _scored(rng):
    images = {k: rng.integers(0, 256, (64, 80, 3), dtype=np.uint8) for k in ("a", "b", "c")}
    scores = {"a": {"psnr": 30.0, "ssim": 0.9, "niqe": 8.0}, "b": {"psnr": 28.0, "ssim": 0.8, "niqe": 4.0},
              "c": {"psnr": 26.0, "ssim": 0.7, "niqe": 6.0}}
    return images, scores


def test_trials_are_seeded_random_pairs_orders_and_crops(rng, tmp_path):
    images, scores = _scored(rng)
    t1 = ABTest(images, scores, tmp_path / "v.csv", crop=32, seed=7)
    t2 = ABTest(images, scores, tmp_path / "v.csv", crop=32, seed=7)
    seq1 = [t1.skip() for _ in range(40)]
    seq2 = [t2.skip() for _ in range(40)]
    assert seq1 == seq2
    assert {(t.left, t.right) for t in seq1} == {(a, b) for a in "abc" for b in "abc" if a != b}  # both orders
    assert all(0 <= t.x <= 80 - 32 and 0 <= t.y <= 64 - 32 and t.size == 32 for t in seq1)
    assert len({(t.x, t.y) for t in seq1}) > 20
    t3 = ABTest(images, scores, tmp_path / "v.csv", crop=32, seed=8)
    assert [t3.skip() for _ in range(40)] != seq1
    left, right = t1.crops()
    t = t1.trial
    assert np.array_equal(left, images[t.left][t.y:t.y + 32, t.x:t.x + 32])
    assert np.array_equal(right, images[t.right][t.y:t.y + 32, t.x:t.x + 32])


def test_votes_are_appended_and_summarised(rng, tmp_path):
    images, scores = _scored(rng)
    path = tmp_path / "votes.csv"
    test = ABTest(images, scores, path, image="scene", scale=4, crop=16, seed=1, voter="ada")
    chosen = []
    for i in range(12):
        t = test.trial
        row = test.vote("left" if i % 3 else "right")
        chosen.append((row["choice"], row["other"]))
        assert row["choice"] == (t.left if i % 3 else t.right)
    votes = read_votes(path)
    assert list(votes.columns) == list(VOTE_COLUMNS) and len(votes) == 12 and (votes.voter == "ada").all()
    # a second session appends to the same file
    ABTest(images, scores, path, seed=2).vote("left")
    assert len(read_votes(path)) == 13
    s = vote_summary(path)
    votes = read_votes(path)
    agree_psnr = sum(scores[c]["psnr"] > scores[o]["psnr"] for c, o in zip(votes.choice, votes.other))
    agree_niqe = sum(scores[c]["niqe"] < scores[o]["niqe"] for c, o in zip(votes.choice, votes.other))
    assert s["votes"] == 13 and s["psnr"]["agree"] == agree_psnr and s["psnr"]["counted"] == 13
    assert s["ssim"]["agree"] == agree_psnr  # SSIM ranks these three as PSNR does
    assert s["niqe"]["agree"] == agree_niqe and s["niqe"]["rate"] == pytest.approx(agree_niqe / 13)
    assert sum(s["wins"].values()) == 13 and sum(s["shown"].values()) == 26
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_without_reference_only_niqe_is_counted(rng, tmp_path):
    images, scores = _scored(rng)
    scores = {k: {"psnr": float("nan"), "ssim": float("nan"), "niqe": v["niqe"]} for k, v in scores.items()}
    test = ABTest(images, scores, tmp_path / "v.csv", seed=0)
    for _ in range(5):
        test.vote("left")
    s = vote_summary(tmp_path / "v.csv")
    assert s["psnr"]["counted"] == 0 and math.isnan(s["psnr"]["rate"]) and s["niqe"]["counted"] == 5
    empty = vote_summary(tmp_path / "none.csv")
    assert empty["votes"] == 0 and empty["niqe"]["counted"] == 0


def test_a_foreign_csv_is_never_written_into(rng, tmp_path):
    images, scores = _scored(rng)
    other = tmp_path / "grades.csv"
    other.write_text("student,grade\nada,1\n")
    with pytest.raises(InvalidValueError, match="not an A/B votes file"):
        ABTest(images, scores, other)
    assert other.read_text() == "student,grade\nada,1\n"
    with pytest.raises(InvalidValueError, match="two outputs"):
        ABTest({"a": images["a"]}, scores, tmp_path / "v.csv")
    with pytest.raises(InvalidValueError, match="'left' or 'right'"):
        ABTest(images, scores, tmp_path / "v.csv").vote("A")


# -- the widgets, without a browser ---------------------------------------------------------------------------
def _upload(widget, content: bytes, name: str):
    widget.upload.value = ({"name": name, "type": "image/png", "size": len(content), "content": memoryview(content),
                            "last_modified": datetime.now(timezone.utc)},)


def test_widget_upload_run_export_and_vote(tmp_path, butterfly):
    lw = LabWidget(votes=tmp_path / "votes.csv", out=tmp_path / "out")
    _upload(lw, _png(butterfly), "fly.png")
    assert "fly: 256x256 pixels" in lw.status.value and lw.state.source.name == "fly"
    lw.scale.value = 2
    assert "edsr_gan" not in lw.methods.options
    lw.methods.value = ("bicubic", "espcn")
    lw.run_btn.click()
    assert "done: 2 method(s)" in lw.status.value, lw.status.value
    assert lw.progress.value == lw.progress.max == 3
    assert "espcn" in lw.results.value and "HR (reference)" in lw.results.value
    cw = lw.compare_widget
    assert cw is not None and lw.compare_box.children == (cw.widget,)
    assert "NIQE" in cw.captions["espcn"].value and " dB / " in cw.captions["espcn"].value
    before = cw.swipe.value
    cw.pos.value = 0.1
    assert cw.swipe.value != before
    lw.export_btn.click()
    assert "wrote 3 files" in lw.status.value
    lw.export_btn.click()  # again: refused, shown in the widget
    assert "already exist" in lw.status.value and "color:#b00" in lw.status.value
    lw.voter_name.value = "ada"
    lw.ab_btn.click()
    ab = lw.ab_widget
    first = ab.left.value
    ab.pick_left.click()
    ab.pick_right.click()
    assert "votes this session: <b class='srkit-ab-count'>2</b>" in ab.status.value
    votes = read_votes(tmp_path / "votes.csv")
    assert len(votes) == 2 and "2 vote(s)" in ab.summary.value and (votes.voter == "ada").all()
    assert set(votes.choice) | set(votes.other) <= {"bicubic", "espcn"} and (votes.image == "fly").all()
    assert ab.left.value != first or ab.test.trial is not None


@pytest.mark.parametrize("content, words", [(b"garbage", "not an image"), (b"", None)])
def test_widget_shows_bad_uploads_as_messages(content, words):
    lw = LabWidget()
    _upload(lw, content, "bad.png")
    if words:
        assert words in lw.status.value and "bad.png" in lw.status.value and "color:#b00" in lw.status.value
    else:
        assert "empty" in lw.status.value
    assert lw.state.source is None


def test_widget_shows_a_one_pixel_upload_and_other_mistakes_as_messages(tmp_path):
    lw = LabWidget(votes=tmp_path / "v.csv")
    lw.run_btn.click()
    assert "Bring an image first" in lw.status.value
    _upload(lw, _png(np.zeros((1, 1, 3), np.uint8)), "dot.png")
    assert "dot: 1x1 pixels" in lw.status.value
    lw.methods.value = ("bicubic",)
    lw.run_btn.click()
    assert "too small" in lw.status.value and "color:#b00" in lw.status.value
    lw.ab_btn.click()
    assert "at least two methods" in lw.status.value
    lw.path.value = str(tmp_path / "nothing.png")
    lw.load_path_btn.click()
    assert "no such file" in lw.status.value
    lw.folder_btn.click()
    assert "folder" in lw.status.value
