"""Run configurations: what defines a supervised training run (:class:`TrainConfig`) and a GAN fine-tuning
run (:class:`GANConfig`).

Each is a dataclass stored as ``config.json`` in its run folder (:class:`srkit.train.RunFolder`); its fields
and defaults are the only place those defaults are written (the ``srkit train`` and ``srkit train-gan``
commands read them).  This module does not load TensorFlow.

Every field is checked when a config is made (type, range, finite numbers, known names), so a bad value
is refused with an :class:`~srkit.errors.InvalidValueError` before any data is loaded or model built.
``model_config`` keys are checked against the model builder's parameters read from its source file
(``ast``), so the check does not import Keras; a builder registered as a Python function is inspected
directly.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import json
import math
import os
from dataclasses import MISSING, asdict, dataclass, field, fields

from .data import BENCHMARKS, SCALES, TRAINING_SETS, VALIDATION
from .degrade import DEGRADATIONS
from .errors import InvalidValueError, check_choice, check_float, check_int

__all__ = ["JsonConfig", "TrainConfig", "GANConfig", "defaults"]

#: The choices of :class:`TrainConfig`'s ``optimizer``, ``schedule`` and ``augment``.
OPTIMIZERS = ("adam", "sgd")
SCHEDULES = ("cosine", "step", "constant")
AUGMENTATIONS = ("flips", "none", "colour_jitter")


def defaults(config_class) -> dict:
    """``{field: default}`` of a config dataclass (fields without a default are left out)."""
    out = {}
    for f in fields(config_class):
        if f.default is not MISSING:
            out[f.name] = f.default
        elif f.default_factory is not MISSING:
            out[f.name] = f.default_factory()
    return out


def _builder_parameters(model_spec) -> tuple[set[str], bool] | None:
    """``(parameter names, takes **kwargs)`` of a model's builder, without importing Keras; ``None`` if the
    builder's source cannot be read (the builder then reports bad keywords itself)."""
    builder = model_spec.builder
    if callable(builder):
        try:
            sig = inspect.signature(builder)
        except (TypeError, ValueError):
            return None
        return ({n for n, p in sig.parameters.items() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)},
                any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()))
    module, _, attr = str(builder).partition(":")
    try:
        found = importlib.util.find_spec(module)
        with open(found.origin, encoding="utf-8") as f:
            tree = ast.parse(f.read())
    except (ImportError, AttributeError, TypeError, ValueError, OSError, SyntaxError):
        return None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == attr:
            a = node.args
            names = {x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)}
            return names, a.kwarg is not None
    return None


def _check_model_config(model: str, model_config, model_spec) -> dict:
    if not isinstance(model_config, dict):
        raise InvalidValueError(f"model_config must be a dict of builder arguments (JSON object on the command "
                                f"line, e.g. '{{\"blocks\": 8}}'), got {model_config!r}.")
    set_by_kit = sorted(k for k in ("scale", "channels") if k in model_config)
    if set_by_kit:
        raise InvalidValueError(f"model_config must not contain {', '.join(set_by_kit)}: the kit sets them from "
                                "the config's own 'scale' and 'channels' fields; set those instead.")
    params = _builder_parameters(model_spec)
    if params is not None:
        names, var_kw = params
        unknown = sorted(k for k in model_config if k not in names)
        if unknown and not var_kw:
            allowed = ", ".join(sorted(names - {"scale", "channels"})) or "none"
            raise InvalidValueError(f"model_config has {', '.join(map(repr, unknown))}, which the {model} builder "
                                    f"does not take. Its arguments are: {allowed}.")
    return dict(model_config)


