"""Training: one engine for every kind of srkit model.

* :mod:`srkit.train.supervised`: :func:`train` with a :class:`TrainConfig` (single images, pre-upsampled
  images, deep supervision, bursts) and :func:`validate`;
* :mod:`srkit.train.run`: the run folder (config, state, atomic checkpoints, resume check);
* :mod:`srkit.train.callbacks`: step counter, epoch timer, time budget, NaN stop, epoch-end
  checkpointing and live plots;
* :mod:`srkit.train.engine`: :func:`fit_run`, the loop both :func:`train` and :func:`srkit.gan.train_gan`
  run through;
* :mod:`srkit.train.schedules`: learning-rate schedules (cosine, step, constant, warm-up) and optimizers
  (Adam, SGD with momentum, decoupled weight decay);
* :mod:`srkit.train.range_test`: :func:`lr_range_test`, loss against an exponentially rising learning rate.

    from srkit.train import TrainConfig, train
    result = train(TrainConfig("espcn", scale=3, steps=2000), out_dir="runs/espcn_x3")
"""

from __future__ import annotations

from .callbacks import (EarlyStopping, EpochEnd, LivePlot, LivePlotBase, NaNStop, StepCounter, StepTimer, TimeBudget,
                        best_epoch, in_notebook)
from .engine import finished, fit_run
from .range_test import RangeTestResult, lr_range_test
from .run import RunFolder
from .schedules import StepSchedule, learning_rate_at, make_optimizer
from .supervised import (JsonConfig, TrainConfig, TrainResult, benchmark_scores, train, training_pairs, training_psnr,
                         validate, with_l1_penalty)

__all__ = ["TrainConfig", "TrainResult", "train", "validate", "benchmark_scores", "JsonConfig", "RunFolder", "fit_run", "finished",
           "LivePlot", "LivePlotBase", "StepCounter", "StepTimer", "TimeBudget", "NaNStop", "EpochEnd", "in_notebook",
           "EarlyStopping", "best_epoch", "learning_rate_at", "make_optimizer", "StepSchedule", "lr_range_test",
           "RangeTestResult", "training_pairs", "training_psnr", "with_l1_penalty"]
