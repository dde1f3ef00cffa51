"""What counts as an upscaler, and turning a name, a model or a function into one.

An *upscaler* is anything that turns an LR image into an SR image, ``f(lr_uint8, scale) -> sr``, returning
a uint8 image or a float image in [0, 1]:

* the name of a classical interpolation: ``'bicubic'`` (the papers' baseline), ``'nearest'``,
  ``'bilinear'``, ``'lanczos2'``, ``'lanczos3'``;
* a Keras model (see :class:`srkit.infer.KerasUpscaler` for the conventions it follows);
* the name of a pretrained model in :mod:`srkit.zoo`;
* any callable ``f(lr_uint8, scale) -> sr``.

:func:`as_upscaler` is what :mod:`srkit.evaluate` and :mod:`srkit.scoring` use to accept all of these.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from . import degrade, zoo
from .errors import InvalidValueError
from .infer import InterpolationUpscaler, KerasUpscaler

__all__ = ["Upscaler", "as_upscaler"]

#: The type of an upscaler: ``f(lr_uint8, scale) -> sr``.
Upscaler = Callable[[np.ndarray, int], np.ndarray]


def as_upscaler(obj) -> Upscaler:
    """Turn a name, a Keras model or a callable into an upscaler ``f(lr, scale) -> sr``.

    Names are looked up as interpolations first, then in :mod:`srkit.zoo` (pretrained models).
    Raises ``ValueError`` for an unknown name and ``TypeError`` for anything else that is not callable.
    """
    if isinstance(obj, str):
        if obj in degrade.INTERPOLATIONS:
            return InterpolationUpscaler(obj)
        names = sorted({n for n, _ in zoo.available()})
        if obj in names:
            return zoo.upscaler(obj)
        raise InvalidValueError(
            f"Unknown upscaler {obj!r}. Use an interpolation ({', '.join(degrade.INTERPOLATIONS)}), a "
            f"pretrained model ({', '.join(names) or 'none installed'}), a Keras model, or a callable f(lr, scale) -> sr."
        )
    if hasattr(obj, "input_shape") and hasattr(obj, "predict"):
        return KerasUpscaler(obj)
    if callable(obj):
        return obj
    raise TypeError(f"Cannot use {type(obj).__name__} as an upscaler; pass a name, a Keras model or a callable.")
