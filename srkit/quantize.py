"""Post-training int8 quantisation of SR models, and what it costs in quality and gains in size and speed.

A trained Keras SR model stores every weight as a 32-bit float.  *Post-training quantisation* stores the
weights as 8-bit integers and runs the convolutions in integer arithmetic: each tensor ``x`` is represented
as ``scale * (q - zero_point)`` with ``q`` an int8.  Weight scales are read off the weights; activation scales
need the range each activation takes on real inputs, measured by running a *calibration set* (a
representative dataset of LR training patches, never a benchmark image) through the network.

* :func:`float_tflite` and :func:`int8_tflite` convert a luma (1-channel, [0, 1] in and out) SR model, such as
  ``srkit.zoo.load("espcn", 3)``, to a TFLite flatbuffer with a fixed ``input_size x input_size`` input:
  float32 throughout, or int8 weights and activations (``tf.lite.OpsSet.TFLITE_BUILTINS_INT8``) with float32
  input and output (a QUANTIZE op at the start and a DEQUANTIZE at the end), so the upscaler feeds and reads
  floats.  :func:`calibration_patches` makes the calibration set.
* :class:`TFLiteUpscaler` runs a flatbuffer as an upscaler ``f(lr, scale) -> sr`` that
  :func:`srkit.evaluate.evaluate` scores with the kit's one protocol: Y through the network, tile by tile
  (windows of exactly the converted size, overlapping so the result has no seams), the colour (Cb, Cr)
  from bicubic, as :class:`srkit.infer.KerasUpscaler` does for luma models.
* :func:`tflite_ops` lists the operators of a flatbuffer and the type they compute in (which ops really
  are int8); :func:`tflite_latency_ms` times one forward pass.
* :func:`quantization_report` puts it together: PSNR/SSIM of the Keras model, the float TFLite and the int8
  TFLite on benchmark sets, file sizes and CPU latency, as one table.

Why a fixed input size: the converter needs static shapes for the models with a bilinear skip (EDSR's
``UpSampling2D``) or a transposed convolution (FSRCNN), whose output size is a constant in the flatbuffer, so
an interpreter's ``resize_tensor_input`` cannot change it.  Images are therefore run in windows of the
converted size; an image smaller than a window is extended by repeating its edge pixels and the result
cropped (near its border it then differs slightly from the Keras model run on the image itself).

The interpreter is ``ai_edge_litert``'s when that package is installed, else ``tf.lite.Interpreter`` (still
in TensorFlow 2.21, which warns that it is deprecated in favour of ``ai_edge_litert``; the warning is
silenced here).
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from . import degrade
from .color import rgb_to_y, to_uint8
from .errors import InvalidValueError, ShapeError, SrkitError, check_int

__all__ = ["calibration_patches", "float_tflite", "int8_tflite", "tflite_ops", "tflite_latency_ms",
           "TFLiteUpscaler", "quantization_report", "DEFAULT_INPUT_SIZE", "RUNTIME"]

#: Side (LR pixels) of the square input the flatbuffers are converted for, unless told otherwise.
DEFAULT_INPUT_SIZE = 64

#: Operators that only move data between float and int8 (they are in every int8 model with float I/O).
_CONVERSION_OPS = {"QUANTIZE", "DEQUANTIZE"}


def _interpreter_class():
    try:  # the maintained runtime, when installed
        from ai_edge_litert.interpreter import Interpreter

        return Interpreter, "ai_edge_litert"
    except ImportError:
        import tensorflow as tf

        return tf.lite.Interpreter, "tf.lite"


def _runtime() -> str:
    return _interpreter_class()[1]


def __getattr__(name):
    if name == "RUNTIME":  # computed on first use: finding it imports TensorFlow
        return _runtime()
    raise AttributeError(f"module 'srkit.quantize' has no attribute {name!r}")


def _interpreter(content: bytes, num_threads: int | None = None):
    """An allocated interpreter for a flatbuffer (``num_threads``: default, every logical CPU)."""
    cls, _ = _interpreter_class()
    threads = (os.cpu_count() or 1) if num_threads is None else check_int("num_threads", num_threads, low=1)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"(?s).*tf\.lite\.Interpreter is deprecated")
        try:
            interp = cls(model_content=bytes(content), num_threads=threads)
            interp.allocate_tensors()
        except (ValueError, RuntimeError) as e:
            raise InvalidValueError(f"These bytes are not a TFLite model the interpreter can load ({e}). Pass what "
                                    "float_tflite or int8_tflite returned, or the path of a .tflite file.") from e
    return interp


# --------------------------------------------------------------------------------------------------
# Conversion
# --------------------------------------------------------------------------------------------------
def _check_model(model, scale: int):
    """The model's input channel count, after checking it is a luma post-upsampling Keras model at ``scale``."""
    import keras

    if not isinstance(model, keras.Model):
        raise InvalidValueError(f"Expected a Keras SR model, got {type(model).__name__}. Load one with "
                                "srkit.zoo.load('espcn', 3) or build one with srkit.models.build(...).")
    shape = model.input_shape
    if isinstance(shape, list) or len(shape) != 4:
        raise ShapeError(f"Model {model.name!r} takes input of shape {shape}; quantisation here is for "
                         "single-image models taking (batch, H, W, 1).")
    if shape[-1] != 1:
        raise ShapeError(f"Model {model.name!r} takes {shape[-1]} channels; the TFLite path here is for luma models "
                         "(1 channel: the Y of the image, colour from bicubic). Use a Y model such as "
                         "srkit.zoo.load('espcn', 3).")
    out = model(np.zeros((1, 12, 12, 1), np.float32), training=False)
    if tuple(out.shape[1:3]) != (12 * scale, 12 * scale):
        raise ShapeError(f"Model {model.name!r} turns a 12x12 input into {out.shape[1]}x{out.shape[2]}, not x{scale}: "
                         f"pass the model trained for x{scale} (pre-upsampling models such as SRCNN are not supported "
                         "here: they run on the bicubic-upscaled image).")


