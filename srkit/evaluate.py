"""Evaluate any upscaler on the benchmarks, the way SR papers do.

An *upscaler* is anything that turns an LR image into an SR image:

* the name of a classical interpolation: ``'bicubic'`` (the papers' baseline), ``'nearest'``,
  ``'bilinear'``, ``'lanczos2'``, ``'lanczos3'``;
* a Keras model (see :class:`KerasUpscaler` for the conventions it follows);
* the name of a pretrained model in :mod:`srkit.zoo`, when that module is present;
* any callable ``f(lr_uint8, scale) -> sr`` returning a uint8 image or a float image in [0, 1].

:func:`evaluate` scores it on named benchmarks and scales and returns a pandas DataFrame.  The protocol
is :mod:`srkit.metrics` (Y channel, ``scale`` pixels shaved, per-image mean) on the shipped MATLAB-bicubic
LR inputs, with every SR output quantised to uint8 first, as saving it would.
"""

from __future__ import annotations

import importlib
from typing import Callable, Iterable, Sequence

import numpy as np

from . import degrade
from .data import BENCHMARKS, SCALES, load_benchmark
from .errors import OptionalDependencyError, ShapeError
from .io import to_uint8
from .scoring import mean_scores, score_benchmark, score_pairs

__all__ = ["as_upscaler", "evaluate", "summarize", "KerasUpscaler", "InterpolationUpscaler"]

Upscaler = Callable[[np.ndarray, int], np.ndarray]


