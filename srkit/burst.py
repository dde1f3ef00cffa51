"""Multi-image SR data: bursts of shifted low-resolution frames of one scene, and shift-and-add.

Why several frames help: a single LR image samples the scene on one grid, and detail finer than that
grid is lost (or aliased). A burst of frames shifted by *fractions* of an LR pixel samples the scene on
several interleaved grids, so together the frames hold real information that no single frame has.

:func:`make_burst` simulates such a burst from any HR image: frame ``i`` is the HR image shifted by a
random whole number of HR pixels (a sub-pixel shift of the LR grid), averaged over ``scale x scale``
blocks (each LR pixel integrates light over its area, as a sensor does; this keeps aliasing, which
carries the extra information) and optionally noisy.  Frame 0 is the reference: the target HR is
aligned with it.  The shifts are known to the generator (and to :func:`shift_and_add`), not to a model.

:func:`load_frames` reads a folder of real consecutive frames (your own video) into the same structure,
with unknown shifts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from .errors import ShapeError

__all__ = ["Burst", "make_burst", "load_frames", "shift_and_add"]


@dataclass(frozen=True)
class Burst:
    """A burst: ``frames`` (N, h, w, C) uint8, ``shifts`` (N, 2) of (dy, dx) in LR pixels relative to
    frame 0 (``None`` when unknown), ``hr`` the ground truth aligned with frame 0 (or ``None``) and the
    ``scale``."""

    frames: np.ndarray
    shifts: np.ndarray | None
    hr: np.ndarray | None
    scale: int

    def __len__(self) -> int:
        return len(self.frames)


def _area_downsample(x: np.ndarray, s: int) -> np.ndarray:
    h, w = x.shape[0] // s, x.shape[1] // s
    return x[: h * s, : w * s].reshape(h, s, w, s, -1).mean(axis=(1, 3))


def make_burst(
    hr: np.ndarray,
    scale: int = 4,
    frames: int = 5,
    noise_sigma: float = 0.0,
    seed: int | np.random.Generator | None = 0,
) -> Burst:
    """Simulate ``frames`` LR frames of ``hr`` with random sub-pixel shifts (see the module docs).

    Args:
        hr: uint8 HR image, (H, W) or (H, W, C).
        scale: downscaling factor; shifts are multiples of ``1/scale`` LR pixel.
        frames: number of frames (the first has no shift).
        noise_sigma: Gaussian noise on the LR frames, 0-255 units.
        seed: seed (or Generator) for the shifts and the noise; the same seed gives the same burst.

    Returns a :class:`Burst` whose ``hr`` is the ground truth aligned with frame 0, cropped so that every
    shifted frame stays inside the image.
    """
    rng = np.random.default_rng(seed)
    x = np.asarray(hr)
    if x.ndim == 2:
        x = x[..., None]
    if x.dtype != np.uint8:
        raise ShapeError(f"make_burst needs a uint8 image, got {x.dtype}.")
    if frames < 1:
        raise ValueError(f"A burst needs at least one frame, got {frames}.")
    s = int(scale)
    m = s  # margin for the shifts, in HR pixels
    h = (x.shape[0] - 2 * m) // s
    w = (x.shape[1] - 2 * m) // s
    if h < 4 or w < 4:
        raise ShapeError(f"The image ({x.shape[1]}x{x.shape[0]}) is too small for a x{s} burst.")
    shifts_hr = rng.integers(-s + 1, s, size=(frames, 2))
    shifts_hr[0] = 0
    xf = x.astype(np.float64)
    out = []
    for dy, dx in shifts_hr:
        crop = xf[m + dy : m + dy + h * s, m + dx : m + dx + w * s]
        lr = _area_downsample(crop, s)
        if noise_sigma:
            lr = lr + rng.normal(0.0, noise_sigma, lr.shape)
        out.append(np.clip(np.floor(lr + 0.5), 0, 255).astype(np.uint8))
    target = x[m : m + h * s, m : m + w * s]
    return Burst(np.stack(out), shifts_hr / s, target, s)


def load_frames(folder: str | os.PathLike, limit: int | None = None, scale: int = 4) -> Burst:
    """A folder of consecutive frames (sorted by file name) as a :class:`Burst` with unknown shifts.

    All frames must have the same size and number of channels.
    """
    from .data import load_folder

    named = load_folder(folder, limit)
    shapes = {name: im.shape for name, im in named}
    if len(set(shapes.values())) != 1:
        listing = ", ".join(f"{n}: {s[1]}x{s[0]}x{s[2]}" for n, s in shapes.items())
        raise ShapeError(f"All frames of a burst must have the same size and channels; got {listing}.")
    return Burst(np.stack([im for _, im in named]), None, None, int(scale))


def shift_and_add(burst: Burst, sigma: float = 0.7) -> np.ndarray:
    """Classical multi-frame SR with known shifts: put every LR sample where it belongs on the HR grid,
    average coincident samples, and fill the gaps by normalised Gaussian interpolation.

    Each LR pixel integrates an ``s x s`` HR block, so its sample sits at the block centre.  Returns a
    float image in [0, 1] of shape ``(s*h, s*w, C)``, aligned with frame 0.
    """
    from scipy.ndimage import gaussian_filter

    if burst.shifts is None:
        raise ValueError("shift_and_add needs the true shifts; this burst (real frames) has none.")
    s = burst.scale
    n, h, w, c = burst.frames.shape
    acc = np.zeros((h * s, w * s, c))
    cnt = np.zeros((h * s, w * s, 1))
    rows = np.arange(h) * s + s // 2
    cols = np.arange(w) * s + s // 2
    for frame, (dy, dx) in zip(burst.frames.astype(np.float64), np.round(burst.shifts * s).astype(int)):
        r = rows + dy
        cc = cols + dx
        rv, cv = (r >= 0) & (r < h * s), (cc >= 0) & (cc < w * s)
        acc[np.ix_(r[rv], cc[cv])] += frame[np.ix_(rv, cv)]
        cnt[np.ix_(r[rv], cc[cv])] += 1
    num = np.stack([gaussian_filter(acc[..., k], sigma * s / 2) for k in range(c)], axis=-1)
    den = gaussian_filter(cnt[..., 0], sigma * s / 2)[..., None]
    filled = np.where(cnt > 0, acc / np.maximum(cnt, 1), num / np.maximum(den, 1e-8))
    return np.clip(filled / 255.0, 0.0, 1.0)
