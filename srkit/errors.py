"""Exceptions raised by srkit.

Every error srkit raises on bad input is a :class:`SrkitError`, and also a subclass of the built-in
exception a Python user would expect (``ValueError`` for a bad argument, ``FileNotFoundError`` for a
missing file), so ``except ValueError`` keeps working.  Each message names the problem and says what
to do about it.
"""

from __future__ import annotations


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