def calibration_patches(scale: int, size: int = DEFAULT_INPUT_SIZE, count: int = 32, seed: int = 0,
                        source=None, limit: int | None = None) -> np.ndarray:
    """A calibration set: ``count`` LR luma patches of ``size x size`` from the kit's training images.

    Patches are drawn by :func:`srkit.pipeline.make_sampler` (bicubic LR at ``scale``, random flips and
    rotations, Y channel in [0, 1]) as :meth:`~srkit.pipeline.PatchSampler.batch_at` ``(seed, 0, count)``, so
    the same arguments give the same patches.  Benchmark images are never used: calibrating on the test set
    would tune the quantisation to it.

    Args:
        scale: the model's upscaling factor (the LR patches are downsampled by it).
        size: patch side in LR pixels (training images too small for it are skipped; at x4 the largest
            training LR images are 120x80, so ``size`` <= 80).
        count: number of patches (32 by default; a few hundred change the ranges little).
        seed: which patches.
        source: training set names or a list of uint8 images (default: the kit's T91 and BSD200).
        limit: only the first ``limit`` images of each named set (quick checks).

    Returns:
        float32 array ``(count, size, size, 1)``.
    """
    from .data import TRAINING_SETS
    from .pipeline import make_sampler

    scale = check_int("scale", scale, low=1)
    size = check_int("size", size, low=1)
    count = check_int("count", count, low=1)
    sampler = make_sampler(TRAINING_SETS if source is None else source, scale=scale, patch_size=size,
                           channels="y", augment=True, limit=limit)
    lr, _ = sampler.batch_at(seed, 0, count)
    return np.ascontiguousarray(lr, dtype=np.float32)


