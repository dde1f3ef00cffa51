"""The gain over bicubic by scale (srkit.evaluate.gain_table) and its chart (srkit.viz.gain_plot)."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from srkit import evaluate as ev  # noqa: E402
from srkit import zoo  # noqa: E402
from srkit.data import published_bicubic  # noqa: E402

FAKE_BICUBIC = {(ds, s): 20.0 + s for ds in ("Set5", "Set14", "BSD100") for s in (2, 3, 4, 8)}


def test_gain_is_the_card_minus_bicubic_for_every_shipped_scale():
    t = ev.gain_table(("Set5", "Set14"), bicubic=FAKE_BICUBIC)
    ours = t[t.source == "zoo"]
    expected = {(n, s) for n, s in zoo.available() if n in ev.GAIN_MODELS}
    assert set(zip(ours.model, ours.scale)) == expected
    for _, r in ours.iterrows():
        card = zoo.card(r.model, r.scale)
        assert r.psnr == card["scores"][r.dataset]["psnr"]
        assert r.bicubic_psnr == FAKE_BICUBIC[(r.dataset, r.scale)]
        assert r.gain_db == pytest.approx(r.psnr - r.bicubic_psnr)
        assert r.params == card["architecture"]["parameters"]


def test_published_x8_rows_use_the_published_bicubic():
    t = ev.gain_table("Set5", models=[], bicubic=FAKE_BICUBIC)
    assert list(t.model) == list(ev.PUBLISHED_X8) and set(t.source) == {"published"} and set(t.scale) == {8}
    lapsrn = t[t.model == "LapSRN"].iloc[0]
    assert lapsrn.bicubic_psnr == published_bicubic()[("Set5", 8)][0] == 24.40
    assert lapsrn.gain_db == pytest.approx(26.15 - 24.40)
    assert ev.gain_table("Set5", models=[], scales=(2, 4)).empty
    assert ev.gain_table("Set5", models=[], published=False).empty


def test_bicubic_is_measured_when_not_given():
    t = ev.gain_table("Set5", models=["srcnn"], scales=(2,), published=False)
    assert len(t) == 1
    assert t.bicubic_psnr[0] == pytest.approx(33.67, abs=0.005)  # the published Set5 x2 bicubic row


def test_unknown_models_and_scales_are_left_out():
    t = ev.gain_table("Set5", models=["srcnn", "no_such_model"], scales=(3, 8), published=False, bicubic=FAKE_BICUBIC)
    assert list(zip(t.model, t.scale)) == [("srcnn", 3)]


def test_gain_plot_draws_a_line_per_model_and_the_published_points():
    from srkit.viz import gain_plot

    t = ev.gain_table(("Set5",), models=["srcnn", "edsr"], bicubic=FAKE_BICUBIC)
    ax = gain_plot(t)
    labels = [line.get_label() for line in ax.get_lines()]
    assert "srcnn" in labels and "edsr" in labels and "published at x8" in labels
    srcnn = next(line for line in ax.get_lines() if line.get_label() == "srcnn")
    assert np.allclose(srcnn.get_ydata(), t[t.model == "srcnn"].sort_values("scale").gain_db)
    assert [x.get_text() for x in ax.get_xticklabels()] == ["x2", "x3", "x4", "x8"]
    ax = gain_plot(t, y="psnr")
    bicubic = next(line for line in ax.get_lines() if line.get_label() == "bicubic")
    assert list(bicubic.get_xdata()) == [2, 3, 4, 8]
    with pytest.raises(ValueError, match="no rows for 'Urban100'"):
        gain_plot(t, dataset="Urban100")
