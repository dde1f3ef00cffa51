"""Running SR models on images of any size.

* :class:`KerasUpscaler` turns a Keras SR model into an upscaler ``f(lr_uint8, scale) -> sr`` that follows
  the kit's conventions (luma or RGB models, pre- or post-upsampling, fixed-size models) and can work
  tile by tile; :class:`InterpolationUpscaler` does the same for a classical interpolation.
* :func:`predict_tiled` is the one tiling routine of the kit (also used by
  :func:`srkit.burst.upscale_burst`): the output is assembled from ``tile x tile`` pieces, each computed
  from the tile plus ``overlap`` pixels of context on every side.  When the overlap covers the network's
  receptive field the result is identical to running the network on the whole image, and at most one
  tile's network output is held in memory besides the result.
* :func:`bicubic_upscale` is MATLAB's bicubic upscaling (exactly :func:`srkit.degrade.upscale` for uint8
  images), computed much faster; luma models take their colour from it.
"""

from __future__ import annotations

import logging
import math
import numbers
import os
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import numpy as np

from . import degrade
from .color import replace_y_uint8, rgb_to_y, to_uint8
from .errors import InvalidValueError, ShapeError

__all__ = ["KerasUpscaler", "InterpolationUpscaler", "predict_tiled", "bicubic_upscale"]


# --------------------------------------------------------------------------------------------------
# Tiling
# --------------------------------------------------------------------------------------------------
def _check_tiling(tile, overlap, window) -> tuple[int | None, int, int | None]:
    def whole(v) -> bool:
        return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v) and float(v).is_integer()

    if tile is not None:
        if not whole(tile) or tile < 1:
            raise InvalidValueError(f"tile must be a positive whole number of pixels (or None for no tiling), got {tile!r}.")
        tile = int(tile)
    if not whole(overlap) or overlap < 0:
        raise InvalidValueError(f"overlap must be a whole number of pixels >= 0, got {overlap!r}.")
    if window is not None and (not whole(window) or window < 1):
        raise InvalidValueError(f"window must be a positive whole number of pixels, got {window!r}.")
    return tile, int(overlap), None if window is None else int(window)


def _span(a: int, b: int, n: int, overlap: int, window: int | None) -> tuple[int, int]:
    """The input range ``[lo, hi)`` the network sees for the kept range ``[a, b)`` of an axis of length ``n``."""
    lo, hi = max(0, a - overlap), min(n, b + overlap)
    if window is not None:  # exactly `window` pixels, moved inside the image at its edges
        hi = min(n, lo + window)
        lo = hi - window
    return lo, hi