def _as_calibration(calibration, scale: int, size: int) -> np.ndarray:
    if calibration is None:
        return calibration_patches(scale, min(size, 64))
    if hasattr(calibration, "batch_at"):  # a PatchSampler
        return np.asarray(calibration.batch_at(0, 0, 32)[0], np.float32)
    a = np.asarray(calibration)
    if a.ndim == 3:
        a = a[..., None]
    if a.ndim != 4 or a.shape[-1] != 1 or a.shape[0] < 1:
        raise ShapeError(f"calibration must be luma patches of shape (N, h, w, 1) (or (N, h, w)), got {a.shape}. "
                         "Make them with calibration_patches(scale, size).")
    if not np.issubdtype(a.dtype, np.floating):
        raise ShapeError(f"calibration must hold floats in [0, 1] (the model's input), got dtype {a.dtype}.")
    if a.shape[1] > size or a.shape[2] > size:
        raise ShapeError(f"calibration patches are {a.shape[1]}x{a.shape[2]}, larger than the {size}x{size} input "
                         "the model is converted for: crop them, or convert for a larger input_size.")
    if not np.all(np.isfinite(a)) or a.min() < 0 or a.max() > 1:
        raise InvalidValueError("calibration patches must be finite values in [0, 1] (the model's input range).")
    return a.astype(np.float32)


def _to_window(patch: np.ndarray, size: int) -> np.ndarray:
    """A ``(h, w, 1)`` patch mirrored out to ``(size, size, 1)`` (no new edges, the same pixel statistics)."""
    h, w = patch.shape[:2]
    if (h, w) == (size, size):
        return patch
    return np.pad(patch, ((0, size - h), (0, size - w), (0, 0)), mode="symmetric")


def _convert(model, scale: int, input_size: int, calibration=None, int8: bool = False) -> bytes:
    import keras
    import tensorflow as tf

    scale = check_int("scale", scale, low=1)
    input_size = check_int("input_size", input_size, low=1, hint="Use e.g. 64 (LR pixels).")
    _check_model(model, scale)
    inp = keras.Input((input_size, input_size, 1), batch_size=1, name="lr")
    fixed = keras.Model(inp, model(inp), name=f"{model.name}_fixed")
    data = _as_calibration(calibration, scale, input_size) if int8 else None
    with tempfile.TemporaryDirectory(prefix="srkit-tflite-") as tmp:
        # Keras 3 writes a SavedModel the converter reads; from_keras_model does the same but prints a summary
        with contextlib.redirect_stdout(io.StringIO()):
            fixed.export(tmp, format="tf_saved_model", verbose=False,
                         input_signature=[tf.TensorSpec((1, input_size, input_size, 1), tf.float32)])
        converter = tf.lite.TFLiteConverter.from_saved_model(tmp)
        if int8:
            def representative():
                for patch in data:
                    yield [_to_window(patch, input_size)[None]]

            converter.optimizations = [tf.lite.Optimize.DEFAULT]
            converter.representative_dataset = representative
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.filterwarnings("ignore", message="Statistics for quantized inputs were expected")
            try:
                return bytes(converter.convert())
            except Exception as e:  # the converter names the operators it could not quantise
                kind = "int8 (TFLITE_BUILTINS_INT8)" if int8 else "float32 TFLite"
                raise SrkitError(f"Converting {model.name!r} to {kind} failed: {type(e).__name__}: {e}. Some layer "
                                 "of the model has no TFLite (int8) kernel; the message above names it.") from e


def float_tflite(model, scale: int, input_size: int = DEFAULT_INPUT_SIZE) -> bytes:
    """The model as a float32 TFLite flatbuffer with a fixed ``(1, input_size, input_size, 1)`` input.

    The same function as the Keras model (to float rounding), in the same runtime as :func:`int8_tflite`, so
    the two compare fairly.  ``model`` must be a luma SR model (1 channel in and out, [0, 1]) that upscales by
    ``scale``; anything else is refused with what to do.

        >>> flat = float_tflite(zoo.load("espcn", 3), 3)          # doctest: +SKIP
        >>> Path("espcn_x3.tflite").write_bytes(flat)             # doctest: +SKIP
    """
    return _convert(model, scale, input_size, int8=False)


