"""Run configurations: what defines a supervised training run (:class:`TrainConfig`) and a GAN fine-tuning
run (:class:`GANConfig`).

Each is a dataclass stored as ``config.json`` in its run folder (:class:`srkit.train.RunFolder`); its fields
and defaults are the only place those defaults are written (the ``srkit train`` and ``srkit train-gan``
commands read them).  This module does not load TensorFlow.
"""

from __future__ import annotations

import math
from dataclasses import MISSING, asdict, dataclass, field, fields

from .data import TRAINING_SETS

__all__ = ["JsonConfig", "TrainConfig", "GANConfig", "defaults"]


def defaults(config_class) -> dict:
    """``{field: default}`` of a config dataclass (fields without a default are left out)."""
    out = {}
    for f in fields(config_class):
        if f.default is not MISSING:
            out[f.name] = f.default
        elif f.default_factory is not MISSING:
            out[f.name] = f.default_factory()
    return out


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
        model: a registered model name (:data:`srkit.models.REGISTRY`).
        scale: 2, 3 or 4.
        steps: total optimisation steps.
        model_config: keyword arguments for the model builder (e.g. ``{"blocks": 8}``).
        channels: ``'y'`` (papers' choice) or ``'rgb'``.
        train_sets: training set names or folders (default T91 + BSD200).
        patch_size, batch_size, learning_rate: ``None`` takes the model's defaults (its
            :class:`srkit.models.ModelSpec`).
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
            HR image.  Only for models with intermediate predictions (layers ``prediction1..T``, e.g.
            ``drcn``); ``None`` takes the model's default.
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
        from .models import REGISTRY, spec

        model_spec = spec(self.model)  # a clear error for an unknown name
        if self.scale not in (2, 3, 4):
            raise ValueError(f"scale must be 2, 3 or 4, got {self.scale!r}.")
        if self.loss not in ("l1", "l2"):
            raise ValueError(f"loss must be 'l1' or 'l2', got {self.loss!r}.")
        if self.steps < 1 or self.eval_every < 1:
            raise ValueError("steps and eval_every must be positive.")
        for key, value in model_spec.training_defaults.items():
            if getattr(self, key) is None:
                setattr(self, key, value)
        self.train_sets = tuple(str(s) for s in self.train_sets)
        self.eval_every = min(self.eval_every, self.steps)
        if not 0.0 <= self.supervision <= 1.0:
            raise ValueError(f"supervision must be between 0 and 1, got {self.supervision}.")
        if self.supervision and not model_spec.supervision:
            supervised = [n for n, m in REGISTRY.items() if m.supervision]
            raise ValueError(f"supervision (intermediate predictions) is only for {', '.join(supervised)}, "
                             f"not {self.model}.")

    @property
    def epochs(self) -> int:
        return math.ceil(self.steps / self.eval_every)



@dataclass
class GANConfig(JsonConfig):
    """Everything that defines a GAN fine-tuning run (stored as ``config.json`` beside its checkpoints).

    Args:
        generator: zoo name of the PSNR generator to start from (its architecture and weights), or a
            ``.keras`` file.
        scale: 2, 3 or 4.
        steps: generator (= discriminator) updates.
        pixel_weight, adversarial_weight, feature_weight, perceptual_weight: loss weights
            (see :class:`GANTrainer`); ``perceptual_weight > 0`` needs the VGG19 weights offline.
        adversarial: ``'relativistic'`` or ``'standard'``.
        pixel: ``'l1'`` or ``'l2'``.
        g_learning_rate, d_learning_rate: Adam learning rates (constant; halved at 50% and 75% of the steps).
        patch_size, batch_size: LR patch size and batch size.
        disc_filters, disc_blocks: discriminator size (:func:`discriminator`).
        eval_every: steps between validation (PSNR and texture distance on ``val_set``) and checkpoints.
        val_set, val_limit: validation benchmark and image limit.
        train_sets, limit, seed: training data (T91 + BSD200 by default), and the seed of weights and data.
        time_budget_s: stop after this many seconds (``steps`` stays the schedule's length).
    """

    generator: str = "edsr"
    scale: int = 4
    steps: int = 5000
    pixel_weight: float = 1.0
    adversarial_weight: float = 5e-3
    feature_weight: float = 1.0
    perceptual_weight: float = 0.0
    adversarial: str = "relativistic"
    pixel: str = "l1"
    g_learning_rate: float = 1e-4
    d_learning_rate: float = 1e-4
    patch_size: int = 24
    batch_size: int = 16
    disc_filters: int = 32
    disc_blocks: int = 4
    eval_every: int = 500
    val_set: str | None = "Set5"
    val_limit: int | None = None
    train_sets: tuple = TRAINING_SETS
    limit: int | None = None
    seed: int = 0
    time_budget_s: float | None = None

    def __post_init__(self) -> None:
        if self.scale not in (2, 3, 4):
            raise ValueError(f"scale must be 2, 3 or 4, got {self.scale!r}.")
        if self.adversarial not in ("relativistic", "standard"):
            raise ValueError(f"adversarial must be 'relativistic' or 'standard', got {self.adversarial!r}.")
        if self.pixel not in ("l1", "l2"):
            raise ValueError(f"pixel must be 'l1' or 'l2', got {self.pixel!r}.")
        if self.steps < 1 or self.eval_every < 1:
            raise ValueError("steps and eval_every must be positive.")
        for k in ("pixel_weight", "adversarial_weight", "feature_weight", "perceptual_weight"):
            if getattr(self, k) < 0:
                raise ValueError(f"{k} must be >= 0, got {getattr(self, k)}.")
        self.train_sets = tuple(str(s) for s in self.train_sets)
        self.eval_every = min(self.eval_every, self.steps)



