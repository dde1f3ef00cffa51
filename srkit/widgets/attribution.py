"""Local attribution maps in Jupyter: pick a model and an output window, see which LR pixels the model used
(:func:`srkit.interpret.lam`), with its diffusion index and receptive fields.

Two layers, as every srkit widget: :class:`AttributionState` is plain Python (choose the model and the window,
compute, results cached per model and window; tests drive it directly), and :class:`AttributionWidget` draws it
with ipywidgets (a model dropdown, row / col / size sliders, a compute button, the LR input with the window and
the heat map, and a caption with the numbers).  :func:`attribution` builds both.

Quick use in a notebook::

    from srkit import zoo
    from srkit.widgets import attribution
    attribution({m: zoo.load(m, 3) for m in ("srcnn", "espcn", "edsr")}, lr_crop, steps=16)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ..errors import InvalidValueError, ShapeError

__all__ = ["AttributionState", "AttributionWidget", "attribution", "heat_overlay"]


@dataclass
class AttributionView:
    """What one computation shows: the LAM result and the model's receptive fields (theoretical / measured, in
    the model's input pixels; ``input`` says which: 'LR' or 'bicubic').

    Example::

        >>> view = state.compute(); view.result.diffusion_index, view.rf_theory      # doctest: +SKIP
        (0.87, 9)
    """

    result: object
    rf_theory: int
    rf_measured: int
    input: str


class AttributionState:
    """LAM of a choice of models on one LR image, as plain Python.

    Args:
        models: ``{label: keras.Model}`` (at least one; all for the same scale).
        lr: the LR image (uint8, or float Y in [0, 1]); see :func:`srkit.interpret.lam`.
        window_size: side of the output window in HR pixels (default 16).
        steps, sigma: LAM's path points and baseline blur.
        scale: only needed for pre-upsampling models whose name does not end in ``_xN``.

    The window starts at the output's centre and always stays inside it (:meth:`set_window` clamps);
    :meth:`compute` runs LAM for the current model and window, or returns the cached result (``cache_hits``
    counts those); receptive fields are computed once per model.

    Example::

        >>> st = AttributionState({"espcn": zoo.load("espcn", 3)}, lr, steps=8)
        >>> st.set_window(30, 42)
        (30, 42, 16)
        >>> st.compute().result.diffusion_index          # doctest: +SKIP
        0.9
    """

    def __init__(self, models: Mapping, lr, window_size: int = 16, steps: int = 16, sigma: float = 8.0,
                 scale: int | None = None):
        from ..errors import check_int
        from ..interpret import _Prepared

        if not models:
            raise InvalidValueError("AttributionState needs at least one model: {label: keras model}.")
        self.models = dict(models)
        self.lr = np.asarray(lr)
        self.steps, self.sigma = int(steps), float(sigma)
        geos = {}
        for label, m in self.models.items():
            p = _Prepared(m, self.lr, scale, "AttributionState")  # every model checked now, with a clear error
            geos[label] = (p.scale, p.out_h, p.out_w, p.pre)
        scales = {g[0] for g in geos.values()}
        if len(scales) != 1:
            raise ShapeError("All models of an AttributionState must work at one scale; got "
                             + ", ".join(f"{k}: x{g[0]}" for k, g in geos.items()) + ".")
        self._geo = geos
        self.scale = scales.pop()
        self.out_h, self.out_w = self.lr.shape[0] * self.scale, self.lr.shape[1] * self.scale
        size = check_int("window_size", window_size, low=1, hint="Use a window of a few output pixels, e.g. 16.")
        self.size = min(size, self.out_h, self.out_w)
        self.model = next(iter(self.models))
        self.row, self.col = (self.out_h - self.size) // 2, (self.out_w - self.size) // 2
        self._lam: dict = {}
        self._rf: dict = {}
        self.cache_hits = 0

    @property
    def labels(self) -> list[str]:
        return list(self.models)

    @property
    def window(self) -> tuple[int, int, int]:
        """``(row, col, size)`` in output pixels."""
        return self.row, self.col, self.size

    def select(self, label: str) -> str:
        """Choose the model (a label of ``models``)."""
        if label not in self.models:
            raise KeyError(f"{label!r} is not one of the models: {self.labels}.")
        self.model = label
        return label

    def set_window(self, row: int, col: int, size: int | None = None) -> tuple[int, int, int]:
        """Move (and optionally resize) the window; clamped inside the output.  Returns ``(row, col, size)``."""
        if size is not None:
            self.size = int(max(1, min(int(size), self.out_h, self.out_w)))
        self.row = int(min(max(0, int(row)), self.out_h - self.size))
        self.col = int(min(max(0, int(col)), self.out_w - self.size))
        return self.window

    def lr_window(self) -> tuple[float, float, float]:
        """The window in LR pixels (divided by the scale)."""
        return self.row / self.scale, self.col / self.scale, self.size / self.scale

    def receptive_fields(self, label: str | None = None) -> tuple[int, int]:
        """``(theoretical, measured)`` receptive field of a model (cached)."""
        from ..interpret import measured_receptive_field, receptive_field

        label = label or self.model
        if label not in self._rf:
            m = self.models[label]
            self._rf[label] = (receptive_field(m), measured_receptive_field(m, self.lr, scale=self.scale))
        return self._rf[label]

    def compute(self) -> AttributionView:
        """LAM for the current model and window (cached per (model, window))."""
        from ..interpret import lam

        key = (self.model, self.window)
        if key in self._lam:
            self.cache_hits += 1
        else:
            self._lam[key] = lam(self.models[self.model], self.lr, self.window, steps=self.steps, sigma=self.sigma,
                                 scale=self.scale)
        theory, measured = self.receptive_fields()
        return AttributionView(self._lam[key], theory, measured, "bicubic" if self._geo[self.model][3] else "LR")

    def cached(self) -> AttributionView | None:
        """The cached view for the current model and window, or ``None`` if not computed yet."""
        if (self.model, self.window) not in self._lam:
            return None
        return self.compute()

    def describe(self, view: AttributionView | None = None) -> str:
        """One line of numbers, e.g. ``'espcn, window rows 64-79, cols 64-79: DI 0.91; receptive field 9
        (theory) / 9 (99% of the gradient) LR pixels'``."""
        r, c, s = self.window
        head = f"{self.model}, window rows {r}-{r + s - 1}, cols {c}-{c + s - 1}"
        if view is None:
            return head + ": not computed yet (press compute)"
        unit = "bicubic (HR) pixels" if view.input == "bicubic" else "LR pixels"
        return (f"{head}: DI {view.result.diffusion_index:.2f}; receptive field {view.rf_theory} (theory) / "
                f"{view.rf_measured} (99% of the gradient) {unit}; LAM {view.result.seconds:.1f} s")