class InterpolationUpscaler:
    """A classical interpolation as an upscaler, e.g. ``InterpolationUpscaler('bicubic')``."""

    def __init__(self, method: str = "bicubic"):
        if method not in degrade.INTERPOLATIONS:
            raise ValueError(f"Unknown interpolation {method!r}; choose from {degrade.INTERPOLATIONS}.")
        self.method = method
        self.name = method

    def __call__(self, lr: np.ndarray, scale: int) -> np.ndarray:
        return degrade.upscale(lr, scale, self.method)

    def __repr__(self) -> str:
        return f"InterpolationUpscaler({self.method!r})"


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
        tile: process the LR image in tiles of ``tile x tile`` pixels (``None``: in one piece).  Each
            tile is extended by ``overlap`` pixels of context on every side, and only its centre is
            kept, so the result equals untiled prediction when ``overlap`` covers the receptive field.
        overlap: context in LR pixels around each tile (default 40, more than any srkit model needs).
        output: ``'uint8'`` (quantised, what evaluation and saving use; least memory) or ``'float'``.

    Models with a fixed input size (the naive CNN) are always run tile by tile at that size.
    """

    def __init__(self, model, name: str | None = None, tile: int | None = None, overlap: int = 40,
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
            raise ValueError("output must be 'uint8' or 'float'.")
        if tile is not None and tile < 1:
            raise ValueError(f"tile must be a positive number of pixels, got {tile}.")
        self.tile, self.overlap, self.output = tile, int(overlap), output
        self._pre: dict[int, bool] = {}

    def _run(self, x: np.ndarray) -> np.ndarray:
        y = self.model(x[None].astype(np.float32), training=False)
        return np.asarray(y, dtype=np.float32)[0]

    def is_pre_upsampling(self, scale: int) -> bool:
        """Whether the model keeps the input size (then it is fed the bicubic-upscaled image)."""
        if scale not in self._pre:
            n = self.fixed or 12
            out = self._run(np.zeros((n, n, self.channels), np.float32))
            if out.shape[:2] == (n, n):
                self._pre[scale] = True
            elif out.shape[:2] == (n * scale, n * scale):
                self._pre[scale] = False
            else:
                raise ShapeError(
                    f"Model {self.name!r} turns a {n}x{n} input into {out.shape[0]}x{out.shape[1]}: it is "
                    f"neither an x{scale} model nor a pre-upsampling one. Is it a model for scale {scale}?"
                )
        return self._pre[scale]

    def _model_input(self, img: np.ndarray) -> np.ndarray:
        from .metrics import rgb_to_y

        if self.channels == 1:
            y = img[..., :1] if img.shape[2] == 1 else rgb_to_y(img.astype(np.float32))[..., None]
            return (y / 255.0).astype(np.float32)
        rgb = np.repeat(img, 3, axis=2) if img.shape[2] == 1 else img
        return rgb.astype(np.float32) / 255.0

    def _region(self, lr: np.ndarray, scale: int) -> np.ndarray:
        """SR of a whole (uint8, H x W x C) region: float32 in [0, 1] with the input's channel count."""
        grey = lr.shape[2] == 1
        bic = degrade.upscale(lr, scale) if (self.is_pre_upsampling(scale) or (self.channels == 1 and not grey)) else None
        x = self._model_input(bic if self.is_pre_upsampling(scale) else lr)
        if self.fixed:
            out = self._fixed_size(x, scale)
        else:
            out = self._run(x)
        if self.channels == 3:
            return out.mean(axis=2, keepdims=True) if grey else out
        if grey:
            return out
        return _replace_y(bic, out[..., 0] * 255.0)

    def _fixed_size(self, x: np.ndarray, scale: int) -> np.ndarray:
        """Run a fixed-input-size model over non-overlapping tiles (it cannot see beyond them)."""
        n = self.fixed
        h, w = x.shape[:2]
        if h < n or w < n:
            raise ShapeError(f"Model {self.name!r} needs inputs of at least {n}x{n} pixels; the image is {h}x{w}.")
        f = 1 if self.is_pre_upsampling(scale) else scale
        out = np.zeros((h * f, w * f, x.shape[2]), np.float32)
        ys = sorted({*range(0, h - n + 1, n), h - n})
        xs = sorted({*range(0, w - n + 1, n), w - n})
        for y0 in ys:
            for x0 in xs:
                out[y0 * f:(y0 + n) * f, x0 * f:(x0 + n) * f] = self._run(x[y0:y0 + n, x0:x0 + n])
        return out

    def __call__(self, lr: np.ndarray, scale: int) -> np.ndarray:
        lr = to_uint8(lr)
        lr = lr.reshape(lr.shape[0], lr.shape[1], -1)
        if lr.shape[2] not in (1, 3):
            raise ShapeError(f"Expected a grey or RGB image, got {lr.shape[2]} channels.")
        h, w = lr.shape[:2]
        c = lr.shape[2]
        finish = to_uint8 if self.output == "uint8" else (lambda a: a)
        if self.tile is None or (h <= self.tile and w <= self.tile):
            out = finish(self._region(lr, scale))
        else:
            t, pad = self.tile, self.overlap
            out = np.empty((h * scale, w * scale, c), np.uint8 if self.output == "uint8" else np.float32)
            for y0 in range(0, h, t):
                for x0 in range(0, w, t):
                    y1, x1 = min(y0 + t, h), min(x0 + t, w)
                    ya, xa, yb, xb = max(0, y0 - pad), max(0, x0 - pad), min(h, y1 + pad), min(w, x1 + pad)
                    sr = self._region(lr[ya:yb, xa:xb], scale)
                    out[y0 * scale:y1 * scale, x0 * scale:x1 * scale] = finish(
                        sr[(y0 - ya) * scale:(y1 - ya) * scale, (x0 - xa) * scale:(x1 - xa) * scale]
                    )
        if out.shape[:2] != (h * scale, w * scale):
            raise ShapeError(
                f"Model {self.name!r} turned a {h}x{w} input into {out.shape[0]}x{out.shape[1]}, "
                f"not x{scale} ({h * scale}x{w * scale}). Is it a model for scale {scale}?"
            )
        return out

    def __repr__(self) -> str:
        return f"KerasUpscaler({self.name!r})"


def _replace_y(rgb_uint8: np.ndarray, y_255: np.ndarray) -> np.ndarray:
    """Swap the BT.601 studio-swing Y of an RGB image for ``y_255``; returns float32 RGB in [0, 1].

    Since RGB -> YCbCr is affine, replacing Y adds ``(Y_new - Y_old)`` times the first column of the
    inverse matrix, which is (1, 1, 1) * 255/219: every channel moves by the same amount.
    """
    rgb = rgb_uint8.astype(np.float32)
    y_old = rgb @ (np.asarray([65.481, 128.553, 24.966], np.float32) / 255.0) + 16.0
    delta = (y_255.astype(np.float32) - y_old) * (255.0 / 219.0)
    return np.clip((rgb + delta[..., None]) / 255.0, 0.0, 1.0)


