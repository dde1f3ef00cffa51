"""Tests for srkit.widgets: CompareState (metrics, zoom box, click to zoom, swipe), the views and PNG encoding."""

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
# Click to zoom: an ipyevents click on the displayed overview -> image pixel -> zoom box
# --------------------------------------------------------------------------------------------------
def _click(x, y, shown_w, shown_h, **extra):
    """The fields of ipyevents' click event on an image displayed at ``shown_w x shown_h`` CSS pixels."""
    return {"type": "click", "relativeX": x, "relativeY": y, "boundingRectWidth": shown_w,
            "boundingRectHeight": shown_h, **extra}


def test_click_pixel_on_an_image_shown_larger(state):
    # 64 x 64 pixels shown at 320 x 320: five CSS pixels per image pixel.
    assert state.pixel_at(_click(0, 0, 320, 320)) == (0, 0)
    assert state.pixel_at(_click(4, 9, 320, 320)) == (0, 1)
    assert state.pixel_at(_click(160, 160, 320, 320)) == (32, 32)
    assert state.pixel_at(_click(319, 319, 320, 320)) == (63, 63)
    assert state.pixel_at(_click(320, 320, 320, 320)) == (63, 63)  # the far edge is the last pixel
    assert state.pixel_at(_click(319.6, 0.4, 320, 320)) == (63, 0)  # fractional positions


def test_click_pixel_on_an_image_shown_smaller_and_stretched():
    rng = np.random.default_rng(5)
    big = rng.integers(0, 256, size=(333, 501, 3), dtype=np.uint8)
    st = CompareState({"a": big, "b": big}, zoom_size=40)
    # 501 x 333 shown at 320 x 213 (the widget's default overview): ~1.57 image pixels per CSS pixel.
    assert st.pixel_at(_click(0, 0, 320, 213)) == (0, 0)
    assert st.pixel_at(_click(160, 106.5, 320, 213)) == (250, 166)
    assert st.pixel_at(_click(320, 213, 320, 213)) == (500, 332)
    assert st.pixel_at(_click(100, 50, 320, 213)) == (int(100 * 501 / 320), int(50 * 333 / 213))
    # Width and height are scaled separately (a display that does not keep the aspect ratio).
    assert st.pixel_at(_click(100, 100, 200, 400)) == (250, 83)


@pytest.mark.parametrize("shape, shown", [((23, 37), 320), ((37, 23), 320), ((9, 7), 96), ((301, 199), 128)])
def test_every_pixel_of_an_odd_sized_image_is_clickable(shape, shown):
    """Clicking the middle of each pixel's block in the overview PNG the widget draws gives that pixel."""
    h, w = shape
    img = np.zeros((h, w, 3), dtype=np.uint8)
    st = CompareState({"a": img, "b": img}, zoom_size=5)
    png_w, png_h = _png_image(to_png(img, display_size=shown)).size  # displayed at its own size
    f = shown / max(h, w)
    xs, ys = np.arange(w), np.arange(h)
    # Whole CSS pixels, as ipyevents rounds the pointer position.
    got_x = [st.pixel_at(_click(round((x + 0.5) * f), 0, png_w, png_h))[0] for x in xs]
    got_y = [st.pixel_at(_click(0, round((y + 0.5) * f), png_w, png_h))[1] for y in ys]
    if f >= 2:  # each image pixel covers at least two CSS pixels: exact
        assert got_x == list(xs) and got_y == list(ys)
    else:  # shown smaller: the nearest pixel, within the CSS pixel's width
        assert np.abs(np.array(got_x) - xs).max() <= np.ceil(1 / f)
        assert np.abs(np.array(got_y) - ys).max() <= np.ceil(1 / f)
    assert st.pixel_at(_click(png_w, png_h, png_w, png_h)) == (w - 1, h - 1)


