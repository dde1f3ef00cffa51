"""Supervised training of every srkit model: from a notebook in two lines, or from ``srkit train`` for long runs.

    from srkit.train import TrainConfig, train
    result = train(TrainConfig("espcn", scale=3, steps=2000), out_dir="runs/espcn_x3")

What it does:

* input: aligned LR/HR patches from T91 + BSD200 (:mod:`srkit.pipeline`), batch ``i`` a pure function of
  ``(seed, i)``; ``tf.data`` on the TensorFlow backend, a ``keras.utils.PyDataset`` on others;
* loss L1 (or L2), Adam with a cosine-decay learning-rate schedule (and optional warm-up); or SGD with
  momentum, a step or constant schedule (:mod:`srkit.train.schedules`), decoupled weight decay and an L1
  weight penalty (``weight_decay``, ``l1_penalty``);
* augmentation: the 8 flips and rotations (default), none, or an LR-only colour jitter (``augment``);
* every ``eval_every`` steps (one Keras "epoch"): PSNR/SSIM on the validation set, logged as
  ``val_psnr``/``val_ssim``: by default ``'val'``, training images held out from training
  (:func:`srkit.data.load_validation`), scored with the paper protocol through :mod:`srkit.evaluate`;
  with ``train_psnr_images=N`` also the PSNR of the first N training images, logged as ``train_psnr``
  (the generalisation gap is ``train_psnr - val_psnr``);
* early stopping (``early_stopping=patience``): stop when the validation PSNR has not improved for that
  many epochs and return the best epoch's weights (:attr:`TrainResult.early_stop` says which);
* checkpoints: after each epoch the model (with its optimizer state) and ``state.json`` are written to
  ``out_dir``; ``train(..., resume=True)`` (the default) continues from the last one, with the same
  batches an uninterrupted run would have seen.  Killing a run loses at most one epoch;
* progress: Keras' progress bar in a terminal, and in a notebook a live plot of loss and validation
  PSNR that updates in place (:class:`LivePlot`);
* ``strategy``: any ``tf.distribute`` strategy (e.g. ``MirroredStrategy`` for several GPUs).

Benchmarks (Set5/Set14/BSD100) are test sets: never trained on, and by default never validated on either.
Report a finished run with :meth:`TrainResult.test_scores` (the final weights on the benchmarks).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras

from ..errors import SrkitError
from ..models import load_model
from .callbacks import EarlyStopping, LivePlot, best_epoch
from .engine import fit_run, want_live_plot
from .schedules import StepSchedule, make_optimizer
from ..configs import JsonConfig, TrainConfig
from .run import RunFolder

__all__ = ["JsonConfig", "TrainConfig", "TrainResult", "train", "validate", "benchmark_scores", "training_pairs",
           "training_psnr", "with_l1_penalty"]  # configs from srkit.configs


@dataclass
class TrainResult:
    """What :func:`train` returns: the trained model, the per-epoch history, and where it was saved."""

    model: Any
    history: list[dict]
    out_dir: Path | None
    config: TrainConfig
    wall_time_s: float
    early_stop: dict | None = None

    @property
    def best_val_psnr(self) -> float | None:
        """The best validation PSNR of the run (on ``config.val_set``), or ``None`` without validation."""
        vals = [h["val_psnr"] for h in self.history if h.get("val_psnr") is not None]
        return max(vals) if vals else None

    @property
    def final_val_psnr(self) -> float | None:
        """The validation PSNR of the returned weights: the last epoch's, or with early stopping the kept
        (best) epoch's; ``None`` without validation."""
        if self.early_stop is not None:
            return self.early_stop["val_psnr"]
        vals = [h["val_psnr"] for h in self.history if h.get("val_psnr") is not None]
        return vals[-1] if vals else None

    @property
    def gap(self) -> float | None:
        """The generalisation gap of the last epoch, ``train_psnr - val_psnr`` (dB), or ``None`` when the run
        did not log both (``train_psnr_images`` and a validation set)."""
        last = [h for h in self.history if h.get("train_psnr") is not None and h.get("val_psnr") is not None]
        return last[-1]["train_psnr"] - last[-1]["val_psnr"] if last else None

    @property
    def gain_gap(self) -> float | None:
        """The gap between the gains over bicubic on the training and the validation images (dB):
        ``(train_psnr - train_bicubic_psnr) - (val_psnr - val_bicubic_psnr)`` of the last epoch.  Unlike
        :attr:`gap`, it does not depend on how hard the images themselves are; ``None`` if not logged."""
        keys = ("train_psnr", "train_bicubic_psnr", "val_psnr", "val_bicubic_psnr")
        last = [h for h in self.history if all(h.get(k) is not None for k in keys)]
        if not last:
            return None
        h = last[-1]
        return (h["train_psnr"] - h["train_bicubic_psnr"]) - (h["val_psnr"] - h["val_bicubic_psnr"])

    def test_scores(self, datasets=("Set5", "Set14"), limit: int | None = None):
        """The final weights' PSNR/SSIM on test benchmarks (paper protocol): a DataFrame, one row per set."""
        return benchmark_scores(self.model, self.config.scale, datasets, limit)


