"""Colour and quantisation: the one place srkit converts RGB to luma and floats to 8-bit pixels.

* **Luma.**  ITU-R BT.601 in *studio swing*, the convention of every SR paper since SRCNN:
  ``Y = 16 + 65.481 R + 128.553 G + 24.966 B`` with ``R, G, B`` in ``[0, 1]``, so ``Y`` lies in ``[16, 235]``.
  Functions here work on the 0-255 scale and keep floats (no rounding), as the scoring protocol needs.
* **Full YCbCr.**  :func:`rgb_to_ycbcr` and :func:`ycbcr_to_rgb` are scikit-image's conversions (same
  convention); Y alone (:func:`rgb_to_y`, :func:`replace_y`) is one matrix product here, several times
  faster than converting all three channels, because training and inference call it on every image.
* **Quantisation.**  Floats in ``[0, 1]`` become uint8 by ``floor(255 x + 0.5)`` clipped to ``[0, 255]``
  (MATLAB's ``im2uint8``), which is what saving an SR output as PNG does before it is scored.
"""

from __future__ import annotations

import numpy as np

from .errors import ShapeError

__all__ = ["Y_COEFFS", "Y_OFFSET", "rgb_to_y", "replace_y", "replace_y_uint8", "rgb_to_ycbcr", "ycbcr_to_rgb", "to_uint8", "round_255"]

#: BT.601 studio-swing luma coefficients for R, G, B in [0, 1] (output in [16, 235]).
Y_COEFFS = (65.481, 128.553, 24.966)
Y_OFFSET = 16.0


def rgb_to_y(rgb_255: np.ndarray) -> np.ndarray:
    """BT.601 studio-swing luma of an (..., 3) array on the 0-255 scale; result on the 0-255 scale.

    The result keeps the input's float precision (float32 stays float32; integers become float64).
    """
    a = np.asarray(rgb_255)
    if a.shape[-1] != 3:
        raise ShapeError(f"rgb_to_y needs an RGB array (last axis 3), got shape {a.shape}.")
    if not np.issubdtype(a.dtype, np.floating):
        a = a.astype(np.float64)
    return Y_OFFSET + a @ (np.asarray(Y_COEFFS, a.dtype) / 255.0)


def replace_y(rgb_uint8: np.ndarray, y_255: np.ndarray) -> np.ndarray:
    """Swap the BT.601 luma of an RGB image for ``y_255`` (0-255 scale); returns float32 RGB in [0, 1].

    This is how a luma-only SR model colours its output: Cb and Cr come from the bicubic upscale and Y
    from the network.  Since RGB -> YCbCr is affine, replacing Y adds ``(Y_new - Y_old)`` times the first
    column of the inverse matrix, which is ``(1, 1, 1) * 255/219``: every channel moves by the same amount.
    """
    rgb = np.asarray(rgb_uint8, np.float32)
    delta = (np.asarray(y_255, np.float32) - rgb_to_y(rgb)) * np.float32(255.0 / 219.0)
    out = rgb + delta[..., None]
    out *= np.float32(1.0 / 255.0)
    return np.clip(out, 0.0, 1.0, out=out)


def replace_y_uint8(rgb: np.ndarray, y_255: np.ndarray) -> np.ndarray:
    """``to_uint8(replace_y(rgb, y_255))`` with one float32 buffer instead of several: the same uint8 result.

    ``rgb`` holds whole numbers 0-255 (uint8, or float32 with integer values); ``y_255`` is float on the
    0-255 scale.  Used on the inference path, where the colour of every output pixel goes through it.
    """
    y = np.asarray(y_255, np.float32)
    if not np.all(np.isfinite(y)):
        raise ShapeError("The image contains NaN or infinite values; it cannot be quantised.")
    out = np.array(rgb, np.float32)
    delta = (y - rgb_to_y(out)) * np.float32(255.0 / 219.0)
    out += delta[..., None]
    out *= np.float32(1.0 / 255.0)
    np.clip(out, 0.0, 1.0, out=out)
    out *= np.float32(255.0)
    out += np.float32(0.5)
    np.floor(out, out=out)
    return out.astype(np.uint8)


def rgb_to_ycbcr(rgb) -> np.ndarray:
    """BT.601 studio-swing YCbCr of an RGB image (uint8, or float in [0, 1]); float64 on the 0-255 scale.

    ``Y`` lies in ``[16, 235]``, ``Cb`` and ``Cr`` in ``[16, 240]``.  This is
    ``skimage.color.rgb2ycbcr``; its ``Y`` equals :func:`rgb_to_y` of the same pixels.
    """
    from skimage.color import rgb2ycbcr

    a = np.asarray(rgb)
    if a.ndim < 2 or a.shape[-1] != 3:
        raise ShapeError(f"rgb_to_ycbcr needs an RGB image (last axis 3), got shape {a.shape}.")
    if a.dtype != np.uint8 and not np.issubdtype(a.dtype, np.floating):
        raise ShapeError(f"rgb_to_ycbcr needs a uint8 or float (0-1) image, got dtype {a.dtype}.")
    return rgb2ycbcr(a.astype(np.float64) / 255.0 if a.dtype == np.uint8 else a.astype(np.float64))


def ycbcr_to_rgb(ycbcr_255) -> np.ndarray:
    """Inverse of :func:`rgb_to_ycbcr`: float RGB in [0, 1] (clipped) from YCbCr on the 0-255 scale.

    This is ``skimage.color.ycbcr2rgb``; quantise the result with :func:`to_uint8` to save it.
    """
    from skimage.color import ycbcr2rgb

    a = np.asarray(ycbcr_255, np.float64)
    if a.ndim < 2 or a.shape[-1] != 3:
        raise ShapeError(f"ycbcr_to_rgb needs a YCbCr image (last axis 3), got shape {a.shape}.")
    return np.clip(ycbcr2rgb(a), 0.0, 1.0)


def round_255(x: np.ndarray) -> np.ndarray:
    """Round values on the 0-255 scale to uint8 (``floor(x + 0.5)``, clipped), as MATLAB's ``uint8()``."""
    return np.clip(np.floor(np.asarray(x) + 0.5), 0, 255).astype(np.uint8)


def to_uint8(image) -> np.ndarray:
    """Quantise an image to uint8: floats in [0, 1] are scaled by 255, rounded and clipped; uint8 passes."""
    a = np.asarray(image)
    if a.dtype == np.uint8:
        return a
    if np.issubdtype(a.dtype, np.floating):
        if not np.all(np.isfinite(a)):
            raise ShapeError("The image contains NaN or infinite values; it cannot be quantised.")
        return round_255(a * 255.0)
    raise ShapeError(f"Expected a uint8 or float image, got dtype {a.dtype}.")
