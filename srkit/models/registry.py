"""The model registry: one :class:`ModelSpec` per architecture, the single place a model's identity lives.

A spec says how to build the network, what it takes as input, how it is trained by default and which
published numbers it is held to.  Training (:mod:`srkit.train`), the ``srkit`` command line (its choices
and help), the zoo's cards and the profiling benchmarks all read it.  Adding a model to the kit is one
builder plus one :func:`register` call::

    from srkit.models import ModelSpec, register
    register(ModelSpec("tiny", tiny_builder, input_kind="lr", summary="a 2-layer toy",
                       patch_size=16, batch_size=16, learning_rate=1e-3))
    # now: build("tiny", 3), TrainConfig("tiny", 3), srkit train tiny --scale 3
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable

__all__ = ["INPUT_KINDS", "ModelSpec", "REGISTRY", "register", "unregister", "spec", "names", "build"]

#: What a model takes: the LR image, the bicubic-upscaled image (output the same size), or a burst of LR
#: frames ``(B, T, h, w, C)``.
INPUT_KINDS = {
    "lr": "the LR image; the output is scale times larger (post-upsampling)",
    "pre_upsampled": "the bicubic-upscaled LR image; the output has the same size (pre-upsampling)",
    "burst": "a burst of LR frames (B, T, h, w, C); the output is scale times larger",
}


@dataclass(frozen=True)
class ModelSpec:
    """Everything the kit knows about one architecture.

    Args:
        name: the name used everywhere (``build(name, ...)``, ``srkit train NAME``, zoo cards).
        builder: ``builder(scale=..., channels=..., **model_config) -> keras.Model``, or its import path
            ``"package.module:function"`` (imported on first use, so that reading the registry, e.g. for
            the command line's help, does not load TensorFlow).
        input_kind: one of :data:`INPUT_KINDS`.
        summary: one line for the command line's help and tables.
        patch_size, batch_size, learning_rate: training defaults (LR patch size; what the zoo used).
        supervision: default weight of deep supervision (models with intermediate predictions named
            ``prediction1..T``; 0 for the others).
        paper: the reference the model is held to, in words.
        targets: published PSNR it must reach, ``{dataset: {scale: dB}}`` (Y channel, paper protocol).
        aim: a stronger published result the model aims at, same layout (optional).
        scales: the scale factors the architecture can be built for (a training config at another scale is
            refused when it is made, before any data is loaded).
    """

    name: str
    builder: Callable | str
    input_kind: str = "lr"
    summary: str = ""
    patch_size: int = 16
    batch_size: int = 32
    learning_rate: float = 1e-3
    supervision: float = 0.0
    paper: str = ""
    targets: dict = field(default_factory=dict)
    aim: dict = field(default_factory=dict)
    scales: tuple = (2, 3, 4, 8)

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"A model name must be a Python identifier (letters, digits, _), got {self.name!r}.")
        if not (callable(self.builder) or (isinstance(self.builder, str) and ":" in self.builder)):
            raise TypeError(f"The builder of {self.name!r} must be a callable or 'module:function', "
                            f"got {self.builder!r}.")
        if self.input_kind not in INPUT_KINDS:
            raise ValueError(f"input_kind of {self.name!r} must be one of {', '.join(INPUT_KINDS)}, "
                             f"got {self.input_kind!r}.")
        if self.patch_size < 1 or self.batch_size < 1 or not self.learning_rate > 0:
            raise ValueError(f"{self.name!r}: patch_size, batch_size and learning_rate must be positive.")
        if not 0.0 <= self.supervision <= 1.0:
            raise ValueError(f"{self.name!r}: supervision must be between 0 and 1, got {self.supervision}.")

    def resolve_builder(self) -> Callable:
        """The builder function (importing it if it was given as ``"module:function"``)."""
        if callable(self.builder):
            return self.builder
        module, _, attr = self.builder.partition(":")
        return getattr(importlib.import_module(module), attr)

    @property
    def training_defaults(self) -> dict:
        """The :class:`srkit.train.TrainConfig` fields this spec fills in when they are left ``None``."""
        return dict(patch_size=self.patch_size, batch_size=self.batch_size, learning_rate=self.learning_rate,
                    supervision=self.supervision)

    def target(self, dataset: str, scale: int) -> float | None:
        """The published PSNR this model is held to on ``dataset`` at ``scale`` (``None``: no number)."""
        return self.targets.get(dataset, {}).get(int(scale))

    def card_targets(self) -> dict:
        """The targets as a zoo card stores them (JSON: scales as strings)."""
        out: dict = {"paper": self.paper}
        for key in ("targets", "aim"):
            table = getattr(self, key)
            if table:
                out["psnr" if key == "targets" else "aim"] = {
                    ds: {str(s): v for s, v in per.items()} for ds, per in table.items()}
        return out


#: name -> :class:`ModelSpec`, in the order models were registered (the built-ins first).
REGISTRY: dict[str, ModelSpec] = {}


def register(model_spec: ModelSpec, replace: bool = False) -> ModelSpec:
    """Add a model to the registry (``replace=True`` to redefine a name); returns the spec."""
    if not isinstance(model_spec, ModelSpec):
        raise TypeError(f"register needs a ModelSpec, got {type(model_spec).__name__}.")
    if model_spec.name in REGISTRY and not replace:
        raise ValueError(f"A model named {model_spec.name!r} is already registered; pass replace=True to "
                         "redefine it or pick another name.")
    REGISTRY[model_spec.name] = model_spec
    return model_spec


def unregister(name: str) -> None:
    """Remove a model from the registry (used by tests that register toy models)."""
    REGISTRY.pop(name, None)


def names() -> list[str]:
    """The registered model names."""
    return list(REGISTRY)


def spec(name: str) -> ModelSpec:
    """The :class:`ModelSpec` of ``name``, or a clear error listing the registered models."""
    try:
        return REGISTRY[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown model {name!r}; choose one of {', '.join(REGISTRY)}.") from None


def build(name: str, scale: int, **config):
    """Build the registered model ``name`` for ``scale``; ``config`` goes to its builder."""
    return spec(name).resolve_builder()(scale=scale, **config)