def benchmark_scores(model, scale: int, datasets=("Set5", "Set14"), limit: int | None = None):
    """PSNR/SSIM of a model on evaluation sets with the paper protocol (see :func:`srkit.evaluate.evaluate`).

    ``datasets``: benchmark names (the test sets) or ``'val'``.  Multi-frame models (5-D input) are scored on
    bursts made from each set (:func:`srkit.burst.evaluate_bursts`).  Returns a DataFrame with columns
    ``dataset, psnr, ssim`` (one row per set).
    """
    datasets = [datasets] if isinstance(datasets, str) else list(datasets)
    if len(model.input_shape) == 5:
        from ..burst import evaluate_bursts

        table = evaluate_bursts(model, datasets, scale, frames=model.input_shape[1], limit=limit)
    else:
        from ..evaluate import evaluate

        table = evaluate(model, datasets, [scale], limit=limit)
    return table[["dataset", "psnr", "ssim"]].reset_index(drop=True)


def validate(model, scale: int, dataset: str = "val", limit: int | None = None) -> dict[str, float]:
    """PSNR/SSIM of a model on one set (by default the held-out validation images), as ``val_psnr``/``val_ssim``."""
    table = benchmark_scores(model, scale, [dataset], limit)
    return {"val_psnr": float(table.psnr.iloc[0]), "val_ssim": float(table.ssim.iloc[0])}


def training_pairs(config: TrainConfig, n: int) -> list:
    """The first ``n`` training images of a run (its ``train_sets`` and ``limit``, validation images held out)
    as :class:`srkit.data.Pair` objects made like the validation set (HR cropped to a multiple of the
    scale, MATLAB-bicubic LR): what ``train_psnr`` scores."""
    from ..data import Pair, load_training_images
    from ..degrade import bicubic_downsample, modcrop

    images = load_training_images(config.train_sets, limit=config.limit)
    pairs = []
    for name, img in images[:n]:
        hr = modcrop(img, config.scale)
        pairs.append(Pair(name, bicubic_downsample(hr, config.scale), hr, config.scale))
    return pairs


def training_psnr(model, pairs: list, scale: int) -> float:
    """Mean PSNR (paper protocol) of a model (or any upscaler, e.g. ``'bicubic'``) on training pairs
    (:func:`training_pairs`)."""
    from ..scoring import mean_scores, score_pairs
    from ..upscalers import as_upscaler

    up = as_upscaler(model)
    return mean_scores(score_pairs(lambda p: up(p.lr, scale), pairs, scale, ("psnr",)), ("psnr",))["psnr"]


def with_l1_penalty(model, l1: float):
    """A copy of ``model`` (same weights) whose convolution and dense kernels carry an L1 regulariser
    ``l1 * sum |w|`` (``keras.regularizers.L1``, saved with the model); Keras adds it to the loss."""
    def clone(layer):
        cfg = layer.get_config()
        if "kernel_regularizer" in cfg:
            cfg["kernel_regularizer"] = keras.regularizers.L1(l1)
        return layer.__class__.from_config(cfg)

    copy = keras.models.clone_model(model, clone_function=clone)
    copy.set_weights(model.get_weights())
    return copy


def _sampler(config: TrainConfig):
    """The training-patch sampler for the model's input kind (LR, pre-upsampled, or bursts)."""
    from ..data import load_training_images
    from ..models import spec
    from ..pipeline import make_sampler

    kind = spec(config.model).input_kind
    if kind == "burst":
        from ..burst import BurstSampler

        if config.channels != "y":
            raise SrkitError("Multi-frame models are trained on the Y channel (channels='y').")
        if config.degradation != "bicubic":
            raise SrkitError(f"Multi-frame models are trained on bicubic bursts: degradation={config.degradation!r} "
                             "is not available for them. Leave degradation at 'bicubic' (--degradation bicubic).")
        if config.augment != "flips" or config.train_psnr_images or config.rescale:
            raise SrkitError("Multi-frame models are trained on bursts with their own sampling: leave augment at "
                             "'flips', rescale empty and train_psnr_images at 0 for them.")
        return BurstSampler(load_training_images(config.train_sets, limit=config.limit), config.scale,
                            config.patch_size, frames=config.model_config.get("frames", 5))
    sampler = make_sampler(config.train_sets, config.scale, config.patch_size, channels=config.channels,
                           limit=config.limit, pre_upsample=kind == "pre_upsampled", augment=config.augment,
                           degradation=config.degradation, rescale=config.rescale)
    if config.teacher:  # knowledge distillation: the teacher's SR images become part of the targets
        from .distill import attach_teacher

        attach_teacher(sampler, config.teacher, config.teacher_weight)
    return sampler


