"""No-reference image quality: NIQE, the Natural Image Quality Evaluator (Mittal, Soundararajan and Bovik, 2013).

PSNR and SSIM need the ground truth.  For your own photos there is none, and NIQE measures how far an image's
local statistics are from those of sharp natural photos, with no reference at all (lower is better):

1. **MSCN coefficients** (:func:`mscn`): each grey value minus its local mean, divided by its local contrast
   (a 7x7 Gaussian window, sigma 7/6).  For natural photos they are close to Gaussian; blur, noise and
   compression change their shape.
2. **36 features per 96x96 patch** (:func:`patch_features`): at two scales (the image and its half-size
   bicubic version), a generalised Gaussian fit of the MSCN coefficients (shape, variance) and asymmetric
   generalised Gaussian fits of the products of horizontal, vertical and both diagonal neighbours (shape,
   mean, left and right variance): 18 numbers per scale.
3. **The pristine model** (:class:`PristineModel`): a multivariate Gaussian (mean, covariance) of the
   features of the *sharp* patches of undistorted photos.  A patch counts as sharp when its mean local
   contrast is at least 0.75 of the sharpest patch of its image, as in the paper.
4. **The score** (:func:`niqe`): the features of all patches of the image under test give a second Gaussian;
   NIQE is the distance between the two, ``sqrt((m1 - m2)^T ((S1 + S2) / 2)^+ (m1 - m2))``.

The steps follow the authors' MATLAB release (``computequality.m``, ``estimatemodelparam.m``).  One thing
differs, on purpose: **the pristine model shipped with srkit was fitted by the kit** on its own training
photos (T91 and BSD200 without the 8 validation images; ``python tools/fit_niqe.py`` remakes it), not on the
125 photos of the paper.  Scores therefore rank images the same way but their absolute values differ from
published NIQE numbers (which use the MATLAB release's model of 125 other photos); compare NIQE values computed
with the same pristine model only, and compare rankings, not absolute values, with papers.  Colour images are
scored on BT.601 luma (:func:`srkit.color.rgb_to_y`, rounded), as SR papers score them.

What it can and cannot tell (measured on Set14 in ``docs/results.md``, "No-reference quality (NIQE)"): NIQE
rises steadily with blur, noise and strong JPEG, and rates bicubic and PSNR-trained x4 outputs far from
natural; it also penalises GAN artefacts such as a fine periodic grid.  It rates a mild smoothing of a grainy
photo (JPEG quality 90) as slightly *more* natural, and it says nothing about fidelity to the true scene.
The learned metrics the field uses, LPIPS and DISTS, are deep-feature distances to the reference calibrated
on human similarity judgements; they need pretrained network weights from a model hub, which the kit does not
ship (it works offline), so the kit offers NIQE (no reference) and :func:`srkit.metrics.texture_distance`
(amount of fine detail against the reference) instead: neither is a judgement of what people see.

    >>> from srkit.quality import niqe
    >>> niqe(image)               # lower = more natural-looking
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from .errors import InvalidValueError, ShapeError

__all__ = ["niqe", "mscn", "patch_features", "image_features", "fit_pristine", "PristineModel", "pristine_model",
           "PRISTINE_FILE", "PATCH_SIZE", "SHARPNESS_THRESHOLD", "FEATURE_NAMES"]

#: The pristine model shipped with the kit (fitted by ``tools/fit_niqe.py``).
PRISTINE_FILE = Path(__file__).resolve().parent / "niqe_pristine.npz"
#: Side of the square patches features are computed on (the paper's 96).
PATCH_SIZE = 96
#: A patch of a pristine image is kept when its sharpness is at least this fraction of its image's sharpest.
SHARPNESS_THRESHOLD = 0.75

_SHIFTS = ((0, 1), (1, 0), (1, 1), (1, -1))  # horizontal, vertical, main diagonal, secondary diagonal
#: Names of the 36 features, in order (``s1`` the image, ``s2`` its half-size version).
FEATURE_NAMES = tuple(
    f"s{s}_{name}"
    for s in (1, 2)
    for name in ["ggd_shape", "ggd_var"] + [f"{d}_{p}" for d in ("h", "v", "d1", "d2")
                                           for p in ("shape", "mean", "left_var", "right_var")]
)

_GAM = np.arange(0.2, 10.0 + 5e-4, 0.001)  # the shape parameters searched, as in the MATLAB release


def _gamma(x):
    from scipy.special import gamma

    return gamma(x)


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray]:
    g = _GAM
    r_ggd = _gamma(1 / g) * _gamma(3 / g) / _gamma(2 / g) ** 2
    r_aggd = _gamma(2 / g) ** 2 / (_gamma(1 / g) * _gamma(3 / g))
    return r_ggd, r_aggd


def _checked(image) -> np.ndarray:
    """The image as uint8 ``(H, W)`` or ``(H, W, 3)``, or a clear error (uint8, or float in [0, 1])."""
    from .color import to_uint8

    a = np.asarray(image)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[..., 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] != 3) or a.size == 0:
        raise ShapeError(f"NIQE needs one grey (H, W) or RGB (H, W, 3) image, got an array of shape {a.shape}.")
    if a.dtype != np.uint8:
        if not np.issubdtype(a.dtype, np.floating) or not np.isfinite(a).all() or a.min() < 0 or a.max() > 1:
            raise InvalidValueError("NIQE needs a uint8 image or a float image with finite values in [0, 1]; got "
                                    f"{a.dtype} values" + (f" from {a.min():g} to {a.max():g}" if a.size and
                                                            np.issubdtype(a.dtype, np.number) else "") + ".")
        a = to_uint8(a)
    return a


def _luma(a: np.ndarray) -> np.ndarray:
    """Grey values (float64, 0-255, whole numbers) of a checked uint8 image (see :func:`_checked`)."""
    from .color import rgb_to_y

    if a.ndim == 2:
        return a.astype(np.float64)
    return np.floor(rgb_to_y(a.astype(np.float64)) + 0.5)


def mscn(grey: np.ndarray, sigma: float = 7 / 6, size: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Mean-subtracted contrast-normalised coefficients of a grey image (float, 0-255 scale).

    Returns ``(mscn, local_std)``: ``(I - mu) / (sigma + 1)`` with ``mu`` and ``sigma`` the local mean and
    standard deviation under a ``size x size`` Gaussian window (edges replicated), as in the NIQE release.
    """
    from scipy.ndimage import correlate

    from .degrade import gaussian_kernel

    x = np.asarray(grey, np.float64)
    k = gaussian_kernel(sigma, size)
    mu = correlate(x, k, mode="nearest")
    var = correlate(x * x, k, mode="nearest") - mu * mu
    std = np.sqrt(np.abs(var))
    return (x - mu) / (std + 1.0), std


