"""Interactive comparison of SR results in Jupyter.

Two layers, so that the logic is testable without a browser:

* :class:`CompareState` is plain Python: the images of one scene, the metrics of each against the
  ground truth (or, with no ground truth, each image's NIQE: :func:`srkit.quality.niqe`), one shared zoom box, and a before/after swipe between two of the images.  Tests drive it
  directly (``tests/test_widgets.py``).
* :class:`CompareWidget` draws a state with ipywidgets: an overview with the zoom box (click it to centre the
  box on that point; ipyevents reports the click), the zoomed crop of every image side by side with its
  PSNR/SSIM, sliders to move and resize the zoom box, and a swipe view.

Quick use in a notebook::

    from srkit.widgets import compare
    compare({"bicubic": bic, "model": sr, "HR": hr}, reference="HR", crop_border=3)
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from ..errors import ShapeError
from ..color import to_uint8
from ..metrics import psnr, ssim

__all__ = ["CompareState", "CompareWidget", "compare", "ZoomBox", "to_png"]

# What a click on the overview must carry: ipyevents' position of the pointer relative to the image element
# and the element's displayed size, both in CSS pixels (whatever the PNG's own size or the page's zoom).
_CLICK_KEYS = ("relativeX", "relativeY", "boundingRectWidth", "boundingRectHeight")
_CLICK_HINT = ("<style>.srkit-overview { cursor: crosshair; }</style>"
               "<small>click the image to centre the zoom box there</small>")


@dataclass
class ZoomBox:
    """A square window on the image: top-left corner ``(x, y)`` and side ``size``, in HR pixels."""

    x: int
    y: int
    size: int

    def as_tuple(self) -> tuple[int, int, int]:
        """``(x, y, size)``."""
        return self.x, self.y, self.size

    def describe(self) -> str:
        """The region in words, e.g. ``'zoom: x 24-39, y 8-23 (16 x 16 px)'`` (inclusive pixel ranges)."""
        return (f"zoom: x {self.x}-{self.x + self.size - 1}, y {self.y}-{self.y + self.size - 1} "
                f"({self.size} x {self.size} px)")


@dataclass
class CompareState:
    """State of a comparison of several images of one scene.

    Args:
        images: ``{label: image}``, all the same height and width (uint8, or float in [0, 1]).
        reference: label of the ground truth the metrics are measured against (``None``: no metrics).
        crop_border: pixels shaved for the metrics (use the scale factor), see :mod:`srkit.metrics`.
        zoom_size: initial side of the zoom box (clamped to the image).
        texture: also measure :func:`srkit.metrics.texture_distance` (lower = closer to the real
            detail), with ``crop_border`` as the scale.
        show_niqe: show each image's NIQE (:func:`srkit.quality.niqe`, no reference needed, lower = more natural,
            ``crop_border`` shaved).  ``None`` (default): only when there is no ``reference`` (e.g. your own
            photo, where PSNR/SSIM cannot be computed), and only for images of at least 96x96 pixels after the
            shave; ``True``: for every image, the reference too, beside PSNR/SSIM (smaller images are then a
            :class:`ShapeError`); ``False``: never.

    The zoom box always stays inside the image; the swipe position is a fraction in [0, 1]: the left
    image is shown left of ``position * width`` and the right image from there on.
    """

    images: Mapping[str, np.ndarray]
    reference: str | None = None
    crop_border: int = 0
    zoom_size: int = 64
    texture: bool = False
    show_niqe: bool | None = None
    zoom: ZoomBox = field(init=False)
    swipe_left: str = field(init=False)
    swipe_right: str = field(init=False)
    swipe_position: float = field(init=False, default=0.5)
    metrics: dict = field(init=False)

    def __post_init__(self) -> None:
        if not self.images:
            raise ShapeError("CompareState needs at least one image.")
        self.images = {str(k): to_uint8(v) for k, v in self.images.items()}
        for k, v in self.images.items():
            if v.ndim == 2:
                self.images[k] = v[..., None]
        shapes = {k: v.shape[:2] for k, v in self.images.items()}
        if len(set(shapes.values())) != 1:
            raise ShapeError(
                "All images of a comparison must have the same size; got "
                + ", ".join(f"{k}: {h}x{w}" for k, (h, w) in shapes.items())
                + ". Crop the HR to a multiple of the scale (srkit.degrade.modcrop)."
            )
        if self.reference is not None and self.reference not in self.images:
            raise KeyError(f"Reference {self.reference!r} is not one of the images: {list(self.images)}.")
        self.height, self.width = next(iter(shapes.values()))
        size = max(1, min(int(self.zoom_size), self.height, self.width))
        self.zoom = ZoomBox((self.width - size) // 2, (self.height - size) // 2, size)
        labels = self.labels
        self.swipe_left = labels[0]
        self.swipe_right = self.reference if self.reference is not None else labels[-1]
        if self.swipe_right == self.swipe_left and len(labels) > 1:
            self.swipe_right = labels[1]
        self.metrics = self._compute_metrics()

    # -- metrics ------------------------------------------------------------------------------------
    @property
    def labels(self) -> list[str]:
        return list(self.images)

    def _compute_metrics(self) -> dict[str, dict[str, float] | None]:
        return {k: self._metrics_of(k) for k in self.images}

    @property
    def shows_niqe(self) -> bool:
        """Whether the metrics hold NIQE (see the ``show_niqe`` argument)."""
        if self.show_niqe is not None:
            return bool(self.show_niqe)
        from ..quality import PATCH_SIZE

        return self.reference is None and min(self.height, self.width) - 2 * self.crop_border >= PATCH_SIZE

    def _metrics_of(self, k: str) -> dict[str, float] | None:
        if self.shows_niqe:
            from ..quality import niqe

            nr = {"niqe": niqe(self.images[k], crop_border=self.crop_border)}
        else:
            nr = {}
        if self.reference is None or k == self.reference:
            return nr or None
        ref, im = self.images[self.reference], self.images[k]
        if im.shape != ref.shape:
            raise ShapeError(f"{k!r} has {im.shape[2]} channels but the reference has {ref.shape[2]}.")
        small = min(self.height, self.width) - 2 * self.crop_border < 11  # SSIM needs an 11x11 window
        out = {
            "psnr": psnr(im, ref, crop_border=self.crop_border),
            "ssim": float("nan") if small else ssim(im, ref, crop_border=self.crop_border),
        }
        if self.texture:
            from ..metrics import texture_distance

            out["texture"] = texture_distance(im, ref, max(1, self.crop_border))
        return {**out, **nr}

    def set_image(self, label: str, image) -> dict[str, float] | None:
        """Replace (or add) one image, e.g. a new output as a slider moves; returns its new metrics."""
        im = to_uint8(image)
        im = im[..., None] if im.ndim == 2 else im
        if im.shape[:2] != (self.height, self.width):
            raise ShapeError(f"{label!r} is {im.shape[1]}x{im.shape[0]} but the comparison is "
                             f"{self.width}x{self.height}.")
        self.images[label] = im
        self.metrics[label] = self._metrics_of(label)
        return self.metrics[label]

    def metric_text(self, label: str) -> str:
        """``'28.42 dB / 0.8104'`` (plus ``' / tex 12.3'`` with ``texture``, ``' / NIQE 4.51'`` with NIQE) for an
        image, ``'ground truth'`` for the reference; ``'NIQE 4.51'`` alone when there is no reference."""
        m = self.metrics[label]
        if m is None:
            return "ground truth" if label == self.reference else ""
        parts = ["ground truth"] if label == self.reference else []
        if "psnr" in m:
            parts.append(f"{m['psnr']:.2f} dB / {m['ssim']:.4f}")
        if "texture" in m:
            parts.append(f"tex {m['texture']:.1f}")
        if "niqe" in m:
            parts.append(f"NIQE {m['niqe']:.2f}")
        return " / ".join(parts)

    def best(self, metric: str = "psnr") -> str:
        """Label of the best image by ``metric``: the highest PSNR/SSIM, the lowest texture distance or NIQE."""
        scored = {k: v[metric] for k, v in self.metrics.items() if v is not None and metric in v}
        if not scored:
            if metric == "niqe":
                raise ValueError("No NIQE scores: pass show_niqe=True (images of at least 96x96 pixels).")
            raise ValueError(f"No {metric!r} scores: give a reference image to compare against.")
        pick = min if metric in ("niqe", "texture") else max
        return pick(scored, key=scored.get)

    # -- zoom box -----------------------------------------------------------------------------------
    def _clamp(self, x: int, y: int, size: int) -> ZoomBox:
        size = int(max(1, min(size, self.height, self.width)))
        x = int(min(max(0, x), self.width - size))
        y = int(min(max(0, y), self.height - size))
        return ZoomBox(x, y, size)

    def move_to(self, x: int, y: int) -> ZoomBox:
        """Put the zoom box's top-left corner at ``(x, y)`` (clamped inside the image)."""
        self.zoom = self._clamp(x, y, self.zoom.size)
        return self.zoom

    def center_on(self, cx: int, cy: int) -> ZoomBox:
        """Centre the zoom box on pixel ``(cx, cy)`` (clamped)."""
        s = self.zoom.size
        return self.move_to(cx - s // 2, cy - s // 2)

    def move_by(self, dx: int, dy: int) -> ZoomBox:
        """Shift the zoom box by ``(dx, dy)`` pixels (clamped inside the image)."""
        return self.move_to(self.zoom.x + dx, self.zoom.y + dy)

    def pixel_at(self, event: Mapping) -> tuple[int, int] | None:
        """The image pixel ``(x, y)`` under a click on the displayed overview, or ``None`` off the image.

        ``event`` is the dict ipyevents sends for a click: ``relativeX`` / ``relativeY`` (the pointer from
        the image element's top-left corner) and ``boundingRectWidth`` / ``boundingRectHeight`` (the size it
        is displayed at), all in CSS pixels.  The displayed size need not be the image's: a 64-pixel image
        shown 320 wide maps 5 CSS pixels to one image pixel, a 1000-pixel one shown 320 wide about 0.32, and
        width and height are scaled separately.  A point on the right or bottom edge is the last pixel; a
        point beyond the displayed image is ``None``.
        """
        if not isinstance(event, Mapping):
            raise TypeError(f"A click event is a dict (as ipyevents sends), got {type(event).__name__}.")
        missing = [k for k in _CLICK_KEYS if event.get(k) is None]
        if missing:
            raise ValueError(f"The click event lacks {', '.join(missing)}: the overview needs "
                             f"{', '.join(_CLICK_KEYS)} (ipyevents' click on an image sends them).")
        try:
            rx, ry, bw, bh = (float(event[k]) for k in _CLICK_KEYS)
        except (TypeError, ValueError):
            raise ValueError("The click event's " + ", ".join(_CLICK_KEYS) + " must be numbers, got "
                             + ", ".join(repr(event[k]) for k in _CLICK_KEYS) + ".") from None
        if not (np.isfinite([rx, ry, bw, bh]).all() and bw > 0 and bh > 0):
            raise ValueError(f"The clicked image is displayed at {bw} x {bh} CSS pixels; a click needs a "
                             "visible image of positive, finite size and a finite position.")
        if not (0 <= rx <= bw and 0 <= ry <= bh):
            return None
        x = min(int(rx * self.width / bw), self.width - 1)
        y = min(int(ry * self.height / bh), self.height - 1)
        return x, y

    def click(self, event: Mapping) -> ZoomBox | None:
        """Centre the zoom box on the pixel clicked on the displayed overview (see :meth:`pixel_at`), clamped
        inside the image.  Returns the new box, or ``None`` (box unchanged) for a click off the image."""
        pixel = self.pixel_at(event)
        if pixel is None:
            return None
        return self.center_on(*pixel)

    def resize_zoom(self, size: int) -> ZoomBox:
        """Change the side of the zoom box, keeping its centre where possible."""
        cx, cy = self.zoom.x + self.zoom.size // 2, self.zoom.y + self.zoom.size // 2
        size = int(max(1, min(size, self.height, self.width)))
        self.zoom = self._clamp(cx - size // 2, cy - size // 2, size)
        return self.zoom

    def crop(self, label: str) -> np.ndarray:
        """The zoomed region of one image (uint8, (size, size, C))."""
        z = self.zoom
        return self.images[label][z.y : z.y + z.size, z.x : z.x + z.size]

    def crop_metrics(self, label: str) -> dict[str, float] | None:
        """PSNR/SSIM of the zoomed region alone (no border shave), or ``None`` for the reference."""
        if self.reference is None or label == self.reference:
            return None
        a, b = self.crop(label), self.crop(self.reference)
        out = {"psnr": psnr(a, b)}
        out["ssim"] = ssim(a, b) if self.zoom.size >= 11 else float("nan")
        return out

    # -- swipe --------------------------------------------------------------------------------------
    def set_swipe(self, left: str | None = None, right: str | None = None, position: float | None = None):
        """Choose the two images of the before/after swipe and/or the divider position in [0, 1]."""
        for name in (left, right):
            if name is not None and name not in self.images:
                raise KeyError(f"{name!r} is not one of the images: {self.labels}.")
        if position is not None and not 0.0 <= position <= 1.0:
            raise ValueError(f"Swipe position must be between 0 and 1, got {position}.")
        self.swipe_left = left or self.swipe_left
        self.swipe_right = right or self.swipe_right
        if position is not None:
            self.swipe_position = float(position)

    def swipe_image(self, region: str = "zoom") -> np.ndarray:
        """Left image up to the divider, right image after it; over the zoom box or the full image."""
        if region == "zoom":
            a, b = self.crop(self.swipe_left), self.crop(self.swipe_right)
        elif region == "full":
            a, b = self.images[self.swipe_left], self.images[self.swipe_right]
        else:
            raise ValueError("region must be 'zoom' or 'full'.")
        cut = int(round(self.swipe_position * a.shape[1]))
        out = b.copy()
        out[:, :cut] = a[:, :cut]
        return out

    def summary(self) -> dict:
        """Everything a test or a log needs: zoom box, swipe and metrics."""
        return {
            "zoom": self.zoom.as_tuple(),
            "swipe": (self.swipe_left, self.swipe_right, self.swipe_position),
            "metrics": dict(self.metrics),
        }


def to_png(image: np.ndarray, display_size: int | None = None, box: ZoomBox | None = None,
           divider: float | None = None) -> bytes:
    """Encode an image as PNG bytes, enlarged with nearest-neighbour to ``display_size`` (so pixels stay
    visible), optionally with a zoom box outlined in red and a vertical divider at the fraction
    ``divider`` of the width (the swipe position)."""
    from PIL import Image, ImageDraw

    a = to_uint8(image)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[..., 0]
    im = Image.fromarray(a).convert("RGB")
    factor = 1.0
    if display_size:
        factor = display_size / max(im.size)
        im = im.resize((max(1, round(im.width * factor)), max(1, round(im.height * factor))), Image.Resampling.NEAREST)
    if box is not None:
        d = ImageDraw.Draw(im)
        x0, y0 = box.x * factor, box.y * factor
        x1, y1 = (box.x + box.size) * factor - 1, (box.y + box.size) * factor - 1
        d.rectangle([x0, y0, x1, y1], outline=(255, 0, 0), width=2)
    if divider is not None:
        x = min(im.width - 1, round(divider * im.width))
        ImageDraw.Draw(im).line([(x, 0), (x, im.height - 1)], fill=(255, 255, 0), width=1)
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


class CompareWidget:
    """ipywidgets view of a :class:`CompareState` (display it as the last expression of a cell).

    Controls: a click on the overview centres the shared zoom box on that point (``ipyevents`` reports
    the click; :meth:`CompareState.click` maps it to image pixels); ``x``, ``y`` and ``zoom`` sliders move
    and resize the box and follow the clicks; a label states the region; two dropdowns and a slider set the
    before/after swipe.  Each zoomed crop is labelled with its PSNR/SSIM on the whole image (paper
    protocol) and on the crop alone.
    """

    def __init__(self, state: CompareState, tile: int = 192, overview: int = 320):
        import ipywidgets as w
        from ipyevents import Event

        self.state, self.tile, self.overview_px = state, tile, overview
        self._syncing = False
        s = state
        self.overview = w.Image(format="png", width=overview)
        self.overview.add_class("srkit-overview")
        self.clicks = Event(source=self.overview, watched_events=["click"], prevent_default_action=True)
        self.clicks.on_dom_event(self._on_click)
        self.region = w.HTML()
        self.region.add_class("srkit-zoom-region")
        self.x = w.IntSlider(value=s.zoom.x, min=0, max=s.width - 1, description="x")
        self.y = w.IntSlider(value=s.zoom.y, min=0, max=s.height - 1, description="y")
        self.size = w.IntSlider(value=s.zoom.size, min=1, max=min(s.height, s.width), description="zoom")
        self.tiles = {k: w.Image(format="png", width=tile, height=tile) for k in s.labels}
        self.captions = {k: w.HTML() for k in s.labels}
        self.left = w.Dropdown(options=s.labels, value=s.swipe_left, description="left")
        self.right = w.Dropdown(options=s.labels, value=s.swipe_right, description="right")
        self.pos = w.FloatSlider(value=s.swipe_position, min=0.0, max=1.0, step=0.01, description="swipe")
        self.swipe = w.Image(format="png", width=2 * tile)
        columns = [w.VBox([w.HTML(f"<b>{k}</b>"), self.tiles[k], self.captions[k]]) for k in s.labels]
        self.widget = w.VBox(
            [
                w.HBox([self.overview, w.VBox([w.HTML(_CLICK_HINT),
                                               self.x, self.y, self.size, self.region])]),
                w.HBox(columns),
                w.HBox([w.VBox([self.left, self.right, self.pos]), self.swipe]),
            ]
        )
        for control in (self.x, self.y, self.size):
            control.observe(self._on_zoom, names="value")
        for control in (self.left, self.right, self.pos):
            control.observe(self._on_swipe, names="value")
        self.render()

    def _on_zoom(self, change=None) -> None:
        if self._syncing:
            return
        if change is not None and change["owner"] is self.size:
            self.state.resize_zoom(self.size.value)
        else:
            self.state.move_to(self.x.value, self.y.value)
        self.render()

    def _on_click(self, event: dict) -> None:
        if event.get("type", "click") != "click" or self.state.click(event) is None:
            return
        self.render()

    def _on_swipe(self, _change=None) -> None:
        self.state.set_swipe(self.left.value, self.right.value, self.pos.value)
        self.render_swipe()

    def render(self) -> None:
        """Redraw everything from the state: the sliders (set without triggering an update, so they show the
        clamped box or a box moved from code), the overview with its box, the region label, every crop with
        its captions, and the swipe."""
        s = self.state
        self._syncing = True
        try:
            self.x.value, self.y.value, self.size.value = s.zoom.as_tuple()
        finally:
            self._syncing = False
        first = s.reference or s.labels[-1]
        self.overview.value = to_png(s.images[first], display_size=self.overview_px, box=s.zoom)
        self.region.value = s.zoom.describe()
        for k in s.labels:
            self.tiles[k].value = to_png(s.crop(k), display_size=self.tile)
            whole = s.metric_text(k)
            local = s.crop_metrics(k)
            crop_txt = f"<br><small>crop: {local['psnr']:.2f} dB</small>" if local else ""
            self.captions[k].value = f"{whole}{crop_txt}"
        self.render_swipe()

    def render_swipe(self) -> None:
        """Redraw the before/after swipe of the zoomed region."""
        s = self.state
        self.swipe.value = to_png(s.swipe_image("zoom"), display_size=2 * self.tile, divider=s.swipe_position)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def compare(images: Mapping[str, np.ndarray], reference: str | None = None, crop_border: int = 0,
            zoom_size: int = 64, tile: int = 192, show_niqe: bool | None = None) -> CompareWidget:
    """Build a comparison widget for ``{label: image}`` (see :class:`CompareState`).  Without a ``reference``
    each image is captioned with its NIQE (lower = more natural); ``show_niqe=True`` adds it beside PSNR/SSIM."""
    return CompareWidget(CompareState(images, reference, crop_border, zoom_size, show_niqe=show_niqe), tile=tile)
