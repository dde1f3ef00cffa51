"""The quality-cost plane (efficiency chapter): published reference points, FLOPs per output pixel, the
Pareto front, the table against the zoo's cards, the plot, and clear errors on bad input."""

import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from srkit import zoo
from srkit.errors import InvalidValueError, SrkitError
from srkit.profile import (COST_COLUMNS, REFERENCE_FILE, _all_flops, count_flops, flops_per_output_pixel, pareto_front,
                           quality_cost, reference_points)

ROOT = Path(__file__).resolve().parent.parent
REF = json.loads(REFERENCE_FILE.read_text())


# ---- the reference file ------------------------------------------------------------------------------

def test_reference_file_ships_in_the_wheel():
    """setuptools globs package-data patterns relative to the package folder: one must match the file."""
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["srkit"]
    pkg = ROOT / "srkit"
    matched = {p for pat in patterns for p in pkg.glob(pat)}
    assert (pkg / "reference" / "efficient_sr.json").resolve() in {p.resolve() for p in matched}


def test_every_reference_entry_has_a_source_and_sane_numbers():
    entries = REF["entries"]
    names = [e["model"] for e in entries]
    assert len(names) == len(set(names))
    assert {"FSRCNN", "CARN", "IMDN", "RFDN", "SAFMN", "SwinIR-light"} <= set(names)
    for e in entries:
        for src in [e["source"]] + ([e["cost_source"]] if "cost_source" in e else []):
            assert src["paper"] and src["venue"] and src["table"], e["model"]
            assert 2014 <= src["year"] <= 2024, e["model"]
        assert e["cost_note"]
        assert set(e["results"]) == {"2", "4"}, e["model"]
        for s, r in e["results"].items():
            assert 5_000 <= r["params"] <= 2_000_000, (e["model"], s)
            assert 1 <= r["macs_g"] <= 1000, (e["model"], s)
            lo, hi = {"2": (36.0, 38.5), "4": (30.0, 32.6)}[s]
            assert lo <= r["Set5"] <= hi, (e["model"], s)
            if r["Urban100"] is not None:
                assert r["Urban100"] < r["Set5"] - 4, (e["model"], s)  # Urban100 is the hard set
            else:
                assert "Urban100" in e["omitted"], e["model"]  # a gap is explained
        # post-upsampling networks cost less at x4 (a quarter of the LR pixels); pre-upsampling ones the same
        a, b = e["results"]["2"]["macs_g"], e["results"]["4"]["macs_g"]
        if e.get("input") == "pre_upsampled":
            assert a == b, e["model"]
        elif e["model"] == "FSRCNN":  # CARN counts its transposed convolution at the output size (cost_note)
            assert b < a and "transposed convolution" in e["cost_note"]
        else:
            assert b < a / 2, e["model"]
        # x2 beats x4 on Set5 by a few dB
        assert 4 < e["results"]["2"]["Set5"] - e["results"]["4"]["Set5"] < 7


def test_reference_numbers_as_the_papers_print_them():
    got = {e["model"]: e["results"] for e in REF["entries"]}
    assert (got["CARN"]["2"]["Set5"], got["CARN"]["2"]["params"], got["CARN"]["2"]["macs_g"]) == (37.76, 1592000, 222.8)
    assert (got["IMDN"]["2"]["Set5"], got["IMDN"]["2"]["params"], got["IMDN"]["2"]["macs_g"]) == (38.00, 694000, 158.8)
    assert (got["RFDN"]["2"]["Set5"], got["RFDN"]["2"]["params"], got["RFDN"]["2"]["macs_g"]) == (38.05, 534000, 123.0)
    assert (got["SwinIR-light"]["2"]["Set5"], got["SwinIR-light"]["2"]["macs_g"]) == (38.14, 195.6)
    assert [got[m]["4"]["Set5"] for m in ("CARN", "IMDN", "RFDN", "SwinIR-light")] == [32.13, 32.21, 32.24, 32.44]


