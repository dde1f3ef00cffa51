"""The machine srkit runs on, and the smoke mode that keeps notebooks fast in CI.

Smoke mode is on when the environment variable ``SRKIT_SMOKE`` is set to ``1`` (``true``/``yes`` work
too).  Notebooks use :func:`pick` for every number that makes a cell slow (training steps, images)::

    steps = pick(full=3000, smoke=20)
"""

from __future__ import annotations

import os
import platform
import sys

__all__ = ["smoke_mode", "pick", "describe"]


def smoke_mode() -> bool:
    """True when ``SRKIT_SMOKE`` asks for tiny, fast runs (CI, quick checks)."""
    return os.environ.get("SRKIT_SMOKE", "").strip().lower() in ("1", "true", "yes", "on")


def pick(full, smoke):
    """``smoke`` in smoke mode, ``full`` otherwise."""
    return smoke if smoke_mode() else full


def describe(tensorflow: bool = True) -> dict:
    """Versions, CPU count and accelerators (a dict; also printed by ``srkit info``).

    ``tensorflow=False`` skips importing TensorFlow (which takes a few seconds).
    """
    info = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "smoke_mode": smoke_mode(),
    }
    try:
        import numpy

        info["numpy"] = numpy.__version__
    except ImportError:  # pragma: no cover - numpy is a dependency
        pass
    if tensorflow:
        import keras
        import tensorflow as tf

        info["tensorflow"] = tf.__version__
        info["keras"] = keras.__version__
        info["keras_backend"] = keras.backend.backend()
        gpus = tf.config.list_physical_devices("GPU")
        info["gpus"] = [g.name for g in gpus]
        info["device"] = "GPU" if gpus else "CPU"
    return info
