"""PSNR and SSIM measured the way SR papers measure them.

The protocol (one implementation, used by everything in srkit):

1. **Channel.**  RGB images are converted to luma ``Y`` of ITU-R BT.601 in *studio swing*
   (``Y = 16 + (65.481 R + 128.553 G + 24.966 B)`` with ``R, G, B`` in ``[0, 1]``, so ``Y`` lies in
   ``[16, 235]``), kept in float (not rounded).  Single-channel images are scored on their grey values
   as they are: converting grey to "Y" would squeeze it into ``[16, 235]`` and change the number.
2. **Border.**  ``crop_border`` pixels (by convention the scale factor) are shaved from every side:
   the borders depend on how each method pads, and papers ignore them.
3. **Arithmetic.**  float64 on the 0-255 scale; PSNR uses peak 255; SSIM uses the Gaussian-window SSIM
   of Wang et al. (2004): 11x11 window, sigma 1.5, ``K1 = 0.01``, ``K2 = 0.03``, population covariance,
   valid region only, averaged over the map (``ssim_index.m``), computed by scikit-image's
   ``structural_similarity`` with exactly these settings.
4. **Averaging.**  Scores are computed per image and then averaged over a dataset (never one PSNR of a
   pooled MSE).

Images may be ``uint8`` (0-255) or float (0-1); both are brought to the 0-255 scale.  SR outputs should be
quantised to ``uint8`` before scoring (as saving a PNG would), which :mod:`srkit.scoring` (the loop
every evaluation goes through) does.  The luma conversion and the quantisation live in :mod:`srkit.color`.

The Keras versions (:func:`psnr_metric`, :func:`ssim_metric`, :func:`tf_psnr`, :func:`tf_ssim`) follow
the same protocol with ``keras.ops`` so they can be training metrics or losses; they agree with the
NumPy versions to well under 0.01 dB.
"""

from __future__ import annotations

import numpy as np

from .color import Y_COEFFS, Y_OFFSET, rgb_to_y
from .errors import ShapeError

__all__ = [
    "rgb_to_y",
    "to_y_channel",
    "crop_border",
    "psnr",
    "ssim",
    "tf_psnr",
    "tf_ssim",
    "psnr_metric",
    "ssim_metric",
    "radial_power_spectrum",
    "spectral_log_ratio",
    "texture_distance",
]

def _as_255(image) -> np.ndarray:
    """float64 array on the 0-255 scale, always (H, W, C)."""
    a = np.asarray(image)
    if a.ndim == 2:
        a = a[..., None]
    if a.ndim != 3 or a.shape[2] not in (1, 3):
        raise ShapeError(
            f"Expected an image of shape (H, W), (H, W, 1) or (H, W, 3), got {a.shape}."
        )
    if a.dtype == np.uint8:
        return a.astype(np.float64)
    if np.issubdtype(a.dtype, np.floating):
        return a.astype(np.float64) * 255.0
    raise ShapeError(f"Images must be uint8 (0-255) or float (0-1), got dtype {a.dtype}.")


def to_y_channel(image) -> np.ndarray:
    """The channel srkit scores: Y (float64, 0-255 scale) for RGB, grey values for 1-channel images.

    Returns an (H, W) float64 array.
    """
    a = _as_255(image)
    return rgb_to_y(a) if a.shape[2] == 3 else a[..., 0]


def crop_border(image: np.ndarray, border: int) -> np.ndarray:
    """Shave ``border`` pixels from each side of an (H, W, ...) array."""
    border = int(border)
    if border < 0:
        raise ValueError(f"crop_border must be >= 0, got {border}.")
    if border == 0:
        return image
    h, w = image.shape[:2]
    if h <= 2 * border or w <= 2 * border:
        raise ShapeError(f"Image of size {h}x{w} is too small to shave {border} pixels per side.")
    return image[border:-border, border:-border]


def _prepare(sr, hr, crop, y_channel: bool) -> tuple[np.ndarray, np.ndarray]:
    a, b = _as_255(sr), _as_255(hr)
    if a.shape != b.shape:
        raise ShapeError(
            f"SR and HR shapes differ: {a.shape} vs {b.shape}. Crop the HR to a multiple of the scale "
            "(srkit.degrade.modcrop) and make sure the SR has the same number of channels."
        )
    if y_channel:
        a = rgb_to_y(a)[..., None] if a.shape[2] == 3 else a
        b = rgb_to_y(b)[..., None] if b.shape[2] == 3 else b
    return crop_border(a, crop), crop_border(b, crop)