def test_reference_numbers_of_the_zoos_papers_are_the_registrys_targets():
    """One set of published numbers: the plane's SRCNN, FSRCNN and VDSR points are what the zoo is held to."""
    from srkit.models import REGISTRY

    got = {e["model"]: e["results"] for e in REF["entries"]}
    for paper, model in (("SRCNN", "srcnn"), ("FSRCNN", "fsrcnn"), ("VDSR", "edsr")):
        for s in ("2", "4"):
            assert got[paper][s]["Set5"] == REGISTRY[model].target("Set5", int(s)), (paper, s)
    assert REGISTRY["fsrcnn"].target("Set5", 3) == 33.16  # the paper's final model, not its 91-image one (33.06)


def test_reference_points_convert_mult_adds_to_the_kits_flops():
    t = reference_points(2).set_index("model")
    assert t.loc["CARN", "gflops"] == pytest.approx(2 * 222.8)  # FLOPs = 2 x MACs
    assert t.loc["IMDN", "psnr"] == 38.00 and t.loc["IMDN", "kind"] == "published"
    assert "ECCV" in t.loc["CARN", "source"] and "2018" in t.loc["CARN", "source"]
    u = reference_points(4, "Urban100")
    assert "SAFMN" not in set(u["model"]) and u.set_index("model").loc["SwinIR-light", "psnr"] == 26.47
    assert reference_points(3).empty  # the papers' points are at x2 and x4 only
    with pytest.raises(InvalidValueError, match="Set5"):
        reference_points(2, "Set55")


# ---- the Pareto front ----------------------------------------------------------------------------------

def test_pareto_front_on_a_hand_made_table_with_ties():
    t = pd.DataFrame({
        "model": ["a", "b", "c", "d", "e", "f", "g", "h"],
        "cost": [10, 20, 30, 20, 40, 10, 30, np.nan],
        "psnr": [30.0, 29.0, 31.0, 31.0, 31.0, 30.0, 32.0, 40.0],
    })
    # a, f: same cost and PSNR (both kept); b dominated by a; c dominated by d (same PSNR, cheaper);
    # d on the front; e dominated by d and g; g best; h has no cost, never on the front
    front = pareto_front(t, "cost")
    assert list(front["model"]) == ["a", "f", "d", "g"]
    assert list(front.index) == [0, 5, 3, 6]  # the table's own index, sorted by cost
    # same cost, different quality: only the better one
    t2 = pd.DataFrame({"model": ["x", "y"], "params": [5, 5], "psnr": [30.0, 30.5]})
    assert list(pareto_front(t2, "params")["model"]) == ["y"]
    # another quality column
    t3 = t.assign(ssim=[0.9, 0.95, 0.8, 0.8, 0.99, 0.9, 0.7, 0.1])
    assert list(pareto_front(t3, "cost", quality="ssim")["model"]) == ["a", "f", "b", "e"]
    assert pareto_front(t.iloc[:0], "cost").empty


def test_pareto_front_names_the_columns_on_a_bad_cost():
    t = pd.DataFrame({"model": ["a"], "params": [1], "psnr": [30.0]})
    with pytest.raises(InvalidValueError, match="params") as e:
        pareto_front(t, "flops")
    assert "pick one of its numeric columns" in str(e.value)
    with pytest.raises(InvalidValueError, match="quality='ssim'"):
        pareto_front(t, "params", quality="ssim")


# ---- FLOPs per output pixel -------------------------------------------------------------------------------

@pytest.mark.parametrize("name,scale", [("fsrcnn", 2), ("srcnn", 4), ("drcn", 3)])
def test_flops_per_output_pixel_do_not_depend_on_the_input_size(name, scale):
    model = zoo.load(name, scale)
    pre = name in ("srcnn", "drcn")
    per_pixel = []
    for lr in [(16, 20), (37, 29)]:  # odd sizes too: exact for fully-convolutional models
        hw = (lr[0] * scale, lr[1] * scale) if pre else lr
        per_pixel.append(_all_flops(model, hw) / (lr[0] * lr[1] * scale * scale))
    assert per_pixel[0] == per_pixel[1]
    assert flops_per_output_pixel(model, scale) == per_pixel[0]
    assert flops_per_output_pixel(model, scale, probe_hw=(11, 13)) == per_pixel[0]


