"""The perception-distortion trade-off: network interpolation between a PSNR model and its GAN version, and
the PSNR / SSIM / texture-distance / NIQE table that places methods on the plane."""

from __future__ import annotations

import keras

from ..errors import ShapeError

__all__ = ["blended_weights", "interpolate", "perception_distortion_table"]


def blended_weights(psnr_model, gan_model, alpha: float) -> list:
    """The weights ``(1 - alpha) * psnr + alpha * gan`` of two models of the same architecture.

    Raises ``ValueError`` for an ``alpha`` outside [0, 1] and :class:`ShapeError` when the weight shapes
    differ (the GAN must be fine-tuned from the PSNR model: same builder and config).
    """
    if not 0.0 <= float(alpha) <= 1.0:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}.")
    wa, wb = psnr_model.get_weights(), gan_model.get_weights()
    if [w.shape for w in wa] != [w.shape for w in wb]:
        raise ShapeError(f"Cannot interpolate {psnr_model.name} and {gan_model.name}: different architectures "
                         f"({len(wa)} vs {len(wb)} weight tensors). Both must come from the same builder and config.")
    a = float(alpha)
    return [(1 - a) * x + a * y for x, y in zip(wa, wb)]


def interpolate(psnr_model, gan_model, alpha: float):
    """ESRGAN's network interpolation: a model whose every weight is ``(1 - alpha) * psnr + alpha * gan``.

    ``alpha = 0`` is the PSNR model, ``1`` the GAN; in between trades distortion for detail smoothly.
    Both models must have the same architecture (same weight shapes), otherwise :class:`ShapeError`.
    """
    weights = blended_weights(psnr_model, gan_model, alpha)
    model = keras.models.clone_model(psnr_model)
    model.set_weights(weights)
    return model


def perception_distortion_table(models: dict, datasets=("Set5", "Set14", "BSD100"), scale: int = 4,
                                limit: int | None = None, niqe: bool = True):
    """PSNR, SSIM, texture distance and NIQE of several methods on benchmarks (the paper protocol).

    ``models`` maps a label to an upscaler (a name such as ``'bicubic'`` or ``'hr'``, a Keras model, or
    anything :func:`srkit.evaluate.as_upscaler` accepts).  ``'hr'`` scores the ground truth itself
    (PSNR inf, texture 0, and its own NIQE: the floor the methods are compared with).  Returns one row per
    (method, dataset) with the means of ``psnr``, ``ssim``, ``texture`` and, unless ``niqe=False``, ``niqe``
    (:func:`srkit.quality.niqe` of the output with ``scale`` pixels shaved per border, no reference used;
    lower = more natural).  NIQE needs outputs of at least 96 + 2 * scale pixels a side.
    """
    import pandas as pd

    from ..data import load_benchmark
    from ..evaluate import as_upscaler
    from ..scoring import mean_scores, score_pairs

    from ..scoring import METRICS

    names = ("psnr", "ssim", "texture") + (("niqe",) if niqe else ())
    metrics = {m: METRICS[m] for m in names[:3]}
    if niqe:
        from ..quality import niqe as niqe_of

        metrics["niqe"] = lambda sr, hr, scale, crop_border, y_channel: niqe_of(sr, crop_border=crop_border)
    rows = []
    for label, m in models.items():
        up = None if (isinstance(m, str) and m == "hr") else as_upscaler(m)
        for ds in [datasets] if isinstance(datasets, str) else datasets:
            scored = score_pairs((lambda pair: pair.hr) if up is None else (lambda pair: up(pair.lr, scale)),
                                 load_benchmark(ds, scale, limit=limit), scale, metrics)
            rows.append({"method": label, "dataset": ds, **mean_scores(scored, names)})
    return pd.DataFrame(rows)
