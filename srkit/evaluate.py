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
from .errors import ShapeError
from .io import to_uint8
from .metrics import psnr, ssim

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
    """Wraps a Keras SR model as an upscaler.

    Conventions (the ones every srkit model follows):

    * inputs and outputs are floats in [0, 1], shape ``(batch, H, W, C)``;
    * a model with **1 input channel** works on luma: it gets the Y channel of an RGB image (BT.601
      studio swing, divided by 255), and the colour (Cb, Cr) is upscaled with bicubic, as in SRCNN and
      its successors; a grey image is fed as it is;
    * a model with **3 input channels** works on RGB; a grey image is repeated to 3 channels and the
      output averaged back to one;
    * a model whose output has the *same* size as its input is a pre-upsampling model (SRCNN, VDSR): it is
      fed the bicubic-upscaled image.  Otherwise the output must be ``scale`` times the input.
    """

    def __init__(self, model, name: str | None = None):
        self.model = model
        self.name = name or getattr(model, "name", "keras_model")
        shape = model.input_shape
        if isinstance(shape, list):
            raise ShapeError("KerasUpscaler needs a model with one input (a single LR image).")
        self.channels = shape[-1]
        if self.channels not in (1, 3):
            raise ShapeError(f"Model {self.name!r} takes {self.channels} channels; SR models take 1 or 3.")

    def _run(self, x: np.ndarray) -> np.ndarray:
        y = self.model(x[None].astype(np.float32), training=False)
        return np.asarray(y)[0]

    def __call__(self, lr: np.ndarray, scale: int) -> np.ndarray:
        from .metrics import rgb_to_y

        lr = to_uint8(lr)
        grey = lr.ndim == 2 or lr.shape[2] == 1
        lr = lr.reshape(lr.shape[0], lr.shape[1], -1)
        h, w = lr.shape[:2]
        bic = None
        if self.channels == 1:
            x = (lr[..., :1] if grey else rgb_to_y(lr.astype(np.float64))[..., None]) / 255.0
        else:
            x = np.repeat(lr, 3, axis=2) / 255.0 if grey else lr / 255.0
        out = self._run(x)
        if out.shape[:2] == (h, w):  # pre-upsampling model: feed the bicubic-upscaled input
            bic = degrade.upscale(lr, scale)
            if self.channels == 1:
                xb = (bic[..., :1] if grey else rgb_to_y(bic.astype(np.float64))[..., None]) / 255.0
            else:
                xb = np.repeat(bic, 3, axis=2) / 255.0 if grey else bic / 255.0
            out = self._run(xb)
        if out.shape[:2] != (h * scale, w * scale):
            raise ShapeError(
                f"Model {self.name!r} turned a {h}x{w} input into {out.shape[0]}x{out.shape[1]}, "
                f"not x{scale} ({h * scale}x{w * scale}). Is it a model for scale {scale}?"
            )
        if self.channels == 3:
            return out.mean(axis=2, keepdims=True) if grey else out
        if grey:
            return out
        # Y model on colour: put the predicted Y back with bicubic Cb/Cr.
        if bic is None:
            bic = degrade.upscale(lr, scale)
        return _replace_y(bic, out[..., 0] * 255.0)

    def __repr__(self) -> str:
        return f"KerasUpscaler({self.name!r})"


def _replace_y(rgb_uint8: np.ndarray, y_255: np.ndarray) -> np.ndarray:
    """Swap the BT.601 studio-swing Y of an RGB image for ``y_255``; returns float RGB in [0, 1]."""
    rgb = rgb_uint8.astype(np.float64)
    # RGB -> YCbCr (studio swing), as MATLAB's rgb2ycbcr
    m = np.array(
        [[65.481, 128.553, 24.966], [-37.797, -74.203, 112.0], [112.0, -93.786, -18.214]]
    ) / 255.0
    ycc = rgb @ m.T + np.array([16.0, 128.0, 128.0])
    ycc[..., 0] = y_255
    out = (ycc - np.array([16.0, 128.0, 128.0])) @ np.linalg.inv(m).T
    return np.clip(out / 255.0, 0.0, 1.0)