def test_click_centres_the_zoom_box_and_clamps_it(state):
    assert state.click(_click(160, 160, 320, 320)) == ZoomBox(24, 24, 16)  # centre on (32, 32)
    assert state.click(_click(100, 200, 320, 320)) == ZoomBox(12, 32, 16)  # (20, 40)
    assert state.zoom == ZoomBox(12, 32, 16)
    assert state.click(_click(0, 0, 320, 320)) == ZoomBox(0, 0, 16)  # top-left corner
    assert state.click(_click(320, 0, 320, 320)) == ZoomBox(48, 0, 16)  # top-right
    assert state.click(_click(0, 320, 320, 320)) == ZoomBox(0, 48, 16)  # bottom-left
    assert state.click(_click(319, 319, 320, 320)) == ZoomBox(48, 48, 16)  # bottom-right
    state.resize_zoom(64)  # the whole image: a click cannot move it
    assert state.click(_click(30, 290, 320, 320)) == ZoomBox(0, 0, 64)


def test_click_centres_on_odd_sized_images_and_odd_boxes():
    img = np.zeros((23, 37), dtype=np.uint8)
    st = CompareState({"a": img, "b": img}, zoom_size=7)
    shown = (320, round(23 * 320 / 37))  # 320 x 199
    assert st.pixel_at(_click(160, 99, *shown)) == (18, 11)
    box = st.click(_click(160, 99, *shown))
    assert box == ZoomBox(15, 8, 7)  # pixel (18, 11) is the box's middle pixel
    assert st.click(_click(320, 199, *shown)) == ZoomBox(30, 16, 7)  # clamped at 37 - 7, 23 - 7
    assert st.crop("a").shape == (7, 7, 1)


def test_click_outside_the_image_changes_nothing(state):
    state.move_to(10, 20)
    for x, y in [(-1, 100), (100, -0.5), (321, 100), (100, 400), (-50, -50)]:
        assert state.pixel_at(_click(x, y, 320, 320)) is None
        assert state.click(_click(x, y, 320, 320)) is None
        assert state.zoom == ZoomBox(10, 20, 16)


def test_bad_click_events_are_refused_clearly(state):
    with pytest.raises(ValueError, match="lacks boundingRectWidth, boundingRectHeight"):
        state.click({"relativeX": 3, "relativeY": 4})
    with pytest.raises(ValueError, match="relativeY"):
        state.click({"relativeX": 3, "boundingRectWidth": 10, "boundingRectHeight": 10})
    with pytest.raises(ValueError, match="positive"):
        state.click(_click(0, 0, 0, 320))  # a hidden image
    with pytest.raises(ValueError, match="finite"):
        state.click(_click(float("nan"), 0, 320, 320))
    with pytest.raises(ValueError, match="must be numbers"):
        state.click(_click("left", 0, 320, 320))
    with pytest.raises(TypeError, match="dict"):
        state.click((3, 4))
    assert state.zoom == ZoomBox(24, 24, 16)  # a refused click changes nothing


def test_zoom_box_describes_its_region():
    assert ZoomBox(24, 8, 16).describe() == "zoom: x 24-39, y 8-23 (16 x 16 px)"
    assert ZoomBox(0, 0, 1).describe() == "zoom: x 0-0, y 0-0 (1 x 1 px)"


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


def _send_click(widget, event) -> None:
    """Deliver ``event`` as the browser would: a message from ipyevents' front end to its Event widget."""
    widget.clicks._handle_mouse_msg(widget.clicks, event, [])


def test_widget_listens_to_clicks_on_the_overview(widget):
    from ipyevents import Event

    assert isinstance(widget.clicks, Event)
    assert widget.clicks.source is widget.overview
    assert widget.clicks.watched_events == ["click"]
    assert "srkit-overview" in widget.overview._dom_classes


