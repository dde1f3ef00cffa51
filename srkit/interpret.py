"""Interpretability of SR networks: which input pixels a model uses, how far it looks, and what it sees.

* :func:`lam`: **local attribution maps** (LAM, Gu & Dong, "Interpreting super-resolution networks with local
  attribution maps", CVPR 2021): integrated gradients of the edge content of a small output window with
  respect to the LR input, from a heavily blurred copy of the input (the baseline) to the input itself;
* :func:`diffusion_index`: LAM's diffusion index, how spread out an attribution map is (0: one pixel, 100:
  every pixel alike);
* :func:`receptive_field` (theoretical, by walking the network's layers) and :func:`measured_receptive_field`
  (from the gradient of one output pixel); :func:`receptive_field_table` puts both, and the DI, side by side;
* :func:`feature_maps` and :func:`degradation_embedding`: activations inside the network, and how the deep
  features of differently degraded inputs arrange themselves (PCA to 2-D);
* :func:`show_attribution`, :func:`embedding_plot`: the matching figures.

Gradients use TensorFlow's ``tf.GradientTape`` (the kit's backend); on another Keras backend the gradient
functions raise :class:`~srkit.errors.SrkitError`.  Quick use::

    >>> from srkit import zoo, data, interpret
    >>> pair = data.load_benchmark("Set5", 3)[1]
    >>> r = interpret.lam(zoo.load("edsr", 3), pair.lr[40:104, 40:104], window=(90, 90, 16), steps=32)
    >>> r.diffusion_index                                  # doctest: +SKIP
    21.3
    >>> interpret.show_attribution(r, pair.lr[40:104, 40:104])   # doctest: +SKIP
"""

from __future__ import annotations

import re
import time
import weakref
from dataclasses import dataclass, field

import numpy as np

from .errors import InvalidValueError, OptionalDependencyError, ShapeError, SrkitError, check_float, check_int

__all__ = ["LAMResult", "lam", "diffusion_index", "gini", "receptive_field", "measured_receptive_field",
           "receptive_field_table", "feature_maps", "degradation_embedding", "show_attribution", "embedding_plot",
           "EMBEDDING_DEGRADATIONS"]

#: The degradations :func:`degradation_embedding` knows: name -> description.
EMBEDDING_DEGRADATIONS = {
    "bicubic": "MATLAB-bicubic downsampling (the benchmark 'BI' degradation)",
    "blur": "Gaussian blur (7x7, sigma 1.6) then bicubic downsampling ('BD')",
    "noise": "bicubic downsampling then Gaussian noise, sigma 20 grey levels",
    "jpeg": "bicubic downsampling then JPEG at quality 20",
}

_NOT_KERAS = ("is not differentiable end to end, LAM needs a Keras model: give the network itself, e.g. "
              "srkit.zoo.load('edsr', 3) or srkit.models.build('edsr', 3) (interpolations such as 'bicubic' and "
              "plain functions have no gradient to follow).")


# --------------------------------------------------------------------------------------------------------------
# Inputs: the model, the image, the window
# --------------------------------------------------------------------------------------------------------------
def _keras_model(model, what: str = "LAM"):
    """The Keras model behind ``model`` (a model, or an upscaler wrapping one), else a clear error."""
    import keras

    inner = getattr(model, "model", None)
    if not isinstance(model, keras.Model) and isinstance(inner, keras.Model):
        model = inner
    if not isinstance(model, keras.Model):
        label = repr(model) if isinstance(model, str) else f"a {type(model).__name__}"
        raise InvalidValueError(f"{what}: the upscaler {label} {_NOT_KERAS}")
    if isinstance(model.input_shape, list) or len(model.input_shape) != 4:
        raise ShapeError(f"{what} needs a single-image model taking (batch, H, W, C); {model.name!r} takes "
                         f"{model.input_shape} (bursts and multi-input models are not supported).")
    return model


def _require_tensorflow(what: str):
    import keras

    backend = keras.backend.backend()
    if backend != "tensorflow":
        raise SrkitError(f"{what} computes gradients with tf.GradientTape and needs the TensorFlow backend, but "
                         f"Keras is running on {backend!r}. Set KERAS_BACKEND=tensorflow before importing keras "
                         "(restart the kernel).")
    import tensorflow as tf

    return tf


def _as_y(lr, channels: int) -> np.ndarray:
    """``lr`` as float32 (H, W, channels) in [0, 1], as the kit's models take it (:func:`srkit.pipeline.to_channels`)."""
    from .color import rgb_to_y

    a = np.asarray(lr)
    if a.ndim == 2:
        a = a[..., None]
    if a.ndim != 3 or a.shape[2] not in (1, 3) or min(a.shape[:2]) < 1:
        raise ShapeError(f"Expected one LR image of shape (H, W), (H, W, 1) or (H, W, 3), got an array of shape "
                         f"{np.shape(lr)}. Give one image (e.g. images[0] of a batch); drop alpha with image[..., :3].")
    if a.dtype == np.uint8:
        from .pipeline import to_channels

        return to_channels(a, "y" if channels == 1 else "rgb")
    if not np.issubdtype(a.dtype, np.floating) and not np.issubdtype(a.dtype, np.integer):
        raise ShapeError(f"Expected a uint8 or float image, got dtype {a.dtype}.")
    a = a.astype(np.float32)
    if not np.isfinite(a).all():
        raise InvalidValueError("The image holds NaN or infinite values; give finite pixels in [0, 1].")
    lo, hi = float(a.min()), float(a.max())
    if lo < 0.0 or hi > 1.0:
        hint = " (it looks like 0-255: divide by 255, or give uint8)" if hi <= 255.0 and lo >= 0.0 else ""
        raise InvalidValueError(f"A float image must hold values in [0, 1], got {lo:g} to {hi:g}{hint}.")
    if channels == 1:
        return a if a.shape[2] == 1 else (rgb_to_y(a * 255.0) / 255.0).astype(np.float32)[..., None]
    return np.repeat(a, 3, axis=2) if a.shape[2] == 1 else a


