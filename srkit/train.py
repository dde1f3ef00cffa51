"""One way to train every srkit model: from a notebook in two lines, or from ``srkit train`` for long runs.

    from srkit.train import TrainConfig, train
    result = train(TrainConfig("espcn", scale=3, steps=2000), out_dir="runs/espcn_x3")

What it does:

* input: aligned LR/HR patches from T91 + BSD200 (:mod:`srkit.pipeline`), batch ``i`` a pure function of
  ``(seed, i)``; ``tf.data`` on the TensorFlow backend, a ``keras.utils.PyDataset`` on others;
* loss L1 (or L2), Adam with a cosine-decay learning-rate schedule (and optional warm-up);
* every ``eval_every`` steps (one Keras "epoch"): PSNR/SSIM on the validation set (Set5 by default, the
  paper protocol through :mod:`srkit.evaluate`), logged as ``val_psnr``/``val_ssim``;
* checkpoints: after each epoch the model (with its optimizer state) and ``state.json`` are written to
  ``out_dir``; ``train(..., resume=True)`` (the default) continues from the last one, with the same
  batches an uninterrupted run would have seen.  Killing a run loses at most one epoch;
* progress: Keras' progress bar in a terminal, and in a notebook a live plot of loss and validation
  PSNR that updates in place (:class:`LivePlot`);
* ``strategy``: any ``tf.distribute`` strategy (e.g. ``MirroredStrategy`` for several GPUs).

Benchmarks (Set5/Set14/BSD100) are only ever used for validation and reporting, never for training.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import keras
import numpy as np

from .data import TRAINING_SETS
from .errors import SrkitError

__all__ = ["TrainConfig", "TrainResult", "train", "validate", "LivePlot", "DEFAULTS"]

#: Per-model defaults: LR patch size, batch size, learning rate (what the zoo was trained with).
DEFAULTS: dict[str, dict[str, Any]] = {
    "naive_cnn": dict(patch_size=16, batch_size=32, learning_rate=1e-3, supervision=0.0),
    "srcnn": dict(patch_size=11, batch_size=32, learning_rate=1e-3, supervision=0.0),
    "fsrcnn": dict(patch_size=16, batch_size=32, learning_rate=1e-3, supervision=0.0),
    "espcn": dict(patch_size=17, batch_size=32, learning_rate=1e-3, supervision=0.0),
    "edsr": dict(patch_size=32, batch_size=16, learning_rate=5e-4, supervision=0.0),
    "drcn": dict(patch_size=11, batch_size=32, learning_rate=1e-3, supervision=0.5),
    "multiframe_rnn": dict(patch_size=16, batch_size=16, learning_rate=5e-4, supervision=0.0),
    "sequence_rnn": dict(patch_size=17, batch_size=32, learning_rate=1e-3, supervision=0.0),
}


class JsonConfig:
    """Mixin for run configurations (dataclasses with a ``train_sets`` tuple): ``config.json`` round trip."""

    def to_json(self) -> dict:
        d = asdict(self)
        d["train_sets"] = list(d["train_sets"])
        return d

    @classmethod
    def from_json(cls, d: dict):
        d = dict(d)
        d["train_sets"] = tuple(d.get("train_sets", TRAINING_SETS))
        return cls(**d)


@dataclass
class TrainConfig(JsonConfig):
    """Everything that defines a training run (stored as ``config.json`` beside its checkpoints).

    Args:
        model: a name from :data:`srkit.models.BUILDERS`.
        scale: 2, 3 or 4.
        steps: total optimisation steps.
        model_config: keyword arguments for the model builder (e.g. ``{"blocks": 8}``).
        channels: ``'y'`` (papers' choice) or ``'rgb'``.
        train_sets: training set names or folders (default T91 + BSD200).
        patch_size, batch_size, learning_rate: ``None`` takes the model's :data:`DEFAULTS`.
        loss: ``'l1'`` or ``'l2'``.
        warmup_steps: linear learning-rate warm-up before the cosine decay.
        eval_every: steps between validations and checkpoints (one Keras epoch).
        val_set: benchmark used for validation (``None``: no validation).
        val_limit: only the first N validation images (quick runs).
        seed: seeds weights and data.
        limit: only the first N images of each training set (quick runs).
        init_weights: start from these weights instead of a random initialisation (fine-tuning):
            ``'zoo'`` (the pretrained model of the same name and scale), or a ``.keras`` /
            ``.weights.h5`` file of the same architecture.
        time_budget_s: train for this many seconds instead of a fixed number of steps: the learning
            rate follows a cosine over *time* and training stops when the budget is spent (``steps``
            is then an upper bound).  Used to train the zoo on a machine of unknown speed.
        supervision: deep supervision (DRCN): the loss is ``(1 - supervision) * loss(final output) +
            supervision * mean over t of loss(prediction t)``, so every recursion learns to predict the
            HR image.  Only for models with intermediate predictions (``drcn``; default 0.5 there).
    """

    model: str
    scale: int
    steps: int = 10_000
    model_config: dict = field(default_factory=dict)
    channels: str = "y"
    train_sets: tuple = TRAINING_SETS
    patch_size: int | None = None
    batch_size: int | None = None
    learning_rate: float | None = None
    loss: str = "l1"
    warmup_steps: int = 0
    eval_every: int = 1000
    val_set: str | None = "Set5"
    val_limit: int | None = None
    seed: int = 0
    limit: int | None = None
    time_budget_s: float | None = None
    init_weights: str | None = None
    supervision: float | None = None

    def __post_init__(self) -> None:
        from .models import BUILDERS

        if self.model not in BUILDERS:
            raise ValueError(f"Unknown model {self.model!r}; choose one of {', '.join(BUILDERS)}.")
        if self.scale not in (2, 3, 4):
            raise ValueError(f"scale must be 2, 3 or 4, got {self.scale!r}.")
        if self.loss not in ("l1", "l2"):
            raise ValueError(f"loss must be 'l1' or 'l2', got {self.loss!r}.")
        if self.steps < 1 or self.eval_every < 1:
            raise ValueError("steps and eval_every must be positive.")
        for key, value in DEFAULTS[self.model].items():
            if getattr(self, key) is None:
                setattr(self, key, value)
        self.train_sets = tuple(str(s) for s in self.train_sets)
        self.eval_every = min(self.eval_every, self.steps)
        if not 0.0 <= self.supervision <= 1.0:
            raise ValueError(f"supervision must be between 0 and 1, got {self.supervision}.")
        if self.supervision and self.model != "drcn":
            raise ValueError(f"supervision (intermediate predictions) is only for drcn, not {self.model}.")

    @property
    def epochs(self) -> int:
        return math.ceil(self.steps / self.eval_every)



@dataclass
class TrainResult:
    """What :func:`train` returns: the trained model, the per-epoch history, and where it was saved."""

    model: Any
    history: list[dict]
    out_dir: Path | None
    config: TrainConfig
    wall_time_s: float

    @property
    def best_val_psnr(self) -> float | None:
        vals = [h["val_psnr"] for h in self.history if h.get("val_psnr") is not None]
        return max(vals) if vals else None


def validate(model, scale: int, dataset: str = "Set5", limit: int | None = None) -> dict[str, float]:
    """PSNR/SSIM of a model on a benchmark with the paper protocol (see :func:`srkit.evaluate.evaluate`).

    Multi-frame models (5-D input) are scored on bursts made from the benchmark (:func:`srkit.burst.evaluate_bursts`).
    """
    if len(model.input_shape) == 5:
        from .burst import evaluate_bursts

        table = evaluate_bursts(model, [dataset], scale, frames=model.input_shape[1], limit=limit)
        return {"val_psnr": float(table.psnr.iloc[0]), "val_ssim": float(table.ssim.iloc[0])}
    from .evaluate import KerasUpscaler, evaluate

    table = evaluate(KerasUpscaler(model), [dataset], [scale], limit=limit)
    return {"val_psnr": float(table.psnr.iloc[0]), "val_ssim": float(table.ssim.iloc[0])}


class LivePlot(keras.callbacks.Callback):
    """A Keras callback that draws training loss (per step, smoothed) and validation PSNR (per epoch)
    in one figure that is updated in place in a notebook."""

    def __init__(self, every: int = 50, title: str = ""):
        super().__init__()
        self.every, self.title = every, title
        self.losses: list[float] = []
        self.val: list[tuple[int, float]] = []
        self._handle = None
        self._step = 0

    def on_train_batch_end(self, batch, logs=None):
        self._step += 1
        self.losses.append(float(logs["loss"]))
        if self._step % self.every == 0:
            self.draw()

    def on_epoch_end(self, epoch, logs=None):
        if logs and logs.get("val_psnr") is not None:
            self.val.append((logs.get("step", self._step), float(logs["val_psnr"])))
        self.draw()

    def draw(self):
        import matplotlib.pyplot as plt
        from IPython.display import display

        fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3))
        if self.losses:
            loss = np.asarray(self.losses)
            k = max(1, len(loss) // 50)
            smooth = np.convolve(loss, np.ones(k) / k, mode="valid")
            a.plot(loss, alpha=0.3, color="C0")
            a.plot(np.arange(k - 1, len(loss)), smooth, color="C0")
            a.set_yscale("log")
        a.set_xlabel("step (this run)")
        a.set_ylabel("training loss")
        if self.val:
            s, v = zip(*self.val)
            b.plot(s, v, "o-", color="C1")
        b.set_xlabel("step")
        b.set_ylabel("validation PSNR (dB)")
        fig.suptitle(self.title)
        fig.tight_layout()
        if self._handle is None:
            self._handle = display(fig, display_id=True)
        else:
            self._handle.update(fig)
        plt.close(fig)


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython

        shell = get_ipython()
        return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"
    except ImportError:
        return False


def _make_callbacks(config: TrainConfig, out_dir: Path | None, history: list[dict], start_step: int, infer=None):
    class Checkpoint(keras.callbacks.Callback):
        """Validate, record history, save model + optimizer + state after every epoch; stop on NaN."""

        def __init__(self):
            super().__init__()
            self.step = start_step

        def on_train_batch_end(self, batch, logs=None):
            self.step += 1
            if self.step >= config.steps:
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            logs = logs if logs is not None else {}
            step = self.step
            loss = float(logs.get("loss", float("nan")))
            if not math.isfinite(loss):
                self.model.stop_training = True
                raise SrkitError(
                    f"Training loss became {loss} at step {step}; stopping. Lower the learning rate "
                    f"(now {config.learning_rate}) or check the data."
                )
            if config.val_set:
                logs.update(validate(infer if infer is not None else self.model, config.scale, config.val_set,
                                     config.val_limit))
            logs["step"] = step
            logs["learning_rate"] = float(np.asarray(self.model.optimizer.learning_rate))
            entry = {"epoch": epoch + 1, "step": step, "time": time.time(),
                     **{k: float(v) for k, v in logs.items() if np.isscalar(v) or np.ndim(v) == 0}}
            history.append(entry)
            if out_dir is not None:
                tmp = out_dir / "checkpoint.tmp.keras"
                self.model.save(tmp)
                os.replace(tmp, out_dir / "checkpoint.keras")
                state = {"epoch": epoch + 1, "step": step, "history": history}
                (out_dir / "state.tmp.json").write_text(json.dumps(state, indent=1))
                os.replace(out_dir / "state.tmp.json", out_dir / "state.json")

    cbs = [Checkpoint()]
    if config.time_budget_s:
        cbs.insert(0, TimeBudget(config.time_budget_s, config.learning_rate, history))
    return cbs


class TimeBudget(keras.callbacks.Callback):
    """Keras callback: cosine learning rate over wall time, and stop when ``budget_s`` is spent.

    Time already spent by a resumed run (from its history) counts against the budget.
    """

    def __init__(self, budget_s: float, base_lr: float, history: list[dict], alpha: float = 0.01):
        super().__init__()
        self.budget_s, self.base_lr, self.alpha = budget_s, base_lr, alpha
        self.spent = sum(h.get("epoch_time_s", 0.0) for h in history)

    def on_train_begin(self, logs=None):
        self.t0 = time.time() - self.spent
        self.t_epoch = time.time()

    def on_train_batch_begin(self, batch, logs=None):
        if batch % 20:
            return
        frac = min(1.0, (time.time() - self.t0) / self.budget_s)
        self.model.optimizer.learning_rate = self.base_lr * (
            self.alpha + (1 - self.alpha) * 0.5 * (1 + math.cos(math.pi * frac))
        )
        if frac >= 1.0:
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["epoch_time_s"] = time.time() - self.t_epoch
        self.t_epoch = time.time()


def _dataset(config: TrainConfig, sampler, start_step: int, targets: int = 1):
    if keras.backend.backend() == "tensorflow":
        from .pipeline import patch_dataset

        ds = patch_dataset(batch_size=config.batch_size, seed=config.seed, start_step=start_step, sampler=sampler)
        if targets > 1:  # deep supervision: the same HR target for every output
            ds = ds.map(lambda x, y: (x, tuple([y] * targets)))
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
            return (x, tuple([y] * targets)) if targets > 1 else (x, y)

        def on_epoch_end(self):
            self.epoch += 1

    return Batches()


def _load_initial_weights(model, config: TrainConfig) -> None:
    src = str(config.init_weights)
    try:
        if src == "zoo":
            from . import zoo

            model.set_weights(zoo.load(config.model, config.scale).get_weights())
        elif src.endswith(".weights.h5"):
            model.load_weights(src)
        else:
            model.set_weights(keras.saving.load_model(src, safe_mode=True, compile=False).get_weights())
    except (ValueError, OSError) as e:
        raise SrkitError(
            f"Could not start {config.model} x{config.scale} from {src!r}: {e}. The weights must come from the "
            "same architecture and scale."
        ) from e


def _supervised(model):
    """A training view of a model with intermediate predictions (layers named ``prediction1..T``): outputs
    ``[final, prediction1, ..., predictionT]``, sharing every layer with ``model``."""
    preds = sorted((layer for layer in model.layers if layer.name.startswith("prediction")),
                   key=lambda layer: int(layer.name[len("prediction"):]))
    if not preds:
        raise SrkitError(f"{model.name} has no intermediate predictions to supervise (supervision=0 for it).")
    if len(preds) == 1:  # one recursion: the final output is the only prediction
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
        out_dir: folder for ``config.json``, ``checkpoint.keras``, ``state.json`` and ``model.keras``
            (``None``: keep nothing on disk, no resume).
        resume: continue from ``out_dir``'s checkpoint if there is one (its config must match).
        live_plot: draw the live plot (default: only inside a notebook).
        verbose: Keras' verbosity (the progress bar in a terminal).
        strategy: an optional ``tf.distribute.Strategy``.
        callbacks: extra Keras callbacks.
    """
    from .models import MULTIFRAME, PRE_UPSAMPLING, build
    from .pipeline import make_sampler

    t0 = time.time()
    out = Path(out_dir) if out_dir is not None else None
    history: list[dict] = []
    start_epoch = 0
    model = None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        saved = out / "config.json"
        if resume and (out / "checkpoint.keras").exists() and (out / "state.json").exists():
            old = json.loads(saved.read_text()) if saved.exists() else None
            if old is not None and old != config.to_json():
                raise SrkitError(
                    f"{out} holds a run with a different configuration; use another out_dir or resume=False.\n"
                    f"saved: {old}\nnow:   {config.to_json()}"
                )
            state = json.loads((out / "state.json").read_text())
            start_epoch, history = int(state["epoch"]), list(state["history"])
            model = keras.saving.load_model(out / "checkpoint.keras", safe_mode=True)
        saved.write_text(json.dumps(config.to_json(), indent=1))

    keras.utils.set_random_seed(config.seed)
    if config.model in MULTIFRAME:
        from .burst import BurstSampler
        from .data import load_training_images

        if config.channels != "y":
            raise SrkitError("Multi-frame models are trained on the Y channel (channels='y').")
        sampler = BurstSampler(load_training_images(config.train_sets, limit=config.limit), config.scale,
                               config.patch_size, frames=config.model_config.get("frames", 5))
    else:
        sampler = make_sampler(config.train_sets, config.scale, config.patch_size, channels=config.channels,
                               limit=config.limit, pre_upsample=config.model in PRE_UPSAMPLING)
    channels = 1 if config.channels == "y" else 3

    def compile_new():
        m = build(config.model, config.scale, channels=channels, **config.model_config)
        loss = "mean_absolute_error" if config.loss == "l1" else "mean_squared_error"
        loss_weights = None
        if config.supervision:
            m = _supervised(m)
            t = len(m.outputs) - 1
            if t:  # one recursion: its prediction is the output, nothing more to supervise
                loss, loss_weights = [loss] * (t + 1), [1.0 - config.supervision] + [config.supervision / t] * t
        if config.time_budget_s:  # the TimeBudget callback sets the learning rate
            m.compile(optimizer=keras.optimizers.Adam(config.learning_rate), loss=loss, loss_weights=loss_weights)
            return m
        decay = max(1, config.steps - config.warmup_steps)
        schedule = keras.optimizers.schedules.CosineDecay(
            config.learning_rate if not config.warmup_steps else 0.0,
            decay_steps=decay,
            alpha=0.01,
            warmup_target=config.learning_rate if config.warmup_steps else None,
            warmup_steps=config.warmup_steps,
        )
        m.compile(optimizer=keras.optimizers.Adam(schedule), loss=loss, loss_weights=loss_weights)
        return m

    fresh = model is None
    if fresh:
        if strategy is not None:
            with strategy.scope():
                model = compile_new()
        else:
            model = compile_new()
    fit_model = model
    targets = len(fit_model.outputs)
    if targets > 1:  # the inference model: the final output only (the same layers and weights)
        model = keras.Model(fit_model.input, fit_model.outputs[0], name=fit_model.name.replace("_supervised", ""))
    if fresh and config.init_weights:
        _load_initial_weights(model, config)

    start_step = int(history[-1]["step"]) if history else 0
    cbs = _make_callbacks(config, out, history, start_step, infer=model)
    if live_plot is None:
        live_plot = _in_notebook()
    if live_plot:
        cbs.append(LivePlot(every=max(10, config.eval_every // 10), title=f"{config.model} x{config.scale}"))
    cbs += list(callbacks or [])
    finished = start_step >= config.steps or (
        config.time_budget_s is not None and sum(h.get("epoch_time_s", 0.0) for h in history) >= config.time_budget_s
    )
    if not finished:
        data = _dataset(config, sampler, start_step, targets)
        fit_model.fit(data, epochs=config.epochs, initial_epoch=start_epoch, steps_per_epoch=config.eval_every,
                      callbacks=cbs, verbose=verbose, shuffle=False)
    if out is not None:
        model.save(out / "model.keras")
    return TrainResult(model, history, out, config, time.time() - t0)