def test_widget_click_moves_the_zoom_box_sliders_crops_and_metrics(widget, state):
    shown = _png_image(widget.overview.value).size  # 96 x 96: 1.5 CSS pixels per image pixel
    assert widget.region.value == "zoom: x 24-39, y 24-39 (16 x 16 px)"
    before = {k: widget.tiles[k].value for k in state.labels}
    captions = dict((k, widget.captions[k].value) for k in state.labels)
    overview = widget.overview.value
    _send_click(widget, _click(15, 30, *shown))  # pixel (10, 20)
    assert state.zoom == ZoomBox(2, 12, 16)
    assert (widget.x.value, widget.y.value, widget.size.value) == (2, 12, 16)  # the sliders follow
    assert widget.region.value == "zoom: x 2-17, y 12-27 (16 x 16 px)"
    assert widget.overview.value != overview  # the red box moved
    for k in state.labels:
        assert widget.tiles[k].value != before[k]
        np.testing.assert_array_equal(
            np.asarray(_png_image(widget.tiles[k].value).convert("RGB"))[::4, ::4], state.crop(k))
    # The crop's own PSNR follows the region; the whole-image metrics do not change.
    for k in ("noisy", "flat"):
        assert f"crop: {state.crop_metrics(k)['psnr']:.2f} dB" in widget.captions[k].value
        assert widget.captions[k].value != captions[k]
        assert state.metric_text(k) in widget.captions[k].value
    assert widget.captions["HR"].value == captions["HR"]
    # The swipe shows the new region too.
    swipe = np.concatenate([state.crop("noisy")[:, :8], state.crop("HR")[:, 8:]], axis=1)
    np.testing.assert_array_equal(state.swipe_image(), swipe)
    shown_swipe = np.asarray(_png_image(widget.swipe.value).convert("RGB"))
    np.testing.assert_array_equal(shown_swipe[::8, 8:64:8], swipe[:, 1:8])
    # A corner click clamps the box, and the sliders show the clamped position.
    _send_click(widget, _click(shown[0], shown[1], *shown))
    assert state.zoom == ZoomBox(48, 48, 16)
    assert (widget.x.value, widget.y.value) == (48, 48)
    assert widget.region.value == "zoom: x 48-63, y 48-63 (16 x 16 px)"
    # The sliders still work after a click, and a later click still wins.
    widget.size.value = 32
    assert state.zoom == ZoomBox(32, 32, 32)
    _send_click(widget, _click(0, 0, *shown))
    assert state.zoom == ZoomBox(0, 0, 32) and (widget.x.value, widget.y.value, widget.size.value) == (0, 0, 32)


def test_widget_render_shows_a_box_moved_from_code_on_the_sliders(widget, state):
    state.center_on(10, 50)
    state.resize_zoom(8)
    widget.render()
    assert (widget.x.value, widget.y.value, widget.size.value) == state.zoom.as_tuple() == (6, 46, 8)
    assert widget.region.value == "zoom: x 6-13, y 46-53 (8 x 8 px)"
    widget.x.value = 7  # and the sliders go on from there
    assert state.zoom == ZoomBox(7, 46, 8)


def test_widget_ignores_clicks_off_the_image_and_other_events(widget, state):
    tiles = widget.tiles["noisy"].value
    _send_click(widget, _click(-3, 10, 96, 96))
    _send_click(widget, _click(10, 10, 96, 96, type="mousemove"))
    assert state.zoom == ZoomBox(24, 24, 16)
    assert (widget.x.value, widget.y.value) == (24, 24)
    assert widget.tiles["noisy"].value == tiles