def int8_tflite(model, scale: int, calibration=None, input_size: int = DEFAULT_INPUT_SIZE) -> bytes:
    """The model fully quantised to int8 (weights and activations), as a TFLite flatbuffer with a fixed
    ``(1, input_size, input_size, 1)`` float32 input and float32 output.

    Args:
        model: a luma SR model (1 channel, [0, 1] in and out) that upscales by ``scale``.
        scale: its upscaling factor.
        calibration: the representative dataset the activation ranges are measured on: float32 luma patches
            ``(N, h, w, 1)`` in [0, 1] no larger than ``input_size`` (smaller ones are mirrored out to it), or a
            :class:`srkit.pipeline.PatchSampler` (its batch ``(0, 0)`` of 32), or ``None`` (default:
            :func:`calibration_patches` ``(scale, min(input_size, 64))``, 32 training patches).  Never use
            benchmark images.
        input_size: side of the square input in LR pixels (a :class:`TFLiteUpscaler` runs images in windows
            of this size).

    Only int8 kernels are allowed (``TFLITE_BUILTINS_INT8``): a layer without one makes the conversion fail
    with a :class:`~srkit.errors.SrkitError` naming it.  Use :func:`tflite_ops` to see the type each
    operator computes in.  PixelShuffle (``DEPTH_TO_SPACE``), ``Conv2DTranspose`` (``TRANSPOSE_CONV``), PReLU,
    tanh, ReLU, ``Add`` and bilinear ``UpSampling2D`` (``RESIZE_BILINEAR``) all have int8 kernels.

        >>> flat = int8_tflite(zoo.load("espcn", 3), 3)           # doctest: +SKIP
        >>> len(flat)                                             # about a third of float_tflite's
    """
    return _convert(model, scale, input_size, calibration=calibration, int8=True)


def _content(model) -> bytes:
    if isinstance(model, (bytes, bytearray, memoryview)):
        return bytes(model)
    if isinstance(model, (str, os.PathLike)):
        path = Path(model)
        if not path.is_file():
            raise InvalidValueError(f"No TFLite file at {path}. Save one with Path(...).write_bytes(int8_tflite(...)).")
        return path.read_bytes()
    raise InvalidValueError(f"Expected a TFLite flatbuffer (bytes, as int8_tflite returns) or the path of a .tflite "
                            f"file, got {type(model).__name__}. Convert a Keras model with int8_tflite or float_tflite.")


def tflite_ops(model) -> list[dict]:
    """The operators of a flatbuffer (bytes or path), one dict per operator in execution order:
    ``op`` (e.g. ``'CONV_2D'``), ``inputs`` (the types of its inputs, e.g. ``('int8', 'int8', 'int32')`` for an
    int8 convolution: activations, weights, bias) and ``output`` (the type it produces).

    In a fully-int8 model every operator works on int8 tensors, except the first QUANTIZE (float32 -> int8),
    the last DEQUANTIZE (int8 -> float32), int32 biases and shape constants.

        >>> {o["op"]: o["output"] for o in tflite_ops(int8_tflite(zoo.load("espcn", 3), 3))}  # doctest: +SKIP
        {'QUANTIZE': 'int8', 'CONV_2D': 'int8', 'DEPTH_TO_SPACE': 'int8', 'DEQUANTIZE': 'float32'}

    (The zoo's ESPCN uses ReLU, which the converter fuses into ``CONV_2D``; the paper's tanh would add a
    ``TANH`` operator, also int8.)
    """
    cls, _ = _interpreter_class()
    content = _content(model)
    kwargs = {}
    try:
        import tensorflow as tf

        if cls is tf.lite.Interpreter:  # without XNNPACK, which would hide the ops it takes over
            kwargs["experimental_op_resolver_type"] = tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
    except ImportError:
        pass
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"(?s).*tf\.lite\.Interpreter is deprecated")
        try:
            interp = cls(model_content=content, **kwargs)
            interp.allocate_tensors()
        except (ValueError, RuntimeError) as e:
            raise InvalidValueError(f"These bytes are not a TFLite model the interpreter can load ({e}).") from e
    dtypes = {t["index"]: np.dtype(t["dtype"]).name for t in interp.get_tensor_details()}
    rows = []
    for op in interp._get_ops_details():  # the interpreter's only listing of its operators
        ins = [i for i in op["inputs"] if i >= 0]
        outs = [i for i in op["outputs"] if i >= 0]
        rows.append({"op": op["op_name"], "inputs": tuple(dtypes.get(i) for i in ins),
                     "output": dtypes.get(outs[0]) if outs else None})
    return rows


