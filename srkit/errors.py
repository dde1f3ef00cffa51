"""Exceptions raised by srkit.

Every error srkit raises on bad input is a :class:`SrkitError`, and also a subclass of the built-in
exception a Python user would expect (``ValueError`` for a bad argument, ``FileNotFoundError`` for a
missing file), so ``except ValueError`` keeps working.  Each message names the problem and says what
to do about it.
"""

from __future__ import annotations

import math
import numbers

__all__ = ["SrkitError", "ImageReadError", "ImageTooLargeError", "DatasetNotFoundError", "ShapeError",
           "OptionalDependencyError", "InvalidValueError"]


class SrkitError(Exception):
    """Base class of every error srkit raises on purpose."""


class ImageReadError(SrkitError, ValueError):
    """A file could not be read as an image (not an image, empty, truncated, unsupported mode)."""


class ImageTooLargeError(ImageReadError):
    """An image has more pixels than the configured limit (a possible decompression bomb)."""


class DatasetNotFoundError(SrkitError, FileNotFoundError):
    """A dataset name or folder could not be found."""


class ShapeError(SrkitError, ValueError):
    """Arrays have shapes, dtypes or channel counts that do not fit together."""


class OptionalDependencyError(SrkitError, ImportError):
    """A feature needs a package that srkit does not install by default (e.g. OpenCV)."""


class InvalidValueError(SrkitError, ValueError):
    """An argument has the wrong type, is not finite, or is outside its accepted range (the message names
    the value, the rule and what to do)."""


# Argument checks shared by the kit's entry points (internal helpers, not part of the API): each failure is
# an InvalidValueError naming the argument, the value, the rule and what to do.
def check_int(name: str, value, *, low: int | None = None, high: int | None = None, allow_none: bool = False,
              hint: str = "") -> int | None:
    """``value`` as an ``int`` (a whole number, not a bool) in ``[low, high]``; ``None`` passes if allowed."""
    if value is None and allow_none:
        return None
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not ok and isinstance(value, numbers.Real) and not isinstance(value, bool):
        ok = math.isfinite(value) and float(value).is_integer()
    if not ok:
        raise InvalidValueError(f"{name} must be a whole number{_range(low, high)}, got {value!r}."
                                + (f" {hint}" if hint else ""))
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise InvalidValueError(f"{name} must be a whole number{_range(low, high)}, got {value}."
                                + (f" {hint}" if hint else ""))
    return value


def check_float(name: str, value, *, low: float | None = None, high: float | None = None,
                low_open: bool = False, allow_none: bool = False, hint: str = "") -> float | None:
    """``value`` as a finite ``float`` in ``[low, high]`` (``(low, high]`` with ``low_open``)."""
    if value is None and allow_none:
        return None
    rule = "a finite number" + _range(low, high, low_open)
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise InvalidValueError(f"{name} must be {rule}, got {value!r}." + (f" {hint}" if hint else ""))
    value = float(value)
    bad = not math.isfinite(value)
    if low is not None:
        bad = bad or (value <= low if low_open else value < low)
    if high is not None:
        bad = bad or value > high
    if bad:
        raise InvalidValueError(f"{name} must be {rule}, got {value!r}." + (f" {hint}" if hint else ""))
    return value


def check_choice(name: str, value, choices, *, allow_none: bool = False, hint: str = ""):
    """``value`` if it is one of ``choices``."""
    if value is None and allow_none:
        return None
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(c) for c in choices) + (" or None" if allow_none else "")
        raise InvalidValueError(f"{name} must be one of {listed}, got {value!r}." + (f" {hint}" if hint else ""))
    return value


def _range(low, high, low_open: bool = False) -> str:
    if low is not None and high is not None:
        return f" from {low} to {high}" if not low_open else f" > {low} and <= {high}"
    if low is not None:
        return f" > {low}" if low_open else f" >= {low}"
    if high is not None:
        return f" <= {high}"
    return ""
