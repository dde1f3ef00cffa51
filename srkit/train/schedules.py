"""Learning-rate schedules and optimizers of supervised training (:class:`srkit.configs.TrainConfig`'s
``schedule``, ``warmup_steps``, ``optimizer`` and ``weight_decay``).

With a peak rate :math:`\\eta`, ``T`` steps and ``W`` warm-up steps, the rate at step ``t`` (counted from 0) is
:math:`\\eta\\, t / W` during the warm-up, then, with :math:`u = (t - W) / \\max(1, T - W)`:

* ``'cosine'`` (the default): :math:`\\eta\\,(\\alpha + (1 - \\alpha)\\tfrac12(1 + \\cos \\pi u))` with
  :math:`\\alpha = 0.01` (Keras' ``CosineDecay``, which the engine uses for it);
* ``'step'``: :math:`\\eta` until :math:`u = 0.5`, then :math:`\\eta / 2`, and :math:`\\eta / 4` from :math:`u = 0.75`;
* ``'constant'``: :math:`\\eta`.

:func:`learning_rate_at` computes it in plain Python (for plots and exercises); :class:`StepSchedule` sets
it during training for ``'step'`` and ``'constant'``.  :func:`make_optimizer` builds Adam or SGD with
momentum, with optional decoupled weight decay.
"""

from __future__ import annotations

import math

import keras

__all__ = ["learning_rate_at", "StepSchedule", "make_optimizer", "COSINE_ALPHA"]

#: The cosine schedule ends at this fraction of the peak rate.
COSINE_ALPHA = 0.01


def learning_rate_at(step: int, base_lr: float, steps: int, schedule: str = "cosine", warmup_steps: int = 0,
                     alpha: float = COSINE_ALPHA) -> float:
    """The learning rate of training step ``step`` (0 = the first update) for a run of ``steps`` steps.

    Matches what the engine uses, step for step: Keras' ``CosineDecay`` for ``'cosine'`` (its warm-up
    rises linearly from 0), :class:`StepSchedule` for ``'step'`` and ``'constant'``.
    """
    from ..errors import check_choice

    check_choice("schedule", schedule, ("cosine", "step", "constant"))
    step = max(0.0, float(step))
    warmup = int(warmup_steps)
    decay = max(1, int(steps) - warmup)
    if warmup and step < warmup:
        return base_lr * step / warmup
    u = min(step - warmup, decay) / decay
    if schedule == "cosine":
        return base_lr * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * u)) + alpha)
    if schedule == "step":
        return base_lr * (0.25 if u >= 0.75 else 0.5 if u >= 0.5 else 1.0)
    return float(base_lr)


class StepSchedule(keras.callbacks.Callback):
    """Sets the optimizer's learning rate before every batch from the run's global step
    (:func:`learning_rate_at`), so that a resumed run continues the same schedule.

    Args:
        counter: the run's :class:`srkit.train.StepCounter` (its ``step`` is the number of updates done).
        base_lr, steps, schedule, warmup_steps: as in :func:`learning_rate_at`.
    """

    def __init__(self, counter, base_lr: float, steps: int, schedule: str, warmup_steps: int = 0):
        super().__init__()
        self.counter, self.base_lr, self.steps = counter, float(base_lr), int(steps)
        self.schedule, self.warmup_steps = schedule, int(warmup_steps)

    def on_train_batch_begin(self, batch, logs=None):
        self.model.optimizer.learning_rate = learning_rate_at(self.counter.step, self.base_lr, self.steps,
                                                              self.schedule, self.warmup_steps)


def make_optimizer(name: str, learning_rate, weight_decay: float = 0.0):
    """``'adam'`` (Keras' Adam) or ``'sgd'`` (SGD with momentum 0.9) at ``learning_rate`` (a number or a Keras
    schedule).  ``weight_decay > 0`` adds decoupled weight decay (each step ``w -= learning_rate *
    weight_decay * w``, as AdamW does; Keras' optimizer ``weight_decay``); 0 leaves it off."""
    from ..errors import check_choice

    check_choice("optimizer", name, ("adam", "sgd"))
    wd = float(weight_decay) or None
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate, momentum=0.9, weight_decay=wd)
    return keras.optimizers.Adam(learning_rate, weight_decay=wd)