def as_upscaler(obj) -> Upscaler:
    """Turn a name, a Keras model or a callable into an upscaler ``f(lr, scale) -> sr``.

    Names are looked up as interpolations first, then in :mod:`srkit.zoo` (pretrained models).
    """
    if isinstance(obj, str):
        if obj in degrade.INTERPOLATIONS:
            return InterpolationUpscaler(obj)
        zoo = importlib.import_module("srkit.zoo")
        names = sorted({n for n, _ in zoo.available()})
        if obj in names:
            return zoo.upscaler(obj)
        raise ValueError(
            f"Unknown upscaler {obj!r}. Use an interpolation ({', '.join(degrade.INTERPOLATIONS)}), a "
            f"pretrained model ({', '.join(names) or 'none installed'}), a Keras model, or a callable f(lr, scale) -> sr."
        )
    if hasattr(obj, "input_shape") and hasattr(obj, "predict"):
        return KerasUpscaler(obj)
    if callable(obj):
        return obj
    raise TypeError(f"Cannot use {type(obj).__name__} as an upscaler; pass a name, a Keras model or a callable.")


def _name_of(obj) -> str:
    if isinstance(obj, str):
        return obj
    return getattr(obj, "name", None) or getattr(obj, "__name__", None) or type(obj).__name__


def evaluate(
    upscaler,
    datasets: Sequence[str] | str = BENCHMARKS,
    scales: Iterable[int] | int = SCALES,
    per_image: bool = False,
    limit: int | None = None,
    progress: bool = False,
):
    """Score an upscaler on benchmarks with the paper protocol.

    Args:
        upscaler: a name, Keras model or callable (see :func:`as_upscaler`).  A callable may also be a
            function of ``scale`` that returns an upscaler: pass ``{scale: upscaler}`` to use a
            different model per scale.
        datasets: benchmark names, e.g. ``['Set5', 'Set14']``.
        scales: scale factors, e.g. ``[2, 3, 4]``.
        per_image: return one row per image instead of one per (dataset, scale).
        limit: only the first ``limit`` images of each set (for quick checks).
        progress: print one line per (dataset, scale) as it finishes.

    Returns:
        A pandas DataFrame with columns ``method, dataset, scale, psnr, ssim`` and, if ``per_image``,
        ``image``; averages are the mean of per-image scores.
    """
    import pandas as pd

    if isinstance(datasets, str):
        datasets = [datasets]
    if isinstance(scales, int):
        scales = [scales]
    per_scale = upscaler if isinstance(upscaler, dict) else None
    name = _name_of(next(iter(per_scale.values())) if per_scale else upscaler)
    rows = []
    for scale in scales:
        if per_scale is not None:
            if scale not in per_scale:
                raise ValueError(f"No upscaler given for scale {scale}; the dict has {sorted(per_scale)}.")
            up = as_upscaler(per_scale[scale])
        else:
            up = as_upscaler(upscaler)
        for ds in datasets:
            sub = score_benchmark(up, ds, scale, ("psnr", "ssim"), limit=limit, method=name)
            rows += sub
            if progress:
                print(f"{name} {ds} x{scale}: {mean_scores(sub, ('psnr',))['psnr']:.2f} dB", flush=True)
    table = pd.DataFrame(rows, columns=["method", "dataset", "scale", "image", "psnr", "ssim"])
    if per_image:
        return table
    return summarize(table)


def summarize(per_image_table):
    """Average a per-image table into one row per (method, dataset, scale), keeping dataset order."""
    t = per_image_table
    out = (
        t.groupby(["method", "dataset", "scale"], sort=False)[["psnr", "ssim"]]
        .mean()
        .reset_index()
    )
    out["images"] = t.groupby(["method", "dataset", "scale"], sort=False).size().values
    return out


def compare_with_published(table):
    """Add the published bicubic numbers (``data/README.md``) and the differences to an evaluate table."""
    from .data import published_bicubic

    pub = published_bicubic()
    out = table.copy()
    out["published_psnr"] = [pub.get((d, s), (np.nan, np.nan))[0] for d, s in zip(out.dataset, out.scale)]
    out["published_ssim"] = [pub.get((d, s), (np.nan, np.nan))[1] for d, s in zip(out.dataset, out.scale)]
    out["d_psnr"] = out.psnr - out.published_psnr
    out["d_ssim"] = out.ssim - out.published_ssim
    return out