def _check_common(config) -> None:
    """The fields :class:`TrainConfig` and :class:`GANConfig` share (normalised in place)."""
    config.scale = check_int("scale", config.scale, low=2, high=8)
    if config.scale not in SCALES:
        raise InvalidValueError(f"scale must be one of {', '.join(map(str, SCALES))}, got {config.scale!r}.")
    config.steps = check_int("steps", config.steps, low=1)
    config.eval_every = check_int("eval_every", config.eval_every, low=1)
    config.seed = check_int("seed", config.seed, low=0)
    config.limit = check_int("limit", config.limit, low=1, allow_none=True,
                             hint="Use None (leave --limit out) for every image.")
    config.val_limit = check_int("val_limit", config.val_limit, low=1, allow_none=True,
                                 hint="Use None (leave --val-limit out) for every image.")
    config.time_budget_s = check_float("time_budget_s", config.time_budget_s, low=0, low_open=True,
                                       allow_none=True)
    if config.val_set is not None and not isinstance(config.val_set, str):
        raise InvalidValueError(f"val_set must be 'val' (the held-out training images), a benchmark name or None, "
                                f"got {config.val_set!r}.")
    if config.val_set == "":
        config.val_set = None
    if config.val_set is not None:
        match = [b for b in (VALIDATION, *BENCHMARKS) if b.lower() == config.val_set.lower()]
        if not match:
            raise InvalidValueError(f"val_set must be '{VALIDATION}' (the held-out training images, the default), one "
                                    f"of the test benchmarks {', '.join(BENCHMARKS)}, or None / --val '' for no "
                                    f"validation; got {config.val_set!r}.")
        config.val_set = match[0]
    sets = config.train_sets
    if isinstance(sets, (str, os.PathLike)):
        sets = (sets,)
    try:
        sets = tuple(str(os.fspath(s)) for s in sets)
    except TypeError:
        raise InvalidValueError(f"train_sets must be a list of training set names or folders, got {config.train_sets!r}.") from None
    if not sets or any(not s.strip() for s in sets):
        raise InvalidValueError(f"train_sets must name at least one training set or folder (e.g. "
                                f"{', '.join(TRAINING_SETS)}), got {config.train_sets!r}.")
    config.train_sets = sets


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
        scale: 2, 3, 4 or 8 (edsr_progressive: 2, 4 or 8).
        steps: total optimisation steps, a whole number >= 1.
        model_config: keyword arguments for the model builder (e.g. ``{"blocks": 8}``): only parameters its
            builder takes, and never ``scale`` or ``channels`` (set by the fields of the same names).
        channels: ``'y'`` (papers' choice) or ``'rgb'``.
        train_sets: training set names or folders (default T91 + BSD200); at least one.
        patch_size, batch_size, learning_rate: ``None`` takes the model's defaults (its
            :class:`srkit.models.ModelSpec`); otherwise whole numbers >= 1 and a finite rate > 0.
        loss: ``'l1'`` or ``'l2'``.
        warmup_steps: linear learning-rate warm-up before the cosine decay (>= 0).
        eval_every: steps between validations and checkpoints (one Keras epoch), >= 1.
        val_set: the set validated on after every epoch: ``'val'`` (default; the training images held
            out from training, :func:`srkit.data.load_validation`), a benchmark of
            :data:`srkit.data.BENCHMARKS` (but those are test sets: selecting on them biases the reported
            score), or ``None`` / ``''`` for no validation.
        val_limit: only the first N validation images (quick runs), N >= 1 or ``None``.
        seed: seeds weights and data (>= 0).
        limit: only the first N images of each training set (quick runs), N >= 1 or ``None``.
        init_weights: start from these weights instead of a random initialisation (fine-tuning):
            ``'zoo'`` (the pretrained model of the same name and scale; the builder arguments on its card, e.g.
            ``activation='relu'`` for ESPCN, go into ``model_config``), or an existing ``.keras`` /
            ``.weights.h5`` file of the same architecture (a ``.keras`` file with other activations is refused).
        time_budget_s: train for this many seconds (finite, > 0) instead of a fixed number of steps: the learning
            rate follows a cosine over *time* and training stops when the budget is spent (``steps``
            is then an upper bound).  Used to train the zoo on a machine of unknown speed.
        supervision: deep supervision (DRCN): the loss is ``(1 - supervision) * loss(final output) +
            supervision * mean over t of loss(prediction t)``, so every recursion learns to predict the
            HR image.  Only for models with intermediate predictions (layers ``prediction1..T``, e.g.
            ``drcn``); between 0 and 1; ``None`` takes the model's default.
        optimizer: ``'adam'`` (default) or ``'sgd'`` (SGD with momentum 0.9).
        schedule: the learning rate over the steps after the warm-up: ``'cosine'`` (default: cosine decay
            to 1% of the peak), ``'step'`` (halved at 50% and again at 75% of the steps) or ``'constant'``.
        weight_decay: decoupled L2 weight decay (AdamW-style: every step each weight ``w`` becomes
            ``w - learning_rate * weight_decay * w``, outside the loss and its gradient; Keras' optimizer
            ``weight_decay``), finite and >= 0; 0 (default) is off.  Biases are decayed too.
        l1_penalty: an L1 weight penalty ``l1_penalty * sum |w|`` over every convolution and dense kernel,
            added to the loss (a Keras kernel regulariser, stored with the model), finite and >= 0; 0 is off.
        augment: what is done to each training patch pair: ``'flips'`` (default: one of the 8 flips and
            90-degree rotations, applied to LR and HR alike), ``'none'``, or ``'colour_jitter'`` (the flips
            plus a classification-style random brightness and contrast change applied to the LR patch
            only: the pair then no longer follows the degradation model, see
            :class:`srkit.pipeline.PatchSampler`).
        train_psnr_images: after every epoch also score the first N training images (whole images, the
            paper protocol, as the validation), logged as ``train_psnr``; ``train_psnr - val_psnr`` is the
            generalisation gap.  0 (default) is off; N >= 0.
        early_stopping: stop when the validation PSNR has not improved for this many epochs (patience,
            >= 1) and keep the weights of the best epoch (:attr:`TrainResult.early_stop` says which);
            ``None`` (default) is off.  Needs a validation set.
        degradation: how the training LR patches are made from the HR patches, a name of
            :data:`srkit.degrade.DEGRADATIONS`: ``'bicubic'`` (default: the clean benchmark degradation),
            ``'bd'``, ``'dn'``, or ``'realistic'`` (:class:`srkit.degrade.SecondOrderDegradation`: random blur,
            resizes, noise and JPEG per patch, for models meant for real photos).  Validation and tests still use
            the bicubic benchmark LR.  Multi-frame models train on bicubic bursts only.
        teacher: knowledge distillation (:mod:`srkit.train.distill`): a pretrained model's name (e.g.
            ``'edsr'``, the flagship at this scale) or a ``.keras`` file whose super-resolved training images
            become part of the target; ``None`` (default) is off.  Luma, bicubic, post-upsampling students only.
        teacher_weight: the teacher's share of the target, ``teacher_weight * teacher(lr) + (1 - teacher_weight)
            * hr``, in (0, 1]; 0.5 by default.  Validation still compares with the real HR images.
        rescale: downscaling factors, each strictly between 0 and 1 (e.g. ``(0.9, 0.8, 0.7, 0.6)``, FSRCNN's
            data augmentation): every training image is also used shrunk by each factor
            (:func:`srkit.pipeline.rescaled_copies`).  Empty (default): the images as they are.  Not for
            multi-frame models.

    Raises :class:`~srkit.errors.InvalidValueError` (a ``ValueError``) for any field of the wrong type or
    out of its range, when the config is made.
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
    val_set: str | None = VALIDATION
    val_limit: int | None = None
    seed: int = 0
    limit: int | None = None
    time_budget_s: float | None = None
    init_weights: str | None = None
    supervision: float | None = None
    optimizer: str = "adam"
    schedule: str = "cosine"
    weight_decay: float = 0.0
    l1_penalty: float = 0.0
    augment: str = "flips"
    train_psnr_images: int = 0
    early_stopping: int | None = None
    degradation: str = "bicubic"
    teacher: str | None = None
    teacher_weight: float = 0.5
    rescale: tuple = ()

    #: Fields added after the first runs were stored: ``config.json`` leaves them out while they keep their
    #: defaults, so run folders written before them still resume (their configs compare equal).
    LATER_FIELDS = ("optimizer", "schedule", "weight_decay", "l1_penalty", "augment", "train_psnr_images",
                    "early_stopping", "degradation", "teacher", "teacher_weight", "rescale")

    def to_json(self) -> dict:
        """The config as stored in ``config.json`` (fields added later are left out at their defaults)."""
        d = super().to_json()
        d["rescale"] = list(d["rescale"])
        initial = defaults(type(self))
        for key in self.LATER_FIELDS:
            if d[key] == initial[key] or (key == "rescale" and not d[key]):
                del d[key]
        return d

    def __post_init__(self) -> None:
        from .models import REGISTRY, spec

        if not isinstance(self.model, str):
            raise InvalidValueError(f"model must be a registered model name (a string), got {self.model!r}.")
        model_spec = spec(self.model)  # a clear error for an unknown name
        if self.scale not in SCALES or isinstance(self.scale, bool):
            raise InvalidValueError(f"scale must be one of {', '.join(map(str, SCALES))}, got {self.scale!r}.")
        if self.loss not in ("l1", "l2"):
            raise InvalidValueError(f"loss must be 'l1' or 'l2', got {self.loss!r}.")
        check_choice("channels", self.channels, ("y", "rgb"))
        _check_common(self)
        if self.scale not in model_spec.scales:
            raise InvalidValueError(f"{self.model} is built for scales {', '.join(map(str, model_spec.scales))}, not "
                                    f"{self.scale}.")
        self.warmup_steps = check_int("warmup_steps", self.warmup_steps, low=0)
        self.model_config = _check_model_config(self.model, self.model_config, model_spec)
        for key, value in model_spec.training_defaults.items():
            if getattr(self, key) is None:
                setattr(self, key, value)
        self.patch_size = check_int("patch_size", self.patch_size, low=1)
        self.batch_size = check_int("batch_size", self.batch_size, low=1)
        self.learning_rate = check_float("learning_rate", self.learning_rate, low=0, low_open=True)
        self.supervision = check_float("supervision", self.supervision, allow_none=True)
        self.eval_every = min(self.eval_every, self.steps)
        if self.supervision is not None and not 0.0 <= self.supervision <= 1.0:
            raise InvalidValueError(f"supervision must be between 0 and 1, got {self.supervision}.")
        if self.supervision and not model_spec.supervision:
            supervised = [n for n, m in REGISTRY.items() if m.supervision]
            raise InvalidValueError(f"supervision (intermediate predictions) is only for {', '.join(supervised)}, "
                                    f"not {self.model}.")
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        check_choice("schedule", self.schedule, SCHEDULES,
                     hint="'cosine' decays to 1% of the rate, 'step' halves it at 50% and 75% of the steps.")
        self.weight_decay = check_float("weight_decay", self.weight_decay, low=0,
                                        hint="Typical values are 1e-4 to 1e-2; 0 turns it off.")
        self.l1_penalty = check_float("l1_penalty", self.l1_penalty, low=0,
                                      hint="Typical values are 1e-7 to 1e-5 (it is summed over every weight); 0 turns it off.")
        check_choice("augment", self.augment, AUGMENTATIONS,
                     hint="'flips' (the 8 flips and rotations) is the default; 'none' turns augmentation off.")
        self.train_psnr_images = check_int("train_psnr_images", self.train_psnr_images, low=0,
                                           hint="0 turns the training-set PSNR off.")
        self.early_stopping = check_int("early_stopping", self.early_stopping, low=1, allow_none=True,
                                        hint="It is the patience in epochs; None turns early stopping off.")
        check_choice("degradation", self.degradation, DEGRADATIONS,
                     hint="'bicubic' is the clean benchmark degradation, 'realistic' the second-order blur, resize, "
                          "noise and JPEG pipeline for real photos.")
        from .pipeline import check_rescale

        self.rescale = check_rescale(self.rescale)
        self.teacher_weight = check_float("teacher_weight", self.teacher_weight, low=0, low_open=True, high=1,
                                          hint="It is the teacher's share of the target; 0.5 blends equally.")
        if self.teacher is not None:
            if isinstance(self.teacher, os.PathLike):
                self.teacher = os.fspath(self.teacher)
            if not isinstance(self.teacher, str) or not self.teacher:
                raise InvalidValueError(f"teacher must be a pretrained model's name (e.g. 'edsr') or the path of a "
                                        f".keras file, got {self.teacher!r}.")
            if self.teacher.endswith(".keras") and not os.path.isfile(os.path.expanduser(self.teacher)):
                raise InvalidValueError(f"teacher {self.teacher!r} is not a file. Give a pretrained model's name "
                                        "(e.g. 'edsr') or the path of a .keras file.")
            if self.channels != "y" or self.degradation not in ("bicubic", "bd") or model_spec.input_kind != "lr":
                raise InvalidValueError(
                    f"teacher={self.teacher!r}: distillation is for luma (channels='y') models that take the LR image, "
                    f"trained on a fixed degradation ('bicubic' or 'bd'); this run has channels={self.channels!r}, "
                    f"degradation={self.degradation!r} and a {model_spec.input_kind!r} input. Leave teacher out.")
        if self.time_budget_s is not None and self.schedule != "cosine":
            raise InvalidValueError(f"schedule={self.schedule!r} cannot be combined with time_budget_s: a time budget "
                                    "sets a cosine over time. Leave schedule at 'cosine' or give steps instead.")
        if self.early_stopping is not None and self.val_set is None:
            raise InvalidValueError(f"early_stopping={self.early_stopping} needs a validation set to watch, but "
                                    "val_set is None. Use val_set='val' (the held-out training images) or leave "
                                    "early_stopping at None.")
        if self.init_weights is not None:
            src = os.fspath(self.init_weights) if isinstance(self.init_weights, os.PathLike) else self.init_weights
            if not isinstance(src, str) or not src:
                raise InvalidValueError(f"init_weights must be 'zoo' or the path of a .keras / .weights.h5 file, "
                                        f"got {self.init_weights!r}.")
            if src != "zoo" and not os.path.isfile(os.path.expanduser(src)):
                raise InvalidValueError(f"init_weights {src!r} is not a file. Give 'zoo' (the pretrained model) or "
                                        "the path of a .keras / .weights.h5 file of the same architecture.")
            self.init_weights = src
            if src == "zoo":
                self._adopt_zoo_architecture()

    def _adopt_zoo_architecture(self) -> None:
        """Fine-tuning ``'zoo'`` continues the pretrained model, so the network is built as its card says: the
        builder arguments the run leaves unset are taken from the card (e.g. ``activation='relu'`` for the zoo's
        ESPCN); one set to another value is an error, since the weights would load into a different network."""
        from .zoo import ZooError, card

        try:
            arch = card(self.model, self.scale)["architecture"]["config"]
        except ZooError:
            return  # no pretrained model of this name and scale: the start of training says so
        plain = lambda v: list(v) if isinstance(v, tuple) else v  # noqa: E731  (JSON has lists, Python tuples)
        arch = {k: v for k, v in arch.items() if k != "channels"}
        clash = {k: v for k, v in arch.items() if k in self.model_config and plain(self.model_config[k]) != plain(v)}
        if clash:
            raise InvalidValueError(
                f"init_weights='zoo' starts from the pretrained {self.model} x{self.scale}, built with "
                f"{json.dumps(arch)}, but model_config sets " + ", ".join(f"{k}={self.model_config[k]!r}" for k in clash)
                + ". Leave those out of model_config (they are taken from the zoo's card), or train from scratch "
                "without init_weights.")
        self.model_config = {**self.model_config, **arch}

    @property
    def epochs(self) -> int:
        return math.ceil(self.steps / self.eval_every)



