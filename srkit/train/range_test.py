"""The learning-rate range test (Smith, "Cyclical learning rates for training neural networks", 2017): train
for a few hundred steps while the learning rate rises exponentially, and watch the loss.

The loss first stays flat (the rate is too small to move the weights), then falls (the useful range), then
turns and explodes (the rate is too large: the steps overshoot).  :func:`lr_range_test` runs it on a
:class:`srkit.configs.TrainConfig`'s model, data, loss and optimizer, and returns the curve, the rate where
the smoothed loss was lowest and the rate where it diverged.  A common choice of peak rate is about a tenth
of the rate at the lowest loss (:attr:`RangeTestResult.suggested`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras
import numpy as np

from ..configs import TrainConfig
from ..errors import InvalidValueError, check_float, check_int

__all__ = ["RangeTestResult", "lr_range_test"]


@dataclass
class RangeTestResult:
    """What :func:`lr_range_test` measured.

    Attributes:
        learning_rates: the rate of each step (rising exponentially).
        losses: each step's training loss.
        smoothed: the losses smoothed (exponential moving average, bias-corrected).
        best: the rate where the smoothed loss was lowest.
        diverged: the first rate where the smoothed loss exceeded ``diverge_factor`` times its minimum
            (or became NaN/inf), or ``None`` if it never did within the range.
    """

    learning_rates: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    best: float
    diverged: float | None

    @property
    def suggested(self) -> float:
        """A tenth of the rate at the lowest smoothed loss: a safe peak rate for training."""
        return self.best / 10


class _RisingRate(keras.callbacks.Callback):
    def __init__(self, rates: np.ndarray, factor: float, smooth: float):
        super().__init__()
        self.rates, self.factor, self.smooth = rates, factor, smooth
        self.losses: list[float] = []
        self.smoothed: list[float] = []
        self.diverged: float | None = None
        self._mean_before = 0.0
        self._avg = 0.0

    def on_train_batch_begin(self, batch, logs=None):
        self.model.optimizer.learning_rate = float(self.rates[batch])

    def on_train_batch_end(self, batch, logs=None):
        mean = float(np.asarray((logs or {}).get("loss", np.nan)))
        # Keras logs the running mean of the epoch's loss; recover this batch's loss from it.
        loss = (batch + 1) * mean - batch * self._mean_before if math.isfinite(mean) else math.inf
        self._mean_before = mean
        self.losses.append(loss)
        self._avg = self.smooth * self._avg + (1 - self.smooth) * loss
        smoothed = self._avg / (1 - self.smooth ** (batch + 1))
        self.smoothed.append(smoothed)
        if not math.isfinite(smoothed) or smoothed > self.factor * min(self.smoothed):
            self.diverged = float(self.rates[batch])
            self.model.stop_training = True


def lr_range_test(config: TrainConfig, min_lr: float = 1e-6, max_lr: float = 1.0, steps: int = 200,
                  diverge_factor: float = 4.0, smooth: float = 0.9) -> RangeTestResult:
    """Train ``config``'s model from scratch for up to ``steps`` steps with the learning rate rising
    exponentially from ``min_lr`` to ``max_lr``; stop when the loss diverges.

    The config's model, scale, data (``train_sets``, ``limit``, ``patch_size``, ``batch_size``,
    ``augment``, ``seed``), loss and optimizer (with its ``weight_decay``) are used; its learning rate,
    schedule and step count are not.  Nothing is written to disk.

    Args:
        min_lr, max_lr: the first and last rate (0 < min_lr < max_lr, finite).
        steps: steps from ``min_lr`` to ``max_lr`` (>= 10).
        diverge_factor: the test stops when the smoothed loss exceeds this multiple of its minimum (> 1).
        smooth: the weight of the moving average that smooths the loss (0 <= smooth < 1).
    """
    from ..models import build
    from .supervised import _dataset, _sampler, with_l1_penalty

    if not isinstance(config, TrainConfig):
        raise InvalidValueError(f"lr_range_test needs a TrainConfig, got {type(config).__name__}.")
    min_lr = check_float("min_lr", min_lr, low=0, low_open=True)
    max_lr = check_float("max_lr", max_lr, low=0, low_open=True)
    if max_lr <= min_lr:
        raise InvalidValueError(f"max_lr ({max_lr}) must be larger than min_lr ({min_lr}): the rate rises from one "
                                "to the other.")
    steps = check_int("steps", steps, low=10)
    diverge_factor = check_float("diverge_factor", diverge_factor, low=1, low_open=True)
    smooth = check_float("smooth", smooth, low=0)
    if smooth >= 1:
        raise InvalidValueError(f"smooth must be below 1 (1 would never update the average), got {smooth}.")
    if config.supervision or config.model_config.get("frames"):
        raise InvalidValueError("lr_range_test runs single-output, single-image models; deep supervision and "
                                "bursts are not supported.")

    from .schedules import make_optimizer

    keras.utils.set_random_seed(config.seed)
    channels = 1 if config.channels == "y" else 3
    model = build(config.model, config.scale, channels=channels, **config.model_config)
    if config.l1_penalty:
        model = with_l1_penalty(model, config.l1_penalty)
    model.compile(optimizer=make_optimizer(config.optimizer, min_lr, config.weight_decay),
                  loss="mean_absolute_error" if config.loss == "l1" else "mean_squared_error")
    rates = min_lr * (max_lr / min_lr) ** (np.arange(steps) / (steps - 1))
    probe = _RisingRate(rates, diverge_factor, smooth)
    model.fit(_dataset(config, _sampler(config), 0), epochs=1, steps_per_epoch=steps, callbacks=[probe],
              verbose=0, shuffle=False)
    n = len(probe.losses)
    smoothed = np.asarray(probe.smoothed)
    finite = np.where(np.isfinite(smoothed), smoothed, np.inf)
    return RangeTestResult(rates[:n], np.asarray(probe.losses), smoothed, float(rates[int(np.argmin(finite))]),
                           probe.diverged)
