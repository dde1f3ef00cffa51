"""How low-resolution images are made, and the interpolation baselines.

The heart of this module is :func:`imresize`, a re-implementation of MATLAB's ``imresize``.  SR papers
make their low-resolution (LR) test inputs with ``imresize(HR, 1/k, 'bicubic')`` and compare against
bicubic upscaling done the same way, so any other resize (PIL, OpenCV, ``tf.image.resize``) produces
*different* inputs and numbers that cannot be compared with the papers.  ``imresize`` here reproduces
the benchmark LR files shipped in ``data/`` (see ``tests/test_degrade.py``).

How MATLAB resizes, and therefore how this module does:

* separably: first along the rows (height), then along the columns (width);
* each output pixel ``x`` (1-based) maps to input coordinate ``u = x / s + 0.5 * (1 - 1/s)``
  (pixel centres aligned, ``s`` the scale factor);
* the kernel (Keys cubic with ``a = -0.5`` for ``'bicubic'``) is *stretched* by ``1/s`` when shrinking,
  which low-pass filters the image (antialiasing);
* taps that fall outside the image read the nearest edge pixel (``replicate``); the ``imresize.m``
  listing that most Python ports copy mirrors them instead, which we measured to disagree with the
  benchmark files on the outermost row and column (``border='symmetric'`` gives that behaviour);
* ``uint8`` input is rounded and clipped back to ``uint8`` after *each* of the two passes, as MATLAB's
  ``imresizemex`` does; ``float`` input stays in float64 throughout.

Besides ``imresize`` the module has the other degradations students meet: Gaussian blur, noise, JPEG, the
classic degradation presets (``BI``, ``BD``, ``DN``) and the interpolation upscalers used as baselines.

Real-world degradation (:class:`SecondOrderDegradation`, :func:`degradation`)
------------------------------------------------------------------------------
A model trained on clean bicubic LR learns exactly one degradation.  Shown a real photo, which is noisy,
slightly out of focus and JPEG-compressed, it sharpens the noise and the JPEG blocks along with the
detail.  Real-ESRGAN (Wang et al., 2021) instead trains on LR images made by a random chain of the
degradations a real image goes through, each modelling part of a camera and of the internet:

* **blur**: the lens (defocus, aberrations) and camera shake, a Gaussian kernel, round (isotropic) or
  stretched and turned (anisotropic, like motion or astigmatism), of random size and width;
* **resize**: the image was resized by some software on its way (up, down or not), with an unknown
  interpolation (area averaging, bilinear, bicubic);
* **noise**: the sensor: read noise (Gaussian, the same at every brightness) or photon shot noise (Poisson,
  growing with the square root of the brightness), per colour channel or the same in all of them (noise
  from the luminance, as after a camera's colour processing);
* **JPEG**: lossy compression, with its 8x8 blocks and ringing at edges, at a random quality.

Why **two rounds** ("second order")?  A photo rarely meets this chain once: it is taken (blur, noise,
JPEG in the camera), then edited, resized, shared and compressed again by a messenger or a website.
Applying the chain twice, each time with new random settings, covers far more of what real images look
like than one pass with larger ranges: e.g. the second JPEG compresses the first one's blocks, and the
second blur smooths the first noise.  A final resize to the LR size and a last JPEG (in random order) end
the chain.  Every draw comes from a seeded ``numpy`` generator, so a training batch can be made again
exactly.  The price: the model no longer sees clean bicubic LR, so its PSNR on the (bicubic) benchmarks
drops, while its results on real photos get much cleaner.
"""

from __future__ import annotations

import io
import math
import numbers
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np

from .color import round_255
from .errors import InvalidValueError, OptionalDependencyError, ShapeError, check_float, check_int

__all__ = [
    "imresize",
    "modcrop",
    "bicubic_downsample",
    "upscale",
    "library_resize",
    "require_opencv",
    "gaussian_kernel",
    "gaussian_blur",
    "add_gaussian_noise",
    "jpeg_compress",
    "Degradation",
    "INTERPOLATIONS",
    "MAX_BLUR_SIGMA",
    "MAX_KERNEL_SIZE",
    "blur_kernel",
    "SecondOrderDegradation",
    "RESIZE_MODES",
    "degradation",
    "DEGRADATIONS",
]


# --------------------------------------------------------------------------------------------------
# Kernels, as defined in MATLAB's imresize.m
# --------------------------------------------------------------------------------------------------
def _cubic(x: np.ndarray) -> np.ndarray:
    """Keys' cubic convolution kernel with a = -0.5 (MATLAB's 'bicubic')."""
    ax = np.abs(x)
    ax2, ax3 = ax**2, ax**3
    return (1.5 * ax3 - 2.5 * ax2 + 1) * (ax <= 1) + (-0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2) * (
        (ax > 1) & (ax <= 2)
    )


def _box(x: np.ndarray) -> np.ndarray:
    return ((-0.5 <= x) & (x < 0.5)).astype(np.float64)


def _triangle(x: np.ndarray) -> np.ndarray:
    return (x + 1) * ((-1 <= x) & (x < 0)) + (1 - x) * ((0 <= x) & (x <= 1))


def _lanczos(a: int) -> Callable[[np.ndarray], np.ndarray]:
    def kernel(x: np.ndarray) -> np.ndarray:
        return np.sinc(x) * np.sinc(x / a) * (np.abs(x) < a)

    return kernel


# name -> (kernel, support width in input pixels at scale 1)
_KERNELS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], float]] = {
    "nearest": (_box, 1.0),
    "bilinear": (_triangle, 2.0),
    "bicubic": (_cubic, 4.0),
    "lanczos2": (_lanczos(2), 4.0),
    "lanczos3": (_lanczos(3), 6.0),
}

#: Interpolation methods accepted by :func:`imresize` and :func:`upscale`.
INTERPOLATIONS = tuple(_KERNELS)