def _float_ops(model) -> list[str]:
    """Operators of a flatbuffer that compute in float32 (QUANTIZE/DEQUANTIZE, which convert, aside)."""
    return sorted({o["op"] for o in tflite_ops(model) if o["op"] not in _CONVERSION_OPS
                   and (o["output"] == "float32" or "float32" in o["inputs"])})


def tflite_latency_ms(model, repeats: int = 5, warmup: int = 3, num_threads: int | None = None) -> float:
    """Median wall time (ms) of one forward pass of a flatbuffer (bytes or path) on its input size, after
    ``warmup`` untimed passes, with ``num_threads`` threads (default: every logical CPU, as TensorFlow uses
    for the Keras model).  The network alone: no tiling, colour or bicubic.  It depends on the machine and
    what else runs on it; compare numbers from one run."""
    repeats = check_int("repeats", repeats, low=1)
    warmup = check_int("warmup", warmup, low=0)
    interp = _interpreter(_content(model), num_threads)
    inp = interp.get_input_details()[0]
    x = np.random.default_rng(0).random(tuple(inp["shape"]), dtype=np.float32).astype(inp["dtype"])
    interp.set_tensor(inp["index"], x)
    for _ in range(warmup):
        interp.invoke()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        interp.invoke()
        times.append(time.perf_counter() - t)
    return float(np.median(times) * 1000)