def box_downscale(hr, factor: int):
    """``hr`` (``(B, H, W, C)`` NumPy array) averaged over ``factor x factor`` blocks: the exact box-filter
    downscale the intermediate predictions of progressive models are trained against (H and W must be
    multiples of ``factor``)."""
    import numpy as np

    hr = np.asarray(hr)
    if factor == 1:
        return hr
    b, h, w, c = hr.shape
    if h % factor or w % factor:
        raise SrkitError(f"Cannot box-downscale a {h}x{w} target by {factor}: the size must be a multiple of it.")
    return hr.reshape(b, h // factor, factor, w // factor, factor, c).mean(axis=(2, 4), dtype=np.float64).astype(hr.dtype)


def _target_factors(model) -> list[int]:
    """For each output of a multi-output training view, how much smaller it is than the first (final) one:
    1 for DRCN's same-size predictions, 4 and 2 for the x2 and x4 predictions of a progressive x8 model."""
    shapes = model.compute_output_shape((1, 8, 8, model.input_shape[-1]))
    if isinstance(shapes, dict) or not isinstance(shapes[0], (tuple, list)):
        shapes = [shapes]
    final = shapes[0][1]
    factors = []
    for s in shapes:
        if final % s[1] or shapes[0][2] != s[2] * (final // s[1]):
            raise SrkitError(f"{model.name}: an output of size {s[1:3]} is not an integer downscale of the final "
                             f"output's {tuple(shapes[0][1:3])}; it cannot be supervised with a downscaled target.")
        factors.append(final // s[1])
    return factors


def _dataset(config: TrainConfig, sampler, start_step: int, targets: int | list[int] = 1):
    """The training batches: ``(x, y)``, or with several outputs ``(x, (y_1, ..., y_n))``.

    ``targets``: the number of outputs (each trained against the same HR target, DRCN's deep supervision),
    or one downscale factor per output (:func:`_target_factors`): an output ``f`` times smaller than the HR
    is trained against the HR box-filtered over ``f x f`` blocks (:func:`box_downscale`).  LapSRN (Lai et
    al., 2017) likewise supervised each pyramid level with a downscaled HR image (they used bicubic); the
    box filter is exact, cheap and aligned with the pixel-shuffle grid of the stages.
    """
    factors = [1] * targets if isinstance(targets, int) else list(targets)
    targets = len(factors)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        from ..pipeline import patch_dataset

        ds = patch_dataset(batch_size=config.batch_size, seed=config.seed, start_step=start_step, sampler=sampler)
        if targets > 1:  # deep supervision: the HR target for every output (box-downscaled to its size)
            def pool(y, f):
                return y if f == 1 else tf.nn.avg_pool2d(y, f, f, "VALID")

            ds = ds.map(lambda x, y: (x, tuple(pool(y, f) for f in factors)))
        return ds

    class Batches(keras.utils.PyDataset):
        """Epoch e of this run, index i -> batch of step start + e * eval_every + i (Keras restarts
        indices every epoch)."""

        def __init__(self):
            workers = int(os.environ.get("SRKIT_DATA_WORKERS", min(4, os.cpu_count() or 1)))
            super().__init__(workers=workers, use_multiprocessing=False)
            self.epoch = 0

        def __len__(self):
            return config.eval_every

        def __getitem__(self, i):
            x, y = sampler.batch_at(config.seed, start_step + self.epoch * config.eval_every + i, config.batch_size)
            return (x, tuple(box_downscale(y, f) for f in factors)) if targets > 1 else (x, y)

        def on_epoch_end(self):
            self.epoch += 1

    return Batches()


def _check_same_activations(model, source, src: str) -> None:
    """Weights of the same shapes can belong to a different network (e.g. ESPCN with ReLU or with tanh): compare
    the layers' activations, which the weights do not record."""
    def acts(m):
        return [layer.get_config().get("activation") for layer in m.layers if "activation" in layer.get_config()]

    if acts(model) != acts(source):
        raise SrkitError(
            f"{src!r} was trained with other activations ({acts(source)}) than the network being trained "
            f"({acts(model)}); its weights would mean something else here. Build the same network: give the "
            "builder arguments it was trained with in model_config (e.g. {\"activation\": \"relu\"}).")


def _load_initial_weights(model, config: TrainConfig) -> None:
    src = str(config.init_weights)
    try:
        if src == "zoo":
            from .. import zoo

            model.set_weights(zoo.load(config.model, config.scale).get_weights())
        elif src.endswith(".weights.h5"):
            model.load_weights(src)
        else:
            source = load_model(src, compile=False)
            if [tuple(w.shape) for w in source.weights] == [tuple(w.shape) for w in model.weights]:
                _check_same_activations(model, source, src)  # (other shapes: set_weights says so below)
            model.set_weights(source.get_weights())
    except (ValueError, OSError) as e:  # (the activation check's SrkitError is not a ValueError: it passes)
        raise SrkitError(
            f"Could not start {config.model} x{config.scale} from {src!r}: {e}. The weights must come from the "
            "same architecture and scale."
        ) from e


def _supervised(model):
    """A training view of a model with intermediate predictions (layers named ``prediction1..T``): outputs
    ``[final, prediction1, ..., predictionT]``, sharing every layer with ``model``.  A prediction that is the
    model's output itself is not repeated; the predictions may be smaller than the final output (a
    progressive model's x2 and x4 images), see :func:`_dataset` for their targets.  A model whose only
    prediction is its output (a one-recursion DRCN, a progressive x2 model) is returned as it is."""
    preds = sorted((layer for layer in model.layers
                    if layer.name.startswith("prediction") and layer.name[len("prediction"):].isdigit()),
                   key=lambda layer: int(layer.name[len("prediction"):]))
    preds = [p for p in preds if p.output is not model.output]
    if not preds:  # one recursion, one x2 stage: the final output is the only prediction
        return model
    return keras.Model(model.input, [model.output, *[p.output for p in preds]], name=model.name + "_supervised")


def train(
    config: TrainConfig,
    out_dir: str | os.PathLike | None = None,
    resume: bool = True,
    live_plot: bool | None = None,
    verbose: int | str = "auto",
    strategy=None,
    callbacks: list | None = None,
) -> TrainResult:
    """Train ``config.model`` and return a :class:`TrainResult`.

    Args:
        config: the run's :class:`TrainConfig`.
        out_dir: folder for ``config.json``, the checkpoints, ``state.json`` and ``model.keras``
            (``None``: keep nothing on disk, no resume); see :class:`srkit.train.run.RunFolder`.
        resume: continue from ``out_dir``'s checkpoint if there is one (its config must match).
        live_plot: draw the live plot (default: only inside a notebook).
        verbose: Keras' verbosity (the progress bar in a terminal).
        strategy: an optional ``tf.distribute.Strategy``.
        callbacks: extra Keras callbacks.
    """
    from ..models import build

    t0 = time.time()
    run = RunFolder(out_dir, config.to_json(), checkpoints=("checkpoint",))
    start_epoch, history, found = run.open(resume)
    keras.utils.set_random_seed(config.seed)
    sampler = _sampler(config)
    channels = 1 if config.channels == "y" else 3

    def compile_new():
        m = build(config.model, config.scale, channels=channels, **config.model_config)
        if config.l1_penalty:
            m = with_l1_penalty(m, config.l1_penalty)
        loss = "mean_absolute_error" if config.loss == "l1" else "mean_squared_error"
        loss_weights = None
        if config.supervision:
            m = _supervised(m)
            t = len(m.outputs) - 1
            if t:  # one recursion: its prediction is the output, nothing more to supervise
                loss, loss_weights = [loss] * (t + 1), [1.0 - config.supervision] + [config.supervision / t] * t
        if config.time_budget_s:  # the TimeBudget callback sets the learning rate
            m.compile(optimizer=make_optimizer(config.optimizer, config.learning_rate, config.weight_decay), loss=loss,
                      loss_weights=loss_weights)
            return m
        if config.schedule != "cosine":  # StepSchedule sets the rate before every batch
            m.compile(optimizer=make_optimizer(config.optimizer, config.learning_rate, config.weight_decay), loss=loss,
                      loss_weights=loss_weights)
            return m
        decay = max(1, config.steps - config.warmup_steps)
        schedule = keras.optimizers.schedules.CosineDecay(
            config.learning_rate if not config.warmup_steps else 0.0,
            decay_steps=decay,
            alpha=0.01,
            warmup_target=config.learning_rate if config.warmup_steps else None,
            warmup_steps=config.warmup_steps,
        )
        m.compile(optimizer=make_optimizer(config.optimizer, schedule, config.weight_decay), loss=loss,
                  loss_weights=loss_weights)
        return m

    fresh = found is None
    if fresh:
        if strategy is not None:
            with strategy.scope():
                fit_model = compile_new()
        else:
            fit_model = compile_new()
    else:
        fit_model = found["checkpoint"]
    targets = len(fit_model.outputs)
    if targets > 1:  # one downscale factor per output (1: the same HR target, DRCN)
        targets = _target_factors(fit_model)
    model = fit_model
    if len(fit_model.outputs) > 1:  # the inference model: the final output only (the same layers and weights)
        model = keras.Model(fit_model.input, fit_model.outputs[0], name=fit_model.name.replace("_supervised", ""))
    if fresh and config.init_weights:
        _load_initial_weights(model, config)

    scored = training_pairs(config, config.train_psnr_images) if config.train_psnr_images else []
    baselines = {}
    if scored:  # bicubic on the same images: how hard they are, so gains over bicubic can be compared
        from ..evaluate import evaluate

        baselines["train_bicubic_psnr"] = training_psnr("bicubic", scored, config.scale)
        if config.val_set:
            baselines["val_bicubic_psnr"] = float(evaluate("bicubic", [config.val_set], [config.scale],
                                                           limit=config.val_limit).psnr.iloc[0])

    def validation() -> dict:
        logs = validate(model, config.scale, config.val_set, config.val_limit) if config.val_set else {}
        if scored:
            logs["train_psnr"] = training_psnr(model, scored, config.scale)
            logs.update(baselines)
        return logs

    stopper = None
    if config.early_stopping:
        best_file = run.path / "best.weights.h5" if run.path is not None else None
        stopper = EarlyStopping(config.early_stopping, model, history, best_file)
    schedule = None
    if config.schedule != "cosine" and not config.time_budget_s:
        def schedule(counter):
            return StepSchedule(counter, config.learning_rate, config.steps, config.schedule, config.warmup_steps)

    plot = None
    if want_live_plot(live_plot):
        plot = LivePlot(every=max(10, config.eval_every // 10), title=f"{config.model} x{config.scale}")
    fit_run(
        fit_model, lambda start: _dataset(config, sampler, start, targets),
        run=run, networks={"checkpoint": fit_model}, history=history, start_epoch=start_epoch,
        steps=config.steps, eval_every=config.eval_every,
        validate=validation if (config.val_set or scored) else None, schedule=schedule, early_stopping=stopper,
        extra_logs=lambda: {"learning_rate": float(keras.ops.convert_to_numpy(fit_model.optimizer.learning_rate))},
        time_budget_s=config.time_budget_s, time_budget_lr=config.learning_rate,
        what="Training", advice=f"Lower the learning rate (now {config.learning_rate}) or check the data.",
        live_plot=plot, callbacks=callbacks, verbose=verbose,
    )
    early_stop = _keep_best(stopper, history, config, verbose) if stopper is not None else None
    run.save_final(model)
    return TrainResult(model, history, run.path, config, time.time() - t0, early_stop)


def _keep_best(stopper, history: list[dict], config: TrainConfig, verbose) -> dict | None:
    """Restore the best epoch's weights after early stopping; returns what happened (and prints it)."""
    found = best_epoch(history)
    if found is None:
        return None
    best = history[found[0]]
    last = history[-1]
    stopped = found[1] >= config.early_stopping and int(last["step"]) < config.steps
    restored = found[1] > 0 and stopper.restore()
    info = {"stopped": bool(stopped), "stopped_at_step": int(last["step"]), "epoch": int(best["epoch"]),
            "step": int(best["step"]), "val_psnr": float(best["val_psnr"]), "last_val_psnr": float(last["val_psnr"]),
            "restored": bool(restored)}
    if found[1] > 0 and not restored:  # the best weights were lost (a resumed run without its run folder)
        info.update(epoch=int(last["epoch"]), step=int(last["step"]), val_psnr=float(last["val_psnr"]))
    how = (f"stopped at step {info['stopped_at_step']} after {config.early_stopping} epochs without a better "
           f"validation PSNR" if stopped else f"ran all {info['stopped_at_step']} steps")
    kept = (f"restored the weights of epoch {info['epoch']} (step {info['step']}, validation PSNR "
            f"{info['val_psnr']:.2f} dB; the last epoch had {info['last_val_psnr']:.2f} dB)" if restored
            else f"kept the last weights (validation PSNR {info['val_psnr']:.2f} dB)")
    info["message"] = f"Early stopping: {how}; {kept}."
    if verbose != 0:
        print(info["message"], flush=True)
    return info
