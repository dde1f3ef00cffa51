"""The Keras callbacks every srkit training run uses (supervised, deep supervision, bursts and GANs alike).

* :class:`StepCounter`: the global step across resumes; stops at the planned number of steps.
* :class:`StepTimer`: logs ``epoch_time_s`` (wall time of each epoch) for every run.
* :class:`TimeBudget`: stops when a time budget (this run plus earlier ones) is spent, optionally with a
  cosine learning rate over *time*.
* :class:`NaNStop`: stops at the first non-finite logged value, naming it and the step.
* :class:`EpochEnd`: validates, appends the epoch to the history and checkpoints the run folder.
* :class:`EarlyStopping`: stops when the validation PSNR has not improved for a number of epochs, keeping
  the best epoch's weights.
* :class:`LivePlotBase`: a figure that redraws in place in a notebook; :class:`LivePlot` draws the loss and
  validation PSNR of supervised training (the GAN chapter draws every loss term, see :mod:`srkit.gan`).
"""

from __future__ import annotations

import math
import os
import time
from typing import Callable

import keras
import numpy as np

__all__ = ["StepCounter", "StepTimer", "TimeBudget", "NaNStop", "EpochEnd", "EarlyStopping", "LivePlotBase",
           "LivePlot", "in_notebook", "time_spent", "best_epoch"]