# --------------------------------------------------------------------------------------------------
# Running a flatbuffer as an upscaler
# --------------------------------------------------------------------------------------------------
class TFLiteUpscaler:
    """A TFLite luma SR model as an upscaler ``f(lr, scale) -> sr`` (uint8), for :func:`srkit.evaluate.evaluate`.

    The Y channel (BT.601, as :class:`srkit.infer.KerasUpscaler` computes it) goes through the network; the
    colour (Cb, Cr) comes from the bicubic upscale (:func:`srkit.infer.bicubic_upscale`), and a grey image is
    fed as it is.  The network's input has a fixed size ``n x n``, so the image is processed in windows of
    exactly that size (:func:`srkit.infer.predict_tiled` with ``window=n``): each keeps its central
    ``n - 2 * overlap`` pixels, the windows overlap by ``overlap`` pixels of context on every side (fewer at
    the image's border, where the network's own zero padding applies, as for the whole image).  When
    ``overlap`` covers half the model's receptive field (:func:`srkit.interpret.receptive_field`) the result
    equals running the network on the whole image.  An image with a side shorter than ``n`` is extended by
    repeating its edge pixels and the result cropped.

    Args:
        model: the flatbuffer (bytes from :func:`int8_tflite` or :func:`float_tflite`) or a ``.tflite`` path.
            It must take one float32 ``(1, n, n, 1)`` input and return ``(1, s*n, s*n, 1)``.
        name: a label for tables (default ``'tflite'``).
        overlap: LR pixels of context around each window's kept part (default ``n // 4``); ``n - 2 * overlap``
            must be at least 1.
        num_threads: interpreter threads (default: every logical CPU).

    Inputs: uint8 or float in [0, 1], grey or RGB, any size; anything else is refused with what to do.
    """

    def __init__(self, model, name: str = "tflite", overlap: int | None = None, num_threads: int | None = None):
        self.content = _content(model)
        self.name = name
        self._interp = _interpreter(self.content, num_threads)
        ins, outs = self._interp.get_input_details(), self._interp.get_output_details()
        if len(ins) != 1 or len(outs) != 1:
            raise ShapeError(f"The TFLite model has {len(ins)} inputs and {len(outs)} outputs; an SR model has one of each.")
        self._in, self._out = ins[0], outs[0]
        shape, out_shape = tuple(int(v) for v in self._in["shape"]), tuple(int(v) for v in self._out["shape"])
        sig = tuple(int(v) for v in self._in.get("shape_signature", self._in["shape"]))
        if len(shape) != 4 or shape[0] != 1 or shape[1] != shape[2] or shape[3] != 1 or min(sig[1:]) < 1:
            raise ShapeError(f"The TFLite model takes input of shape {sig}; TFLiteUpscaler runs luma models with a "
                             "fixed square input (1, n, n, 1), as float_tflite and int8_tflite make.")
        if self._in["dtype"] != np.float32 or self._out["dtype"] != np.float32:
            raise ShapeError(f"The TFLite model's input/output are {np.dtype(self._in['dtype']).name}/"
                             f"{np.dtype(self._out['dtype']).name}; TFLiteUpscaler needs float32 input and output "
                             "(int8_tflite keeps them float32 and quantises everything inside).")
        self.input_size = shape[1]
        if len(out_shape) != 4 or out_shape[1] % shape[1] or out_shape[1] != out_shape[2] or out_shape[3] != 1:
            raise ShapeError(f"The TFLite model turns {shape} into {out_shape}: not a luma SR model with one whole "
                             "upscaling factor.")
        self.scale = out_shape[1] // shape[1]
        n = self.input_size
        self.overlap = n // 4 if overlap is None else check_int("overlap", overlap, low=0)
        if n - 2 * self.overlap < 1:
            raise InvalidValueError(f"overlap={self.overlap} leaves nothing of a {n}x{n} window (it needs "
                                    f"n - 2 * overlap >= 1): use overlap <= {(n - 1) // 2}, or convert for a larger "
                                    "input_size.")

    def forward(self, y: np.ndarray) -> np.ndarray:
        """The network's output for one ``(n, n)`` float32 luma window in [0, 1]: float32 ``(s*n, s*n)``."""
        self._interp.set_tensor(self._in["index"], np.ascontiguousarray(y, np.float32)[None, :, :, None])
        self._interp.invoke()
        return self._interp.get_tensor(self._out["index"])[0, :, :, 0].copy()

    def luma(self, y: np.ndarray) -> np.ndarray:
        """The SR luma of a float32 ``(H, W)`` luma image in [0, 1], any size: float32 ``(s*H, s*W)``."""
        from .infer import predict_tiled

        n, h, w = self.input_size, y.shape[0], y.shape[1]
        pad_y, pad_x = max(0, n - h), max(0, n - w)
        if pad_y or pad_x:  # a network pads with zeros; repeating the edge pixels does not darken the border
            y = np.pad(y, ((0, pad_y), (0, pad_x)), mode="edge")
        out = predict_tiled(lambda rows, cols: self.forward(y[rows, cols]), y.shape, tile=n - 2 * self.overlap,
                            overlap=self.overlap, window=n)
        return out[:h * self.scale, :w * self.scale]

    def __call__(self, lr: np.ndarray, scale: int) -> np.ndarray:
        from .color import replace_y_uint8
        from .infer import _bicubic_values, _in_row_chunks, network_input

        scale = degrade._check_scale(scale)
        if scale != self.scale:
            raise ShapeError(f"This TFLite model upscales x{self.scale}, not x{scale}: convert the model trained for "
                             f"x{scale}.")
        img = network_input(lr, scale, self.name)
        if img.shape[2] == 1:
            y = self.luma(img[..., 0].astype(np.float32) / np.float32(255.0))
            return to_uint8(y)[..., None]
        y = self.luma(rgb_to_y(img.astype(np.float32)) / np.float32(255.0))
        bic = _bicubic_values(img, scale)
        return _in_row_chunks(replace_y_uint8, bic, y * np.float32(255.0))

    def __repr__(self) -> str:
        return f"TFLiteUpscaler({self.name!r}, x{self.scale}, {self.input_size}x{self.input_size})"


# --------------------------------------------------------------------------------------------------
# The measurement
# --------------------------------------------------------------------------------------------------
def _keras_bytes(model) -> int:
    with tempfile.TemporaryDirectory(prefix="srkit-keras-") as tmp:
        path = Path(tmp) / "model.keras"
        model.save(path)
        return path.stat().st_size