@lru_cache(maxsize=256)
def _contributions(
    in_length: int, out_length: int, scale: float, method: str, antialiasing: bool, border: str
) -> tuple[np.ndarray, np.ndarray]:
    """Weights (out_length, P) and 0-based input indices (out_length, P), as MATLAB computes them."""
    kernel, width = _KERNELS[method]
    if scale < 1 and antialiasing:
        # Stretch the kernel: h(x) = s * k(s * x), with a support of width / s input pixels.
        def h(x: np.ndarray) -> np.ndarray:
            return scale * kernel(scale * x)

        width = width / scale
    else:
        h = kernel
    p = int(math.ceil(width)) + 2
    if scale > 1 and float(scale).is_integer() and out_length == in_length * int(scale):
        # Enlarging by a whole factor s: output pixel x = q*s + r + 1 maps to u = q + f_r, and its weights
        # are computed from the phase f_r alone, so they are the same for every q (a tile of the image gets
        # bit-for-bit the weights of the whole image).
        q, r = np.divmod(np.arange(out_length), int(scale))
        f = (r + 1) / scale + 0.5 * (1 - 1 / scale)
        rel = np.floor(f - width / 2)[:, None] + np.arange(p)[None, :]
        weights = h(f[:, None] - rel)
        indices = q[:, None] + rel  # 1-based, may fall outside the image
    else:
        x = np.arange(1, out_length + 1, dtype=np.float64)
        u = x / scale + 0.5 * (1 - 1 / scale)
        left = np.floor(u - width / 2)
        indices = left[:, None] + np.arange(p)[None, :]  # 1-based, may fall outside the image
        weights = h(u[:, None] - indices)
    weights = weights / weights.sum(axis=1, keepdims=True)
    indices = indices.astype(np.int64) - 1  # to 0-based
    if border == "replicate":
        indices = np.clip(indices, 0, in_length - 1)
    else:  # symmetric: mirror with the edge pixel repeated, aux = [1:n, n:-1:1] in imresize.m
        aux = np.concatenate([np.arange(in_length), np.arange(in_length - 1, -1, -1)])
        indices = aux[np.mod(indices, aux.size)]
    keep = np.any(weights != 0, axis=0)
    weights, indices = weights[:, keep], indices[:, keep]
    weights.setflags(write=False)
    indices.setflags(write=False)
    return weights, indices