def in_notebook() -> bool:
    """Whether code runs in a Jupyter kernel (live plots are drawn only there by default)."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
        return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"
    except ImportError:
        return False


def time_spent(history: list[dict]) -> float:
    """Training seconds recorded in a run's history (the sum of its epochs' ``epoch_time_s``)."""
    return float(sum(h.get("epoch_time_s", 0.0) for h in history))


class StepCounter(keras.callbacks.Callback):
    """Counts optimisation steps from ``start`` (a resumed run's step) and stops training at ``total``."""

    def __init__(self, start: int, total: int):
        super().__init__()
        self.step, self.total = int(start), int(total)

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        if self.step >= self.total:
            self.model.stop_training = True


class StepTimer(keras.callbacks.Callback):
    """Adds ``epoch_time_s``, the wall time of the epoch's training steps (validation not included), to
    each epoch's logs.

    Put it before the callbacks that record the logs (:class:`EpochEnd`): Keras hands every callback
    the same logs dict in list order.
    """

    def on_epoch_begin(self, epoch, logs=None):
        self.t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["epoch_time_s"] = time.perf_counter() - self.t0


class TimeBudget(keras.callbacks.Callback):
    """Stop when ``budget_s`` seconds of training are spent (earlier runs' time, from the history, counts).

    With ``base_lr`` the learning rate follows a cosine over the budget's *time*, from ``base_lr`` down to
    ``alpha * base_lr``: the schedule of a run on a machine of unknown speed.
    """

    def __init__(self, budget_s: float, history: list[dict], base_lr: float | None = None, alpha: float = 0.01):
        super().__init__()
        self.budget_s, self.base_lr, self.alpha = float(budget_s), base_lr, alpha
        self.spent = time_spent(history)

    def on_train_begin(self, logs=None):
        self.t0 = time.perf_counter() - self.spent

    def on_train_batch_begin(self, batch, logs=None):
        if self.base_lr is None or batch % 20:
            return
        frac = min(1.0, (time.perf_counter() - self.t0) / self.budget_s)
        self.model.optimizer.learning_rate = self.base_lr * (
            self.alpha + (1 - self.alpha) * 0.5 * (1 + math.cos(math.pi * frac)))

    def on_train_batch_end(self, batch, logs=None):
        if time.perf_counter() - self.t0 >= self.budget_s:
            self.model.stop_training = True


class NaNStop(keras.callbacks.Callback):
    """Stop at the first non-finite value among the batch's logs; :attr:`error` then says which and when.

    The engine raises :class:`srkit.errors.SrkitError` with that message after training stops, and no
    checkpoint is written for the broken epoch (the last good one stays).
    """

    def __init__(self, counter: StepCounter, what: str = "Training", advice: str = "Lower the learning rate."):
        super().__init__()
        self.counter, self.what, self.advice = counter, what, advice
        self.error: str | None = None

    def on_train_batch_end(self, batch, logs=None):
        for k, v in (logs or {}).items():
            value = float(np.asarray(v))
            if not math.isfinite(value):
                self.error = (f"{self.what} {k} became {value} at step {self.counter.step}; training stopped and "
                              f"the last good checkpoint was kept. {self.advice}")
                self.model.stop_training = True
                return


class EpochEnd(keras.callbacks.Callback):
    """After each epoch: validation logs, one history entry, and a checkpoint of the run folder.

    Args:
        run: the :class:`srkit.train.run.RunFolder`.
        networks: ``{checkpoint name: network}`` to save.
        history: the run's history (appended to in place).
        counter: the :class:`StepCounter`.
        nan: the :class:`NaNStop` (a broken epoch is neither recorded nor saved).
        validate: ``() -> dict`` of validation logs (or ``None``).
        extra_logs: ``() -> dict`` of more logs, e.g. the learning rate (or ``None``).
    """

    def __init__(self, run, networks: dict, history: list[dict], counter: StepCounter, nan: NaNStop,
                 validate: Callable[[], dict] | None = None, extra_logs: Callable[[], dict] | None = None):
        super().__init__()
        self.run, self.networks, self.history = run, networks, history
        self.counter, self.nan, self.validate, self.extra_logs = counter, nan, validate, extra_logs

    def on_epoch_end(self, epoch, logs=None):
        if self.nan.error:
            return
        logs = logs if logs is not None else {}
        if self.validate is not None:
            logs.update(self.validate())
        if self.extra_logs is not None:
            logs.update(self.extra_logs())
        logs["step"] = self.counter.step
        entry = {"epoch": epoch + 1, "step": self.counter.step, "time": time.time(),
                 **{k: float(np.asarray(v)) for k, v in logs.items() if np.ndim(v) == 0}}
        self.history.append(entry)
        self.run.save(self.networks, epoch + 1, self.counter.step, self.history)


def best_epoch(history: list[dict], key: str = "val_psnr") -> tuple[int, int] | None:
    """``(index in history, epochs since)`` of the epoch with the highest ``key`` (the first one on a tie),
    or ``None`` when no epoch has it."""
    scored = [(i, h[key]) for i, h in enumerate(history) if h.get(key) is not None]
    if not scored:
        return None
    i = max(scored, key=lambda t: (t[1], -t[0]))[0]
    return i, len(history) - 1 - i


class EarlyStopping(keras.callbacks.Callback):
    """Stop training when the validation PSNR has not improved for ``patience`` epochs, and keep the weights
    of the best epoch so far.

    Put it after :class:`EpochEnd` (which adds ``val_psnr`` to the epoch's logs).  The best weights are
    kept in memory and, when ``path`` is given (a ``.weights.h5`` file in the run folder), written there
    after each improvement, so a resumed run still has them.  :meth:`restore` puts them into the model.

    Args:
        patience: epochs without a new best before training stops (>= 1).
        model: the network whose weights are kept (the inference model).
        history: the run's history (read to resume the count).
        path: where to keep the best weights on disk, or ``None``.
    """

    def __init__(self, patience: int, model, history: list[dict], path=None):
        super().__init__()
        self.patience, self.net, self.history, self.path = int(patience), model, history, path
        self.weights = None
        self.stopped = False
        found = best_epoch(history)
        self.best = history[found[0]]["val_psnr"] if found else -math.inf
        if found and path is not None and os.path.exists(path):
            model_copy = keras.models.clone_model(model)
            model_copy.load_weights(path)
            self.weights = model_copy.get_weights()

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get("val_psnr")
        if value is None:
            return
        if float(value) > self.best:
            self.best = float(value)
            self.weights = self.net.get_weights()
            if self.path is not None:
                tmp = str(self.path).replace(".weights.h5", ".tmp.weights.h5")
                self.net.save_weights(tmp)
                os.replace(tmp, self.path)
        found = best_epoch(self.history)
        if found is not None and found[1] >= self.patience:
            self.stopped = True
            self.model.stop_training = True

    def restore(self) -> bool:
        """Put the best epoch's weights into the model; ``False`` when there are none to restore."""
        if self.weights is None:
            return False
        self.net.set_weights(self.weights)
        return True


class LivePlotBase(keras.callbacks.Callback):
    """A notebook figure that is redrawn in place every ``every`` steps and at each epoch's end.

    Subclasses implement :meth:`figure` (return a Matplotlib figure of what they recorded) and may record
    more in :meth:`record_batch` / :meth:`record_epoch`.
    """

    def __init__(self, every: int = 50):
        super().__init__()
        self.every = max(1, int(every))
        self.batches = 0
        self._handle = None

    def record_batch(self, logs: dict) -> None:
        """Record one batch's logs (override)."""

    def record_epoch(self, logs: dict) -> None:
        """Record one epoch's logs (override)."""

    def figure(self):
        """The figure to show (override)."""
        raise NotImplementedError

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1
        self.record_batch(logs or {})
        if self.batches % self.every == 0:
            self.draw()

    def on_epoch_end(self, epoch, logs=None):
        self.record_epoch(logs or {})
        self.draw()

    def draw(self) -> None:
        """Show the figure, replacing the previous one in the notebook output."""
        import matplotlib.pyplot as plt
        from IPython.display import display

        fig = self.figure()
        if self._handle is None:
            self._handle = display(fig, display_id=True)
        else:
            self._handle.update(fig)
        plt.close(fig)


class LivePlot(LivePlotBase):
    """Training loss (per step, with a running mean) and validation PSNR (per epoch), side by side."""

    def __init__(self, every: int = 50, title: str = ""):
        super().__init__(every)
        self.title = title
        self.losses: list[float] = []
        self.val: list[tuple[int, float]] = []

    def record_batch(self, logs: dict) -> None:
        if "loss" in logs:
            self.losses.append(float(logs["loss"]))

    def record_epoch(self, logs: dict) -> None:
        if logs.get("val_psnr") is not None:
            self.val.append((int(logs.get("step", self.batches)), float(logs["val_psnr"])))

    def figure(self):
        import matplotlib.pyplot as plt

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
        return fig