def psnr(sr, hr, crop_border: int = 0, y_channel: bool = True) -> float:
    """Peak signal-to-noise ratio in dB (peak 255) between an SR image and its ground truth.

    Args:
        sr, hr: images of the same shape, uint8 (0-255) or float (0-1).
        crop_border: pixels shaved from each side before scoring (use the scale factor).
        y_channel: score RGB images on BT.601 Y (the SR convention); ``False`` scores all channels.
            Single-channel images are always scored on their grey values.

    Returns ``inf`` for identical images.
    """
    a, b = _prepare(sr, hr, crop_border, y_channel)
    mse = np.mean((a - b) ** 2)
    return float("inf") if mse == 0 else float(10.0 * np.log10(255.0**2 / mse))


def _gaussian_window(size: int = 11, sigma: float = 1.5) -> np.ndarray:
    r = np.arange(size) - (size - 1) / 2
    g = np.exp(-(r**2) / (2 * sigma**2))
    return g / g.sum()


def _ssim_2d(a: np.ndarray, b: np.ndarray) -> float:
    """SSIM of two (H, W) float64 arrays on the 0-255 scale, the settings of ``ssim_index.m``."""
    from skimage.metrics import structural_similarity

    if min(a.shape) < 11:
        raise ShapeError(f"SSIM needs at least 11x11 pixels after cropping, got {a.shape}.")
    # sigma 1.5 truncated at 3.5 sigma is the 11x11 window; the 5-pixel margin it needs is left out,
    # which is the 'valid' region of filter2(..., 'valid').
    return float(structural_similarity(
        a, b, data_range=255.0, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, K1=0.01, K2=0.03
    ))


def ssim(sr, hr, crop_border: int = 0, y_channel: bool = True) -> float:
    """Structural similarity (Wang et al., 2004), same arguments and protocol as :func:`psnr`.

    With ``y_channel=False`` on an RGB image, SSIM is computed per channel and averaged.
    """
    a, b = _prepare(sr, hr, crop_border, y_channel)
    return float(np.mean([_ssim_2d(a[..., c], b[..., c]) for c in range(a.shape[2])]))


# --------------------------------------------------------------------------------------------------
# Differentiable versions (keras.ops), for training metrics and losses
# --------------------------------------------------------------------------------------------------
def _k_prepare(y_true, y_pred, crop: int, y_channel: bool):
    from keras import ops

    y_true = ops.convert_to_tensor(y_true, dtype="float32")
    y_pred = ops.cast(ops.convert_to_tensor(y_pred), "float32")
    if len(y_true.shape) != 4:
        raise ShapeError(f"Keras metrics expect (batch, H, W, C) tensors, got {tuple(y_true.shape)}.")
    # Everything on the 0-255 scale (inputs are floats in [0, 1]).
    y_true, y_pred = y_true * 255.0, y_pred * 255.0
    if y_channel and y_true.shape[-1] == 3:
        w = ops.convert_to_tensor(np.asarray(Y_COEFFS, "float32") / 255.0)
        y_true = ops.sum(y_true * w, axis=-1, keepdims=True) + Y_OFFSET
        y_pred = ops.sum(y_pred * w, axis=-1, keepdims=True) + Y_OFFSET
    if crop:
        y_true = y_true[:, crop:-crop, crop:-crop, :]
        y_pred = y_pred[:, crop:-crop, crop:-crop, :]
    return y_true, y_pred


def tf_psnr(y_true, y_pred, crop_border: int = 0, y_channel: bool = True):
    """PSNR per image (a ``(batch,)`` tensor, dB) with ``keras.ops``; inputs are floats in [0, 1].

    ``y_channel`` applies to 3-channel inputs; 1-channel inputs (Y or grey models) are used as they are.
    Outputs are not quantised, so pass quantised images to compare with :func:`psnr` exactly.
    """
    from keras import ops

    t, p = _k_prepare(y_true, y_pred, crop_border, y_channel)
    mse = ops.mean(ops.square(t - p), axis=(1, 2, 3))
    return 10.0 * ops.log10(255.0**2 / ops.maximum(mse, 1e-10))


def tf_ssim(y_true, y_pred, crop_border: int = 0, y_channel: bool = True):
    """SSIM per image (a ``(batch,)`` tensor) with ``keras.ops``, same protocol as :func:`ssim`."""
    from keras import ops

    t, p = _k_prepare(y_true, y_pred, crop_border, y_channel)
    channels = t.shape[-1]
    g = _gaussian_window().astype("float32")
    window = np.outer(g, g)[:, :, None, None] * np.ones((1, 1, channels, 1), "float32")
    window = ops.convert_to_tensor(window)

    def filt(x):
        return ops.depthwise_conv(x, window, strides=1, padding="valid")

    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mu_t, mu_p = filt(t), filt(p)
    s_tt = filt(t * t) - mu_t**2
    s_pp = filt(p * p) - mu_p**2
    s_tp = filt(t * p) - mu_t * mu_p
    m = ((2 * mu_t * mu_p + c1) * (2 * s_tp + c2)) / ((mu_t**2 + mu_p**2 + c1) * (s_tt + s_pp + c2))
    return ops.mean(m, axis=(1, 2, 3))