@dataclass
class GANConfig(JsonConfig):
    """Everything that defines a GAN fine-tuning run (stored as ``config.json`` beside its checkpoints).

    Args:
        generator: zoo name of the PSNR generator to start from (its architecture and weights), or a
            ``.keras`` file.
        scale: 2, 3, 4 or 8 (the generator's scale).
        steps: generator (= discriminator) updates, >= 1.
        pixel_weight, adversarial_weight, feature_weight, perceptual_weight: loss weights, finite and >= 0
            (see :class:`GANTrainer`); ``perceptual_weight > 0`` needs the VGG19 weights offline.
        adversarial: ``'relativistic'`` or ``'standard'``.
        pixel: ``'l1'`` or ``'l2'``.
        g_learning_rate, d_learning_rate: Adam learning rates, finite and > 0 (constant; halved at 50% and
            75% of the steps).
        patch_size, batch_size: LR patch size and batch size (>= 1).
        disc_filters, disc_blocks: discriminator size (:func:`discriminator`), >= 1.
        eval_every: steps between validation (PSNR and texture distance on ``val_set``) and checkpoints (>= 1).
        val_set, val_limit: validation set (``'val'``, the held-out training images, by default; a benchmark
            of :data:`srkit.data.BENCHMARKS` is accepted but is a test set; ``None``: none) and image limit
            (>= 1 or ``None``).
        train_sets, limit, seed: training data (T91 + BSD200 by default; at least one), images per set
            (>= 1 or ``None``), and the seed of weights and data (>= 0).
        time_budget_s: stop after this many seconds, finite and > 0 (``steps`` stays the schedule's length).

    Raises :class:`~srkit.errors.InvalidValueError` (a ``ValueError``) for any field of the wrong type or
    out of its range, when the config is made.
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
    val_set: str | None = VALIDATION
    val_limit: int | None = None
    train_sets: tuple = TRAINING_SETS
    limit: int | None = None
    seed: int = 0
    time_budget_s: float | None = None

    def __post_init__(self) -> None:
        if self.scale not in SCALES or isinstance(self.scale, bool):
            raise InvalidValueError(f"scale must be one of {', '.join(map(str, SCALES))}, got {self.scale!r}.")
        if self.adversarial not in ("relativistic", "standard"):
            raise InvalidValueError(f"adversarial must be 'relativistic' or 'standard', got {self.adversarial!r}.")
        if self.pixel not in ("l1", "l2"):
            raise InvalidValueError(f"pixel must be 'l1' or 'l2', got {self.pixel!r}.")
        if not isinstance(self.generator, (str, os.PathLike)) or not str(self.generator):
            raise InvalidValueError(f"generator must be a zoo model name or a .keras file, got {self.generator!r}.")
        _check_common(self)
        for k in ("pixel_weight", "adversarial_weight", "feature_weight", "perceptual_weight"):
            setattr(self, k, check_float(k, getattr(self, k), low=0))
        for k in ("g_learning_rate", "d_learning_rate"):
            setattr(self, k, check_float(k, getattr(self, k), low=0, low_open=True))
        self.patch_size = check_int("patch_size", self.patch_size, low=1)
        self.batch_size = check_int("batch_size", self.batch_size, low=1)
        self.disc_filters = check_int("disc_filters", self.disc_filters, low=1)
        self.disc_blocks = check_int("disc_blocks", self.disc_blocks, low=1)
        self.eval_every = min(self.eval_every, self.steps)