def quantization_report(model, scale: int, datasets=("Set5", "Set14"), input_size: int = DEFAULT_INPUT_SIZE,
                        overlap: int | None = None, calibration=None, latency_size: int = 128, repeats: int = 5,
                        num_threads: int | None = None, name: str | None = None, limit: int | None = None):
    """What int8 quantisation does to one model: quality, size and speed of the Keras model, its float32
    TFLite and its int8 TFLite, as a pandas DataFrame with one row per (variant, dataset).

    Columns: ``model``, ``variant`` (``'keras'``, ``'tflite_float32'``, ``'tflite_int8'``), ``scale``,
    ``dataset``, ``psnr``, ``ssim`` (:func:`srkit.evaluate.evaluate`, the kit's protocol), ``delta_psnr``
    (minus the Keras model's PSNR on the same set), ``bytes`` (the ``.keras`` file the model saves to, or the
    flatbuffer), ``latency_ms`` (one forward pass of the network alone on a ``latency_size`` square LR input:
    :func:`srkit.profile.latency_ms` for Keras, :func:`tflite_latency_ms` for the flatbuffers, converted again
    at that size for it; median of ``repeats`` after a warm-up), ``input_size`` and ``overlap`` (the windows
    the flatbuffers are evaluated in) and ``float_ops`` (operators of the flatbuffer that compute in
    float32 besides QUANTIZE/DEQUANTIZE; empty for a fully-int8 model).

    Args:
        model: a luma SR model at ``scale`` (e.g. ``srkit.zoo.load("espcn", 3)``).
        datasets: benchmark sets to score on.
        input_size, calibration: see :func:`int8_tflite`.
        overlap: see :class:`TFLiteUpscaler` (default: half the model's receptive field,
            :func:`srkit.interpret.receptive_field`, plus one, at most ``input_size // 4`` so a window keeps
            half its side; for EDSR (receptive field 68) in 64-pixel windows that is 16 pixels, whose seams
            changed the float32 output by under 4e-6 against the Keras model in the kit's measurements).
        limit: only the first ``limit`` images of each set (quick checks).

        >>> quantization_report(zoo.load("espcn", 3), 3)[["variant", "dataset", "psnr", "bytes", "latency_ms"]]  # doctest: +SKIP
    """
    import pandas as pd

    from .evaluate import evaluate
    from .interpret import receptive_field
    from .profile import latency_ms

    scale = check_int("scale", scale, low=1)
    name = name or model.name
    data = _as_calibration(calibration, scale, input_size) if calibration is not None else \
        calibration_patches(scale, min(input_size, 64))
    if overlap is None:
        overlap = min(receptive_field(model) // 2 + 1, input_size // 4)
    variants = {"keras": (model, _keras_bytes(model), latency_ms(model, (latency_size, latency_size), repeats))}
    for variant, int8 in (("tflite_float32", False), ("tflite_int8", True)):
        flat = _convert(model, scale, input_size, data, int8)
        timed = flat if latency_size == input_size else _convert(model, scale, latency_size, data, int8)
        up = TFLiteUpscaler(flat, name=f"{name}_{variant}", overlap=overlap, num_threads=num_threads)
        variants[variant] = (up, len(flat), tflite_latency_ms(timed, repeats, num_threads=num_threads))
        variants[variant] += (_float_ops(flat),)
    rows = []
    for variant, entry in variants.items():
        table = evaluate(entry[0], list(datasets), [scale], limit=limit)
        for rec in table.to_dict(orient="records"):
            rows.append({"model": name, "variant": variant, "scale": scale, "dataset": rec["dataset"],
                         "psnr": float(rec["psnr"]), "ssim": float(rec["ssim"]), "bytes": int(entry[1]),
                         "latency_ms": float(entry[2]), "input_size": None if variant == "keras" else input_size,
                         "overlap": None if variant == "keras" else overlap,
                         "float_ops": ",".join(entry[3]) if variant != "keras" else ""})
    out = pd.DataFrame(rows)
    keras_psnr = out[out.variant == "keras"].set_index("dataset")["psnr"]
    out["delta_psnr"] = out["psnr"] - out["dataset"].map(keras_psnr)
    return out
