"""The machine srkit runs on, and the smoke mode that keeps notebooks fast in CI.

Smoke mode is on when the environment variable ``SRKIT_SMOKE`` is set to ``1`` (``true``/``yes`` work
too).  Notebooks use :func:`pick` for every number that makes a cell slow (training steps, images)::

    steps = pick(full=3000, smoke=20)

:func:`start` is the first call of every notebook: it loads TensorFlow without its start-up log lines and
prints one line saying what it found.
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import tempfile

__all__ = ["smoke_mode", "pick", "describe", "start", "cpu_model"]


def smoke_mode() -> bool:
    """True when ``SRKIT_SMOKE`` asks for tiny, fast runs (CI, quick checks)."""
    return os.environ.get("SRKIT_SMOKE", "").strip().lower() in ("1", "true", "yes", "on")


def pick(full, smoke):
    """``smoke`` in smoke mode, ``full`` otherwise."""
    return smoke if smoke_mode() else full


def cpu_model() -> str:
    """The processor's model name (from ``/proc/cpuinfo`` where there is one), for benchmark records."""
    from pathlib import Path

    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine()


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

        backend = keras.backend.backend()
        if backend == "tensorflow":
            import tensorflow as tf

            info["tensorflow"] = tf.__version__
        else:
            info[backend] = _version(backend)
        info["keras"] = keras.__version__
        info["keras_backend"] = backend
        gpus = _gpus(backend)
        info["gpus"] = [g.name for g in gpus]
        info["device"] = "GPU" if gpus else "CPU"
    return info


class _Device:
    """A found accelerator (``name`` as its backend calls it)."""

    def __init__(self, name: str):
        self.name = name


def _gpus(backend: str) -> list:
    """The GPUs Keras' backend can use: TensorFlow's physical devices, JAX's or PyTorch's CUDA devices.

    Only the active backend's library is asked, so a machine without TensorFlow (Keras on JAX) works."""
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.config.list_physical_devices("GPU")
    if backend == "jax":
        import jax

        return [_Device(str(d)) for d in jax.devices() if d.platform == "gpu"]
    if backend == "torch":
        import torch

        return [_Device(torch.cuda.get_device_name(i)) for i in range(torch.cuda.device_count())]
    return []


@contextlib.contextmanager
def _quiet_fd2():
    """Send what is written to file descriptor 2 (C-level stderr) to a temporary file while the block runs.

    Yields a function that returns what was captured so far (the text is kept so that an error can show it).
    fd 2 is always restored, also when the block raises.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    saved = os.dup(2)
    capture = tempfile.TemporaryFile()
    try:
        os.dup2(capture.fileno(), 2)

        def captured() -> str:
            capture.flush()
            capture.seek(0)
            return capture.read().decode("utf-8", "replace")

        yield captured
    finally:
        with contextlib.suppress(Exception):
            sys.stderr.flush()  # Python-level text written during the block goes where fd 2 pointed then
        os.dup2(saved, 2)
        os.close(saved)
        capture.close()


def _version(dist: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def start(tensorflow: bool = True) -> str:
    """Set up a notebook (or script): load TensorFlow quietly, print one line saying what was found, return it.

    Why: when TensorFlow's C++ library loads, it writes start-up lines to the process's stderr.  Some come
    before its log settings apply, so even ``TF_CPP_MIN_LOG_LEVEL=3`` does not stop them: "All log messages
    before absl::InitializeLog() is called are written to STDERR", "oneDNN custom operations are on" and
    "Could not find cuda drivers" (while ``import tensorflow`` runs).  At a lower level (a user's own
    setting) there are more: "This TensorFlow binary is optimized ..." (``cpu_feature_guard``, at import)
    and "failed call to cuInit" (at the first device query, ``tf.config.list_physical_devices``, on a
    machine without a working GPU).  C code writes them to file descriptor 2, which Python's ``sys.stderr``
    does not control and which Jupyter forwards into the notebook, where they look like errors and are the
    first thing a reader sees.

    So this function sets ``TF_CPP_MIN_LOG_LEVEL=3`` when it is unset (before TensorFlow loads), then
    points file descriptor 2 at a temporary file only while it imports TensorFlow and Keras and asks for
    the GPUs, and restores it afterwards, also on an error: nothing written after it returns is hidden.
    When the import fails, the ``ImportError`` is raised again with what was written during the import.

    With ``KERAS_BACKEND=jax`` (or ``torch``) TensorFlow is not imported at all: the line names that
    library's version and its GPUs instead (a GPU machine may have no TensorFlow).

    The printed line names the srkit, Keras (and its backend) and TensorFlow versions, the CPU cores, the
    GPUs found (or "no GPU") and whether smoke mode is on.  Calling it again is harmless (TensorFlow is
    loaded once; the line is printed again).  ``tensorflow=False`` loads nothing: versions come from the
    installed packages' metadata and GPUs are not looked for.
    """
    from . import __version__

    if not os.environ.get("TF_CPP_MIN_LOG_LEVEL"):
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    parts = [f"srkit {__version__}"]
    if tensorflow:
        with _quiet_fd2() as captured:
            try:
                import keras

                backend = keras.backend.backend()
                if backend == "tensorflow":
                    import tensorflow as tf
                gpus = _gpus(backend)  # the CUDA probe ("failed call to cuInit")
            except ImportError as err:
                written = captured().strip()
                error = err
            else:
                error = None
        if error is not None:
            detail = f"\nWhat the import wrote to stderr:\n{written}" if written else ""
            raise ImportError(f"srkit.env.start: TensorFlow/Keras could not be imported ({error}). Install the "
                              f"kit with its dependencies (`make lab`, or `pip install -e .` in the Python that "
                              f"runs this kernel or script)."
                              f"{detail}") from error
        parts.append(f"Keras {keras.__version__} ({backend} backend)")
        if backend == "tensorflow":
            parts.append(f"TensorFlow {tf.__version__}")
        else:
            parts.append(f"{backend.upper() if backend == 'jax' else backend} {_version(backend) or '?'}")
    else:
        parts += [f"Keras {_version('keras') or 'not installed'}",
                  f"TensorFlow {_version('tensorflow') or 'not installed'} (not loaded)"]
    parts.append(f"{os.cpu_count()} CPU cores")
    if tensorflow:
        parts.append(f"GPU: {', '.join(g.name for g in gpus)}" if gpus else "no GPU")
    else:
        parts.append("GPUs not checked")
    parts.append(f"smoke mode {'on' if smoke_mode() else 'off'}")
    line = " | ".join(parts)
    print(line, flush=True)
    return line