def psnr_metric(crop_border: int = 0, y_channel: bool = True):
    """A Keras metric function ``psnr(y_true, y_pred)`` for ``model.compile(metrics=[...])``."""

    def psnr(y_true, y_pred):  # the name Keras shows in logs
        return tf_psnr(y_true, y_pred, crop_border, y_channel)

    return psnr


def ssim_metric(crop_border: int = 0, y_channel: bool = True):
    """A Keras metric function ``ssim(y_true, y_pred)`` for ``model.compile(metrics=[...])``."""

    def ssim(y_true, y_pred):
        return tf_ssim(y_true, y_pred, crop_border, y_channel)

    return ssim


# --- texture / sharpness without learned weights -------------------------------------------------------

_shave = crop_border  # the functions below have a parameter named crop_border


def radial_power_spectrum(image, bins: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """Radially averaged power spectrum of an image's Y channel.

    The Y channel (see :func:`to_y_channel`) minus its mean is multiplied by a 2-D Hann window (so the
    image borders do not add false high frequencies), Fourier transformed, and ``|F|^2`` is averaged over
    rings of equal spatial frequency ``r = sqrt(fx^2 + fy^2)`` in cycles per pixel.

    Returns ``(freqs, power)``: the ring centres (``bins`` values in ``(0, 0.5)``) and the mean power in
    each ring (0-255 scale, normalised by the window energy).
    """
    y = to_y_channel(image)
    h, w = y.shape
    if min(h, w) < 16:
        raise ShapeError(f"Image of size {h}x{w} is too small for a power spectrum (needs at least 16x16).")
    win = np.outer(np.hanning(h), np.hanning(w))
    f = np.fft.fft2((y - y.mean()) * win)
    power = np.abs(f) ** 2 / np.sum(win**2)
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.fftfreq(w)[None, :]
    r = np.sqrt(fy**2 + fx**2)
    edges = np.linspace(0.0, 0.5, bins + 1)
    idx = np.digitize(r.ravel(), edges) - 1
    keep = (idx >= 0) & (idx < bins)
    sums = np.bincount(idx[keep], weights=power.ravel()[keep], minlength=bins)
    counts = np.bincount(idx[keep], minlength=bins)
    return (edges[:-1] + edges[1:]) / 2, sums / np.maximum(counts, 1)


def spectral_log_ratio(sr, hr, scale: int, crop_border: int | None = None, bins: int = 32):
    """Per frequency ring, how much more (or less) power the SR image has than HR, in dB.

    Only the rings above the LR image's Nyquist frequency (``0.5 / scale`` cycles per HR pixel) are
    returned: below it the LR image already holds the answer; above it is the detail SR must invent.
    Negative values mean missing detail (blur), positive values mean too much (noise, ringing, artefacts).

    Returns ``(freqs, ratio_db)``.
    """
    border = int(scale) if crop_border is None else int(crop_border)
    a, b = _as_255(sr), _as_255(hr)
    if a.shape != b.shape:
        raise ShapeError(f"SR and HR shapes differ: {a.shape} vs {b.shape}.")
    a, b = _shave(a, border), _shave(b, border)
    freqs, p_sr = radial_power_spectrum(a, bins)
    _, p_hr = radial_power_spectrum(b, bins)
    eps = 1e-3  # well below the power of 8-bit quantisation noise (1/12 per pixel)
    ratio = 10.0 * np.log10((p_sr + eps) / (p_hr + eps))
    band = freqs > 0.5 / int(scale)
    return freqs[band], ratio[band]


def texture_distance(sr, hr, scale: int, crop_border: int | None = None, bins: int = 32) -> float:
    """A texture / sharpness distance that needs no downloaded weights: lower is closer to real detail.

    ``texture_distance = mean over frequency rings f > 0.5/scale of | 10 log10( P_SR(f) / P_HR(f) ) |``

    where ``P`` is the radially averaged power spectrum of the Y channel (:func:`radial_power_spectrum`),
    after shaving ``scale`` pixels (as for PSNR).  In words: on average, by how many dB the SR image's
    power at the frequencies the LR image cannot hold differs from the real image's.  HR scores 0;
    a blurry (PSNR-optimised) result scores high because its fine-scale power is too low.

    Limits (read these before trusting it):

    * it ignores *where* the detail is and its phase: noise with the right spectrum scores as well as
      real texture, and a shifted image scores 0.  Use it next to PSNR/SSIM, never alone;
    * it is an image-level statistic: a small image has few pixels per ring, so the value is noisy;
    * it measures amount of detail, not whether people find the image natural (that needs a user study
      or a learned metric such as LPIPS or DISTS, which the kit does not ship; :func:`srkit.quality.niqe`
      is a no-reference naturalness statistic, not fitted to human judgements).
    """
    _, ratio = spectral_log_ratio(sr, hr, scale, crop_border, bins)
    return float(np.mean(np.abs(ratio)))