_PRE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # model -> output / input size ratio


def _geometry(model, scale: int | None) -> tuple[bool, int]:
    """``(pre_upsampling, scale)`` of a model: post-upsampling models give away their scale (output / input);
    pre-upsampling ones (same size out as in) need ``scale``, or a name ending in ``_x3`` etc."""
    key = model
    if key not in _PRE:
        n = 12
        c = model.input_shape[-1]
        out = np.asarray(model(np.zeros((1, n, n, c), np.float32), training=False))
        if out.ndim != 4 or out.shape[1] != out.shape[2] or out.shape[1] % n:
            raise ShapeError(f"Model {model.name!r} turns a {n}x{n} input into shape {out.shape[1:]}: not an SR model "
                             "whose output is the input enlarged by a whole factor.")
        _PRE[key] = out.shape[1] // n
    ratio = _PRE[key]
    if ratio > 1:
        if scale is not None and int(scale) != ratio:
            raise InvalidValueError(f"scale={scale} but {model.name!r} enlarges x{ratio}; leave scale out.")
        return False, ratio
    if scale is None:
        m = re.search(r"_x(\d+)$", model.name)
        if not m:
            raise InvalidValueError(f"{model.name!r} is a pre-upsampling model (it works on the bicubic-upscaled "
                                    "image), so its scale cannot be read off its output: pass scale=2, 3 or 4.")
        scale = int(m.group(1))
    return True, check_int("scale", scale, low=2, high=8)


def _bicubic_matrix(n: int, scale: int) -> np.ndarray:
    """The (n*scale, n) matrix of MATLAB-bicubic upscaling along one axis (:func:`srkit.degrade.imresize`
    of the identity), so ``A @ x @ B.T`` is the bicubic upscale of ``x`` and gradients flow through it."""
    from .degrade import imresize

    eye = np.eye(n, dtype=np.float64)
    return imresize(eye, output_shape=(n * scale, n)).astype(np.float32)