def predict_tiled(
    run: Callable[[slice, slice], np.ndarray],
    size: tuple[int, int],
    tile: int | None = None,
    overlap: int = 0,
    window: int | None = None,
    finish: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """Compute a network's output for an image tile by tile and assemble it.

    Args:
        run: ``run(rows, cols)`` returns the output for the input window ``[rows, cols]`` (two slices of
            the LR grid); its first two axes are ``f`` times the window's height and width, for one whole
            factor ``f`` (the upscaling factor, or 1), and it may have more axes (channels).
        size: ``(height, width)`` of the input, in LR pixels.
        tile: the result is assembled from pieces of ``tile x tile`` LR pixels (``None``: the whole image
            in one piece).
        overlap: LR pixels of context added on every side of each tile (fewer at the image border).  The
            network sees them and the result keeps only the tile's own part, so the result equals the
            untiled one when ``overlap`` covers the network's receptive field.
        window: run every tile on exactly ``window x window`` pixels (models with a fixed input size),
            moving the window back inside the image at its right and bottom edges.
        finish: applied to each kept piece before it is stored, e.g. quantisation to uint8 (it decides
            the result's dtype).

    Returns:
        An array of shape ``(f * height, f * width, ...)``.  Besides it, at most one tile's network
        output is held at a time.

    Raises:
        InvalidValueError: for a tile, overlap or window that is not a positive (overlap: non-negative) whole
            number.
        ShapeError: when the image is smaller than ``window``, or ``run`` returns an output that is not a
            whole multiple of its input window (the same multiple for every tile and both axes).
        InvalidValueError: when the result would have more than :data:`srkit.degrade.MAX_UPSCALE_PIXELS`
            pixels (checked on the first tile, before the result is allocated).
    """
    tile, overlap, window = _check_tiling(tile, overlap, window)
    h, w = (int(v) for v in size)
    if h < 1 or w < 1:
        raise ShapeError(f"Cannot run a network on an empty {h}x{w} image.")
    if window is not None and (h < window or w < window):
        raise ShapeError(f"The model needs inputs of at least {window}x{window} pixels; the image is {h}x{w}.")
    step_y = step_x = tile
    if tile is None:
        step_y, step_x = (window, window) if window is not None else (h, w)
    out, f = None, None
    for y0 in range(0, h, step_y):
        y1 = min(h, y0 + step_y)
        ya, yb = _span(y0, y1, h, overlap, window)
        for x0 in range(0, w, step_x):
            x1 = min(w, x0 + step_x)
            xa, xb = _span(x0, x1, w, overlap, window)
            piece = np.asarray(run(slice(ya, yb), slice(xa, xb)))
            if piece.ndim < 2 or piece.shape[0] % (yb - ya) or piece.shape[0] // (yb - ya) < 1 or \
                    piece.shape[1] != piece.shape[0] // (yb - ya) * (xb - xa):
                raise ShapeError(f"The network turned a {yb - ya}x{xb - xa} input into {piece.shape[0]}x"
                                 f"{piece.shape[1] if piece.ndim > 1 else '?'}: not one whole upscaling factor for "
                                 "both axes. Check that the model is an SR model for this image's scale.")
            k = piece.shape[0] // (yb - ya)
            if f is not None and k != f:
                raise ShapeError(f"The network upscaled one tile x{f} and another x{k}.")
            if f is None:
                degrade.check_upscale_size(h, w, k)
            f = k
            kept = piece[(y0 - ya) * f:(y1 - ya) * f, (x0 - xa) * f:(x1 - xa) * f]
            if finish is not None:
                kept = finish(kept)
            if out is None:
                if (y0, x0, y1, x1) == (0, 0, h, w):  # one piece: no copy
                    return np.ascontiguousarray(kept)
                out = np.empty((h * f, w * f) + kept.shape[2:], kept.dtype)
            out[y0 * f:y1 * f, x0 * f:x1 * f] = kept
            del piece, kept  # never hold two tiles' outputs
    return out


# --------------------------------------------------------------------------------------------------
# Fast exact bicubic upscaling
# --------------------------------------------------------------------------------------------------
# The bulk is computed in float32 by a convolution (one output channel per sub-pixel phase); the few
# pixels whose value lies within _MARGIN of a rounding boundary (x.5) are recomputed exactly as
# srkit.degrade.imresize computes them (float64, same weights, same order), so the uint8 result is
# identical to it.  The float32 error is below 2e-4 grey levels (values <= 255, weights summing to < 1.2).
_MARGIN = 2e-3
_CHECKED: dict[str, bool] = {}


def _phase_kernel(scale: int, channels: int, axis: int):
    """Convolution kernel that computes the ``scale`` bicubic phases along ``axis`` (float32) and its offset."""
    r = np.arange(scale)
    u = (r + 1) / scale + 0.5 * (1 - 1 / scale)  # input coordinate (1-based) of output pixel r + 1
    taps = np.floor(u - 2)[:, None] + np.arange(6)[None, :]
    wts = degrade._cubic(u[:, None] - taps)
    wts = wts / wts.sum(axis=1, keepdims=True)
    offsets = taps.astype(np.int64) - 1  # 0-based, relative to the LR pixel of the phase
    lo, hi = int(offsets.min()), int(offsets.max())
    length = hi - lo + 1
    shape = (length, 1) if axis == 0 else (1, length)
    kernel = np.zeros(shape + (channels, scale * channels), np.float32)
    for ph in range(scale):
        for t, wt in zip(offsets[ph] - lo, wts[ph]):
            for c in range(channels):
                idx = (t, 0) if axis == 0 else (0, t)
                kernel[idx + (c, ph * channels + c)] = wt
    return kernel, -lo, hi


def _round_exact(values: np.ndarray, src: np.ndarray, axis: int, scale: int) -> np.ndarray:
    """uint8 rounding (as float32) of a float32 pass along ``axis``; near-ties recomputed as imresize does."""
    n_in = src.shape[axis]
    rounded = values + np.float32(0.5)
    np.floor(rounded, out=rounded)
    dist = values - rounded
    np.abs(dist, out=dist)
    flat = np.flatnonzero(dist > np.float32(0.5 - _MARGIN))
    del dist
    if flat.size:
        risky = np.unravel_index(flat, values.shape)
        weights, indices = degrade._contributions(n_in, n_in * scale, float(scale), "bicubic", True, "replicate")
        i = risky[axis]
        acc = np.zeros(i.size)
        for j in range(weights.shape[1]):
            pos = list(risky)
            pos[axis] = indices[i, j]
            acc += weights[i, j] * src[tuple(pos)].astype(np.float64)
        rounded.reshape(-1)[flat] = np.floor(acc + 0.5)
    np.clip(rounded, 0, 255, out=rounded)
    return rounded


def _bicubic_float32(lr: np.ndarray, scale: int) -> np.ndarray:
    from keras import ops

    h, w, c = lr.shape
    x = lr.astype(np.float32)
    # rows first (MATLAB's order for equal scales): phases in channels, then interleaved into rows
    kernel, lo, hi = _phase_kernel(scale, c, 0)
    xp = np.pad(x, ((lo, hi), (0, 0), (0, 0)), mode="edge")
    v = np.asarray(ops.conv(xp[None], kernel, padding="valid"))[0]  # (h, w, scale * c)
    v = v.reshape(h, w, scale, c).transpose(0, 2, 1, 3).reshape(h * scale, w, c)
    rows = _round_exact(v, x, 0, scale)
    kernel, lo, hi = _phase_kernel(scale, c, 1)
    xp = np.pad(rows, ((0, 0), (lo, hi), (0, 0)), mode="edge")
    v = np.asarray(ops.conv(xp[None], kernel, padding="valid"))[0]  # (h * scale, w, scale * c)
    v = v.reshape(h * scale, w * scale, c)
    return _round_exact(v, rows, 1, scale)


def _fast_path_works() -> bool:
    """Whether :func:`bicubic_upscale` may use the Keras convolution: only once Keras is loaded anyway (loading
    it just for bicubic would cost seconds and half a gigabyte), and only if a check, once per process, finds
    the float32 convolution accurate enough (it is unless the numeric back end was set to reduced precision);
    otherwise :func:`bicubic_upscale` uses ``degrade.upscale`` (the same result, slower)."""
    import sys

    if "keras" not in sys.modules:
        return False
    if "ok" not in _CHECKED:
        rng = np.random.default_rng(0)
        img = rng.integers(0, 256, (23, 19, 3)).astype(np.uint8)
        img[5:15, 4:12] = rng.integers(100, 104, (10, 8, 3))
        _CHECKED["ok"] = all(np.array_equal(_bicubic_float32(img, s).astype(np.uint8), degrade.upscale(img, s))
                             for s in (2, 3, 4, 8))
    return _CHECKED["ok"]


def _bicubic_values(lr: np.ndarray, scale: int) -> np.ndarray:
    """:func:`bicubic_upscale` of a uint8 ``(H, W, C)`` image as float32 (whole numbers 0-255)."""
    if _fast_path_works():
        return _bicubic_float32(lr, scale)
    return degrade.upscale(lr, scale).astype(np.float32)


def bicubic_upscale(lr: np.ndarray, scale: int) -> np.ndarray:
    """MATLAB bicubic upscaling of a uint8 ``(H, W, C)`` image by a whole ``scale``: the same uint8 result
    as :func:`srkit.degrade.upscale` (the benchmarks' bicubic), several times faster.

    Other dtypes and shapes are passed on to :func:`srkit.degrade.upscale`.
    """
    scale = degrade._check_scale(scale)
    a = np.asarray(lr)
    if a.dtype != np.uint8 or a.ndim != 3 or not _fast_path_works():
        return degrade.upscale(a, scale)
    return _bicubic_float32(a, scale).astype(np.uint8)


# --------------------------------------------------------------------------------------------------
# Upscalers
# --------------------------------------------------------------------------------------------------
class InterpolationUpscaler:
    """A classical interpolation as an upscaler, e.g. ``InterpolationUpscaler('bicubic')``.

    Memory stays bounded: the image is done in ``tile x tile`` LR pieces (default 256; ``None``: in one
    piece), each read with :func:`srkit.degrade.interpolation_margin` pixels of context, so the result is
    exactly the untiled one.  uint8 bicubic uses the fast exact path (:func:`bicubic_upscale`).  Results above
    :data:`srkit.degrade.MAX_UPSCALE_PIXELS` are refused before any work.
    """

    def __init__(self, method: str = "bicubic", tile: int | None = 256):
        if method not in degrade.INTERPOLATIONS:
            raise InvalidValueError(f"Unknown interpolation {method!r}; choose one of {', '.join(degrade.INTERPOLATIONS)}.")
        self.method = method
        self.name = method
        self.tile, _, _ = _check_tiling(tile, 0, None)

    def __call__(self, lr: np.ndarray, scale: int) -> np.ndarray:
        scale = degrade._check_scale(scale)
        a = np.asarray(lr)
        if a.ndim not in (2, 3) or min(a.shape) < 1:
            raise ShapeError(f"Expected an (H, W) or (H, W, C) image, got an array of shape {a.shape}.")
        degrade._check_pixels(a, self.method)
        degrade.check_upscale_size(a.shape[0], a.shape[1], scale)
        fast = self.method == "bicubic" and a.dtype == np.uint8 and a.ndim == 3

        def run(rows: slice, cols: slice) -> np.ndarray:
            if fast:
                return bicubic_upscale(a[rows, cols], scale)
            return degrade.upscale(a[rows, cols], scale, self.method, tile=None)

        return predict_tiled(run, a.shape[:2], tile=self.tile, overlap=degrade.interpolation_margin(self.method))

    def __repr__(self) -> str:
        return f"InterpolationUpscaler({self.method!r})"


#: Tile side (LR pixels) of :class:`KerasUpscaler`'s default ``tile='auto'``: images larger than this are tiled.
AUTO_TILE = 512

#: Images with a side shorter than this many LR pixels are extended (edge pixels repeated) to it before a
#: network sees them, and the extension is cut from the result (see :meth:`KerasUpscaler.__call__`).
MIN_SIDE = 16

_POOL: list[ThreadPoolExecutor] = []
# model -> {scale: is pre-upsampling}; a model's answer is found once, however many upscalers wrap it
_PRE_UPSAMPLING: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
# models whose compiled forward pass failed: they are called eagerly
_EAGER: "weakref.WeakSet" = weakref.WeakSet()


class _RetracingNoteFilter(logging.Filter):
    """Drops TensorFlow's "... triggered tf.function retracing" warning, and only it.

    :meth:`KerasUpscaler.forward` runs each model's compiled forward pass on images of many sizes by
    design; TensorFlow then warns that the (shared) Keras predict function was traced several times, a
    performance note that says nothing useful here and would land in every notebook cell that compares
    models.  Every other TensorFlow message still passes.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


_QUIET_RETRACING = _RetracingNoteFilter()


def network_input(lr, scale: int, name: str) -> np.ndarray:
    """The checks every network upscaler makes of its input: ``lr`` as a uint8 ``(H, W, C)`` array with 1 or 3
    channels, from uint8 or from floats in [0, 1], whose x``scale`` result is not too large.  ``name`` (the
    upscaler's) is named in the errors."""
    a = np.asarray(lr)
    if a.ndim not in (2, 3) or min(a.shape) < 1:
        raise ShapeError(f"Expected an (H, W) or (H, W, C) image, got an array of shape {a.shape}.")
    if a.dtype != np.uint8:
        degrade._check_pixels(a, name)
        lo, hi = float(a.min()), float(a.max())
        if lo < 0.0 or hi > 1.0:
            hint = " (it looks like 0-255: divide by 255, or give uint8)" if hi <= 255.0 and lo >= 0.0 else ""
            raise InvalidValueError(f"A float image must hold values in [0, 1], got {lo:g} to {hi:g}{hint}.")
    img = to_uint8(a)
    img = img.reshape(img.shape[0], img.shape[1], -1)
    if img.shape[2] not in (1, 3):
        extra = " Drop the alpha channel first: image[..., :3]." if img.shape[2] == 4 else ""
        raise ShapeError(f"Expected a grey or RGB image, got {img.shape[2]} channels.{extra}")
    degrade.check_upscale_size(img.shape[0], img.shape[1], scale)
    return img


def _in_row_chunks(fn, *arrays) -> np.ndarray:
    """``fn(*arrays)`` computed on horizontal bands in parallel threads (NumPy releases the GIL)."""
    n = arrays[0].shape[0]
    workers = min(os.cpu_count() or 1, 8)
    if workers < 2 or n < 64 or arrays[0].size < 200_000:
        return fn(*arrays)
    if not _POOL:
        _POOL.append(ThreadPoolExecutor(workers, thread_name_prefix="srkit-infer"))
    bounds = np.linspace(0, n, workers + 1).astype(int)
    parts = _POOL[0].map(lambda ab: fn(*(a[ab[0]:ab[1]] for a in arrays)), zip(bounds[:-1], bounds[1:]))
    return np.concatenate(list(parts), axis=0)


class KerasUpscaler:
    """Wraps a Keras SR model as an upscaler, with tiled prediction for large images.

    Conventions (the ones every srkit model follows):

    * inputs and outputs are floats in [0, 1], shape ``(batch, H, W, C)``;
    * a model with **1 input channel** works on luma: it gets the Y channel of an RGB image (BT.601
      studio swing, divided by 255), and the colour (Cb, Cr) is upscaled with bicubic, as in SRCNN and
      its successors; a grey image is fed as it is;
    * a model with **3 input channels** works on RGB; a grey image is repeated to 3 channels and the
      output averaged back to one;
    * a model whose output has the *same* size as its input is a pre-upsampling model (SRCNN, VDSR): it is
      fed the bicubic-upscaled image.  Otherwise the output must be ``scale`` times the input.

    Args:
        model: the Keras model.
        name: a label for tables (default: the model's name).
        tile: process the LR image in tiles of ``tile x tile`` pixels (``None``: in one piece; ``'auto'``, the
            default: tiles of :data:`AUTO_TILE` (512) for images larger than that, so memory stays bounded,
            and smaller images in one piece).  Each tile is extended by ``overlap`` pixels of context on
            every side, and only its centre is kept, so the result equals untiled prediction (to float
            rounding) when ``overlap`` covers the receptive field (see :func:`predict_tiled`).
        overlap: context in LR pixels around each tile (default 40, more than any srkit model needs).
        output: ``'uint8'`` (quantised, what evaluation and saving use; least memory) or ``'float'``.

    Models with a fixed input size (the naive CNN) are always run tile by tile at that size.  Images with a
    side shorter than :data:`MIN_SIDE` (16) pixels, down to 1x1, are extended by repeating their edge pixels
    before the network sees them (its zero padding would otherwise darken them) and the result is cropped
    back.  Inputs: uint8, or float in [0, 1]; grey or RGB.  Anything else is refused with what to do, as
    are results above :data:`srkit.degrade.MAX_UPSCALE_PIXELS`.
    """

    def __init__(self, model, name: str | None = None, tile: int | str | None = "auto", overlap: int = 40,
                 output: str = "uint8"):
        self.model = model
        self.name = name or getattr(model, "name", "keras_model")
        shape = model.input_shape
        if isinstance(shape, list):
            raise ShapeError("KerasUpscaler needs a model with one input (a single LR image).")
        self.channels = shape[-1]
        if self.channels not in (1, 3):
            raise ShapeError(f"Model {self.name!r} takes {self.channels} channels; SR models take 1 or 3.")
        self.fixed = shape[1] if shape[1] is not None and shape[1] == shape[2] else None
        if output not in ("uint8", "float"):
            raise InvalidValueError(f"output must be 'uint8' or 'float', got {output!r}.")
        self.auto = isinstance(tile, str) and tile == "auto"
        self.tile, self.overlap, _ = _check_tiling(AUTO_TILE if self.auto else tile, overlap, None)
        self.output = output

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The network's output for one float32 ``(H, W, C)`` input in [0, 1], as float32 ``(H', W', C')``.

        This is ``model.predict_on_batch``: Keras compiles the forward pass once and reuses it for every
        input size (after the second size it stops specialising on sizes), which is faster than calling
        the model eagerly.  Models that cannot be compiled for any input size, and models set to use XLA
        (which would compile once per image size), are called eagerly.
        """
        batch = np.asarray(x, np.float32)[None]
        if self.model not in _EAGER and not getattr(self.model, "jit_compile", False):
            logger = logging.getLogger("tensorflow")
            if _QUIET_RETRACING not in logger.filters:
                logger.addFilter(_QUIET_RETRACING)
            try:
                return np.asarray(self.model.predict_on_batch(batch), dtype=np.float32)[0]
            except Exception:  # a layer that needs static sizes when traced; an eager call shows any real error
                _EAGER.add(self.model)
        return np.asarray(self.model(batch, training=False), dtype=np.float32)[0]

    def is_pre_upsampling(self, scale: int) -> bool:
        """Whether the model keeps the input size (then it is fed the bicubic-upscaled image)."""
        known = _PRE_UPSAMPLING.setdefault(self.model, {})
        if scale not in known:
            n = self.fixed or 12
            # eagerly: a compiled forward pass specialised on this probe's size would be wasted
            out = np.asarray(self.model(np.zeros((1, n, n, self.channels), np.float32), training=False))[0]
            if out.shape[:2] == (n, n):
                known[scale] = True
            elif out.shape[:2] == (n * scale, n * scale):
                known[scale] = False
            else:
                raise ShapeError(
                    f"Model {self.name!r} turns a {n}x{n} input into {out.shape[0]}x{out.shape[1]}: it is "
                    f"neither an x{scale} model nor a pre-upsampling one. Is it a model for scale {scale}?"
                )
        return known[scale]

    def _model_input(self, img: np.ndarray) -> np.ndarray:
        if self.channels == 1:
            if img.shape[2] == 1:
                return img.astype(np.float32) / np.float32(255.0)
            return (rgb_to_y(img.astype(np.float32)) / np.float32(255.0))[..., None]
        rgb = np.repeat(img, 3, axis=2) if img.shape[2] == 1 else img
        return rgb.astype(np.float32) / np.float32(255.0)

    def _net(self, x: np.ndarray, scale: int) -> np.ndarray:
        if not self.fixed:
            return self.forward(x)
        return predict_tiled(lambda ys, xs: self.forward(x[ys, xs]), x.shape[:2], window=self.fixed)

    def _region(self, lr: np.ndarray, scale: int, quantise: bool) -> np.ndarray:
        """SR of a whole (uint8, H x W x C) region with the input's channel count: uint8 if ``quantise``,
        else float32 in [0, 1]."""
        grey = lr.shape[2] == 1
        pre = self.is_pre_upsampling(scale)
        # float32 holding the uint8 values (saves a conversion each way)
        bic = _bicubic_values(lr, scale) if (pre or (self.channels == 1 and not grey)) else None
        out = self._net(self._model_input(bic if pre else lr), scale)
        if out.shape[:2] != (lr.shape[0] * scale, lr.shape[1] * scale):
            raise ShapeError(
                f"Model {self.name!r} turned a {lr.shape[0]}x{lr.shape[1]} input into {out.shape[0]}x{out.shape[1]}, "
                f"not x{scale} ({lr.shape[0] * scale}x{lr.shape[1] * scale}). Is it a model for scale {scale}?"
            )
        if self.channels == 3 and grey:
            out = out.mean(axis=2, keepdims=True)
        elif self.channels == 1 and not grey:
            y = out[..., 0] * np.float32(255.0)
            if quantise:
                return _in_row_chunks(replace_y_uint8, bic, y)
            from .color import replace_y

            return replace_y(bic, y)
        return to_uint8(out) if quantise else out

    def __call__(self, lr: np.ndarray, scale: int) -> np.ndarray:
        scale = degrade._check_scale(scale)
        lr = network_input(lr, scale, self.name)
        quantise = self.output == "uint8"
        h, w = lr.shape[:2]
        pad_y, pad_x = (0, 0) if self.fixed else (max(0, MIN_SIDE - h), max(0, MIN_SIDE - w))
        if pad_y or pad_x:
            # A network pads its convolutions with zeros, which on an image only a few pixels across darkens
            # every pixel; the image is extended by repeating its edge pixels instead, and the extra cut off.
            top, left = pad_y // 2, pad_x // 2
            lr = np.pad(lr, ((top, pad_y - top), (left, pad_x - left), (0, 0)), mode="edge")
            out = predict_tiled(lambda ys, xs: self._region(lr[ys, xs], scale, quantise), lr.shape[:2],
                                tile=self.tile, overlap=self.overlap)
            return np.ascontiguousarray(out[top * scale:(top + h) * scale, left * scale:(left + w) * scale])
        return predict_tiled(lambda ys, xs: self._region(lr[ys, xs], scale, quantise), lr.shape[:2],
                             tile=self.tile, overlap=self.overlap)

    def __repr__(self) -> str:
        return f"KerasUpscaler({self.name!r})"
