"""The benchmark-scoring loop every evaluation in srkit goes through.

One image is scored by :func:`score_image`, a set of images by :func:`score_pairs`, a benchmark by
:func:`score_benchmark`; :func:`mean_scores` averages the rows.  Each applies the paper protocol of
:mod:`srkit.metrics`:

1. the SR output is quantised to ``uint8`` (:func:`srkit.color.to_uint8`), as saving it as PNG would;
2. its shape must be the HR image's (``(H, W)`` counts as ``(H, W, 1)``);
3. RGB is scored on BT.601 Y, ``scale`` pixels are shaved from every border;
4. scores are per image, and a dataset's score is the mean of its images' scores.

Example::

    from srkit.data import load_benchmark
    from srkit.scoring import mean_scores, score_benchmark, score_pairs

    rows = score_benchmark("bicubic", "Set5", 4)                  # one dict per image
    mean_scores(rows)                                               # {'psnr': ..., 'ssim': ...}
    rows = score_pairs(lambda pair: my_sr(pair.lr), load_benchmark("Set14", 4), 4,
                       metrics=("psnr", "texture"), method="mine", dataset="Set14")
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from .color import to_uint8
from .errors import ShapeError
from .metrics import psnr, ssim, texture_distance

__all__ = ["METRICS", "Metric", "score_image", "score_pairs", "score_benchmark", "mean_scores"]

#: A metric: ``f(sr_uint8, hr_uint8, scale, crop_border, y_channel) -> float``, images ``(H, W, C)``.
Metric = Callable[[np.ndarray, np.ndarray, int, int, bool], float]


def _psnr(sr, hr, scale, crop_border, y_channel):
    return psnr(sr, hr, crop_border=crop_border, y_channel=y_channel)


def _ssim(sr, hr, scale, crop_border, y_channel):
    return ssim(sr, hr, crop_border=crop_border, y_channel=y_channel)


def _texture(sr, hr, scale, crop_border, y_channel):
    if not y_channel:
        raise ValueError("The texture distance is always measured on Y; use y_channel=True with 'texture'.")
    return texture_distance(sr, hr, scale, crop_border=crop_border)


#: The metrics :func:`score_image` knows by name: PSNR (dB, higher is better), SSIM (higher is better) and
#: the texture distance of :func:`srkit.metrics.texture_distance` (dB, lower is better).
METRICS: dict[str, Metric] = {"psnr": _psnr, "ssim": _ssim, "texture": _texture}


def _resolve(metrics) -> dict[str, Metric]:
    if isinstance(metrics, str):
        metrics = (metrics,)
    if isinstance(metrics, Mapping):
        out = dict(metrics)
    else:
        unknown = [m for m in metrics if m not in METRICS]
        if unknown:
            raise ValueError(
                f"Unknown metric(s) {unknown}; choose from {sorted(METRICS)} or pass a mapping "
                "{name: f(sr, hr, scale, crop_border, y_channel) -> float}."
            )
        out = {m: METRICS[m] for m in metrics}
    if not out:
        raise ValueError("No metric to compute; pass e.g. metrics=('psnr', 'ssim').")
    return out


def _as_hwc(image) -> np.ndarray:
    a = to_uint8(image)
    return a[..., None] if a.ndim == 2 else a


def score_image(
    sr,
    hr,
    scale: int,
    metrics: Sequence[str] | Mapping[str, Metric] = ("psnr", "ssim"),
    *,
    crop_border: int | None = None,
    y_channel: bool = True,
    where: str = "",
) -> dict[str, float]:
    """Score one SR output against its ground truth with the paper protocol.

    Args:
        sr: the SR output: uint8, or float in [0, 1] (quantised to uint8 first); ``(H, W)`` or ``(H, W, C)``.
        hr: the ground truth, same rules (normally uint8 ``(H, W, C)`` from :func:`srkit.data.load_benchmark`).
        scale: the scale factor; by default that many pixels are shaved from each border.
        metrics: names from :data:`METRICS` (``'psnr'``, ``'ssim'``, ``'texture'``), or a mapping
            ``{name: f(sr_uint8, hr_uint8, scale, crop_border, y_channel) -> float}`` for other metrics.
        crop_border: pixels shaved per side instead of ``scale`` (``0`` keeps the borders).
        y_channel: ``False`` scores PSNR/SSIM on all colour channels instead of BT.601 Y.
        where: a description of the image for error messages, e.g. ``'bicubic on Set5/baby at x2'``.

    Returns ``{metric: value}`` in the order of ``metrics``.

    Raises:
        ShapeError: the SR output's shape differs from the HR image's (both shapes are in the message).
    """
    table = _resolve(metrics)
    a, b = _as_hwc(sr), _as_hwc(hr)
    if a.shape != b.shape:
        raise ShapeError(
            f"{where + ': ' if where else ''}the SR output has shape {a.shape}; expected the HR shape {b.shape}. "
            "An upscaler must return scale x the LR size with the HR's number of channels."
        )
    border = int(scale) if crop_border is None else int(crop_border)
    return {name: float(f(a, b, int(scale), border, bool(y_channel))) for name, f in table.items()}


def score_pairs(
    upscale: Callable[[Any], Any],
    pairs: Iterable[Any],
    scale: int,
    metrics: Sequence[str] | Mapping[str, Metric] = ("psnr", "ssim"),
    *,
    crop_border: int | None = None,
    y_channel: bool = True,
    **labels,
) -> list[dict[str, Any]]:
    """Score an upscaler on image pairs: one row per image, the loop behind every evaluation in srkit.

    Args:
        upscale: ``f(pair) -> sr``, called once per pair.  For an upscaler ``up(lr, scale)`` pass
            ``lambda pair: up(pair.lr, scale)``; a function of the pair also fits bursts, protocol
            variants and the HR itself (``lambda pair: pair.hr``).
        pairs: objects with ``.name`` and ``.hr`` (e.g. :class:`srkit.data.Pair` from
            :func:`srkit.data.load_benchmark`); a generator is fine, each pair is used once.
        scale: the scale factor (pixels shaved by default, and passed to the metrics).
        metrics, crop_border, y_channel: as in :func:`score_image`.
        **labels: columns added to every row, e.g. ``method='EDSR', dataset='Set5'``.

    Returns a list of dicts ``{**labels, 'scale': scale, 'image': pair.name, <metric>: value, ...}``,
    ready for ``pandas.DataFrame(rows)`` or :func:`mean_scores`.
    """
    table = _resolve(metrics)
    prefix = "/".join(str(v) for v in labels.values())
    rows = []
    for pair in pairs:
        name = pair.name
        where = f"{prefix + '/' if prefix else ''}{name} at x{scale}"
        scores = score_image(upscale(pair), pair.hr, scale, table, crop_border=crop_border,
                             y_channel=y_channel, where=where)
        rows.append({**labels, "scale": scale, "image": name, **scores})
    return rows


def score_benchmark(
    upscaler,
    dataset: str,
    scale: int,
    metrics: Sequence[str] | Mapping[str, Metric] = ("psnr", "ssim"),
    *,
    limit: int | None = None,
    crop_border: int | None = None,
    y_channel: bool = True,
    **labels,
) -> list[dict[str, Any]]:
    """Score an upscaler on one benchmark at one scale: :func:`score_pairs` over :func:`srkit.data.load_benchmark`.

    Args:
        upscaler: an interpolation or zoo name, a Keras model (a generator too) or a callable
            ``f(lr, scale) -> sr`` (see :func:`srkit.upscalers.as_upscaler`).
        dataset: ``'Set5'``, ``'Set14'`` or ``'BSD100'``.
        scale: 2, 3, 4 or 8.
        metrics, crop_border, y_channel: as in :func:`score_image`.
        limit: only the first ``limit`` images (quick checks during training).
        **labels: extra columns for every row, e.g. ``method='srgan'``.

    Returns the rows of :func:`score_pairs`, with a ``dataset`` column.  Example: PSNR and texture distance
    of a Keras generator on five Set5 images,
    ``mean_scores(score_benchmark(generator, 'Set5', 4, ('psnr', 'texture'), limit=5), ('psnr', 'texture'))``.
    """
    from .data import load_benchmark
    from .upscalers import as_upscaler

    up = as_upscaler(upscaler)
    return score_pairs(lambda pair: up(pair.lr, scale), load_benchmark(dataset, scale, limit=limit), scale,
                       metrics, crop_border=crop_border, y_channel=y_channel, **{**labels, "dataset": dataset})


def mean_scores(rows: Sequence[Mapping[str, Any]], metrics: Sequence[str] = ("psnr", "ssim")) -> dict[str, float]:
    """The mean of each metric over per-image rows (the dataset score of the paper protocol).

    Raises ``ValueError`` when there are no rows (an empty dataset, or ``limit=0``) or a metric is missing.
    """
    rows = list(rows)
    if not rows:
        raise ValueError("There are no scores to average: the image list was empty (check the dataset and limit).")
    missing = [m for m in ([metrics] if isinstance(metrics, str) else metrics) if m not in rows[0]]
    if missing:
        raise ValueError(f"The rows have no {missing} scores; they hold {sorted(rows[0])}.")
    names = [metrics] if isinstance(metrics, str) else list(metrics)
    return {m: float(np.mean([r[m] for r in rows])) for m in names}