def test_flops_counts_match_the_architecture_by_hand():
    # SRCNN 9-5-5 (1 -> 64 -> 32 -> 1), run on the output grid: 2 x its weights per output pixel,
    # and the same at 720p as CARN's table counts for SRCNN (52.7G multiply-adds)
    srcnn = zoo.load("srcnn", 2)
    macs = 9 * 9 * 1 * 64 + 5 * 5 * 64 * 32 + 5 * 5 * 32 * 1  # the zoo's SRCNN: 9-5-5, padded 'same'
    assert flops_per_output_pixel(srcnn, 2) == 2 * macs
    assert 2 * macs * 1280 * 720 / 1e9 == pytest.approx(2 * 52.7, rel=2e-3)
    # DRCN: count_flops sees the shared recursion convolution once; the full count sees all 8 calls
    drcn = zoo.load("drcn", 3)
    assert flops_per_output_pixel(drcn, 3) > 5 * count_flops(drcn, (30, 30)) / 900
    # the sequence RNN: almost all its cost is in the GRUs, which count_flops does not see
    seq = zoo.load("sequence_rnn", 3)
    units, cin = 30, 1
    gru = lambda i: 3 * units * (i + units)  # MACs per step of a Keras GRU
    per_lr_pixel = 2 * (2 * gru(cin) + 2 * gru(2 * units) + 2 * units * 9)  # rows, cols (both ways), 1x1 decode
    assert flops_per_output_pixel(seq, 3) == pytest.approx(per_lr_pixel / 9)


# ---- the table -------------------------------------------------------------------------------------------

def test_table_has_a_row_per_zoo_model_with_the_cards_psnr():
    t = quality_cost(2, timing=False)
    zoo_rows = t[t.kind == "zoo"].set_index("model")
    expected = sorted(n for n, s in zoo.available() if s == 2)
    assert sorted(zoo_rows.index) == expected == ["edsr", "espcn", "fsrcnn", "srcnn"]
    for n in expected:
        c = zoo.card(n, 2)
        assert zoo_rows.loc[n, "psnr"] == c["scores"]["Set5"]["psnr"]
        assert zoo_rows.loc[n, "params"] == c["architecture"]["parameters"]
    assert zoo_rows.loc["srcnn", "input"] == "pre_upsampled" and zoo_rows.loc["espcn", "input"] == "lr"
    assert zoo_rows.loc["srcnn", "gflops"] == pytest.approx(105.40, abs=0.01)  # = 2 x CARN's 52.7G for SRCNN
    assert zoo_rows["ms_per_mp"].isna().all()  # timing=False
    pub = t[t.kind == "published"].set_index("model")
    assert pub.loc["RFDN", "psnr"] == 38.05 and pub.loc["RFDN", "gflops"] == pytest.approx(246.0)
    # the front for GFLOPs at x2: the zoo's FSRCNN (the fewest FLOPs), then ESPCN (more FLOPs, below the published
    # FSRCNN's 12 G) exactly when it scores higher than the zoo's FSRCNN, then the published FSRCNN exactly when it
    # scores higher than both, then published models up to SwinIR-light
    front = list(t[t.pareto].sort_values("gflops")["model"])
    espcn_better = zoo_rows.loc["espcn", "psnr"] > zoo_rows.loc["fsrcnn", "psnr"]
    published_fsrcnn_better = pub.loc["FSRCNN", "psnr"] > zoo_rows.loc[["fsrcnn", "espcn"], "psnr"].max()
    assert zoo_rows.loc["fsrcnn", "gflops"] < zoo_rows.loc["espcn", "gflops"] < pub.loc["FSRCNN", "gflops"]
    assert front == ["fsrcnn", *(["espcn"] if espcn_better else []), *(["FSRCNN"] if published_fsrcnn_better else []),
                     "SAFMN", "RFDN", "SwinIR-light"]
    assert t.attrs["output_hw"] == (720, 1280) and t.attrs["cost"] == "gflops"