class _Prepared:
    """An LR image ready for a model: float (h, w, C), the model, its scale and geometry, and a function
    mapping a batch of LR-sized tensors to the model's input (bicubic for pre-upsampling models)."""

    def __init__(self, model, lr, scale, what: str):
        self.tf = _require_tensorflow(what)
        self.model = _keras_model(model, what)
        self.channels = int(self.model.input_shape[-1])
        self.x = _as_y(lr, self.channels)
        self.h, self.w = self.x.shape[:2]
        if min(self.h, self.w) < 4:
            raise ShapeError(f"{what} needs an LR image of at least 4x4 pixels, got {self.w}x{self.h}.")
        self.pre, self.scale = _geometry(self.model, scale)
        self._mats: dict = {}
        self.out_h, self.out_w = self.h * self.scale, self.w * self.scale

    def model_input(self, x):
        """Batch (N, h, w, C) of LR images (any h, w) -> the model's input (N, H, W, C) (differentiable)."""
        if not self.pre:
            return x
        h, w = int(x.shape[1]), int(x.shape[2])
        for n in (h, w):
            if n not in self._mats:
                self._mats[n] = self.tf.constant(_bicubic_matrix(n, self.scale))
        return self.tf.einsum("ij,njkc,lk->nilc", self._mats[h], x, self._mats[w])

    def forward(self, x):
        return self.model(self.model_input(x), training=False)

    def crop_for(self, window) -> tuple[slice, slice]:
        """The LR rows and columns that can influence ``window`` (and its 1-pixel Sobel margin), i.e. half the
        receptive field around it, plus as much again as a margin, so that the network's zero padding at the crop's edge cannot reach
        the window: on this crop the window's output, and so its gradients, are exactly those of the whole
        image (the gradient is zero outside the receptive field).  The whole image for models without a finite
        receptive field."""
        try:
            rf = receptive_field(self.model)
        except SrkitError:
            return slice(0, self.h), slice(0, self.w)
        # A feature is changed by the crop only if its own receptive field crosses the crop's edge, and the window
        # reads features within the rest of the receptive field: half the receptive field in all.  Pre-upsampling
        # models count HR pixels, plus the bicubic taps (2 LR pixels); one pixel more for rounding.
        half = rf // 2 + 1
        m = (-(-half // self.scale) + 2 if self.pre else half) + 1
        row, col, size = window
        s = self.scale
        rows = slice(max(0, (row - 1) // s - m), min(self.h, (row + size) // s + m + 1))
        cols = slice(max(0, (col - 1) // s - m), min(self.w, (col + size) // s + m + 1))
        return rows, cols


def _check_window(window, out_h: int, out_w: int) -> tuple[int, int, int]:
    if isinstance(window, (str, bytes)) or not hasattr(window, "__len__") or len(window) not in (2, 3):
        raise InvalidValueError(f"window must be (row, col) or (row, col, size) in output (HR) pixels, got {window!r}.")
    row = check_int("window row", window[0], hint="The window is (row, col, size) in output pixels.")
    col = check_int("window col", window[1], hint="The window is (row, col, size) in output pixels.")
    size = check_int("window size", window[2] if len(window) == 3 else 16, low=1,
                     hint="Use a window of a few output pixels, e.g. 16.")
    if row < 0 or col < 0 or row + size > out_h or col + size > out_w:
        raise InvalidValueError(
            f"The window rows {row}-{row + size - 1}, cols {col}-{col + size - 1} is not inside the {out_w}x{out_h} "
            f"output (rows 0-{out_h - 1}, cols 0-{out_w - 1}). Choose row in 0..{out_h - size} and col in "
            f"0..{out_w - size} (the window is (row, col, size): its top-left corner and side, in output pixels), "
            "or a smaller window.")
    return row, col, size


def _gradient_magnitude(tf, out, window):
    """Sum over the window of the Sobel gradient magnitude of the output's first channel (mean of RGB)
    (LAM's target: how much edge / texture the window holds). Borders are mirrored, not zero-padded."""
    row, col, size = window
    y = tf.reduce_mean(out, axis=-1, keepdims=True)
    y = tf.pad(y, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="SYMMETRIC")
    y = y[:, row:row + size + 2, col:col + size + 2, :]
    sx = tf.constant([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], tf.float32)
    k = tf.stack([sx, tf.transpose(sx)], axis=-1)[:, :, None, :]
    g = tf.nn.conv2d(y, k, strides=1, padding="VALID")
    return tf.reduce_sum(tf.sqrt(tf.reduce_sum(g * g, axis=-1) + 1e-8), axis=[1, 2])


# --------------------------------------------------------------------------------------------------------------
# LAM and the diffusion index
# --------------------------------------------------------------------------------------------------------------
@dataclass
class LAMResult:
    """What :func:`lam` returns.

    Attributes:
        map: the attribution, float (H, W) over the LR image's pixels (signed; LAM shows ``abs(map)``).
        window: ``(row, col, size)`` of the output window, in output (HR) pixels.
        diffusion_index: :func:`diffusion_index` of ``abs(map)`` (NaN if the map is all zero).
        scale, steps, sigma, path: the settings used; ``pre_upsampling``: whether the model works on the
            bicubic-upscaled image (the map is still over LR pixels: gradients go through the bicubic step).
        target, target_baseline: the window's edge content for the input and for the blurred baseline.
            Integrated gradients satisfy ``map.sum() ~= target - target_baseline`` (completeness); the gap
            shrinks as ``steps`` grows.
        model_name, seconds: the model's name and the time taken.

    Example::

        >>> r = lam(zoo.load("espcn", 3), lr, (60, 66, 16), steps=16)
        >>> r.map.shape == lr.shape[:2], r.completeness_gap < 0.02, r.lr_window()
        (True, True, (20.0, 22.0, 5.333333333333333))
    """

    map: np.ndarray
    window: tuple[int, int, int]
    diffusion_index: float
    scale: int
    steps: int
    sigma: float
    path: str
    pre_upsampling: bool
    target: float
    target_baseline: float
    model_name: str = ""
    seconds: float = 0.0
    baseline: np.ndarray | None = field(default=None, repr=False)

    @property
    def completeness_gap(self) -> float:
        """``|map.sum() - (target - target_baseline)| / |target - target_baseline|``: how far the Riemann sum is
        from the exact path integral (a few percent at 32 steps)."""
        d = self.target - self.target_baseline
        return abs(float(self.map.sum()) - d) / max(abs(d), 1e-12)

    def lr_window(self) -> tuple[float, float, float]:
        """The window in LR pixels: ``(row, col, size)`` divided by the scale."""
        r, c, s = self.window
        return r / self.scale, c / self.scale, s / self.scale


def _blur_float(x: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur of a float (H, W, C) image with replicated borders; the kernel is truncated at the image's
    size for very large sigma (so any sigma works on small crops)."""
    from scipy.ndimage import gaussian_filter

    if sigma <= 0:
        return x.copy()
    return np.stack([gaussian_filter(x[..., c].astype(np.float64), sigma, mode="nearest")
                     for c in range(x.shape[2])], axis=-1).astype(np.float32)


def lam(model, lr, window, steps: int = 32, sigma: float = 8.0, scale: int | None = None, path: str = "linear",
        batch_size: int = 8, crop: bool = True) -> LAMResult:
    """Local attribution map of an output window: which LR pixels the model used to draw it.

    The target is LAM's: ``F(x) = sum over the window of |grad SR(x)|`` (Sobel gradient magnitude of the output,
    i.e. the edges and texture the window holds).  The baseline ``x'`` is the input blurred with a Gaussian of
    ``sigma`` LR pixels (no edges left).  Integrated gradients along the path ``x(a)`` from ``x'`` (a=0) to ``x``
    (a=1), midpoint Riemann sum with ``steps`` points::

        path='linear':  A = (x - x') * mean_k dF/dx(x(a_k)),   x(a) = x' + a (x - x'),  a_k = (k - 1/2) / steps
        path='blur':    A = sum_k dF/dx(x_k) * (x_{k+1} - x_k),  x_k = blur(x, sigma * (1 - k/steps))  (LAM's own
                        progressive-blur path)

    summed over channels.  Completeness: ``A.sum() ~= F(x) - F(x')``.  The diffusion index depends on the
    number of pixels of the map (one nonzero pixel gives ``100 / n``): compare DIs on the same crop.

    Args:
        model: a Keras model (or an upscaler holding one as ``.model``).  Post-upsampling models take ``lr``;
            pre-upsampling ones (SRCNN, DRCN) the bicubic-upscaled image, built inside the gradient tape so the
            map is over LR pixels for every model.
        lr: the LR image: uint8 grey/RGB (converted as the kit's models expect: Y in [0, 1] for Y models), or
            float Y (H, W) / (H, W, 1) in [0, 1].
        window: ``(row, col, size)``: top-left corner and side (default 16) of the window in output pixels;
            it must lie inside the output (``scale * H`` x ``scale * W``).
        steps: points on the path (>= 1); 32 is plenty for a readable map.
        sigma: blur of the baseline in LR pixels (> 0; LAM's default is large).
        scale: only for pre-upsampling models whose name does not end in ``_xN``.
        path: ``'linear'`` (integrated gradients from the blurred baseline) or ``'blur'`` (LAM's path).
        batch_size: path points per forward/backward pass (memory vs speed).
        crop: run the network only on the part of the image within the window's receptive field (plus half
            the receptive field as a margin, so the result is exact: the gradient is zero beyond the receptive field); the
            path and the baseline are still made on the whole image.  ``False``: the whole image every step.

    Example::

        >>> r = lam(zoo.load("edsr", 3), lr_crop, window=(90, 90, 16), steps=32)
        >>> r.map.shape == lr_crop.shape[:2], r.diffusion_index       # doctest: +SKIP
        (True, 21.3)
    """
    from .errors import check_choice

    t0 = time.perf_counter()
    p = _Prepared(model, lr, scale, "LAM")
    tf = p.tf
    win = _check_window(window, p.out_h, p.out_w)
    steps = check_int("steps", steps, low=1, high=4096, hint="32 points give a smooth map.")
    sigma = check_float("sigma", sigma, low=0, high=1000, low_open=True,
                        hint="The baseline blur, in LR pixels; LAM uses a large one (e.g. 8).")
    path = check_choice("path", path, ("linear", "blur"))
    batch_size = check_int("batch_size", batch_size, low=1)
    x = p.x
    base = _blur_float(x, sigma)
    if path == "linear":
        alphas = (np.arange(steps, dtype=np.float32) + 0.5) / steps
        points = base[None] + alphas[:, None, None, None] * (x - base)[None]
    else:  # x_0 = the baseline ... x_steps = the input; gradients at the midpoint of each segment
        seq = np.stack([_blur_float(x, sigma * (1.0 - k / steps)) for k in range(steps + 1)])
        points = 0.5 * (seq[1:] + seq[:-1])
        deltas = seq[1:] - seq[:-1]

    rows, cols = p.crop_for(win) if crop else (slice(0, p.h), slice(0, p.w))
    cwin = (win[0] - rows.start * p.scale, win[1] - cols.start * p.scale, win[2])
    grads = []
    for i in range(0, steps, batch_size):
        xb = tf.constant(np.ascontiguousarray(points[i:i + batch_size, rows, cols]))
        with tf.GradientTape() as tape:
            tape.watch(xb)
            f = _gradient_magnitude(tf, p.forward(xb), cwin)
        grads.append(tape.gradient(f, xb).numpy())
    g = np.zeros(points.shape, np.float32)
    g[:, rows, cols] = np.concatenate(grads, axis=0)
    if path == "linear":
        attr = ((x - base) * g.mean(axis=0)).sum(axis=-1)
    else:
        attr = (deltas * g).sum(axis=(0, 3))
    ends = tf.constant(np.ascontiguousarray(np.stack([x, base])[:, rows, cols]))
    f_x, f_base = (float(v) for v in _gradient_magnitude(tf, p.forward(ends), cwin).numpy())
    try:
        di = diffusion_index(attr)
    except InvalidValueError:
        di = float("nan")
    return LAMResult(map=attr.astype(np.float32), window=win, diffusion_index=di, scale=p.scale, steps=steps,
                     sigma=sigma, path=path, pre_upsampling=p.pre, target=f_x, target_baseline=f_base,
                     model_name=p.model.name, seconds=time.perf_counter() - t0, baseline=base)


def gini(values) -> float:
    """Gini coefficient of non-negative values: 0 when all are equal, ``(n-1)/n`` when one holds everything.

    ``G = sum_i (2i - n - 1) v_(i) / (n * sum v)`` with ``v_(1) <= ... <= v_(n)`` sorted (the mean absolute
    difference over all pairs divided by twice the mean).

    Example::

        >>> round(gini([0, 0, 0, 1]), 3), gini([2, 2, 2])
        (0.75, 0.0)
    """
    v = np.sort(np.abs(np.asarray(values, dtype=np.float64)).ravel())
    n = v.size
    if n == 0 or not np.isfinite(v).all():
        raise InvalidValueError("The Gini coefficient needs at least one finite value.")
    total = v.sum()
    if total <= 0:
        raise InvalidValueError("The Gini coefficient of all-zero values is undefined (nothing is attributed).")
    i = np.arange(1, n + 1)
    return float(((2 * i - n - 1) * v).sum() / (n * total))


def diffusion_index(attribution) -> float:
    """LAM's diffusion index: ``DI = (1 - G(|A|)) * 100``, with ``G`` the Gini coefficient (:func:`gini`) of the
    absolute attribution over all pixels.

    DI is 100 exactly for a uniform map (every pixel contributes alike) and ``100 / n`` for a map with a
    single nonzero pixel among ``n`` (near 0: ``G = (n-1)/n``).  Larger DI = the network draws on a wider
    region (Gu & Dong report larger DI for deeper, attention-based networks).  An all-zero map raises
    :class:`~srkit.errors.InvalidValueError`.

    Example::

        >>> diffusion_index(np.ones((8, 8)))
        100.0
        >>> a = np.zeros((8, 8)); a[3, 4] = 1.0
        >>> round(diffusion_index(a), 4)        # 100 / 64
        1.5625
    """
    a = np.asarray(attribution, dtype=np.float64)
    if a.size == 0:
        raise ShapeError("diffusion_index needs a non-empty attribution map.")
    return float((1.0 - gini(a)) * 100.0)


# --------------------------------------------------------------------------------------------------------------
# Receptive fields
# --------------------------------------------------------------------------------------------------------------
_POINTWISE = {
    "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Activation", "ReLU", "LeakyReLU",
    "PReLU", "ELU", "Softmax", "Dropout", "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "AlphaDropout",
    "ResidualScale", "WeightedSum", "Rescaling", "BatchNormalization", "LayerNormalization", "GroupNormalization",
    "Identity", "Dense", "EinsumDense", "Normalization", "UnitNormalization", "ActivityRegularization",
}
_GLOBAL = {"Flatten", "Reshape", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "RowRNN", "ConvRecurrent2D",
           "Attention", "MultiHeadAttention"}


def _pair(v) -> tuple[int, int]:
    return (int(v), int(v)) if isinstance(v, (int, np.integer)) else (int(v[0]), int(v[1]))


def _upsampling_factor(op, axis: int) -> int:
    name = type(op).__name__
    if name == "PixelShuffle":
        return int(op.scale)
    if name == "UpSampling2D":
        return _pair(op.size)[axis]
    if "Transpose" in name:
        return _pair(op.strides)[axis]
    return 1


def _map_interval(op, axis: int, lo: int, hi: int) -> tuple[int, int]:
    """Input indices (an interval, along ``axis``) that output indices ``lo..hi`` of layer ``op`` read."""
    name = type(op).__name__
    if name in _POINTWISE:
        return lo, hi
    if name in _GLOBAL:
        raise SrkitError(f"Layer {op.name!r} ({name}) lets every output pixel see the whole input: the model has "
                         "no finite receptive field.")
    if name == "PixelShuffle":
        r = int(op.scale)
        return lo // r, hi // r
    if name == "UpSampling2D":
        s = _pair(op.size)[axis]
        if getattr(op, "interpolation", "nearest") == "nearest":
            return lo // s, hi // s
        # output o samples the input at (o + 1/2) / s - 1/2: the two neighbours of that point (one if it is whole)
        return (2 * lo + 1 - s) // (2 * s), -((-(2 * hi + 1 - s)) // (2 * s))
    if hasattr(op, "kernel_size") and ("Conv" in name or "Pool" in name or hasattr(op, "filters")):
        k = _pair(op.kernel_size)[axis]
        d = _pair(getattr(op, "dilation_rate", 1))[axis]
        s = _pair(getattr(op, "strides", 1))[axis]
        ke = (k - 1) * d + 1
        if "Transpose" in name:  # o = i*s + t - pad, t in [0, ke); the pad only shifts the phase (all are tried)
            pad = (ke - s) // 2 if op.padding == "same" else 0
            return -((-(lo + pad - ke + 1)) // s), (hi + pad) // s
        pad = (ke - 1) // 2 if op.padding == "same" else 0
        return lo * s - pad, hi * s - pad + ke - 1
    if "Pool" in name and hasattr(op, "pool_size"):
        k = _pair(op.pool_size)[axis]
        s = _pair(op.strides or op.pool_size)[axis]
        pad = (k - 1) // 2 if op.padding == "same" else 0
        return lo * s - pad, hi * s - pad + k - 1
    raise SrkitError(f"receptive_field does not know how layer {op.name!r} ({name}) maps pixels. It understands "
                     "convolutions (dilated, strided, transposed), pooling, pixel shuffle, UpSampling2D and pointwise "
                     "layers (activations, Add, scaling, ...); compute this model's with measured_receptive_field.")


def _walk(model, out_intervals: dict, axis: int) -> dict:
    """Propagate intervals from output tensors back through a functional graph; returns {id(tensor): (lo, hi)}
    for every tensor reached, the model's inputs included.  Each call of a shared layer (a recursion) is its own
    node, so it counts every time."""
    order, seen = [], set()

    def visit(tensor):
        op, node_index, _ = tensor._keras_history
        node = op._inbound_nodes[node_index]
        if id(node) in seen:
            return
        seen.add(id(node))
        for t in node.input_tensors:
            visit(t)
        order.append(node)

    import sys

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))
    for t in model.outputs:
        visit(t)
    iv = dict(out_intervals)
    for node in reversed(order):
        op = node.operation
        if type(op).__name__ == "InputLayer" or not node.input_tensors:
            continue
        outs = [iv[id(t)] for t in node.output_tensors if id(t) in iv]
        if not outs:
            continue
        lo, hi = min(o[0] for o in outs), max(o[1] for o in outs)
        if hasattr(op, "outputs") and hasattr(op, "_inbound_nodes") and getattr(op, "inputs", None) is not None \
                and type(op).__name__ in ("Functional", "Sequential", "Model"):
            inner = _walk(op, {id(t): (lo, hi) for t in op.outputs}, axis)
            mapped = [inner.get(id(t)) for t in op.inputs]
        else:
            m = _map_interval(op, axis, lo, hi)
            mapped = [m] * len(node.input_tensors)
        for t, m in zip(node.input_tensors, mapped):
            if m is None:
                continue
            old = iv.get(id(t))
            iv[id(t)] = m if old is None else (min(old[0], m[0]), max(old[1], m[1]))
    return iv


def receptive_field(model, per_axis: bool = False):
    """The theoretical receptive field of one output pixel, in the model's input pixels.

    Walks the network's layers from the output back to the input, mapping the interval of pixels a layer's
    output needs to the interval of its input: a k x k convolution with dilation d and stride s maps
    ``lo..hi`` to ``s*lo - p .. s*hi - p + (k-1)*d``; a pixel shuffle (or nearest upsampling) by r to
    ``lo//r .. hi//r``; a transposed convolution inverts ``o = s*i + t - p``; bilinear upsampling reads the two
    neighbours; pointwise layers (activations, Add, residual scaling) keep the interval, and a branch joins
    the union of its inputs.  A layer applied several times (a recursive model such as DRCN) is a separate
    step each time.  With upsampling, the count depends on where the output pixel sits among the ``r`` pixels
    one input pixel becomes; the largest over those phases is returned.

    For pre-upsampling models (SRCNN, DRCN) the input pixels are those of the bicubic-upscaled image (HR
    pixels); for the others, LR pixels.

    Args:
        per_axis: return ``(rows, cols)`` instead of the larger of the two.

    Example::

        >>> receptive_field(zoo.load("srcnn", 3))      # 9x9, 5x5, 5x5 convolutions: 9 + 4 + 4
        17
    """
    model = _keras_model(model, "receptive_field")
    period = 1  # a multiple of the phase period: the product of every upsampling factor, per call
    for layer in _all_layers(model):
        f = max(_upsampling_factor(layer, 0), _upsampling_factor(layer, 1))
        if f > 1:
            period *= f ** max(1, len(layer._inbound_nodes))
    period = min(period, 256)
    inp = model.inputs[0]
    sizes = []
    for axis in (0, 1):
        best = 0
        for phase in range(max(period, 1)):
            o = 1000 * period + phase
            iv = _walk(model, {id(t): (o, o) for t in model.outputs}, axis)
            if id(inp) not in iv:
                raise SrkitError(f"The output of {model.name!r} does not depend on its input.")
            lo, hi = iv[id(inp)]
            best = max(best, hi - lo + 1)
        sizes.append(best)
    return tuple(sizes) if per_axis else max(sizes)


def _all_layers(model):
    for layer in model.layers:
        if hasattr(layer, "layers") and type(layer).__name__ in ("Functional", "Sequential", "Model"):
            yield from _all_layers(layer)
        else:
            yield layer


def _centred_side(weights: np.ndarray, r: int, c: int, fraction: float) -> int:
    total = weights.sum()
    if total <= 0:
        raise SrkitError("The output pixel's gradient is zero everywhere: it does not depend on the input there.")
    h, w = weights.shape
    for k in range(0, max(h, w) + 1):
        part = weights[max(0, r - k):r + k + 1, max(0, c - k):c + k + 1].sum()
        if part >= fraction * total * (1 - 1e-9):
            return 2 * k + 1
    return 2 * max(h, w) + 1


def measured_receptive_field(model, lr, position=None, fraction: float = 0.99, scale: int | None = None,
                             wrt: str = "input") -> int:
    """The effective receptive field of one output pixel: the side of the smallest square, centred on the input
    pixel under it, that holds ``fraction`` of the absolute gradient of that output pixel with respect to
    the input (Luo et al.'s "effective receptive field"; the gradient is exactly zero outside the theoretical
    one, and usually concentrated far inside it).

    Args:
        model: a Keras model (or an upscaler holding one).
        lr: the LR image (as for :func:`lam`); use one larger than the receptive field, or the square is cut
            off at the image's border.
        position: ``(row, col)`` of the output pixel (default: the output's centre).
        fraction: share of the gradient the square must hold, ``0 < fraction <= 1``.
        scale: only for pre-upsampling models whose name does not end in ``_xN``.
        wrt: ``'input'``: in the model's input pixels (HR pixels for pre-upsampling models), comparable to
            :func:`receptive_field`; ``'lr'``: in LR pixels (through the bicubic step for pre-upsampling models).

    Example::

        >>> measured_receptive_field(zoo.load("edsr", 3), lr[:96, :96])     # doctest: +SKIP
        13
    """
    from .errors import check_choice

    p = _Prepared(model, lr, scale, "measured_receptive_field")
    tf = p.tf
    fraction = check_float("fraction", fraction, low=0, high=1, low_open=True)
    wrt = check_choice("wrt", wrt, ("input", "lr"))
    if position is None:
        position = (p.out_h // 2, p.out_w // 2)
    r, c = (check_int("position row", position[0], low=0, high=p.out_h - 1),
            check_int("position col", position[1], low=0, high=p.out_w - 1))
    x = tf.constant(p.x[None])
    with tf.GradientTape() as tape:
        if wrt == "input" and p.pre:
            xin = p.model_input(x)
            tape.watch(xin)
            out = p.model(xin, training=False)
            src = xin
        else:
            tape.watch(x)
            out = p.forward(x)
            src = x
        y = tf.reduce_sum(out[0, r, c, :])
    g = np.abs(tape.gradient(y, src).numpy()[0]).sum(axis=-1)
    if src is x and p.scale > 1:
        cr, cc = (min(int((r + 0.5) / p.scale), p.h - 1), min(int((c + 0.5) / p.scale), p.w - 1))
    else:
        cr, cc = r, c
    return _centred_side(g, cr, cc, fraction)


def receptive_field_table(models: dict, lr, window=None, steps: int = 32, sigma: float = 8.0,
                          scale: int | None = None):
    """Theoretical and measured receptive fields and the LAM diffusion index of several models on one image, as a
    pandas DataFrame (one row per model): ``input`` ('LR' or 'bicubic'), ``rf_theory`` (:func:`receptive_field`,
    model input pixels), ``rf_measured`` (:func:`measured_receptive_field`, 99%, same pixels),
    ``rf_measured_lr`` (the same in LR pixels), ``di`` (:func:`lam`'s diffusion index for ``window``, default a
    16-pixel window at the output's centre) and ``lam_s`` (seconds).

    Example::

        >>> receptive_field_table({m: zoo.load(m, 3) for m in ("srcnn", "espcn", "edsr", "drcn")}, lr)  # doctest: +SKIP
    """
    import pandas as pd

    rows = []
    for name, model in models.items():
        p = _Prepared(model, lr, scale, "receptive_field_table")
        win = window if window is not None else ((p.out_h - 16) // 2, (p.out_w - 16) // 2, 16)
        res = lam(p.model, lr, win, steps=steps, sigma=sigma, scale=p.scale)
        rows.append({
            "model": name, "input": "bicubic" if p.pre else "LR",
            "rf_theory": receptive_field(p.model),
            "rf_measured": measured_receptive_field(p.model, lr, scale=p.scale),
            "rf_measured_lr": measured_receptive_field(p.model, lr, scale=p.scale, wrt="lr"),
            "di": res.diffusion_index, "lam_s": res.seconds,
        })
    return pd.DataFrame(rows).set_index("model")


# --------------------------------------------------------------------------------------------------------------
# Inside the network
# --------------------------------------------------------------------------------------------------------------
def _layer_output(model, layer, call: int = -1):
    import keras

    if layer is None:
        for lay in _flat(model):
            if isinstance(lay, keras.layers.Conv2D):
                layer = lay
                break
        else:
            raise SrkitError(f"{model.name!r} has no Conv2D layer; name the layer to look at (layer='...').")
    elif isinstance(layer, str):
        try:
            layer = model.get_layer(layer)
        except ValueError:
            names = [lay.name for lay in model.layers]
            raise InvalidValueError(f"{model.name!r} has no layer {layer!r}; its layers are: {', '.join(names)}.") \
                from None
    nodes = [n for n in layer._inbound_nodes if _in_model(model, n)]
    if not nodes:
        raise InvalidValueError(f"Layer {layer.name!r} is not part of {model.name!r}.")
    return layer, nodes[call].output_tensors[0]


def _flat(model):
    return list(_all_layers(model))


def _in_model(model, node) -> bool:
    ids = {id(n) for lay in model.layers for n in lay._inbound_nodes}
    return id(node) in ids


def _default_feature_layer(model):
    """The deepest hidden convolution: the last Conv2D with more filters than the model outputs, not the one
    feeding a pixel shuffle (EDSR: ``body_end``; SRCNN: ``map``; ESPCN: the second; DRCN: ``recursive_conv``)."""
    import keras

    out_c = int(model.output_shape[-1])
    pick = None
    for lay in model.layers:
        if isinstance(lay, keras.layers.Conv2D) and lay.filters > out_c:
            feeds_shuffle = any(type(n.operation).__name__ == "PixelShuffle" for n in lay._outbound_nodes)
            if not feeds_shuffle:
                pick = lay
    if pick is None:
        raise SrkitError(f"Could not choose a feature layer of {model.name!r}; pass layer='...'.")
    return pick


def feature_maps(model, lr, layer=None, call: int = -1, scale: int | None = None) -> np.ndarray:
    """Activations of one layer for an LR image: float32 (h, w, channels).

    Args:
        layer: a layer name (or the layer); default: the model's first Conv2D.
        call: for a layer applied several times (DRCN's ``recursive_conv``), which application (default: the last).

    Example::

        >>> f = feature_maps(zoo.load("espcn", 3), lr)          # the 5x5 layer's 64 maps
        >>> f.shape                                             # doctest: +SKIP
        (85, 85, 64)
    """
    import keras

    p = _Prepared(model, lr, scale, "feature_maps")
    _, tensor = _layer_output(p.model, layer, call)
    sub = keras.Model(p.model.inputs, tensor)
    x = p.model_input(p.tf.constant(p.x[None]))
    return np.asarray(sub(x, training=False))[0].astype(np.float32)


def _degrade(hr: np.ndarray, name: str, scale: int, seed: int) -> np.ndarray:
    from .degrade import Degradation

    deg = {"bicubic": Degradation(scale), "blur": Degradation(scale, blur_sigma=1.6, blur_size=7),
           "noise": Degradation(scale, noise_sigma=20.0), "jpeg": Degradation(scale, jpeg_quality=20)}[name]
    return deg.corrupt(deg.downsample(hr), rng=seed)


def degradation_embedding(model, hr_images, degradations=("bicubic", "blur", "noise", "jpeg"), scale: int = 3,
                          layer=None, seed: int = 0, method: str = "pca", centre: str = "all"):
    """Where the deep features of differently degraded inputs lie: a 2-D map (PCA) as a DataFrame.

    For each HR image and degradation (:data:`EMBEDDING_DEGRADATIONS`, made with :mod:`srkit.degrade`), the LR
    input is degraded, run through the model up to ``layer`` (default: the deepest hidden convolution, e.g.
    EDSR's ``body_end``) and global-average-pooled to one vector per input.  The vectors are centred and projected
    on their first two principal components (``numpy.linalg.svd``); ``method='tsne'`` uses scikit-learn's t-SNE
    instead (an optional dependency).

    Args:
        hr_images: uint8 HR images (a list, or ``{name: image}``); each is modcropped to ``scale``.
        degradations: names from :data:`EMBEDDING_DEGRADATIONS`.
        seed: seed of the noise.
        centre: ``'all'``: subtract the mean of all vectors (plain PCA; on the kit's models the first component
            then follows the image's content, not its degradation); ``'image'``: subtract each image's own mean
            over its degradations first, so only what the degradations change is left (noise then stands apart
            on the first component).

    Returns:
        DataFrame with columns ``x``, ``y``, ``image``, ``degradation`` (``table.attrs['explained']``: the share of
        variance of each PCA component).

    Example::

        >>> t = degradation_embedding(zoo.load("edsr", 3), [p.hr[:96, :96] for p in pairs], scale=3)
        >>> t.groupby("degradation").x.mean()                  # doctest: +SKIP
    """
    import keras
    import pandas as pd

    from .errors import check_choice

    method = check_choice("method", method, ("pca", "tsne"))
    centre = check_choice("centre", centre, ("all", "image"))
    scale = check_int("scale", scale, low=2, high=8)
    items = list(hr_images.items()) if isinstance(hr_images, dict) else \
        [(f"image{i}", im) for i, im in enumerate(hr_images)]
    if not items:
        raise InvalidValueError("degradation_embedding needs at least one HR image.")
    degradations = [check_choice("degradation", d, tuple(EMBEDDING_DEGRADATIONS)) for d in degradations]
    m = _keras_model(model, "degradation_embedding")
    lay = m.get_layer(layer) if isinstance(layer, str) else (layer or _default_feature_layer(m))
    _, tensor = _layer_output(m, lay)
    sub = keras.Model(m.inputs, tensor)
    feats, labels = [], []
    for name, hr in items:
        hr = np.asarray(hr)
        if hr.dtype != np.uint8:
            raise ShapeError(f"HR image {name!r} must be uint8 (noise and JPEG are defined on 8-bit grey levels).")
        for d in degradations:
            lr = _degrade(hr, d, scale, seed)
            p = _Prepared(m, lr, scale, "degradation_embedding")
            f = np.asarray(sub(p.model_input(p.tf.constant(p.x[None])), training=False))[0]
            feats.append(f.mean(axis=(0, 1)))
            labels.append((name, d))
    F = np.asarray(feats, np.float64)
    if len(F) < 2:
        raise InvalidValueError("An embedding needs at least two inputs (images x degradations).")
    if centre == "image":
        owners = np.array([a for a, _ in labels])
        for name in set(owners):
            F[owners == name] -= F[owners == name].mean(axis=0)
    F = F - F.mean(axis=0)
    if method == "pca":
        u, s, _ = np.linalg.svd(F, full_matrices=False)
        xy = u[:, :2] * s[:2]
        if xy.shape[1] < 2:
            xy = np.pad(xy, ((0, 0), (0, 2 - xy.shape[1])))
        var = s**2
        explained = (var[:2] / max(var.sum(), 1e-30)).tolist()
    else:
        try:
            from sklearn.manifold import TSNE
        except ImportError as e:
            raise OptionalDependencyError("method='tsne' needs scikit-learn (pip install scikit-learn); "
                                          "method='pca' needs nothing.") from e
        xy = TSNE(2, perplexity=min(30.0, max(2.0, (len(F) - 1) / 3)), random_state=seed).fit_transform(F)
        explained = []
    table = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "image": [a for a, _ in labels],
                          "degradation": [b for _, b in labels]})
    table.attrs["explained"] = explained
    table.attrs["layer"] = lay.name
    table.attrs["centre"] = centre
    return table


# --------------------------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------------------------
def show_attribution(result: LAMResult, lr, sr=None, ax_size: float = 3.2):
    """Figure: the LR input with the window (red), the attribution ``|A|`` as a heat map over it (square-root
    opacity, saturating at the 98th percentile of the nonzero pixels, so its reach is visible; DI in the title), and the SR output with the window if ``sr`` is given.  Returns the matplotlib Figure.

    Example::

        >>> fig = show_attribution(lam(model, lr, (90, 90, 16)), lr)
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from .color import rgb_to_y

    img = np.asarray(lr)
    img = img[..., 0] if img.ndim == 3 and img.shape[2] == 1 else img
    if img.ndim == 3:
        img = rgb_to_y(img.astype(np.float32))
    img = img.astype(np.float32) / (255.0 if np.asarray(lr).dtype == np.uint8 else 1.0)
    if img.shape != result.map.shape:
        raise ShapeError(f"The image is {img.shape[1]}x{img.shape[0]} but the attribution map is "
                         f"{result.map.shape[1]}x{result.map.shape[0]}: give the LR image LAM was computed on.")
    n = 3 if sr is not None else 2
    fig, axes = plt.subplots(1, n, figsize=(ax_size * n, ax_size))
    r, c, s = result.lr_window()

    def box(ax, rr, cc, ss):
        ax.add_patch(Rectangle((cc - 0.5, rr - 0.5), ss, ss, fill=False, edgecolor="red", linewidth=1.5))

    axes[0].imshow(img, cmap="gray", vmin=0, vmax=1)
    box(axes[0], r, c, s)
    axes[0].set_title("LR input and window")
    heat = np.abs(result.map)
    top = np.quantile(heat[heat > 0], 0.98) if (heat > 0).any() else 0.0  # the top 2% of the used pixels saturate
    heat = np.clip(heat / top, 0, 1) if top > 0 else heat
    rgba = plt.get_cmap("inferno")(0.35 + 0.65 * heat)
    rgba[..., 3] = 0.9 * np.sqrt(heat)  # square root: the faint, far-reaching part stays visible
    axes[1].imshow(img, cmap="gray", vmin=0, vmax=1)
    axes[1].imshow(rgba)
    box(axes[1], r, c, s)
    axes[1].set_title(f"LAM {result.model_name}: DI {result.diffusion_index:.2f}")
    if sr is not None:
        out = np.asarray(sr)
        out = out[..., 0] if out.ndim == 3 and out.shape[2] == 1 else out
        axes[2].imshow(out, cmap="gray" if out.ndim == 2 else None)
        box(axes[2], *result.window)
        axes[2].set_title("SR output and window")
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def embedding_plot(table, ax=None):
    """Scatter plot of :func:`degradation_embedding`'s table: one colour per degradation, one marker per image.
    Returns the matplotlib Figure.

    Example::

        >>> fig = embedding_plot(degradation_embedding(model, hr_crops, scale=3))
    """
    import matplotlib.pyplot as plt

    missing = {"x", "y", "image", "degradation"} - set(getattr(table, "columns", []))
    if missing:
        raise ShapeError(f"embedding_plot needs a table with columns x, y, image, degradation (as "
                         f"degradation_embedding returns); missing {', '.join(sorted(missing))}.")
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 4))
    else:
        fig = ax.figure
    markers = "os^Dv<>pP*X"
    images = list(dict.fromkeys(table["image"]))
    for d, group in table.groupby("degradation", sort=False):
        for i, im in enumerate(images):
            g = group[group["image"] == im]
            ax.scatter(g["x"], g["y"], marker=markers[i % len(markers)], color=f"C{list(dict.fromkeys(table['degradation'])).index(d)}",
                       label=d if i == 0 else None, s=40)
    ex = table.attrs.get("explained") or []
    ax.set_xlabel("component 1" + (f" ({ex[0]:.0%} of variance)" if ex else ""))
    ax.set_ylabel("component 2" + (f" ({ex[1]:.0%})" if len(ex) > 1 else ""))
    ax.set_title(f"deep features ({table.attrs.get('layer', 'layer')}) by degradation")
    ax.legend(title="degradation", fontsize=8)
    fig.tight_layout()
    return fig