def _ggd(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Generalised Gaussian fit (shape, variance) of each row of ``blocks`` (N, n), by moment matching."""
    r_ggd, _ = _tables()
    sigma_sq = np.mean(blocks**2, axis=1)
    e = np.mean(np.abs(blocks), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = sigma_sq / e**2
    idx = np.argmin(np.abs(rho[:, None] - r_ggd[None, :]), axis=1)
    shape = _GAM[idx].astype(np.float64)
    shape[~np.isfinite(rho)] = np.nan
    return shape, sigma_sq


def _aggd(pairs: np.ndarray) -> np.ndarray:
    """Asymmetric generalised Gaussian fit of each row: (N, 4) of shape, mean, left variance, right variance."""
    _, r_aggd = _tables()
    neg, pos = pairs < 0, pairs > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        left = np.sqrt(np.sum(np.where(neg, pairs**2, 0), axis=1) / neg.sum(axis=1))
        right = np.sqrt(np.sum(np.where(pos, pairs**2, 0), axis=1) / pos.sum(axis=1))
        gammahat = left / right
        rhat = np.mean(np.abs(pairs), axis=1) ** 2 / np.mean(pairs**2, axis=1)
        rhatnorm = rhat * (gammahat**3 + 1) * (gammahat + 1) / (gammahat**2 + 1) ** 2
    idx = np.argmin((r_aggd[None, :] - rhatnorm[:, None]) ** 2, axis=1)
    alpha = _GAM[idx].astype(np.float64)
    alpha[~np.isfinite(rhatnorm)] = np.nan
    const = np.sqrt(_gamma(1 / alpha)) / np.sqrt(_gamma(3 / alpha))
    mean = (right - left) * (_gamma(2 / alpha) / _gamma(1 / alpha)) * const
    return np.stack([alpha, mean, left**2, right**2], axis=1)


def patch_features(coefficients: np.ndarray) -> np.ndarray:
    """The 18 NIQE features of each patch: ``coefficients`` is (N, p, p) MSCN patches; returns (N, 18).

    Per patch: the generalised Gaussian fit (shape, variance) of the coefficients, then for each of the four
    neighbour directions (horizontal, vertical, two diagonals) the asymmetric fit (shape, mean, left and
    right variance) of the products of each coefficient with its neighbour, the patch wrapped around at its
    edges (MATLAB's ``circshift``, as in the release).
    """
    c = np.asarray(coefficients, np.float64)
    if c.ndim != 3:
        raise ShapeError(f"patch_features expects (N, p, p) patches, got shape {c.shape}.")
    n = c.shape[0]
    flat = c.reshape(n, -1)
    shape, var = _ggd(flat)
    cols = [shape[:, None], var[:, None]]
    for dy, dx in _SHIFTS:
        shifted = np.roll(c, (dy, dx), axis=(1, 2))
        cols.append(_aggd(flat * shifted.reshape(n, -1)))
    return np.concatenate(cols, axis=1)


def _blocks(x: np.ndarray, p: int) -> np.ndarray:
    """Non-overlapping p x p blocks of ``x`` (its size a multiple of p), row by row: (N, p, p)."""
    h, w = x.shape
    return x.reshape(h // p, p, w // p, p).transpose(0, 2, 1, 3).reshape(-1, p, p)


#: Images are described in horizontal bands of about this many pixels (whole rows of patches, plus a margin of
#: context), so that memory stays bounded for large images; the features are the same as in one piece.
_BAND_PIXELS = 4_000_000
_BAND_MARGIN = 16  # full-scale rows of context: the half-size resize (4 rows) and the MSCN window at half size (6)


def image_features(image, patch_size: int = PATCH_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """The 36 NIQE features of every ``patch_size`` patch of an image, and each patch's sharpness.

    The image (uint8 or float in [0, 1], grey or RGB; colour is scored on BT.601 luma) is cropped at the bottom
    and right to whole patches.  Returns ``(features (N, 36), sharpness (N,))``, patches in row order; the
    sharpness of a patch is its mean local contrast (``sigma`` of :func:`mscn`) at full scale.  Large images are
    worked through in bands of whole patch rows with a margin of context, which gives the same features with
    bounded memory.

    Raises:
        ShapeError: the image is smaller than one patch (``patch_size`` x ``patch_size`` pixels).
    """
    from .degrade import imresize

    p = int(patch_size)
    if p < 8 or p % 2:
        raise InvalidValueError(f"patch_size must be an even number of pixels >= 8 (NIQE uses 96), got {patch_size!r}.")
    a = _checked(image)
    h, w = a.shape[:2]
    if h < p or w < p:
        raise ShapeError(f"NIQE needs an image of at least {p}x{p} pixels (one {p}x{p} patch); this one is {w}x{h}.")
    h, w = h - h % p, w - w % p
    a = a[:h, :w]
    step = p * max(1, _BAND_PIXELS // (w * p))
    feats, sharpness = [], []
    for r0 in range(0, h, step):
        r1 = min(h, r0 + step)
        lo, hi = max(0, r0 - _BAND_MARGIN), min(h, r1 + _BAND_MARGIN)
        grey = _luma(a[lo:hi])
        coeffs, std = mscn(grey)
        f1 = patch_features(_blocks(coeffs[r0 - lo:r1 - lo], p))
        sharpness.append(_blocks(std[r0 - lo:r1 - lo], p).mean(axis=(1, 2)))
        coeffs, _ = mscn(imresize(grey, 0.5))  # MATLAB bicubic with antialiasing, float64
        f2 = patch_features(_blocks(coeffs[(r0 - lo) // 2:(r1 - lo) // 2], p // 2))
        feats.append(np.concatenate([f1, f2], axis=1))
    return np.concatenate(feats), np.concatenate(sharpness)


@dataclass
class PristineModel:
    """The multivariate Gaussian of sharp natural patches that NIQE measures distances to.

    Attributes:
        mean: (36,) mean feature vector.
        cov: (36, 36) covariance.
        info: how it was fitted (images, patches, threshold, the command), as stored in the file.
    """

    mean: np.ndarray
    cov: np.ndarray
    info: dict = field(default_factory=dict)

    def save(self, path: str | Path) -> Path:
        """Write the model as ``.npz`` (``mean``, ``cov``, ``info`` as JSON), under a temporary name then renamed."""
        import os

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.npz")
        try:
            np.savez(tmp, mean=np.asarray(self.mean, np.float64), cov=np.asarray(self.cov, np.float64),
                     info=np.array(json.dumps(self.info, sort_keys=True)))
            os.replace(tmp, path)
        finally:
            if tmp.exists():
                tmp.unlink()
        return path

    @classmethod
    def load(cls, path: str | Path) -> "PristineModel":
        """Read a model written by :meth:`save`."""
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"No NIQE pristine model at {path}; make it with `python tools/fit_niqe.py`.")
        with np.load(path, allow_pickle=False) as z:
            mean, cov, info = z["mean"], z["cov"], json.loads(str(z["info"]))
        if mean.shape != (36,) or cov.shape != (36, 36):
            raise ShapeError(f"{path} is not a NIQE pristine model (mean {mean.shape}, cov {cov.shape}).")
        return cls(mean, cov, info)


@lru_cache(maxsize=1)
def pristine_model() -> PristineModel:
    """The pristine model shipped with the kit (:data:`PRISTINE_FILE`), loaded once."""
    return PristineModel.load(PRISTINE_FILE)


def fit_pristine(images, patch_size: int = PATCH_SIZE, threshold: float = SHARPNESS_THRESHOLD,
                 info: dict | None = None) -> PristineModel:
    """Fit the pristine model on sharp natural images, as the NIQE release does.

    Args:
        images: an iterable of images (uint8 or float in [0, 1], grey or RGB) or ``(name, image)`` pairs.
        patch_size: patch side (96 in the paper).
        threshold: of each image, only patches whose sharpness is at least ``threshold`` times the image's
            sharpest patch are used (0.75 in the paper).  Images smaller than one patch are skipped.
        info: extra entries for the model's ``info`` (e.g. the command that fitted it).

    Returns a :class:`PristineModel` whose ``info`` counts the images and patches used.
    """
    rows, used, skipped = [], 0, 0
    for item in images:
        im = item[1] if isinstance(item, tuple) else item
        a = np.asarray(im)
        if min(a.shape[:2]) < patch_size:
            skipped += 1
            continue
        f, sharp = image_features(a, patch_size)
        keep = sharp >= threshold * sharp.max()
        rows.append(f[keep])
        used += 1
    if not rows:
        raise ShapeError(f"No image of at least {patch_size}x{patch_size} pixels to fit the pristine model on.")
    feats = np.concatenate(rows)
    feats = feats[np.isfinite(feats).all(axis=1)]
    if len(feats) < 2:
        raise ShapeError("Fewer than two usable patches: a pristine model needs many sharp patches.")
    meta = {"images": used, "skipped_small_images": skipped, "patches": int(len(feats)), "patch_size": int(patch_size),
            "sharpness_threshold": float(threshold)}
    meta.update(info or {})
    return PristineModel(feats.mean(axis=0), np.cov(feats, rowvar=False), meta)


def niqe(image, model: PristineModel | None = None, crop_border: int = 0, patch_size: int = PATCH_SIZE) -> float:
    """NIQE of one image (lower = closer to the statistics of sharp natural photos).

    Args:
        image: uint8, or float in [0, 1]; grey ``(H, W)``/``(H, W, 1)`` or RGB ``(H, W, 3)`` (scored on
            BT.601 luma).  It needs at least one ``patch_size`` x ``patch_size`` patch after the border crop.
        model: the pristine model (default: the kit's, :func:`pristine_model`).
        crop_border: pixels removed from every border first (SR papers use the scale).
        patch_size: patch side (96, as the model was fitted with).

    Raises:
        ShapeError: the image is smaller than one patch (the message gives both sizes).
        InvalidValueError: an image that is not uint8 or [0, 1] floats.
    """
    model = model or pristine_model()
    a = np.asarray(image)
    b = int(crop_border)
    if b < 0:
        raise InvalidValueError(f"crop_border must be >= 0, got {crop_border!r}.")
    if b:
        if min(a.shape[:2]) <= 2 * b:
            raise ShapeError(f"Cannot remove {b} pixels from each border of a {a.shape[1]}x{a.shape[0]} image.")
        a = a[b:-b, b:-b]
    feats, _ = image_features(a, patch_size)
    feats = feats[np.isfinite(feats).all(axis=1)]
    if len(feats) == 0:
        # a flat image: no contrast anywhere, so no statistics to compare
        return float("inf")
    mu = feats.mean(axis=0)
    cov = np.cov(feats, rowvar=False) if len(feats) > 1 else np.zeros((feats.shape[1],) * 2)
    d = model.mean - mu
    inv = np.linalg.pinv((model.cov + cov) / 2)
    return float(np.sqrt(max(0.0, d @ inv @ d)))