def test_table_other_dataset_scale_and_cost():
    t = quality_cost(4, dataset="BSD100", models=["espcn", "fsrcnn"], timing=False, cost="params", published=True)
    assert list(t["model"]) == ["espcn", "fsrcnn"]  # no published BSD100 points in the reference file
    assert t.set_index("model").loc["fsrcnn", "psnr"] == zoo.card("fsrcnn", 4)["scores"]["BSD100"]["psnr"]
    # fsrcnn x4 has fewer parameters than espcn x4, so it is on the front; espcn is too exactly when its BSD100
    # PSNR is higher
    z = t.set_index("model")
    assert z.loc["fsrcnn", "params"] < z.loc["espcn", "params"]
    on_front = set(t[t.pareto]["model"])
    assert on_front == {"fsrcnn"} | ({"espcn"} if z.loc["espcn", "psnr"] > z.loc["fsrcnn", "psnr"] else set())
    # x3: the papers give no points; the zoo's x3 models (drcn and the sequence RNN included)
    t3 = quality_cost(3, models=["fsrcnn", "sequence_rnn"], timing=False, cost="params")
    assert set(t3["kind"]) == {"zoo"} and len(t3) == 2


def test_gflops_scale_per_output_pixel_and_timing_is_per_megapixel():
    t = quality_cost(4, models=["fsrcnn", "espcn"], timing=True, timing_hw=(96, 128), repeats=3,
                     cost="ms_per_mp")
    half = quality_cost(4, models=["fsrcnn", "espcn"], timing=False, output_hw=(360, 640))
    z, h = t[t.kind == "zoo"].set_index("model"), half[half.kind == "zoo"].set_index("model")
    assert np.allclose(h["gflops"] * 4, z["gflops"], rtol=1e-12)  # a quarter of the pixels
    p, ph = t[t.kind == "published"].set_index("model"), half[half.kind == "published"].set_index("model")
    assert np.allclose(ph["gflops"] * 4, p["gflops"])
    assert (z["ms_per_mp"] > 0).all() and p["ms_per_mp"].isna().all()
    # published rows have no CPU time, so the ms_per_mp front is the zoo's
    assert set(t[t.pareto]["kind"]) == {"zoo"} and t.pareto.sum() >= 1
    assert t.attrs["timing_hw"] == (96, 128)


# ---- the plot --------------------------------------------------------------------------------------------

def _toy_table():
    return pd.DataFrame({
        "model": ["tiny", "small", "big", "P1", "P2", "P3"],
        "kind": ["zoo", "zoo", "zoo", "published", "published", "published"],
        "scale": 2, "psnr": [35.0, 36.0, 35.5, 37.0, 38.0, 37.5],
        "params": [1e4, 5e4, 1e6, 2e5, 8e5, 9e5],
        "gflops": [5.0, 100.0, 600.0, 50.0, 200.0, 300.0],
        "ms_per_mp": [20.0, 300.0, 2000.0, np.nan, np.nan, np.nan],
    })


@pytest.mark.parametrize("cost,points,front", [("params", 6, [(1e4, 35.0), (5e4, 36.0), (2e5, 37.0), (8e5, 38.0)]),
                                               ("gflops", 6, [(5.0, 35.0), (50.0, 37.0), (200.0, 38.0)]),
                                               ("ms_per_mp", 3, [(20.0, 35.0), (300.0, 36.0)])])
def test_plot_draws_labelled_points_two_styles_and_the_front(cost, points, front):
    import matplotlib.pyplot as plt
    from srkit.viz import quality_cost_plot

    ax = quality_cost_plot(_toy_table(), cost=cost)
    try:
        labels = [t.get_text() for t in ax.texts]
        assert len(labels) == points
        assert ax.get_xscale() == "log"
        assert len(ax.collections) == (2 if points == 6 else 1)  # zoo and published: two scatter styles
        step = [l for l in ax.lines if l.get_label() == "Pareto front"]
        assert len(step) == 1
        xs, ys = step[0].get_data()
        assert list(zip(map(float, xs), map(float, ys))) == front
        assert COST_COLUMNS[cost].split()[0] in ax.get_xlabel()
    finally:
        plt.close(ax.figure)


