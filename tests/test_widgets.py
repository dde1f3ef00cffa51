"""Tests for srkit.widgets: the CompareState logic, the ipywidgets view and PNG encoding."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from srkit.degrade import gaussian_blur
from srkit.errors import ShapeError
from srkit.metrics import psnr, ssim
from srkit.widgets import CompareState, CompareWidget, ZoomBox, compare, to_png

SIZE = 64


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(0)
    hr = rng.integers(0, 256, size=(SIZE, SIZE, 3), dtype=np.uint8)
    noisy = np.clip(hr + rng.normal(0, 6, size=hr.shape), 0, 255).round().astype(np.uint8)
    flat = gaussian_blur(hr, 2.0)
    return {"noisy": noisy, "flat": flat, "HR": hr}


@pytest.fixture
def state(images):
    return CompareState(images, reference="HR", crop_border=2, zoom_size=16)


def _png_image(data: bytes) -> Image.Image:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(io.BytesIO(data))


# --------------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------------
def test_metrics_follow_the_paper_protocol(state, images):
    for label in ("noisy", "flat"):
        m = state.metrics[label]
        assert m["psnr"] == pytest.approx(psnr(images[label], images["HR"], crop_border=2), abs=1e-12)
        assert m["ssim"] == pytest.approx(ssim(images[label], images["HR"], crop_border=2), abs=1e-12)
    # The border shave matters for the blurred image (replicated borders), so this is not a no-op.
    assert state.metrics["flat"]["psnr"] != pytest.approx(psnr(images["flat"], images["HR"]), abs=1e-6)
    assert state.metrics["noisy"]["psnr"] > 30 > state.metrics["flat"]["psnr"]


def test_best_is_the_closest_image(state):
    assert state.best() == "noisy"
    assert state.best("ssim") == "noisy"


def test_best_prefers_the_closer_image_whatever_the_order(images):
    st = CompareState({"HR": images["HR"], "flat": images["flat"], "noisy": images["noisy"]}, reference="HR")
    assert st.best() == "noisy"
    st = CompareState({"flat": images["flat"], "HR": images["HR"]}, reference="HR")
    assert st.best() == "flat"


def test_reference_has_no_metrics(state):
    assert state.metrics["HR"] is None
    assert state.metric_text("HR") == "ground truth"
    m = state.metrics["noisy"]
    assert state.metric_text("noisy") == f"{m['psnr']:.2f} dB / {m['ssim']:.4f}"


def test_without_reference_there_are_no_metrics(images):
    st = CompareState(images)
    assert st.metrics == {"noisy": None, "flat": None, "HR": None}
    assert st.metric_text("noisy") == ""
    assert st.crop_metrics("noisy") is None
    with pytest.raises(ValueError, match="reference"):
        st.best()


def test_unknown_reference_is_a_key_error(images):
    with pytest.raises(KeyError, match="GT"):
        CompareState(images, reference="GT")


# --------------------------------------------------------------------------------------------------
# Zoom box
# --------------------------------------------------------------------------------------------------
def test_initial_zoom_box_is_centred(state):
    assert state.zoom == ZoomBox(24, 24, 16)
    assert (state.height, state.width) == (SIZE, SIZE)


def test_initial_zoom_size_is_clamped_to_the_image(images):
    assert CompareState(images, zoom_size=500).zoom == ZoomBox(0, 0, SIZE)
    assert CompareState(images, zoom_size=0).zoom.size == 1


def test_move_to_keeps_the_box_inside(state):
    assert state.move_to(-5, 1000) == ZoomBox(0, SIZE - 16, 16)
    assert state.zoom == ZoomBox(0, 48, 16)
    assert state.move_to(10, 20) == ZoomBox(10, 20, 16)
    assert state.move_by(100, -100) == ZoomBox(48, 0, 16)
    assert state.move_by(-3, 2) == ZoomBox(45, 2, 16)


def test_resize_zoom_clamps_and_keeps_the_centre(state):
    state.move_to(10, 20)  # centre (18, 28)
    assert state.resize_zoom(8) == ZoomBox(14, 24, 8)
    assert state.resize_zoom(1000) == ZoomBox(0, 0, SIZE)
    assert state.resize_zoom(-4).size == 1
    state.resize_zoom(20)
    z = state.zoom
    assert z.size == 20 and 0 <= z.x <= SIZE - 20 and 0 <= z.y <= SIZE - 20


def test_center_on(state):
    assert state.center_on(30, 40) == ZoomBox(22, 32, 16)
    assert state.center_on(0, 0) == ZoomBox(0, 0, 16)
    assert state.center_on(SIZE - 1, SIZE - 1) == ZoomBox(48, 48, 16)


def test_crop_is_the_zoom_region(state, images):
    state.move_to(5, 9)
    c = state.crop("noisy")
    assert c.shape == (16, 16, 3)
    np.testing.assert_array_equal(c, images["noisy"][9:25, 5:21])


def test_crop_metrics(state, images):
    state.move_to(5, 9)
    m = state.crop_metrics("noisy")
    a, b = images["noisy"][9:25, 5:21], images["HR"][9:25, 5:21]
    assert m["psnr"] == pytest.approx(psnr(a, b), abs=1e-12)
    assert m["ssim"] == pytest.approx(ssim(a, b), abs=1e-12)
    assert state.crop_metrics("HR") is None
    state.resize_zoom(8)  # too small for SSIM's 11x11 window
    m = state.crop_metrics("flat")
    assert np.isnan(m["ssim"])
    assert np.isfinite(m["psnr"])


def test_summary(state):
    state.move_to(1, 2)
    s = state.summary()
    assert s["zoom"] == (1, 2, 16)
    assert s["swipe"] == ("noisy", "HR", 0.5)
    assert s["metrics"]["HR"] is None and set(s["metrics"]) == {"noisy", "flat", "HR"}


# --------------------------------------------------------------------------------------------------
# Swipe
# --------------------------------------------------------------------------------------------------
def test_default_swipe_is_first_image_against_reference(state, images):
    assert (state.swipe_left, state.swipe_right, state.swipe_position) == ("noisy", "HR", 0.5)
    st = CompareState({"HR": images["HR"], "noisy": images["noisy"]}, reference="HR")
    assert (st.swipe_left, st.swipe_right) == ("HR", "noisy")
    st = CompareState(images)
    assert (st.swipe_left, st.swipe_right) == ("noisy", "HR")


def test_set_swipe(state):
    state.set_swipe(left="flat")
    assert (state.swipe_left, state.swipe_right, state.swipe_position) == ("flat", "HR", 0.5)
    state.set_swipe(right="noisy", position=0.25)
    assert (state.swipe_left, state.swipe_right, state.swipe_position) == ("flat", "noisy", 0.25)
    state.set_swipe(position=1.0)
    assert state.swipe_position == 1.0


@pytest.mark.parametrize("position", [0.0, 0.25, 0.5, 0.8, 1.0])
def test_swipe_image_over_zoom(state, position):
    state.move_to(7, 3)
    state.set_swipe("noisy", "flat", position)
    out = state.swipe_image()
    cut = int(round(position * 16))
    assert out.shape == (16, 16, 3)
    np.testing.assert_array_equal(out[:, :cut], state.crop("noisy")[:, :cut])
    np.testing.assert_array_equal(out[:, cut:], state.crop("flat")[:, cut:])


def test_swipe_image_full(state, images):
    state.set_swipe("flat", "HR", 0.25)
    out = state.swipe_image("full")
    assert out.shape == (SIZE, SIZE, 3)
    np.testing.assert_array_equal(out[:, :16], images["flat"][:, :16])
    np.testing.assert_array_equal(out[:, 16:], images["HR"][:, 16:])
    # The source images are not modified.
    assert not np.array_equal(state.images["HR"][:, :16], images["flat"][:, :16])
    np.testing.assert_array_equal(state.images["HR"], images["HR"])
    with pytest.raises(ValueError, match="region"):
        state.swipe_image("half")


def test_bad_swipe_arguments(state):
    with pytest.raises(KeyError, match="bicubic"):
        state.set_swipe(left="bicubic")
    with pytest.raises(KeyError):
        state.set_swipe(right="nope")
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match="between 0 and 1"):
            state.set_swipe(position=bad)
    # A refused call changes nothing.
    assert (state.swipe_left, state.swipe_right, state.swipe_position) == ("noisy", "HR", 0.5)


# --------------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------------
def test_images_of_different_sizes_are_refused(images):
    with pytest.raises(ShapeError, match="same size"):
        CompareState({"a": images["HR"], "b": images["HR"][:60]})


def test_no_images_is_refused():
    with pytest.raises(ShapeError):
        CompareState({})


def test_grey_and_float_images_are_accepted(images):
    rng = np.random.default_rng(1)
    hr = rng.integers(0, 256, size=(40, 30), dtype=np.uint8)
    sr_float = np.clip(hr / 255.0 + rng.normal(0, 0.02, size=hr.shape), 0, 1)
    st = CompareState({"sr": sr_float, "hr": hr}, reference="hr", crop_border=3, zoom_size=12)
    assert st.images["hr"].shape == (40, 30, 1)
    assert st.images["sr"].shape == (40, 30, 1) and st.images["sr"].dtype == np.uint8
    expected = psnr(np.floor(sr_float * 255 + 0.5).astype(np.uint8), hr, crop_border=3)
    assert st.metrics["sr"]["psnr"] == pytest.approx(expected, abs=1e-12)
    assert st.crop("sr").shape == (12, 12, 1)
    assert st.swipe_image().shape == (12, 12, 1)


def test_grey_against_colour_reference_is_refused(images):
    grey = images["HR"][..., 0]
    with pytest.raises(ShapeError, match="channels"):
        CompareState({"grey": grey, "HR": images["HR"]}, reference="HR")


# --------------------------------------------------------------------------------------------------
# PNG encoding and the ipywidgets view
# --------------------------------------------------------------------------------------------------
def test_to_png(images):
    data = to_png(images["HR"])
    assert isinstance(data, bytes)
    im = _png_image(data)
    assert im.size == (SIZE, SIZE)
    np.testing.assert_array_equal(np.asarray(im.convert("RGB")), images["HR"])


def test_to_png_enlarges_with_nearest_and_draws_the_box():
    a = np.zeros((8, 8, 1), dtype=np.uint8)
    a[0, 0] = 255
    im = np.asarray(_png_image(to_png(a, display_size=32)).convert("RGB"))
    assert im.shape == (32, 32, 3)
    assert np.all(im[:4, :4] == 255) and np.all(im[4:, 4:] == 0)  # nearest: 4x4 blocks
    boxed = np.asarray(_png_image(to_png(a, display_size=32, box=ZoomBox(4, 4, 2))).convert("RGB"))
    assert tuple(boxed[16, 17]) == (255, 0, 0)  # the left edge of the box, at 4 * 4 = 16
    assert tuple(boxed[30, 30]) == (0, 0, 0)


@pytest.fixture
def widget(state):
    return CompareWidget(state, tile=64, overview=96)


def test_widget_builds_and_shows_the_state(widget, state):
    assert (widget.x.value, widget.y.value, widget.size.value) == state.zoom.as_tuple()
    assert set(widget.tiles) == {"noisy", "flat", "HR"}
    for tile in widget.tiles.values():
        assert _png_image(tile.value).size == (64, 64)
    assert _png_image(widget.overview.value).size == (96, 96)
    assert "ground truth" in widget.captions["HR"].value
    assert state.metric_text("noisy") in widget.captions["noisy"].value
    assert "crop:" in widget.captions["noisy"].value
    assert widget.left.value == "noisy" and widget.right.value == "HR"


def test_widget_x_slider_moves_the_zoom_box(widget, state):
    before = widget.tiles["noisy"].value
    widget.x.value = 3
    assert state.zoom == ZoomBox(3, 24, 16)
    assert widget.tiles["noisy"].value != before
    np.testing.assert_array_equal(
        np.asarray(_png_image(widget.tiles["noisy"].value).convert("RGB"))[::4, ::4], state.crop("noisy")
    )
    # Beyond the image: the box is clamped and the slider shows the clamped position.
    widget.x.value = SIZE - 1
    assert state.zoom.x == SIZE - 16
    assert widget.x.value == SIZE - 16
    widget.y.value = SIZE - 1
    assert state.zoom == ZoomBox(SIZE - 16, SIZE - 16, 16)
    assert widget.y.value == SIZE - 16


def test_widget_size_slider_resizes_the_zoom_box(widget, state):
    before = widget.tiles["flat"].value
    widget.size.value = 32
    assert state.zoom == ZoomBox(16, 16, 32)  # centre (32, 32) kept
    assert (widget.x.value, widget.y.value) == (16, 16)
    assert widget.tiles["flat"].value != before
    widget.size.value = 10_000  # clamped by the slider's max, the image size
    assert state.zoom == ZoomBox(0, 0, SIZE)
    assert widget.size.value == SIZE


def test_widget_swipe_controls_change_the_state(widget, state):
    before = widget.swipe.value
    widget.left.value = "flat"
    assert state.swipe_left == "flat"
    assert widget.swipe.value != before
    widget.right.value = "noisy"
    widget.pos.value = 0.25
    assert (state.swipe_left, state.swipe_right, state.swipe_position) == ("flat", "noisy", 0.25)
    shown = np.asarray(_png_image(widget.swipe.value).convert("RGB"))
    divider = round(0.25 * shown.shape[1])
    yellow = np.nonzero(np.all(shown == [255, 255, 0], axis=-1).all(axis=0))[0]
    assert list(yellow) == [divider], (yellow, shown.shape, divider)  # the yellow divider line
    cols = [c for c in range(0, shown.shape[1], 8) if c != divider]
    np.testing.assert_array_equal(shown[::8, cols], state.swipe_image()[:, [c // 8 for c in cols]])


def test_compare_helper_builds_a_widget(images):
    w = compare(images, reference="HR", crop_border=2, zoom_size=20, tile=32)
    assert isinstance(w, CompareWidget)
    assert w.state.zoom.size == 20 and w.state.crop_border == 2
    assert w.state.best() == "noisy"


# --------------------------------------------------------------------------------------------------
# Small images (the zoom slider and SSIM must cope with them)
# --------------------------------------------------------------------------------------------------
def test_widget_accepts_images_smaller_than_eight_pixels():
    a = np.zeros((6, 6, 3), dtype=np.uint8)
    w = compare({"a": a, "b": a + 1})  # no reference: SSIM's 11x11 minimum does not come into it
    assert w.state.zoom == ZoomBox(0, 0, 6)
    assert w.size.value == 6


def test_widget_zoom_slider_matches_a_small_zoom_box(images):
    w = compare(images, reference="HR", zoom_size=4)
    assert w.size.value == w.state.zoom.size == 4


def test_small_images_can_be_compared_against_a_reference():
    rng = np.random.default_rng(3)
    hr = rng.integers(0, 256, size=(10, 10, 3), dtype=np.uint8)
    sr = np.clip(hr.astype(int) + 3, 0, 255).astype(np.uint8)
    st = CompareState({"sr": sr, "hr": hr}, reference="hr")
    assert st.metrics["sr"]["psnr"] == pytest.approx(psnr(sr, hr), abs=1e-12)


def test_burst_state_steps_through_frames_and_viewer_follows():
    from srkit.burst import make_burst
    from srkit.widgets import BurstState, BurstViewer

    rng = np.random.default_rng(0)
    burst = make_burst(rng.integers(0, 256, (80, 80, 3), dtype=np.uint8), scale=4, frames=4, seed=2)
    st = BurstState(burst)
    assert st.index == 0 and st.count == 4
    assert st.step() == 1 and st.step(-2) == 3 and st.go(-1) == 3  # wraps around
    np.testing.assert_array_equal(st.frame(), burst.frames[3])
    st.go(0)
    assert st.difference().max() == 0 and "(+0.00, +0.00)" in st.caption()
    st.go(2)
    assert "frame 3 of 4" in st.caption()
    viewer = BurstViewer(burst, size=64)
    before = viewer.image.value
    viewer.slider.value = 2
    assert viewer.state.index == 2 and viewer.image.value != before
    assert "frame 3 of 4" in viewer.caption.value