def heat_overlay(lr, attribution=None, window=None, scale: int = 1) -> np.ndarray:
    """The LR image (grey) with ``|attribution|`` blended in as red-yellow heat and the window (in output pixels,
    divided by ``scale``) outlined in cyan just outside it: uint8 (H, W, 3).

    Example::

        >>> heat_overlay(lr, result.map, result.window, result.scale).shape      # doctest: +SKIP
        (48, 48, 3)
    """
    from ..color import rgb_to_y

    a = np.asarray(lr)
    a = a[..., 0] if a.ndim == 3 and a.shape[2] == 1 else a
    g = rgb_to_y(a.astype(np.float32)) if a.ndim == 3 else a.astype(np.float32)
    g = g / (255.0 if np.asarray(lr).dtype == np.uint8 else 1.0)
    rgb = np.repeat(np.clip(g, 0, 1)[..., None], 3, axis=2)
    if attribution is not None:
        h = np.abs(np.asarray(attribution, np.float32))
        h = h / h.max() if h.max() > 0 else h
        heat = np.stack([np.ones_like(h), np.clip(2 * h - 0.5, 0, 1), np.zeros_like(h)], axis=-1)
        alpha = (0.85 * np.sqrt(h))[..., None]
        rgb = (1 - alpha) * rgb + alpha * heat
    out = (rgb * 255).round().astype(np.uint8)
    if window is not None:
        r, c, s = (int(v) for v in window)
        # drawn one pixel outside the window (where the image allows), so the heat inside stays visible
        r0, c0 = max(0, r // scale - 1), max(0, c // scale - 1)
        r1 = min(out.shape[0] - 1, (r + s - 1) // scale + 1)
        c1 = min(out.shape[1] - 1, (c + s - 1) // scale + 1)
        cyan = np.array([0, 255, 255], np.uint8)
        out[r0, c0:c1 + 1] = out[r1, c0:c1 + 1] = cyan
        out[r0:r1 + 1, c0] = out[r0:r1 + 1, c1] = cyan
    return out


class AttributionWidget:
    """ipywidgets view of an :class:`AttributionState` (display it as the last expression of a cell).

    Controls: a model dropdown, ``row`` / ``col`` / ``size`` sliders for the window (output pixels; they show the
    clamped window), and a *compute* button (LAM takes seconds, so it does not run on every slider move; a
    cached result shows at once).  The image shows the LR input with the window and, once computed, the heat map;
    the caption gives the DI and the receptive fields.

    Example::

        >>> w = AttributionWidget(AttributionState({"espcn": zoo.load("espcn", 3)}, lr))
        >>> w.row.value = 30; w.button.click()       # what a click in the notebook does
        >>> w                                         # doctest: +SKIP  (displays it)
    """

    def __init__(self, state: AttributionState, display_size: int = 320, compute: bool = False):
        import ipywidgets as w

        self.state, self.display_size = state, display_size
        s = state
        self._syncing = False
        self.model = w.Dropdown(options=s.labels, value=s.model, description="model")
        self.row = w.IntSlider(value=s.row, min=0, max=s.out_h - 1, description="row")
        self.col = w.IntSlider(value=s.col, min=0, max=s.out_w - 1, description="col")
        self.size = w.IntSlider(value=s.size, min=1, max=min(s.out_h, s.out_w), description="size")
        self.button = w.Button(description="compute", button_style="primary")
        self.image = w.Image(format="png", width=display_size)
        self.image.add_class("srkit-attribution")
        self.caption = w.HTML()
        self.caption.add_class("srkit-attribution-caption")
        self.widget = w.HBox([self.image, w.VBox([self.model, self.row, self.col, self.size, self.button,
                                                  self.caption])])
        self.model.observe(self._on_model, names="value")
        for control in (self.row, self.col, self.size):
            control.observe(self._on_window, names="value")
        self.button.on_click(self._on_compute)
        if compute:
            self.state.compute()
        self.render()

    def _on_model(self, change) -> None:
        self.state.select(change["new"])
        self.render()

    def _on_window(self, change) -> None:
        if self._syncing:
            return
        self.state.set_window(self.row.value, self.col.value, self.size.value)
        self.render()

    def _on_compute(self, _button=None) -> None:
        self.caption.value = "computing..."
        self.state.compute()
        self.render()

    def render(self) -> None:
        """Redraw from the state: sliders (without triggering updates), the image and the caption."""
        from .compare import to_png

        s = self.state
        self._syncing = True
        try:
            self.row.value, self.col.value, self.size.value = s.window
        finally:
            self._syncing = False
        view = s.cached()
        img = heat_overlay(s.lr, view.result.map if view else None, s.window, s.scale)
        self.image.value = to_png(img, display_size=self.display_size)
        self.caption.value = s.describe(view)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def attribution(models: Mapping, lr, window_size: int = 16, steps: int = 16, sigma: float = 8.0,
                scale: int | None = None, compute: bool = False) -> AttributionWidget:
    """Build an attribution widget for ``{label: model}`` on one LR image (see :class:`AttributionState`).

    Example::

        >>> attribution({"edsr": zoo.load("edsr", 3)}, lr_crop, steps=16)     # doctest: +SKIP
    """
    return AttributionWidget(AttributionState(models, lr, window_size, steps, sigma, scale), compute=compute)