def test_widget_click_on_a_rescaled_overview():
    """JupyterLab may shrink the overview to fit the page (max-width: 100%): the displayed size decides."""
    rng = np.random.default_rng(4)
    hr = rng.integers(0, 256, size=(45, 81, 3), dtype=np.uint8)
    w = compare({"sr": hr // 2, "HR": hr}, reference="HR", zoom_size=9)
    assert _png_image(w.overview.value).size == (320, 178)
    _send_click(w, _click(100, 50, 160, 89))  # shown at half size: pixel (50, 25)
    assert w.state.zoom == ZoomBox(46, 21, 9)
    _send_click(w, _click(100, 50, 640, 356))  # shown at double size: pixel (12, 6)
    assert w.state.zoom == ZoomBox(8, 2, 9)
    assert (w.x.value, w.y.value) == (8, 2)


def test_interpolation_widget_zooms_on_click_and_keeps_the_region_as_alpha_moves():
    from srkit.models.cnn import espcn
    from srkit.widgets import InterpolationState, InterpolationWidget

    rng = np.random.default_rng(6)
    hr = rng.integers(0, 256, size=(36, 48, 3), dtype=np.uint8)
    a, b = espcn(2), espcn(2)
    b.set_weights([x * 1.5 for x in a.get_weights()])
    iw = InterpolationWidget(InterpolationState(a, b, hr[::2, ::2], hr, 2, alpha=0.0, zoom_size=12))
    view, st = iw.view, iw.state.compare
    shown = _png_image(view.overview.value).size
    _send_click(view, _click(0, shown[1], *shown))  # bottom-left corner
    assert st.zoom == ZoomBox(0, 24, 12) and (view.x.value, view.y.value) == (0, 24)
    assert view.region.value == "zoom: x 0-11, y 24-35 (12 x 12 px)"
    blend_tile = view.tiles["blend"].value
    iw.slider.value = 1.0  # the blend changes inside the same region
    assert st.zoom == ZoomBox(0, 24, 12)
    assert view.tiles["blend"].value != blend_tile
    assert view.tiles["blend"].value == to_png(st.crop("GAN"), display_size=view.tile)  # alpha 1: the GAN


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


# --------------------------------------------------------------------------------------------------
# NIQE: a number for every image when there is no ground truth
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def photo():
    """A real photo (Set14 zebra, 388x584) and two versions of it: blurred and noisy."""
    from srkit.data import load_benchmark

    hr = next(p.hr for p in load_benchmark("Set14", 4) if p.name == "zebra")
    rng = np.random.default_rng(1)
    noisy = np.clip(hr + rng.normal(0, 20, hr.shape), 0, 255).round().astype(np.uint8)
    return {"sharp": hr, "blurred": gaussian_blur(hr, 2.0), "noisy": noisy}


def test_without_reference_every_image_gets_its_niqe(photo):
    from srkit.quality import niqe

    st = CompareState(photo, crop_border=4)
    assert st.shows_niqe
    for label, image in photo.items():
        assert st.metrics[label] == {"niqe": pytest.approx(niqe(image, crop_border=4), rel=1e-12)}
        assert st.metric_text(label) == f"NIQE {st.metrics[label]['niqe']:.2f}"
    assert st.metrics["sharp"]["niqe"] + 3 < min(st.metrics["blurred"]["niqe"], st.metrics["noisy"]["niqe"])
    assert st.best("niqe") == "sharp"  # lower NIQE = more natural
    with pytest.raises(ValueError, match="reference"):
        st.best("psnr")
    new = st.set_image("blurred", gaussian_blur(photo["sharp"], 3.0))  # a slider moved: NIQE follows
    assert new["niqe"] > st.metrics["sharp"]["niqe"] + 3 and new["niqe"] == pytest.approx(niqe(
        gaussian_blur(photo["sharp"], 3.0), crop_border=4))


def test_with_reference_niqe_is_opt_in_beside_psnr_and_ssim(photo):
    st = CompareState(photo, reference="sharp", crop_border=4)
    assert not st.shows_niqe and "niqe" not in st.metrics["blurred"] and st.metrics["sharp"] is None
    st = CompareState(photo, reference="sharp", crop_border=4, show_niqe=True)
    m = st.metrics["noisy"]
    assert set(m) == {"psnr", "ssim", "niqe"}
    assert st.metric_text("noisy") == f"{m['psnr']:.2f} dB / {m['ssim']:.4f} / NIQE {m['niqe']:.2f}"
    assert st.metric_text("sharp") == f"ground truth / NIQE {st.metrics['sharp']['niqe']:.2f}"
    assert st.best("psnr") == "noisy" and st.best("niqe") == "sharp"
    off = CompareState(photo, crop_border=4, show_niqe=False)
    assert off.metrics == {"sharp": None, "blurred": None, "noisy": None}
    with pytest.raises(ValueError, match="show_niqe=True"):
        off.best("niqe")


def test_niqe_needs_a_96_pixel_image(images, photo):
    assert not CompareState(images).shows_niqe  # 64x64: too small, so no NIQE rather than an error
    assert not CompareState({k: v[:100, :100] for k, v in photo.items()}, crop_border=4).shows_niqe
    with pytest.raises(ShapeError, match="96x96"):
        CompareState(images, show_niqe=True)


def test_the_widget_captions_show_niqe_without_reference(photo):
    w = compare({k: v[:160, :200] for k, v in photo.items()}, zoom_size=32)
    for label in photo:
        assert w.captions[label].value.startswith(f"NIQE {w.state.metrics[label]['niqe']:.2f}")
