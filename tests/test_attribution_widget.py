"""Tests for srkit.widgets.attribution: AttributionState (model choice, window, LAM cache, receptive fields) and
the ipywidgets view, driven headless."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from srkit import data, zoo
from srkit.errors import InvalidValueError, ShapeError
from srkit.interpret import lam, receptive_field
from srkit.widgets import AttributionState, AttributionWidget, attribution, heat_overlay


@pytest.fixture(scope="module")
def lr():
    return data.load_benchmark("Set5", 3)[0].lr[40:72, 40:72]  # 32x32 LR -> 96x96 output


@pytest.fixture(scope="module")
def models():
    return {"espcn": zoo.load("espcn", 3), "srcnn": zoo.load("srcnn", 3)}


@pytest.fixture
def state(models, lr):
    return AttributionState(models, lr, window_size=16, steps=4)


def _png(data: bytes) -> np.ndarray:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def test_state_starts_centred_and_clamps_the_window(state):
    assert state.scale == 3 and (state.out_h, state.out_w) == (96, 96)
    assert state.window == (40, 40, 16) and state.model == "espcn"
    assert state.set_window(90, -5) == (80, 0, 16)
    assert state.set_window(10, 20, size=200) == (0, 0, 96)
    assert state.lr_window() == (0.0, 0.0, 32.0)


def test_compute_matches_lam_and_is_cached_per_model_and_window(state, models, lr):
    state.set_window(30, 42)
    assert state.cached() is None
    view = state.compute()
    direct = lam(models["espcn"], lr, (30, 42, 16), steps=4)
    np.testing.assert_allclose(view.result.map, direct.map, atol=1e-6)
    assert view.result.diffusion_index == pytest.approx(direct.diffusion_index)
    assert view.rf_theory == receptive_field(models["espcn"]) == 9 and view.input == "LR"
    assert 1 < view.rf_measured <= view.rf_theory
    assert state.compute().result is view.result and state.cache_hits == 1
    state.select("srcnn")
    assert state.cached() is None
    other = state.compute()
    assert other.input == "bicubic" and other.rf_theory == 17 and other.result is not view.result
    state.select("espcn")
    assert state.cached().result is view.result
    text = state.describe(view)
    assert f"DI {view.result.diffusion_index:.2f}" in text and "9 (theory)" in text and "rows 30-45" in text


def test_state_errors(models, lr):
    with pytest.raises(InvalidValueError, match="at least one model"):
        AttributionState({}, lr)
    with pytest.raises(InvalidValueError, match="not differentiable end to end"):
        AttributionState({"bicubic": "bicubic"}, lr)
    with pytest.raises(ShapeError, match="one scale"):
        AttributionState({"a": models["espcn"], "b": zoo.load("espcn", 2)}, lr)
    with pytest.raises(KeyError, match="edsr"):
        AttributionState(models, lr).select("edsr")


def test_heat_overlay_marks_the_window_and_the_heat(lr):
    plain = heat_overlay(lr, window=(30, 42, 16), scale=3)
    assert plain.shape == (32, 32, 3) and plain.dtype == np.uint8
    # the window is LR rows 10..15, cols 14..19 (30//3 .. 45//3, 42//3 .. 57//3): outlined one pixel outside
    assert (plain[9, 13:21] == [0, 255, 255]).all() and (plain[16, 13:21] == [0, 255, 255]).all()
    assert (plain[9:17, 13] == [0, 255, 255]).all() and (plain[9:17, 20] == [0, 255, 255]).all()
    assert not (plain[10:16, 14:20] == [0, 255, 255]).all(axis=-1).any()   # the inside is left to the heat
    corner = heat_overlay(lr, window=(0, 0, 16), scale=3)
    assert (corner[0, 0:7] == [0, 255, 255]).all() and (corner[6, 0:7] == [0, 255, 255]).all()
    a = np.zeros((32, 32))
    a[2, 3] = 1.0
    hot = heat_overlay(lr, a)
    assert hot[2, 3, 0] > hot[2, 3, 2] and (hot[20, 20] == heat_overlay(lr)[20, 20]).all()


def test_view_controls_drive_the_state(state):
    wdg = AttributionWidget(state, display_size=96)
    assert (wdg.row.value, wdg.col.value, wdg.size.value) == state.window
    assert "not computed yet" in wdg.caption.value
    assert _png(wdg.image.value).shape == (96, 96, 3)
    blank = wdg.image.value
    wdg.row.value = 95                                    # clamped: the slider shows the window that fits
    assert state.row == 80 and wdg.row.value == 80
    wdg.col.value = 12
    assert state.window == (80, 12, 16)
    wdg.button.click()
    assert "DI " in wdg.caption.value and "receptive field 9 (theory)" in wdg.caption.value
    assert wdg.image.value != blank
    computed = wdg.caption.value
    wdg.model.value = "srcnn"
    assert state.model == "srcnn" and "not computed yet" in wdg.caption.value
    wdg.model.value = "espcn"                             # the cached result comes back without recomputing
    assert wdg.caption.value == computed
    wdg.size.value = 8
    assert state.size == 8 and "not computed yet" in wdg.caption.value


def test_attribution_builds_a_computed_widget(models, lr):
    wdg = attribution({"espcn": models["espcn"]}, lr, steps=2, compute=True)
    assert isinstance(wdg, AttributionWidget) and "DI " in wdg.caption.value
