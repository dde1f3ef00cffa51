"""Evaluate any upscaler on the benchmarks, the way SR papers do.

An *upscaler* is anything that turns an LR image into an SR image:

* the name of a classical interpolation: ``'bicubic'`` (the papers' baseline), ``'nearest'``,
  ``'bilinear'``, ``'lanczos2'``, ``'lanczos3'``;
* a Keras model (see :class:`srkit.infer.KerasUpscaler` for the conventions it follows);
* the name of a pretrained model in :mod:`srkit.zoo`;
* any callable ``f(lr_uint8, scale) -> sr`` returning a uint8 image or a float image in [0, 1].

:func:`evaluate` scores it on named benchmarks and scales and returns a pandas DataFrame.  The protocol
is :mod:`srkit.metrics` (Y channel, ``scale`` pixels shaved, per-image mean) on the shipped MATLAB-bicubic
LR inputs, with every SR output quantised to uint8 first, as saving it would.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from . import degrade
from .data import BENCHMARKS, SCALES, check_dataset, load_benchmark
from .errors import InvalidValueError, OptionalDependencyError, check_int
from .infer import InterpolationUpscaler, KerasUpscaler  # noqa: F401  (the upscalers evaluate accepts)
from .scoring import mean_scores, score_benchmark, score_pairs
from .upscalers import Upscaler, as_upscaler  # noqa: F401  (part of this module's API)

__all__ = ["as_upscaler", "evaluate", "summarize", "compare_with_published", "protocol_effects", "robustness",
           "DEGRADED_CONDITIONS", "gain_table", "GAIN_MODELS", "PUBLISHED_X8"]


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
        datasets: benchmark names, e.g. ``['Set5', 'Set14']``, or ``'val'`` (the held-out training images).
        scales: scale factors, e.g. ``[2, 3, 4]`` or ``[8]``.
        per_image: return one row per image instead of one per (dataset, scale).
        limit: only the first ``limit`` images of each set (for quick checks; a whole number >= 1, or
            ``None`` for all).  Dataset names, scales and ``limit`` are all checked before any scoring.
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
    limit = check_int("limit", limit, low=1, allow_none=True, hint="Leave it out (None) for every image.")
    datasets, scales = list(datasets), list(scales)
    if not datasets or not scales:
        raise InvalidValueError(f"Give at least one dataset and one scale (got datasets={datasets}, scales={scales}).")
    for scale in scales:  # every name and scale is checked before any work is done
        if isinstance(scale, bool) or scale not in SCALES:
            raise InvalidValueError(f"Benchmarks ship LR images at scales {SCALES}, not {scale!r}. Choose one of "
                                    f"{', '.join(map(str, SCALES))}.")
    datasets = [check_dataset(ds) for ds in datasets]
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


#: The input conditions of :func:`robustness`: name -> :class:`srkit.degrade.Degradation` arguments (besides the
#: scale).  "clean" is the benchmark's own bicubic LR; blur is a Gaussian on the HR before bicubic
#: downsampling (as RDN's "BD"); noise is Gaussian, in 0-255 grey levels, added to the LR; JPEG is applied last.
DEGRADED_CONDITIONS: dict[str, dict] = {
    "clean": {},
    "blur 1.0": {"blur_sigma": 1.0},
    "blur 2.0": {"blur_sigma": 2.0},
    "noise 5": {"noise_sigma": 5.0},
    "noise 15": {"noise_sigma": 15.0},
    "noise 25": {"noise_sigma": 25.0},
    "JPEG 75": {"jpeg_quality": 75},
    "JPEG 50": {"jpeg_quality": 50},
    "JPEG 30": {"jpeg_quality": 30},
    "blur 1.0 + noise 10 + JPEG 50": {"blur_sigma": 1.0, "noise_sigma": 10.0, "jpeg_quality": 50},
}


def robustness(
    upscalers,
    dataset: str = "Set14",
    scale: int = 4,
    conditions: dict | Sequence[str] | None = None,
    seed: int = 0,
    limit: int | None = None,
    progress: bool = False,
):
    """Score upscalers on LR inputs made with other degradations than bicubic: how a model trained on clean
    bicubic inputs ("BI") copes with blur, noise and JPEG, and what training on degraded inputs ("blind") buys.

    Each condition makes the LR of every HR image of ``dataset`` with :class:`srkit.degrade.Degradation`
    (noise seeded per image from ``(seed, image index)``, so every upscaler sees the same inputs, and every
    run the same numbers); the score is the paper protocol against the untouched HR.

    Args:
        upscalers: one upscaler or a list of them (names, Keras models, callables: see :func:`as_upscaler`).
        dataset: a benchmark or ``'val'``.
        scale: the scale factor.
        conditions: names from :data:`DEGRADED_CONDITIONS` (default: all of them), or a dict
            ``{name: Degradation arguments}`` of your own.
        seed, limit, progress: the noise seed; only the first ``limit`` images; print a line per result.

    Returns:
        A DataFrame with columns ``method, condition, psnr, ssim, images`` (per-image means).
    """
    import pandas as pd

    from .data import load_pairs

    if isinstance(upscalers, (str, dict)) or not isinstance(upscalers, Sequence):
        upscalers = [upscalers]
    if conditions is None:
        conditions = dict(DEGRADED_CONDITIONS)
    elif not isinstance(conditions, dict):
        unknown = [c for c in conditions if c not in DEGRADED_CONDITIONS]
        if unknown:
            raise InvalidValueError(f"Unknown condition(s) {unknown}; choose from {list(DEGRADED_CONDITIONS)} or pass "
                                    "a dict {name: Degradation arguments}.")
        conditions = {c: DEGRADED_CONDITIONS[c] for c in conditions}
    seed = check_int("seed", seed, low=0)
    degradations = {c: degrade.Degradation(scale, **kw) for c, kw in conditions.items()}  # checked before any work
    pairs = load_pairs(check_dataset(dataset), scale, limit)
    ups = [(_name_of(u), as_upscaler(u)) for u in upscalers]
    rows = []
    for cond, deg in degradations.items():
        degraded = [type(p)(p.name, deg(p.hr, np.random.default_rng([seed, i])), p.hr, p.scale)
                    for i, p in enumerate(pairs)]
        for name, up in ups:
            sub = score_pairs(lambda pair, up=up: up(pair.lr, scale), degraded, scale, ("psnr", "ssim"), method=name,
                              condition=cond)
            rows += sub
            if progress:
                print(f"{name} {cond}: {mean_scores(sub, ('psnr',))['psnr']:.2f} dB", flush=True)
    t = pd.DataFrame(rows)
    out = t.groupby(["method", "condition"], sort=False)[["psnr", "ssim"]].mean().reset_index()
    out["images"] = t.groupby(["method", "condition"], sort=False).size().values
    return out


#: The zoo models :func:`gain_table` compares by default: the single-image networks trained on bicubic LR
#: (not the GAN, not the blind model, which answer other questions).
GAIN_MODELS = ("srcnn", "fsrcnn", "espcn", "edsr", "edsr_progressive")

#: Published PSNR at x8 (Y channel, paper protocol; Lai et al., LapSRN, CVPR 2017, Table 4): reference points
#: for the zoo's x8 models.  Their gains over bicubic are taken against the same table's bicubic
#: (:func:`srkit.data.published_bicubic`: 24.40 / 23.10 / 23.67 dB).
PUBLISHED_X8 = {
    "SRCNN": {"Set5": 25.33, "Set14": 23.76, "BSD100": 24.13},
    "FSRCNN": {"Set5": 25.60, "Set14": 24.00, "BSD100": 24.31},
    "VDSR": {"Set5": 25.93, "Set14": 24.26, "BSD100": 24.49},
    "LapSRN": {"Set5": 26.15, "Set14": 24.35, "BSD100": 24.54},
}


def gain_table(datasets=("Set5", "Set14", "BSD100"), models=GAIN_MODELS, scales=None, published: bool = True,
               bicubic: dict | None = None):
    """How much each zoo model adds to bicubic at every scale it ships for: its PSNR (from its card) minus
    bicubic's on the same images.

    Args:
        datasets: benchmarks (a name or several).
        models: zoo names; those the zoo lacks (or lacks at a scale) are left out.
        scales: only these scales (default: every scale the models ship for).
        published: also add the published x8 methods of :data:`PUBLISHED_X8` (``source`` ``'published'``),
            their gains against the published bicubic.
        bicubic: ``{(dataset, scale): PSNR}`` of bicubic, to skip measuring it; missing entries are measured
            with :func:`evaluate` (the paper protocol; a few seconds per benchmark and scale).

    Returns:
        A DataFrame with columns ``model, scale, dataset, psnr, bicubic_psnr, gain_db, params, source``
        (``'zoo'`` or ``'published'``; ``params`` is ``None`` for published rows), ordered by model, scale
        and dataset.
    """
    import pandas as pd

    from . import zoo
    from .data import published_bicubic

    datasets = [datasets] if isinstance(datasets, str) else list(datasets)
    models = [models] if isinstance(models, str) else list(models)
    cards = zoo._cards()
    measured = dict(bicubic or {})

    def bicubic_psnr(ds: str, s: int) -> float:
        if (ds, s) not in measured:
            measured[(ds, s)] = float(evaluate("bicubic", ds, s).psnr[0])
        return measured[(ds, s)]

    rows = []
    for name in models:
        for (n, s), c in sorted(cards.items()):
            if n != name or (scales is not None and s not in scales):
                continue
            for ds in datasets:
                if ds not in c["scores"]:
                    continue
                psnr, bic = float(c["scores"][ds]["psnr"]), bicubic_psnr(ds, s)
                rows.append({"model": name, "scale": s, "dataset": ds, "psnr": psnr, "bicubic_psnr": bic,
                             "gain_db": psnr - bic, "params": c["architecture"]["parameters"], "source": "zoo"})
    if published and (scales is None or 8 in scales):
        pub = published_bicubic()
        for name, scores in PUBLISHED_X8.items():
            for ds in datasets:
                if ds in scores and (ds, 8) in pub:
                    rows.append({"model": name, "scale": 8, "dataset": ds, "psnr": scores[ds],
                                 "bicubic_psnr": pub[(ds, 8)][0], "gain_db": scores[ds] - pub[(ds, 8)][0],
                                 "params": None, "source": "published"})
    out = pd.DataFrame(rows, columns=["model", "scale", "dataset", "psnr", "bicubic_psnr", "gain_db", "params",
                                      "source"])
    out["params"] = out["params"].astype("Int64")
    return out