def test_plot_of_a_real_table():
    import matplotlib.pyplot as plt
    from srkit.viz import quality_cost_plot

    t = quality_cost(2, models=["fsrcnn", "espcn"], timing=False)
    ax = quality_cost_plot(t, cost="gflops")
    try:
        assert {x.get_text() for x in ax.texts} == set(t["model"])
        assert "Set5" in ax.get_ylabel() and "x2" in ax.get_title()
    finally:
        plt.close(ax.figure)


# ---- errors ----------------------------------------------------------------------------------------------

def test_bad_input_raises_the_kits_errors_saying_what_to_do():
    from srkit.viz import quality_cost_plot

    with pytest.raises(InvalidValueError, match="cost must be one of 'params', 'gflops', 'ms_per_mp'"):
        quality_cost(2, cost="latency", timing=False)
    with pytest.raises(InvalidValueError, match=r"no models at x5; its scales are \[2, 3, 4, 8\]"):
        quality_cost(5, timing=False)
    with pytest.raises(InvalidValueError, match="Set5, Set14") as e:
        quality_cost(2, dataset="Urban100", timing=False)
    assert "srkit evaluate" in str(e.value)
    with pytest.raises(InvalidValueError, match="not a zoo model at x2; the zoo has edsr, espcn, fsrcnn, srcnn"):
        quality_cost(2, models=["drcn"], timing=False)
    with pytest.raises(InvalidValueError, match="models is empty; pass zoo model names at x2"):
        quality_cost(2, models=[], timing=False)
    with pytest.raises(InvalidValueError, match="burst model"):
        quality_cost(4, models=["multiframe_rnn"], timing=False)
    with pytest.raises(InvalidValueError, match="pass timing=True"):
        quality_cost(2, cost="ms_per_mp", timing=False)
    with pytest.raises(InvalidValueError, match="multiple of the scale 3"):
        quality_cost(3, models=["fsrcnn"], timing=True, timing_hw=(100, 100))
    with pytest.raises(InvalidValueError, match="cost must be one of"):
        quality_cost_plot(_toy_table(), cost="flops")
    with pytest.raises(InvalidValueError, match="timing=True"):
        quality_cost_plot(_toy_table().drop(columns=["ms_per_mp"]), cost="ms_per_mp")
    with pytest.raises(InvalidValueError, match="CPU times exist only"):
        quality_cost_plot(_toy_table().assign(ms_per_mp=np.nan), cost="ms_per_mp")
    # the kit's errors are also ValueErrors
    with pytest.raises(ValueError):
        pareto_front(_toy_table(), "watts")
    assert issubclass(InvalidValueError, SrkitError)


def test_the_committed_bench_output_matches_the_counted_columns():
    """bench/quality_cost.json: its PSNR, parameters and GFLOPs are what quality_cost gives now (CPU times are
    the machine's and are only checked to exist), with the command and load average recorded."""
    bench = json.loads((ROOT / "bench" / "quality_cost.json").read_text())
    assert bench["command"].startswith("python bench/quality_cost.py")
    assert len(bench["load_average_at_start"]) == 3 and len(bench["load_average_at_end"]) == 3
    for scale in (2, 4):
        now = quality_cost(scale, timing=False).set_index("model")
        rows = {r["model"]: r for r in bench["tables"][f"x{scale}"]}
        assert set(rows) == set(now.index)
        for m, r in rows.items():
            assert r["psnr"] == pytest.approx(now.loc[m, "psnr"], abs=1e-4)
            assert r["params"] == now.loc[m, "params"]
            assert r["gflops"] == pytest.approx(now.loc[m, "gflops"], abs=0.01)
            assert (r["ms_per_mp"] is not None and r["ms_per_mp"] > 0) == (r["kind"] == "zoo")
        assert [m for m, r in rows.items() if r["pareto_gflops"]] == list(now[now.pareto].index)
