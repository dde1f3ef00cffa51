"""The learning-curve explorer: CurvesState logic headless, the figure it draws, and the ipywidgets view."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from srkit.errors import InvalidValueError  # noqa: E402
from srkit.widgets import CurvesExplorer, CurvesState, curves  # noqa: E402


def history(train, val, tb=25.0, vb=28.0, dt=2.0, every=100):
    return [{"epoch": i + 1, "step": every * (i + 1), "train_psnr": t, "val_psnr": v, "train_bicubic_psnr": tb,
             "val_bicubic_psnr": vb, "epoch_time_s": dt} for i, (t, v) in enumerate(zip(train, val))]


@pytest.fixture
def runs():
    return {
        "one image": history([26.0, 27.5, 28.5], [28.5, 28.8, 28.7], dt=1.0),
        "all images": {"history": history([25.8, 26.4, 26.9], [28.6, 29.1, 29.4], dt=3.0)},  # a bench record
        "no train": [{"step": 50, "val_psnr": 27.0, "epoch_time_s": 1.5}, {"step": 100, "val_psnr": 27.5, "epoch_time_s": 1.5}],
    }


def test_curves_and_gap_follow_the_history(runs):
    st = CurvesState(runs)
    c = st.curves("one image")
    assert c["x"].tolist() == [100, 200, 300]
    assert c["val"].tolist() == [28.5, 28.8, 28.7] and c["train"].tolist() == [26.0, 27.5, 28.5]
    assert st.gap("one image") == pytest.approx([-2.5, -1.3, -0.2])
    assert np.isnan(st.curves("no train")["train"]).all()


def test_gain_over_bicubic_removes_image_difficulty(runs):
    st = CurvesState({k: v for k, v in runs.items() if k != "no train"}, measure="gain")
    c = st.curves("one image")
    assert c["train"] == pytest.approx([1.0, 2.5, 3.5]) and c["val"] == pytest.approx([0.5, 0.8, 0.7])
    assert st.gap("one image")[-1] == pytest.approx(2.8)  # over-fitting shows in gains, not in raw PSNR
    assert st.gap("all images")[-1] == pytest.approx(1.9 - 1.4)
    with pytest.raises(InvalidValueError, match="no train"):
        CurvesState(runs, measure="gain")  # that run logged no bicubic baselines


def test_time_axis_is_cumulative_training_seconds(runs):
    st = CurvesState(runs, x="time")
    assert st.curves("one image")["x"].tolist() == [1.0, 2.0, 3.0]
    assert st.curves("all images")["x"].tolist() == [3.0, 6.0, 9.0]


def test_selection_and_summary(runs):
    st = CurvesState(runs, selected=["all images"])
    assert st.selected == ["all images"]
    assert st.toggle("one image") == ["one image", "all images"]  # kept in the runs' order
    assert st.toggle("all images") == ["one image"]
    table = st.summary()
    assert table.run.tolist() == ["one image"]
    row = table.iloc[0]
    assert (row.train, row.val, row["best val"], row["best at step"]) == (28.5, 28.7, 28.8, 200)
    assert row.gap == pytest.approx(-0.2)
    with pytest.raises(InvalidValueError, match="Unknown run 'three'.*one image, all images, no train"):
        st.toggle("three")


def test_bad_input_is_refused(runs):
    with pytest.raises(InvalidValueError, match="measure must be one of 'psnr', 'gain'"):
        CurvesState(runs, measure="ssim")
    with pytest.raises(InvalidValueError, match="x must be one of 'step', 'time'"):
        CurvesState(runs, x="epoch")
    with pytest.raises(InvalidValueError, match="non-empty"):
        CurvesState({})
    with pytest.raises(InvalidValueError, match="no validation PSNR"):
        CurvesState({"r": [{"step": 1, "loss": 0.1}]})
    with pytest.raises(InvalidValueError, match="TrainResult"):
        CurvesState({"r": 3})


def test_figure_shades_the_gap_and_labels_its_axes(runs):
    st = CurvesState(runs, selected=["one image", "no train"])
    fig = st.figure()
    ax = fig.axes[0]
    assert ax.get_xlabel() == "training step" and ax.get_ylabel() == "PSNR (dB)"
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["one image: validation", "one image: training", "no train: validation"]
    assert len(ax.collections) == 1  # one shaded gap: the run without training PSNR has none
    st.set_x("time")
    st.set_measure("psnr")
    assert st.figure().axes[0].get_xlabel() == "training time (s)"


def test_the_view_follows_its_controls(runs):
    pytest.importorskip("ipywidgets")
    view = curves({k: v for k, v in runs.items() if k != "no train"}, selected=["one image"])
    assert isinstance(view, CurvesExplorer) and view.runs.value == ("one image",)
    view.runs.value = ("one image", "all images")
    assert view.state.selected == ["one image", "all images"]
    view.measure.value = "gain"
    assert view.state.measure == "gain"
    view.x.value = "time"
    assert view.state.x == "time"
    mixed = curves(runs)
    mixed.measure.value = "gain"  # refused: the control goes back and says why
    assert mixed.state.measure == "psnr" and mixed.measure.value == "psnr" and "no train" in mixed.message.value
