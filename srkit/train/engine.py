"""The one training loop: ``fit`` a compiled Keras model for a run, with the kit's callbacks.

Supervised training (:func:`srkit.train.train`, including deep supervision and bursts) and GAN training
(:func:`srkit.gan.train_gan`) both come here: they build their networks and data, then
:func:`fit_run` adds the step counter, the epoch timer, the NaN stop, the optional time budget, the
epoch-end validation + checkpoint, the live plot, and runs ``fit`` from where the run folder left off.
"""

from __future__ import annotations

import math
from typing import Callable

from ..errors import SrkitError
from .callbacks import EpochEnd, NaNStop, StepCounter, StepTimer, TimeBudget, best_epoch, in_notebook, time_spent

__all__ = ["fit_run", "finished", "want_live_plot"]


def finished(history: list[dict], steps: int, time_budget_s: float | None, patience: int | None = None) -> bool:
    """Whether a run with this history has done its steps, spent its time budget, or (with early-stopping
    ``patience``) gone ``patience`` epochs without a better validation PSNR."""
    start = int(history[-1]["step"]) if history else 0
    if patience is not None:
        found = best_epoch(history)
        if found is not None and found[1] >= patience:
            return True
    return start >= steps or (time_budget_s is not None and time_spent(history) >= time_budget_s)


def fit_run(fit_model, make_data: Callable[[int], object], *, run, networks: dict, history: list[dict],
            start_epoch: int, steps: int, eval_every: int, validate: Callable[[], dict] | None = None,
            extra_logs: Callable[[], dict] | None = None, time_budget_s: float | None = None,
            time_budget_lr: float | None = None, schedule: Callable[[StepCounter], object] | None = None,
            what: str = "Training", advice: str = "Lower the learning rate or check the data.",
            live_plot=None, callbacks: list | None = None, verbose: int | str = "auto",
            early_stopping=None) -> StepCounter:
    """Train ``fit_model`` until the run has done ``steps`` steps (or spent its time budget).

    Args:
        fit_model: the compiled Keras model whose ``fit`` trains (the network itself or a trainer).
        make_data: ``start_step -> dataset`` yielding the batches from that step on.
        run: the :class:`srkit.train.run.RunFolder`; ``networks`` are checkpointed into it every epoch.
        history, start_epoch: what the run folder returned (empty and 0 for a fresh run).
        steps, eval_every: total steps, and steps per epoch (validation + checkpoint).
        validate, extra_logs: ``() -> dict`` added to each epoch's logs.
        time_budget_s, time_budget_lr: stop after that much training time; with ``time_budget_lr`` the
            learning rate follows a cosine over the time.
        schedule: ``counter -> callback``, a learning-rate schedule that reads the global step.
        what, advice: how a NaN error names the run and what it advises.
        live_plot: a :class:`srkit.train.callbacks.LivePlotBase` to draw, or ``None``.
        callbacks: extra Keras callbacks.
        early_stopping: a :class:`srkit.train.callbacks.EarlyStopping` (run after the validation), or ``None``.

    Returns the :class:`StepCounter` (its ``step`` is where training stopped).  Raises
    :class:`srkit.errors.SrkitError` if a logged value became NaN or infinite.
    """
    start_step = int(history[-1]["step"]) if history else 0
    counter = StepCounter(start_step, steps)
    nan = NaNStop(counter, what, advice)
    cbs: list = [counter, nan, StepTimer()]
    if time_budget_s:
        cbs.append(TimeBudget(time_budget_s, history, base_lr=time_budget_lr))
    if schedule is not None:
        cbs.append(schedule(counter))
    cbs.append(EpochEnd(run, networks, history, counter, nan, validate, extra_logs))
    if early_stopping is not None:
        cbs.append(early_stopping)
    if live_plot:
        cbs.append(live_plot)
    cbs += list(callbacks or [])
    patience = early_stopping.patience if early_stopping is not None else None
    if not finished(history, steps, time_budget_s, patience):
        fit_model.fit(make_data(start_step), epochs=math.ceil(steps / eval_every), initial_epoch=start_epoch,
                      steps_per_epoch=eval_every, callbacks=cbs, verbose=verbose, shuffle=False)
    if nan.error:
        raise SrkitError(nan.error)
    return counter


def want_live_plot(live_plot: bool | None) -> bool:
    """``live_plot`` as given, or (``None``) whether we are in a notebook."""
    return in_notebook() if live_plot is None else bool(live_plot)
