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
        raise ShapeError(f"Image of size {h}x{w} is smaller than the scale factor {scale}.")
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
        raise InvalidValueError(f"The scale factor must be a positive integer (2, 3 or 4), got {scale!r}.")
    return int(scale)