def as_upscaler(obj) -> Upscaler:
    """Turn a name, a Keras model or a callable into an upscaler ``f(lr, scale) -> sr``.

    Names are looked up as interpolations first, then in :mod:`srkit.zoo` (pretrained models).
    """
    if isinstance(obj, str):
        if obj in degrade.INTERPOLATIONS:
            return InterpolationUpscaler(obj)
        try:
            zoo = importlib.import_module("srkit.zoo")
        except ModuleNotFoundError:
            zoo = None
        if zoo is not None and hasattr(zoo, "upscaler"):
            return zoo.upscaler(obj)
        raise ValueError(
            f"Unknown upscaler {obj!r}. Use an interpolation ({', '.join(degrade.INTERPOLATIONS)}), "
            "a Keras model, or a callable f(lr, scale) -> sr."
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
            for pair in load_benchmark(ds, scale, limit=limit):
                sr = to_uint8(up(pair.lr, scale))
                if sr.ndim == 2:
                    sr = sr[..., None]
                if sr.shape != pair.hr.shape:
                    raise ShapeError(
                        f"{name} returned {sr.shape} for {ds}/{pair.name} at x{scale}; expected {pair.hr.shape}."
                    )
                rows.append(
                    dict(
                        method=name,
                        dataset=ds,
                        scale=scale,
                        image=pair.name,
                        psnr=psnr(sr, pair.hr, crop_border=scale),
                        ssim=ssim(sr, pair.hr, crop_border=scale),
                    )
                )
            if progress:
                sub = [r for r in rows if r["dataset"] == ds and r["scale"] == scale]
                print(f"{name} {ds} x{scale}: {np.mean([r['psnr'] for r in sub]):.2f} dB", flush=True)
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


def protocol_effects(datasets: Sequence[str] | str = ("Set5", "Set14"), scale: int = 4):
    """Measure how each protocol choice changes the bicubic baseline's numbers.

    Returns a DataFrame with one row per (variant, dataset): ``psnr``, ``ssim`` and ``d_psnr`` (the change
    from the paper protocol).  See :data:`PROTOCOL_VARIANTS` for what each variant does.
    """
    import pandas as pd

    from .degrade import library_resize, modcrop

    if isinstance(datasets, str):
        datasets = [datasets]
    rows = []
    for ds in datasets:
        pairs = load_benchmark(ds, scale)
        scores = {v: [] for v in PROTOCOL_VARIANTS}
        for p in pairs:
            hr, k = p.hr, scale
            bic = degrade.upscale(p.lr, k)
            hr_size = hr.shape[:2]
            lr_size = p.lr.shape[:2]
            variants = {
                "paper protocol": (bic, hr, k, True),
                "RGB instead of Y": (bic, hr, k, False),
                "no border shave": (bic, hr, 0, True),
                "grey scored as RGB->Y": (
                    (np.repeat(bic, 3, 2), np.repeat(hr, 3, 2), k, True) if hr.shape[2] == 1 else (bic, hr, k, True)
                ),
                "LR from PIL bicubic": (degrade.upscale(library_resize(modcrop(hr, k), lr_size, "pil"), k), hr, k, True),
                "LR from OpenCV bicubic": (
                    degrade.upscale(library_resize(modcrop(hr, k), lr_size, "opencv"), k), hr, k, True
                ),
                "upscale with OpenCV": (library_resize(p.lr, hr_size, "opencv"), hr, k, True),
            }
            for name, (sr, ref, crop, y) in variants.items():
                scores[name].append((psnr(sr, ref, crop, y), ssim(sr, ref, crop, y)))
        base = np.mean([s[0] for s in scores["paper protocol"]])
        for name, vals in scores.items():
            mp = float(np.mean([v[0] for v in vals]))
            rows.append(dict(variant=name, dataset=ds, scale=scale, psnr=mp,
                             ssim=float(np.mean([v[1] for v in vals])), d_psnr=mp - base))
    return pd.DataFrame(rows)