def _resize_axis(x: np.ndarray, axis: int, weights: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """out[i] = sum_j weights[i, j] * x[indices[i, j]] along ``axis`` (x is float64)."""
    x = np.moveaxis(x, axis, 0)
    out = np.einsum("ij,ij...->i...", weights, x[indices])
    return np.moveaxis(out, 0, axis)


def imresize(
    image: np.ndarray,
    scale: float | None = None,
    *,
    output_shape: tuple[int, int] | None = None,
    method: str = "bicubic",
    antialiasing: bool = True,
    border: str = "replicate",
) -> np.ndarray:
    """Resize an image exactly as MATLAB's ``imresize`` does.

    Args:
        image: ``(H, W)`` or ``(H, W, C)`` array, ``uint8`` (values 0-255) or float (any range).
        scale: resize factor, e.g. ``1/3`` to shrink by 3, ``4`` to enlarge by 4.  The output size is
            ``ceil(H * scale) x ceil(W * scale)``, as in MATLAB.
        output_shape: ``(height, width)`` of the output, instead of ``scale``.
        method: one of :data:`INTERPOLATIONS` (``'bicubic'`` is what SR benchmarks use).
        antialiasing: stretch the kernel when shrinking (MATLAB's default, ``True``).
        border: how taps that fall outside the image are read: ``'replicate'`` (the edge pixel
            repeated; this reproduces the benchmark LR files exactly) or ``'symmetric'`` (mirrored,
            as in the ``imresize.m`` listing that BasicSR and other ports copy; it changes the outermost
            row and column by up to ~10 grey levels).

    Returns:
        The resized image, with the input's dtype and number of dimensions.  ``uint8`` results are
        rounded (half away from zero) and clipped after each of the two separable passes, as in MATLAB.
    """
    image = np.asarray(image)
    if image.ndim not in (2, 3):
        raise ShapeError(f"imresize expects an (H, W) or (H, W, C) image, got shape {image.shape}.")
    if min(image.shape) < 1:
        raise ShapeError(f"Cannot resize an empty image of shape {image.shape}.")
    if border not in ("replicate", "symmetric"):
        raise InvalidValueError(f"border must be 'replicate' or 'symmetric', got {border!r}.")
    if method not in _KERNELS:
        raise InvalidValueError(f"Unknown method {method!r}; choose one of {', '.join(INTERPOLATIONS)}.")
    if (scale is None) == (output_shape is None):
        raise InvalidValueError("Give exactly one of `scale` or `output_shape` to imresize.")
    _check_pixels(image, "imresize")
    is_uint8 = image.dtype == np.uint8
    in_h, in_w = image.shape[:2]
    if scale is not None:
        if not scale > 0:
            raise InvalidValueError(f"scale must be positive, got {scale}.")
        scales = (float(scale), float(scale))
        # Round away float noise first, so that 510 * (1/3) gives 170 and not 171.
        out_h, out_w = (int(math.ceil(round(n * scale, 9))) for n in (in_h, in_w))
    else:
        out_h, out_w = (int(v) for v in output_shape)
        if out_h <= 0 or out_w <= 0:
            raise InvalidValueError(f"output_shape must be positive, got {output_shape}.")
        scales = (out_h / in_h, out_w / in_w)

    out = image.astype(np.float64)
    # MATLAB resizes the dimension with the smaller scale first (rows first on ties).
    order = (0, 1) if scales[0] <= scales[1] else (1, 0)
    for axis in order:
        in_len = out.shape[axis]
        out_len = (out_h, out_w)[axis]
        weights, indices = _contributions(in_len, out_len, scales[axis], method, antialiasing, border)
        out = _resize_axis(out, axis, weights, indices)
        if is_uint8:
            out = round_255(out).astype(np.float64)
    return out.astype(np.uint8) if is_uint8 else out.astype(image.dtype, copy=False)


def modcrop(image: np.ndarray, scale: int) -> np.ndarray:
    """Crop the bottom/right so height and width are multiples of ``scale`` (the benchmark HR)."""
    scale = _check_scale(scale)
    image = np.asarray(image)
    if image.ndim not in (2, 3):
        raise ShapeError(f"Expected an (H, W) or (H, W, C) image, got an array of shape {image.shape}; "
                         "give one image at a time (e.g. images[0] of a batch).")
    h, w = image.shape[:2]
    if h < scale or w < scale:
        raise ShapeError(f"Image of size {h}x{w} is smaller than the scale factor {scale}: its x{scale} LR would be "
                         f"smaller than one pixel. Give an image of at least {scale}x{scale} pixels (in practice much "
                         "larger) or use a smaller scale.")
    return image[: h - h % scale, : w - w % scale]


def bicubic_downsample(hr: np.ndarray, scale: int) -> np.ndarray:
    """The standard 'BI' degradation: ``imresize(modcrop(hr, k), 1/k, 'bicubic')``."""
    hr = modcrop(hr, scale)
    return imresize(hr, output_shape=(hr.shape[0] // scale, hr.shape[1] // scale))


#: Largest result, in pixels, that any upscaling path of the kit makes (:func:`upscale`, the upscalers of
#: :mod:`srkit.infer`, ``srkit upscale``): 400 megapixels, e.g. a 6000x4000 photo at x4 (384 megapixels,
#: 1.15 GB as 8-bit RGB).  Larger results are refused before any work: crop the input or use a smaller scale.
MAX_UPSCALE_PIXELS = 400_000_000

#: :func:`upscale` works on tiles of this many LR pixels per side (with a margin of context; exact).
UPSCALE_TILE = 512


def check_upscale_size(h: int, w: int, scale: int, what: str = "the image") -> None:
    """Refuse, before any work, an upscaled result of more than :data:`MAX_UPSCALE_PIXELS` pixels."""
    n = int(h) * int(w) * int(scale) ** 2
    if n > MAX_UPSCALE_PIXELS:
        raise InvalidValueError(
            f"x{scale} would make {what} ({w}x{h}) {w * scale}x{h * scale} = {n:,} pixels, more than the kit's "
            f"limit of {MAX_UPSCALE_PIXELS:,} (srkit.degrade.MAX_UPSCALE_PIXELS). Crop the input into parts or "
            "use a smaller scale.")


def interpolation_margin(method: str) -> int:
    """LR pixels of context an upscaling by ``method`` reads on each side of an output pixel's source
    (the kernel's half-width plus one): tiles extended by this margin give exactly the untiled result."""
    return int(math.ceil(_KERNELS[method][1] / 2)) + 1


def upscale(lr: np.ndarray, scale: int, method: str = "bicubic", tile: int | None = UPSCALE_TILE) -> np.ndarray:
    """Enlarge ``lr`` by an integer ``scale`` with a classical interpolation (the baselines).

    ``method`` is one of :data:`INTERPOLATIONS`; all use MATLAB's ``imresize`` conventions, so
    ``upscale(lr, k, 'bicubic')`` is exactly the bicubic baseline of SR papers.  ``lr``: uint8, or float
    (any finite range; the result keeps it), ``(H, W)`` or ``(H, W, C)`` with any number of channels (each
    resized on its own).

    Memory stays bounded: an image larger than ``tile`` LR pixels (default :data:`UPSCALE_TILE`) is done
    tile by tile, each tile read with :func:`interpolation_margin` pixels of context, which gives exactly
    the untiled result (``tile=None``: in one piece).  Results above :data:`MAX_UPSCALE_PIXELS` are refused.
    """
    scale = _check_scale(scale)
    if method not in _KERNELS:
        raise InvalidValueError(f"Unknown interpolation {method!r}; choose one of {', '.join(INTERPOLATIONS)}.")
    tile = check_int("tile", tile, low=1, allow_none=True, hint="Use None for no tiling, or e.g. 512.")
    lr = np.asarray(lr)
    if lr.ndim not in (2, 3):
        raise ShapeError(f"upscale expects an (H, W) or (H, W, C) image, got shape {lr.shape}.")
    if min(lr.shape) < 1:
        raise ShapeError(f"Cannot upscale an empty image of shape {lr.shape}.")
    _check_pixels(lr, "upscale")
    h, w = lr.shape[:2]
    check_upscale_size(h, w, scale)
    if tile is None or (h <= tile and w <= tile):
        return imresize(lr, output_shape=(h * scale, w * scale), method=method)
    m = interpolation_margin(method)
    out = np.empty((h * scale, w * scale) + lr.shape[2:], lr.dtype)
    for y0 in range(0, h, tile):
        y1 = min(h, y0 + tile)
        ya, yb = max(0, y0 - m), min(h, y1 + m)
        for x0 in range(0, w, tile):
            x1 = min(w, x0 + tile)
            xa, xb = max(0, x0 - m), min(w, x1 + m)
            piece = imresize(lr[ya:yb, xa:xb], output_shape=((yb - ya) * scale, (xb - xa) * scale), method=method)
            out[y0 * scale:y1 * scale, x0 * scale:x1 * scale] = \
                piece[(y0 - ya) * scale:(y1 - ya) * scale, (x0 - xa) * scale:(x1 - xa) * scale]
    return out


def _check_pixels(image: np.ndarray, what: str) -> None:
    """uint8, or float with finite values: what the kit's resizing accepts (each refusal says what to do)."""
    if image.dtype == np.uint8:
        return
    if not np.issubdtype(image.dtype, np.floating):
        raise ShapeError(
            f"{what} supports uint8 and float images, got dtype {image.dtype}. Convert it first: "
            "image.astype(np.uint8) for 8-bit values, or image.astype(np.float32) / 255 for floats in [0, 1].")
    if not np.all(np.isfinite(image)):
        bad = int(np.size(image) - np.count_nonzero(np.isfinite(image)))
        raise InvalidValueError(f"{what} got an image with {bad:,} NaN or infinite values; every pixel must be a "
                                "finite number. Replace them first, e.g. np.nan_to_num(image).")


def require_opencv():
    """The ``cv2`` module, or an :class:`~srkit.errors.OptionalDependencyError` saying how to install it.

    OpenCV is optional: srkit only uses it to compare other libraries' resizing with MATLAB's.
    """
    try:
        import cv2
    except ImportError as e:
        raise OptionalDependencyError(
            "This needs OpenCV, which is optional in srkit (it is only used to compare resizing libraries). "
            'Install it with  pip install "srkit[opencv]"  (or  .venv/bin/pip install '
            "opencv-contrib-python-headless  in the kit's virtual environment), then restart the kernel."
        ) from e
    return cv2


def library_resize(image: np.ndarray, size: tuple[int, int], library: str, method: str = "bicubic"):
    """Resize with another library, to show how much the choice of resize changes the numbers.

    Args:
        image: uint8 ``(H, W)`` or ``(H, W, C)`` image.
        size: ``(height, width)`` of the output.
        library: ``'pil'`` (Pillow; antialiased when shrinking), ``'opencv'`` (``cv2.resize``; *not*
            antialiased when shrinking with ``'bicubic'``; ``'area'`` averages instead; OpenCV is optional,
            see :func:`require_opencv`) or ``'tf'`` (``tf.image.resize``, ``antialias=False``, its default).
        method: ``'bicubic'``, ``'bilinear'``, ``'nearest'``, ``'lanczos'`` (PIL, OpenCV) or ``'area'``
            (OpenCV, TF).
    """
    image = np.asarray(image)
    h, w = (int(v) for v in size)
    if library == "pil":
        from PIL import Image

        filters = {
            "bicubic": Image.Resampling.BICUBIC,
            "bilinear": Image.Resampling.BILINEAR,
            "nearest": Image.Resampling.NEAREST,
            "lanczos": Image.Resampling.LANCZOS,
        }
        squeeze = image.ndim == 3 and image.shape[2] == 1
        pil = Image.fromarray(image[..., 0] if squeeze else image)
        out = np.asarray(pil.resize((w, h), filters[method]))
        return out[..., None] if squeeze else out
    if library == "opencv":
        cv2 = require_opencv()
        flags = {
            "bicubic": cv2.INTER_CUBIC,
            "bilinear": cv2.INTER_LINEAR,
            "nearest": cv2.INTER_NEAREST,
            "lanczos": cv2.INTER_LANCZOS4,
            "area": cv2.INTER_AREA,
        }
        out = cv2.resize(image, (w, h), interpolation=flags[method])
        return out.reshape(h, w, *image.shape[2:])
    if library == "tf":
        import tensorflow as tf

        x = image if image.ndim == 3 else image[..., None]
        out = tf.image.resize(x.astype(np.float32), (h, w), method=method).numpy()
        out = round_255(out)
        return out if image.ndim == 3 else out[..., 0]
    raise InvalidValueError(f"Unknown library {library!r}; choose 'pil', 'opencv' or 'tf'.")


# --------------------------------------------------------------------------------------------------
# Other degradations
# --------------------------------------------------------------------------------------------------
#: Largest Gaussian blur sigma (pixels) the kit accepts; its default kernel is 2*ceil(3*sigma)+1 = 601 wide.
MAX_BLUR_SIGMA = 100.0
#: Largest Gaussian blur kernel side (pixels).
MAX_KERNEL_SIZE = 1001


def _kernel_size(sigma: float, size: int | None) -> int:
    size = check_int("blur kernel size", size, low=1, high=MAX_KERNEL_SIZE, allow_none=True)
    if size is None:
        return 2 * int(math.ceil(3 * sigma)) + 1
    if size % 2 == 0:
        raise InvalidValueError(f"Kernel size must be a positive odd number, got {size}. Use {size + 1}.")
    return size


def gaussian_kernel(sigma: float, size: int | None = None) -> np.ndarray:
    """A normalised isotropic 2-D Gaussian kernel.

    ``sigma``: finite, ``0 < sigma <= MAX_BLUR_SIGMA`` (100) pixels.  ``size``: odd, 1 to
    ``MAX_KERNEL_SIZE`` (1001); defaults to ``2*ceil(3*sigma)+1``.
    """
    sigma = check_float("sigma", sigma, low=0, high=MAX_BLUR_SIGMA, low_open=True,
                        hint="Use a blur sigma of a few pixels (e.g. 1.6 for the BD degradation).")
    size = _kernel_size(sigma, size)
    r = np.arange(size) - size // 2
    g = np.exp(-(r**2) / (2 * sigma**2))
    k = np.outer(g, g)
    return k / k.sum()


def gaussian_blur(image: np.ndarray, sigma: float, size: int | None = None) -> np.ndarray:
    """Blur with a Gaussian kernel, borders replicated (as MATLAB's ``imfilter(..., 'replicate')``).

    uint8 in, uint8 out (rounded); float in, float out.  ``sigma`` and ``size`` as in
    :func:`gaussian_kernel`; the kernel must not be larger than the image (side at most ``2 * max(H, W) + 1``).
    """
    from scipy.ndimage import correlate

    image = np.asarray(image)
    if image.ndim not in (2, 3) or min(image.shape[:2]) < 1:
        raise ShapeError(f"gaussian_blur expects an (H, W) or (H, W, C) image, got shape {image.shape}.")
    sigma = check_float("sigma", sigma, low=0, high=MAX_BLUR_SIGMA, low_open=True,
                        hint="Use a blur sigma of a few pixels (e.g. 1.6 for the BD degradation).")
    side = _kernel_size(sigma, size)
    limit = 2 * max(image.shape[:2]) + 1
    if side > limit:
        raise InvalidValueError(
            f"A blur with sigma {sigma:g} needs a {side}x{side} kernel, larger than the "
            f"{image.shape[1]}x{image.shape[0]} image (at most {limit}x{limit}, i.e. sigma <= "
            f"{(limit - 1) / 6:g} with the default size). Use a smaller sigma or a larger image.")
    k = gaussian_kernel(sigma, side)
    x = image.astype(np.float64)
    if x.ndim == 3:
        out = np.stack([correlate(x[..., c], k, mode="nearest") for c in range(x.shape[2])], axis=-1)
    else:
        out = correlate(x, k, mode="nearest")
    return round_255(out) if image.dtype == np.uint8 else out.astype(image.dtype)


def add_gaussian_noise(
    image: np.ndarray, sigma: float, rng: np.random.Generator | int | None = None
) -> np.ndarray:
    """Add white Gaussian noise of standard deviation ``sigma`` (in 0-255 units for uint8 images,
    in the image's own units for float images).  ``sigma`` must be finite and >= 0.  Seed with ``rng``
    (a Generator or a non-negative int) for reproducible noise."""
    sigma = check_float("noise sigma", sigma, low=0)
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        check_int("seed", rng, low=0)
    rng = np.random.default_rng(rng)
    image = np.asarray(image)
    noisy = image.astype(np.float64) + rng.normal(0.0, sigma, size=image.shape)
    return round_255(noisy) if image.dtype == np.uint8 else noisy.astype(image.dtype)


def jpeg_compress(image: np.ndarray, quality: int) -> np.ndarray:
    """Encode and decode with JPEG at ``quality`` (a whole number from 1 to 100; Pillow advises <= 95) using
    Pillow; uint8 images only."""
    from PIL import Image

    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise ShapeError("jpeg_compress needs a uint8 image; convert floats with (x*255).round().")
    quality = check_int("JPEG quality", quality, low=1, high=100, hint="Typical values are 30 to 95.")
    squeeze = image.ndim == 3 and image.shape[2] == 1
    buf = io.BytesIO()
    Image.fromarray(image[..., 0] if squeeze else image).save(buf, format="JPEG", quality=int(quality))
    out = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("L" if image.ndim == 2 or squeeze else "RGB"))
    return out[..., None] if squeeze else out


@dataclass(frozen=True)
class Degradation:
    """The classical degradation model ``LR = JPEG((HR * k_blur) ↓s + noise)``.

    Args:
        scale: integer downscaling factor.
        blur_sigma: Gaussian blur before downsampling (0 = none); the blurred image is then
            downsampled with MATLAB bicubic, as RDN's "BD" degradation does.
        blur_sigma: finite, 0 to :data:`MAX_BLUR_SIGMA` (100) HR pixels; the kernel must also fit the image
            (:func:`gaussian_blur`).
        blur_size: size of the blur kernel, odd, 1 to :data:`MAX_KERNEL_SIZE` (default ``2*ceil(3*sigma)+1``).
        noise_sigma: standard deviation of additive Gaussian noise on the LR image, 0-255 units (finite,
            0 to 255).
        jpeg_quality: JPEG quality applied last, a whole number 1 to 100 (``None`` = no JPEG).

    Call it on a uint8 HR image (and optionally an ``rng`` for the noise) to get the LR image.
    Presets: :meth:`BI` (bicubic), :meth:`BD` (blur-downsample), :meth:`DN` (downsample + noise).
    """

    scale: int
    blur_sigma: float = 0.0
    blur_size: int | None = None
    noise_sigma: float = 0.0
    jpeg_quality: int | None = None

    def __post_init__(self) -> None:
        _check_scale(self.scale)
        check_float("blur_sigma", self.blur_sigma, low=0, high=MAX_BLUR_SIGMA,
                    hint="Use a blur sigma of a few pixels (e.g. 1.6 for the BD degradation), 0 for none.")
        if self.blur_sigma:
            _kernel_size(float(self.blur_sigma), self.blur_size)
        check_float("noise_sigma", self.noise_sigma, low=0, high=255,
                    hint="It is in 0-255 grey levels (e.g. 30 for the DN degradation), 0 for none.")
        check_int("jpeg_quality", self.jpeg_quality, low=1, high=100, allow_none=True,
                  hint="Typical values are 30 to 95; None for no JPEG.")

    @classmethod
    def BI(cls, scale: int) -> "Degradation":  # noqa: N802 - the names used in the literature
        """Bicubic downsampling only: the standard benchmark degradation."""
        return cls(scale)

    @classmethod
    def BD(cls, scale: int) -> "Degradation":  # noqa: N802
        """Gaussian blur (7x7, sigma 1.6) then bicubic downsampling, as in RDN (Zhang et al., 2018)."""
        return cls(scale, blur_sigma=1.6, blur_size=7)

    @classmethod
    def DN(cls, scale: int, noise_sigma: float = 30.0) -> "Degradation":  # noqa: N802
        """Bicubic downsampling then Gaussian noise (sigma 30 in RDN)."""
        return cls(scale, noise_sigma=noise_sigma)

    def downsample(self, hr: np.ndarray) -> np.ndarray:
        """The deterministic part: optional blur, then MATLAB-bicubic downsampling (modcropped).

        ``hr``: uint8, or float (finite; the result keeps its range), ``(H, W)`` or ``(H, W, C)``."""
        x = np.asarray(hr)
        if x.ndim not in (2, 3):
            raise ShapeError(f"Degradation expects one (H, W) or (H, W, C) image, got an array of shape {x.shape}; "
                             "give one image at a time (e.g. images[0] of a batch).")
        if min(x.shape) < 1:
            raise ShapeError(f"Cannot degrade an empty image of shape {x.shape}.")
        _check_pixels(x, "Degradation")
        if self.blur_sigma:
            x = gaussian_blur(x, self.blur_sigma, self.blur_size)
        return bicubic_downsample(x, self.scale)

    def corrupt(self, lr: np.ndarray, rng: np.random.Generator | int | None = None) -> np.ndarray:
        """The random part, applied to an LR image: noise, then JPEG.

        Both are defined on 8-bit grey levels, so with noise or JPEG the image must be uint8 (a float image
        is refused: its units would make ``noise_sigma`` mean something else)."""
        if self.is_random and np.asarray(lr).dtype != np.uint8:
            raise ShapeError(
                f"Noise (noise_sigma, in 0-255 grey levels) and JPEG need a uint8 image, got {np.asarray(lr).dtype}. "
                "Convert it first: srkit.color.to_uint8(image) for floats in [0, 1].")
        if self.noise_sigma:
            lr = add_gaussian_noise(lr, self.noise_sigma, rng)
        if self.jpeg_quality is not None:
            lr = jpeg_compress(lr, self.jpeg_quality)
        return lr

    @property
    def is_random(self) -> bool:
        """Whether :meth:`corrupt` does anything (noise or JPEG)."""
        return bool(self.noise_sigma) or self.jpeg_quality is not None

    def __call__(self, hr: np.ndarray, rng: np.random.Generator | int | None = None) -> np.ndarray:
        return self.corrupt(self.downsample(hr), rng)


def _check_scale(scale) -> int:
    ok = isinstance(scale, numbers.Real) and not isinstance(scale, bool)
    if not ok or not math.isfinite(scale) or not float(scale).is_integer() or int(scale) < 1:
        raise InvalidValueError(f"The scale factor must be a positive integer (e.g. 2, 3, 4 or 8), got {scale!r}.")
    return int(scale)


# --------------------------------------------------------------------------------------------------
# Second-order ("real-world") degradation, after Real-ESRGAN
# --------------------------------------------------------------------------------------------------
#: Resize modes the second-order degradation draws from: ``'area'`` (the average over each output pixel's
#: footprint: :func:`imresize`'s box kernel, stretched when shrinking) and the :func:`imresize` methods.
RESIZE_MODES = ("area",) + INTERPOLATIONS

#: Below this (FFT-based above it) the blur is a direct correlation; both read replicated borders.
_DIRECT_BLUR_MAX = 11
#: Sides of an intermediate image are never below this many pixels (tiny patches shrunk a lot).
_MIN_SIDE = 4
_LUMA = np.array([0.299, 0.587, 0.114])


def _check_range(name: str, value, low: float, high: float, *, integer: bool = False, hint: str = "") -> tuple:
    """``value`` as a ``(low, high)`` pair of finite numbers in ``[low, high]`` with ``value[0] <= value[1]``."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise InvalidValueError(f"{name} must be a (low, high) pair, got {value!r}. Give e.g. ({low}, {high}); "
                                "the same number twice for a fixed value.")
    check = check_int if integer else check_float
    a, b = (check(f"{name}[{i}]", v, low=low, high=high, hint=hint) for i, v in enumerate(value))
    if a > b:
        raise InvalidValueError(f"{name} must be a (low, high) pair with low <= high, got {value!r}; "
                                f"swap them: ({b}, {a}).")
    return (a, b)


def _check_prob(name: str, value) -> float:
    return check_float(name, value, low=0, high=1, hint="A probability is between 0 (never) and 1 (always).")


def _check_resize_probs(name: str, value) -> tuple:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 3:
        raise InvalidValueError(f"{name} must be three probabilities (up, down, keep) adding up to 1, got {value!r}.")
    p = tuple(_check_prob(f"{name}[{i}]", v) for i, v in enumerate(value))
    if abs(sum(p) - 1.0) > 1e-6:
        raise InvalidValueError(f"{name} (up, down, keep) must add up to 1, got {value!r} (sum {sum(p):g}).")
    return p


def blur_kernel(size: int, sigma_x: float, sigma_y: float | None = None, angle: float = 0.0) -> np.ndarray:
    """A normalised 2-D Gaussian kernel, isotropic or anisotropic (an ellipse turned by ``angle``).

    ``size``: odd side, 1 to :data:`MAX_KERNEL_SIZE`.  ``sigma_x``, ``sigma_y``: standard deviations along the
    ellipse's axes in pixels, each ``> 0`` and ``<= MAX_BLUR_SIGMA`` (``sigma_y=None``: the same as ``sigma_x``,
    an isotropic kernel, exactly :func:`gaussian_kernel`).  ``angle``: rotation of the first axis from the
    horizontal, in radians, counter-clockwise.  ``kernel[i, j]`` weighs the pixel ``i`` rows below and ``j``
    columns right of the centre (as :func:`gaussian_kernel`)."""
    hint = "Use a blur sigma of a few pixels."
    sx = check_float("sigma_x", sigma_x, low=0, high=MAX_BLUR_SIGMA, low_open=True, hint=hint)
    sy = check_float("sigma_y", sigma_y, low=0, high=MAX_BLUR_SIGMA, low_open=True, allow_none=True, hint=hint)
    angle = check_float("angle", angle)
    if size is None:
        raise InvalidValueError("blur_kernel needs a kernel size: an odd whole number, e.g. 21.")
    size = _kernel_size(sx, size)
    if sy is None:
        return gaussian_kernel(sx, size)
    c, s = math.cos(angle), math.sin(angle)
    rot = np.array([[c, -s], [s, c]])
    inv = np.linalg.inv(rot @ np.diag([sx**2, sy**2]) @ rot.T)
    r = np.arange(size) - size // 2
    xx, yy = np.meshgrid(r, -r)  # x to the right, y up (rows go down)
    xy = np.stack([xx, yy], axis=-1)
    k = np.exp(-0.5 * np.einsum("...i,ij,...j->...", xy, inv, xy))
    return k / k.sum()


def _blur(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Correlate a float (H, W, C) image with ``k``, borders replicated (as :func:`gaussian_blur`)."""
    if k.shape[0] <= _DIRECT_BLUR_MAX:
        from scipy.ndimage import correlate

        return np.stack([correlate(x[..., c], k, mode="nearest") for c in range(x.shape[2])], axis=-1)
    from scipy.signal import fftconvolve

    r = k.shape[0] // 2
    padded = np.pad(x, ((r, r), (r, r), (0, 0)), mode="edge")
    return fftconvolve(padded, k[::-1, ::-1, None], mode="valid", axes=(0, 1))


def _resize(x: np.ndarray, shape: tuple[int, int], mode: str) -> np.ndarray:
    """Resize a float image with one of :data:`RESIZE_MODES` (``'area'``: the stretched box kernel)."""
    if tuple(shape) == x.shape[:2]:
        return x
    return imresize(x, output_shape=shape, method="nearest" if mode == "area" else mode)


@dataclass(frozen=True)
class SecondOrderDegradation:
    """The "second-order" real-world degradation of Real-ESRGAN (Wang et al., ICCVW 2021), seeded.

    ``SecondOrderDegradation(scale)(hr, rng)`` turns a uint8 HR image into a uint8 LR image of exactly
    ``(H // scale, W // scale)`` (after :func:`modcrop`) by two rounds of degradation and a final step,
    every choice and amount drawn at random from ``rng``:

    1. **Round 1**: blur (with probability ``blur_prob``; a Gaussian kernel of odd side drawn from
       ``kernel_size``, isotropic with probability ``iso_prob`` (one sigma from ``blur_sigma``), otherwise
       anisotropic (two sigmas from ``blur_sigma`` and a rotation angle uniform in [-pi, pi])); random resize
       (up, down or keep with probabilities ``resize_probs``; the factor from the part of ``resize_range``
       above 1 (up) or below 1 (down); the mode uniform among ``resize_modes``); noise (with probability
       ``noise_prob``: Gaussian with probability ``gaussian_noise_prob``, sigma from ``noise_sigma`` in grey
       levels, else Poisson with a scale from ``poisson_scale`` (standard deviation ``scale * sqrt(level)``
       grey levels); the same noise in every channel ("grey" noise) with probability ``gray_noise_prob``);
       JPEG (with probability ``jpeg_prob``, quality from ``jpeg_quality``).
    2. **Round 2**: the same with the ``...2`` fields (smaller blur, milder resizes, less noise); the blur is
       done with probability ``blur_prob2`` (0.8: skipped one time in five).  The resize of round 2 is
       relative to the final LR size, as in Real-ESRGAN ("keep" resizes to the LR size itself).
    3. **Final**: resize to exactly ``(H // scale, W // scale)`` (mode uniform among ``resize_modes``) and
       JPEG (with probability ``jpeg_prob2``, quality from ``jpeg_quality2``), in a random order: JPEG first
       with probability ``jpeg_first_prob`` (0.5, as in Real-ESRGAN).

    Between steps the image is kept as float 0-255 (clipped to 0-255 after noise; JPEG needs, and makes,
    whole grey levels); the result is rounded to uint8.  Ranges are ``(low, high)`` pairs drawn uniformly
    (integers for kernel sides and JPEG qualities, both ends included); give the same number twice for a
    fixed value.  Each field is checked when the object is made.

    What differs from the paper's setting (``train_realesrgan_x4plus.yml``):

    * only plain Gaussian kernels (iso/aniso); the paper also draws generalised-Gaussian and plateau kernels
      and a sinc (ringing) filter, here left out;
    * resize factors ``(0.3, 1.5)`` and ``(0.5, 1.2)`` instead of ``(0.15, 1.5)`` and ``(0.3, 1.2)``: the
      kit trains on patches of 30-100 HR pixels, not 256, and the paper's strongest shrinks would leave a
      handful of pixels; no intermediate side goes below 4 pixels either;
    * ``iso_prob`` 0.65 (the paper's 0.45 : 0.25 ratio of isotropic to anisotropic Gaussians);
    * resizing is MATLAB-style (:func:`imresize`, antialiased when shrinking) and blurring reads replicated
      borders, where the paper uses PyTorch's ``interpolate`` and reflected borders;
    * Poisson noise counts 1 photon per grey level (the paper: 256 levels in [0, 1], nearly the same).

    Speed: a 96x96 RGB HR patch at x4 takes about 3 ms on average on one CPU core (2.9 ms on an idle
    core, 4.7 ms on a busy one; kernels wider than 11 pixels are applied by FFT), measured with
    ``python -m timeit -n 300 -r 3 -s "import numpy as np; from srkit.degrade import SecondOrderDegradation
    as S; d = S(4); x = np.random.default_rng(0).integers(0, 256, (96, 96, 3), dtype=np.uint8);
    r = np.random.default_rng(1)" "d(x, r)"`` (each call draws new settings, so this averages over them).

    Args:
        scale: integer downscaling factor of the whole pipeline.
        kernel_size: ``(low, high)`` odd blur kernel sides, 1 to :data:`MAX_KERNEL_SIZE`.
        iso_prob: probability of an isotropic (rather than anisotropic) kernel.
        blur_prob, blur_sigma: round 1 blur probability and sigma range (HR pixels, 0 < sigma <= 100).
        resize_probs: round 1 (up, down, keep) probabilities, adding up to 1.
        resize_range: round 1 ``(low, high)`` resize factors, 0.05 to 4 (up draws from ``[max(low, 1),
            max(high, 1)]``, down from ``[min(low, 1), min(high, 1)]``).
        noise_prob, gaussian_noise_prob, noise_sigma, poisson_scale, gray_noise_prob: round 1 noise
            (sigmas 0-255 grey levels, Poisson scales 0 to 10).
        jpeg_prob, jpeg_quality: round 1 JPEG probability and ``(low, high)`` qualities (1 to 100).
        blur_prob2 ... jpeg_quality2: the same for round 2 (``jpeg_prob2``, ``jpeg_quality2``: the final JPEG).
        resize_modes: the resize modes drawn from, a non-empty tuple of :data:`RESIZE_MODES`.
        jpeg_first_prob: probability that the final JPEG comes before the final resize.
    """

    scale: int
    kernel_size: tuple = (7, 21)
    iso_prob: float = 0.65
    # round 1
    blur_prob: float = 1.0
    blur_sigma: tuple = (0.2, 3.0)
    resize_probs: tuple = (0.2, 0.7, 0.1)
    resize_range: tuple = (0.3, 1.5)
    noise_prob: float = 1.0
    gaussian_noise_prob: float = 0.5
    noise_sigma: tuple = (1.0, 30.0)
    poisson_scale: tuple = (0.05, 3.0)
    gray_noise_prob: float = 0.4
    jpeg_prob: float = 1.0
    jpeg_quality: tuple = (30, 95)
    # round 2
    blur_prob2: float = 0.8
    blur_sigma2: tuple = (0.2, 1.5)
    resize_probs2: tuple = (0.3, 0.4, 0.3)
    resize_range2: tuple = (0.5, 1.2)
    noise_prob2: float = 1.0
    gaussian_noise_prob2: float = 0.5
    noise_sigma2: tuple = (1.0, 25.0)
    poisson_scale2: tuple = (0.05, 2.5)
    gray_noise_prob2: float = 0.4
    jpeg_prob2: float = 1.0
    jpeg_quality2: tuple = (30, 95)
    # both rounds and the final step
    resize_modes: tuple = ("area", "bilinear", "bicubic")
    jpeg_first_prob: float = 0.5

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: store the normalised values
        set_(self, "scale", _check_scale(self.scale))
        ks = _check_range("kernel_size", self.kernel_size, 1, MAX_KERNEL_SIZE, integer=True,
                          hint="Kernel sides are odd, e.g. (7, 21).")
        for v in ks:
            if v % 2 == 0:
                raise InvalidValueError(f"kernel_size must hold odd kernel sides, got {self.kernel_size!r}; "
                                        f"use {v + 1} instead of {v}.")
        set_(self, "kernel_size", ks)
        for suffix in ("", "2"):
            for name in ("blur_prob", "noise_prob", "gaussian_noise_prob", "gray_noise_prob", "jpeg_prob"):
                set_(self, name + suffix, _check_prob(name + suffix, getattr(self, name + suffix)))
            name = "blur_sigma" + suffix
            set_(self, name, _check_range(name, getattr(self, name), 0, MAX_BLUR_SIGMA,
                                          hint="Blur sigmas are a few HR pixels, e.g. (0.2, 3)."))
            if getattr(self, name)[0] <= 0:
                raise InvalidValueError(f"{name} must be positive (a sigma of 0 is no blur), got "
                                        f"{getattr(self, name)!r}; to skip the blur set blur_prob{suffix}=0.")
            name = "resize_probs" + suffix
            set_(self, name, _check_resize_probs(name, getattr(self, name)))
            name = "resize_range" + suffix
            set_(self, name, _check_range(name, getattr(self, name), 0.05, 4.0, hint="E.g. (0.3, 1.5)."))
            name = "noise_sigma" + suffix
            set_(self, name, _check_range(name, getattr(self, name), 0, 255,
                                          hint="Noise sigmas are in 0-255 grey levels, e.g. (1, 30)."))
            name = "poisson_scale" + suffix
            set_(self, name, _check_range(name, getattr(self, name), 0, 10, hint="E.g. (0.05, 3)."))
            name = "jpeg_quality" + suffix
            set_(self, name, _check_range(name, getattr(self, name), 1, 100, integer=True,
                                          hint="JPEG qualities are whole numbers from 1 to 100, e.g. (30, 95)."))
        modes = self.resize_modes
        if isinstance(modes, str) or not hasattr(modes, "__len__") or len(modes) == 0 or \
                any(m not in RESIZE_MODES for m in modes):
            raise InvalidValueError(f"resize_modes must be a non-empty tuple of {', '.join(map(repr, RESIZE_MODES))}, "
                                    f"got {modes!r}.")
        set_(self, "resize_modes", tuple(modes))
        set_(self, "iso_prob", _check_prob("iso_prob", self.iso_prob))
        set_(self, "jpeg_first_prob", _check_prob("jpeg_first_prob", self.jpeg_first_prob))

    @classmethod
    def mixed(cls, scale: int) -> "SecondOrderDegradation":
        """The classical blind-SR training set-up, as one round (the degradation named ``'mixed'``).

        Each step with probability 1/2, independently: a Gaussian blur of the HR (sigma 0.2 to 2.5 HR pixels,
        isotropic or anisotropic), then MATLAB-bicubic downsampling to the LR size (always; no intermediate
        resize), Gaussian noise on the LR (sigma 1 to 30 grey levels, per channel), and JPEG last (quality 30
        to 95).  One patch in eight is the clean bicubic LR of the benchmarks.  It covers the blur, noise and
        JPEG of :data:`srkit.evaluate.DEGRADED_CONDITIONS` without the second round's compounding, so a
        model trained on it stays close to a bicubic-trained one on clean inputs.
        """
        return cls(scale, blur_prob=0.5, blur_sigma=(0.2, 2.5), resize_probs=(0.0, 0.0, 1.0), noise_prob=0.0,
                   jpeg_prob=0.0, blur_prob2=0.0, resize_probs2=(0.0, 0.0, 1.0), noise_prob2=0.5,
                   gaussian_noise_prob2=1.0, noise_sigma2=(1.0, 30.0), gray_noise_prob2=0.0, jpeg_prob2=0.5,
                   jpeg_quality2=(30, 95), resize_modes=("bicubic",), jpeg_first_prob=0.0)

    @property
    def is_random(self) -> bool:
        """Always ``True``: every call draws new degradations (so samplers degrade each patch on its own)."""
        return True

    # -- the steps, each on float (H, W, C) images in 0-255 ----------------------------------------------
    def _blur_step(self, x: np.ndarray, rng: np.random.Generator, sigma_range: tuple) -> np.ndarray:
        lo, hi = self.kernel_size
        size = 2 * int(rng.integers(lo // 2, hi // 2 + 1)) + 1
        if rng.random() < self.iso_prob:
            k = blur_kernel(size, rng.uniform(*sigma_range))
        else:
            k = blur_kernel(size, rng.uniform(*sigma_range), rng.uniform(*sigma_range), rng.uniform(-math.pi, math.pi))
        return _blur(x, k)

    def _resize_step(self, x: np.ndarray, rng: np.random.Generator, probs: tuple, factors: tuple,
                     base: tuple[int, int]) -> np.ndarray:
        kind = rng.choice(3, p=probs)
        if kind == 0:
            f = rng.uniform(max(factors[0], 1.0), max(factors[1], 1.0))
        elif kind == 1:
            f = rng.uniform(min(factors[0], 1.0), min(factors[1], 1.0))
        else:
            f = 1.0
        mode = self.resize_modes[int(rng.integers(len(self.resize_modes)))]
        shape = tuple(max(_MIN_SIDE, int(n * f)) for n in base)
        return _resize(x, shape, mode)

    @staticmethod
    def _noise_step(x: np.ndarray, rng: np.random.Generator, gaussian_prob: float, sigma_range: tuple,
                    poisson_range: tuple, gray_prob: float) -> np.ndarray:
        gray = rng.random() < gray_prob
        shape = x.shape[:2] + ((1,) if gray else x.shape[2:])
        if rng.random() < gaussian_prob:
            noise = rng.normal(0.0, rng.uniform(*sigma_range), size=shape)
        else:
            scale = rng.uniform(*poisson_range)
            level = np.clip(x, 0, 255)
            if gray:
                level = level @ _LUMA[:, None] if x.shape[2] == 3 else level
            noise = scale * (rng.poisson(level) - level)
        return np.clip(x + noise, 0, 255)

    @staticmethod
    def _jpeg_step(x: np.ndarray, rng: np.random.Generator, qualities: tuple) -> np.ndarray:
        q = int(rng.integers(qualities[0], qualities[1] + 1))
        return jpeg_compress(round_255(x), q).astype(np.float64)

    def __call__(self, hr: np.ndarray, rng: np.random.Generator | int | None = None) -> np.ndarray:
        """Degrade a uint8 HR image ``(H, W)`` or ``(H, W, 1|3)`` to its uint8 LR image of
        ``(H // scale, W // scale)`` (the same number of dimensions and channels).

        ``rng``: a :class:`numpy.random.Generator` (advanced by the draws) or a seed (a whole number >= 0);
        the same generator state or seed gives the same LR image, bit for bit.  ``None``: fresh randomness."""
        x = np.asarray(hr)
        if x.ndim not in (2, 3) or (x.ndim == 3 and x.shape[2] not in (1, 3)):
            raise ShapeError(f"SecondOrderDegradation expects one (H, W), (H, W, 1) or (H, W, 3) image, got an "
                             f"array of shape {x.shape}; give one image at a time (e.g. images[0] of a batch).")
        if x.dtype != np.uint8:
            raise ShapeError(f"SecondOrderDegradation needs a uint8 image (noise and JPEG are defined on 8-bit grey "
                             f"levels), got {x.dtype}. Convert it first: srkit.color.to_uint8(image) for floats in "
                             "[0, 1].")
        if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
            check_int("seed", rng, low=0)
        rng = np.random.default_rng(rng)
        squeeze = x.ndim == 2
        x = modcrop(x[..., None] if squeeze else x, self.scale)
        target = (x.shape[0] // self.scale, x.shape[1] // self.scale)
        x = x.astype(np.float64)
        # round 1
        if rng.random() < self.blur_prob:
            x = self._blur_step(x, rng, self.blur_sigma)
        x = self._resize_step(x, rng, self.resize_probs, self.resize_range, x.shape[:2])
        if rng.random() < self.noise_prob:
            x = self._noise_step(x, rng, self.gaussian_noise_prob, self.noise_sigma, self.poisson_scale,
                                 self.gray_noise_prob)
        if rng.random() < self.jpeg_prob:
            x = self._jpeg_step(x, rng, self.jpeg_quality)
        # round 2
        if rng.random() < self.blur_prob2:
            x = self._blur_step(x, rng, self.blur_sigma2)
        x = self._resize_step(x, rng, self.resize_probs2, self.resize_range2, target)
        if rng.random() < self.noise_prob2:
            x = self._noise_step(x, rng, self.gaussian_noise_prob2, self.noise_sigma2, self.poisson_scale2,
                                 self.gray_noise_prob2)
        # final: resize to the LR size and JPEG, in a random order
        jpeg_first = rng.random() < self.jpeg_first_prob
        jpeg = rng.random() < self.jpeg_prob2
        mode = self.resize_modes[int(rng.integers(len(self.resize_modes)))]
        if jpeg and jpeg_first:
            x = self._jpeg_step(x, rng, self.jpeg_quality2)
        x = _resize(x, target, mode)
        if jpeg and not jpeg_first:
            x = self._jpeg_step(x, rng, self.jpeg_quality2)
        out = round_255(x)
        return out[..., 0] if squeeze else out


#: Degradations by name (:func:`degradation`): the classical presets and the second-order pipeline.
DEGRADATIONS = ("bicubic", "bd", "dn", "mixed", "realistic")


def degradation(name: str, scale: int) -> "Degradation | SecondOrderDegradation":
    """A degradation by name, for ``scale``: ``'bicubic'`` (:meth:`Degradation.BI`, the benchmarks'),
    ``'bd'`` (:meth:`Degradation.BD`, blur then bicubic), ``'dn'`` (:meth:`Degradation.DN`, bicubic then noise
    sigma 30), ``'mixed'`` (:meth:`SecondOrderDegradation.mixed`: one round, blur, noise and JPEG each with
    probability 1/2, no intermediate resize) or ``'realistic'`` (:class:`SecondOrderDegradation` with its
    defaults, two rounds).  Another name is refused with the list of names."""
    from .errors import check_choice

    check_choice("degradation", name, DEGRADATIONS,
                 hint="'bicubic' is the clean benchmark degradation, 'realistic' the second-order blur, resize, "
                      "noise and JPEG pipeline.")
    scale = _check_scale(scale)
    if name == "realistic":
        return SecondOrderDegradation(scale)
    if name == "mixed":
        return SecondOrderDegradation.mixed(scale)
    return {"bicubic": Degradation.BI, "bd": Degradation.BD, "dn": Degradation.DN}[name](scale)