#: The protocol variants measured by :func:`protocol_effects`, with what each one changes.
PROTOCOL_VARIANTS = {
    "paper protocol": "Y channel, scale px shaved, MATLAB-bicubic LR and upscaling",
    "RGB instead of Y": "PSNR/SSIM over R, G and B",
    "no border shave": "crop_border=0",
    "grey scored as RGB->Y": "grey images replicated to RGB, then Y (squeezes them into [16, 235])",
    "LR from PIL bicubic": "LR made with Pillow's resize (antialiased, other kernel)",
    "LR from OpenCV bicubic": "LR made with cv2.resize INTER_CUBIC (no antialiasing)",
    "upscale with OpenCV": "bicubic upscaling with cv2.resize instead of MATLAB's",
}


#: The variants of :data:`PROTOCOL_VARIANTS` that need OpenCV, which is optional.
OPENCV_VARIANTS = ("LR from OpenCV bicubic", "upscale with OpenCV")


def protocol_effects(datasets: Sequence[str] | str = ("Set5", "Set14"), scale: int = 4, opencv: bool | None = None):
    """Measure how each protocol choice changes the bicubic baseline's numbers.

    Args:
        datasets: benchmark names.
        scale: the scale factor.
        opencv: the two OpenCV rows (:data:`OPENCV_VARIANTS`) need OpenCV, which srkit installs only with
            its ``opencv`` extra.  ``None`` (default): include them when OpenCV is installed, otherwise
            leave them out and print a note saying how to install it (every other row is still measured);
            ``True``: require them (an :class:`~srkit.errors.OptionalDependencyError` without OpenCV);
            ``False``: leave them out.

    Returns a DataFrame with one row per (variant, dataset): ``psnr``, ``ssim`` and ``d_psnr`` (the change
    from the paper protocol).  See :data:`PROTOCOL_VARIANTS` for what each variant does.
    """
    import dataclasses

    import pandas as pd

    from .degrade import library_resize, modcrop, require_opencv

    if isinstance(datasets, str):
        datasets = [datasets]
    variants = list(PROTOCOL_VARIANTS)
    if opencv is not False:
        try:
            require_opencv()
        except OptionalDependencyError as err:
            if opencv:
                raise
            print(f"Note: the rows {', '.join(OPENCV_VARIANTS)} are left out. {err}", flush=True)
            opencv = False
    if opencv is False:
        variants = [v for v in variants if v not in OPENCV_VARIANTS]

    k = scale
    rows = []
    for ds in datasets:
        pairs = load_benchmark(ds, k)
        bic = {p.name: degrade.upscale(p.lr, k) for p in pairs}
        as_rgb = [dataclasses.replace(p, hr=np.repeat(p.hr, 3, 2)) if p.hr.shape[2] == 1 else p for p in pairs]

        def bicubic(p):
            return bic[p.name]

        def bicubic_rgb(p):
            return np.repeat(bic[p.name], 3, 2) if bic[p.name].shape[2] == 1 else bic[p.name]

        def lr_from(library):
            return lambda p: degrade.upscale(library_resize(modcrop(p.hr, k), p.lr.shape[:2], library), k)

        recipes = {  # variant: (pair -> SR image, pairs, scoring options)
            "paper protocol": (bicubic, pairs, {}),
            "RGB instead of Y": (bicubic, pairs, {"y_channel": False}),
            "no border shave": (bicubic, pairs, {"crop_border": 0}),
            "grey scored as RGB->Y": (bicubic_rgb, as_rgb, {}),
            "LR from PIL bicubic": (lr_from("pil"), pairs, {}),
            "LR from OpenCV bicubic": (lr_from("opencv"), pairs, {}),
            "upscale with OpenCV": (lambda p: library_resize(p.lr, p.hr.shape[:2], "opencv"), pairs, {}),
        }
        means = {v: mean_scores(score_pairs(recipes[v][0], recipes[v][1], k, **recipes[v][2])) for v in variants}
        base = means["paper protocol"]["psnr"]
        for name, m in means.items():
            rows.append(dict(variant=name, dataset=ds, scale=scale, psnr=m["psnr"], ssim=m["ssim"],
                             d_psnr=m["psnr"] - base))
    return pd.DataFrame(rows)
