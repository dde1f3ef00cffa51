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

from .color import round_255, to_uint8
from .errors import InvalidValueError, ShapeError, check_float, check_int
from .infer import predict_tiled
from .pipeline import to_channels

__all__ = ["Burst", "make_burst", "load_frames", "shift_and_add", "BurstSampler", "evaluate_bursts", "upscale_burst",
           "check_frames"]


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
        scale: downscaling factor (a whole number >= 1); shifts are multiples of ``1/scale`` LR pixel.
        frames: number of frames (>= 1; the first has no shift).
        noise_sigma: Gaussian noise on the LR frames, 0-255 units (finite, 0 to 255).
        seed: seed (or Generator) for the shifts and the noise; the same seed gives the same burst.

    Returns a :class:`Burst` whose ``hr`` is the ground truth aligned with frame 0, cropped so that every
    shifted frame stays inside the image.
    """
    s = check_int("scale", scale, low=1)
    frames = check_int("frames", frames, low=1, hint="A burst needs at least one frame.")
    noise_sigma = check_float("noise_sigma", noise_sigma, low=0, high=255, hint="It is in 0-255 grey levels.")
    rng = np.random.default_rng(seed)
    x = np.asarray(hr)
    if x.ndim == 2:
        x = x[..., None]
    if x.dtype != np.uint8:
        raise ShapeError(f"make_burst needs a uint8 image, got {x.dtype}.")
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
        out.append(round_255(lr))
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


def check_frames(frames) -> np.ndarray:
    """Stack a burst's frames into one ``(N, h, w, C)`` array, checking what a multi-frame model can use.

    The accepted frames, and what is refused (each with an error naming the frame and what to do):

    * ``uint8`` frames hold 0-255; ``float`` frames must be finite and in [0, 1] (other ranges, NaN or
      infinity are refused: divide 0-255 floats by 255 first).  Other dtypes are refused.
    * 1 (grey) or 3 (RGB) channels, the same for every frame; 4 channels (RGBA) are refused: drop the
      alpha channel first (``frame[..., :3]``).
    * every frame the same size.

    Raises :class:`ShapeError` (frames that do not fit together, wrong dtype or channel count) or
    :class:`~srkit.errors.InvalidValueError` (values out of range or not finite).
    """
    if isinstance(frames, Burst):
        frames = frames.frames
    if isinstance(frames, np.ndarray) and frames.ndim == 4:
        frames = list(frames)
    elif isinstance(frames, np.ndarray):
        raise ShapeError(f"A burst array must be (N, h, w, C), got shape {frames.shape}; give a list of frames or "
                         "stack them along a new first axis.")
    try:
        frames = [np.asarray(f) for f in frames]
    except TypeError:
        raise ShapeError(f"A burst must be a Burst, an (N, h, w, C) array or a list of images, got "
                         f"{type(frames).__name__}.") from None
    if not frames:
        raise ShapeError("The burst has no frames.")
    frames = [f[..., None] if f.ndim == 2 else f for f in frames]
    first = frames[0].shape
    for i, f in enumerate(frames):
        if f.ndim != 3:
            raise ShapeError(f"Frame {i} has shape {f.shape}; frames must be (h, w) or (h, w, C) images.")
        if f.shape[:2] != first[:2]:
            raise ShapeError(f"Frame {i} is {f.shape[1]}x{f.shape[0]} but frame 0 is {first[1]}x{first[0]}: every "
                             "frame of a burst must have the same size (crop or resize them first).")
        if f.shape[2] == 4:
            raise ShapeError(f"Frame {i} has 4 channels (RGBA?); frames must be grey (1 channel) or RGB (3). Drop "
                             "the alpha channel first: frame[..., :3].")
        if f.shape[2] not in (1, 3):
            raise ShapeError(f"Frame {i} has {f.shape[2]} channels; frames must be grey (1 channel) or RGB (3).")
        if f.shape[2] != first[2]:
            raise ShapeError(f"Frame {i} has {f.shape[2]} channel(s) but frame 0 has {first[2]}: convert all frames "
                             "to the same colour mode (e.g. all RGB).")
        if f.dtype != frames[0].dtype:
            raise ShapeError(f"Frame {i} is {f.dtype} but frame 0 is {frames[0].dtype}: give every frame the same "
                             "dtype (uint8 0-255, or float in [0, 1]).")
        if f.dtype == np.uint8:
            continue
        if not np.issubdtype(f.dtype, np.floating):
            raise ShapeError(f"Frame {i} is {f.dtype}; frames must be uint8 (0-255) or float in [0, 1]. Convert "
                             "them, e.g. frame.astype(np.uint8) for 8-bit data.")
        if not np.all(np.isfinite(f)):
            raise InvalidValueError(f"Frame {i} has NaN or infinite values; frames must be finite.")
        lo, hi = float(f.min()), float(f.max())
        if lo < 0.0 or hi > 1.0:
            hint = " (it looks like 0-255: divide by 255)" if hi > 1.0 and lo >= 0.0 and hi <= 255.0 else ""
            raise InvalidValueError(f"Frame {i} is float with values from {lo:g} to {hi:g}; float frames must be in "
                                    f"[0, 1]{hint}, or give uint8 frames (0-255).")
    return np.stack(frames)


def upscale_burst(model, frames, scale: int | None = None, tile: int | None = None, overlap: int = 12) -> np.ndarray:
    """Run a multi-frame model on a burst: the first ``T`` frames (``T`` = what the model was built for),
    Y channel, optionally tile by tile to bound memory.

    ``frames``: a :class:`Burst`, an ``(N, h, w, C)`` array or a list of images, uint8 (0-255) or float
    in [0, 1], grey or RGB (see :func:`check_frames` for what is refused).  RGB frames are scored on Y:
    the result is the SR luma (float, 0-1, ``(s*h, s*w)``) aligned with frame 0.

    ``tile`` and ``overlap`` mean what they mean everywhere in the kit (:func:`srkit.infer.predict_tiled`):
    the result is assembled from ``tile x tile`` LR pieces, each computed with ``overlap`` LR pixels of
    context on every side; with an overlap that covers the model's receptive field the result equals
    the untiled one.  ``scale``, when given (a whole number >= 1), is checked against the model's upscaling
    factor, tiled or not.

    Raises :class:`ShapeError` for frames of different sizes or channel counts, fewer frames than the
    model needs, frames smaller than the model can use, or a model of another scale; ``ValueError`` for
    a tile or overlap that is not a positive (overlap: non-negative) whole number of pixels.
    """
    if len(model.input_shape) != 5:
        raise ShapeError(f"{model.name} takes input {model.input_shape}; upscale_burst needs a multi-frame model.")
    if scale is not None:
        scale = check_int("scale", scale, low=1, hint="Give the model's upscaling factor, e.g. 4, or None.")
    stack = check_frames(frames)
    if stack.dtype != np.uint8:  # float in [0, 1] (checked): to the 0-255 units to_channels reads
        stack = stack.astype(np.float32) * 255.0
    need = model.input_shape[1]
    if len(stack) < need:
        raise ShapeError(f"{model.name} needs {need} frames but the burst has {len(stack)}. Give more frames, or "
                         f"rebuild the model for fewer with srkit.models.with_frames(model, {len(stack)}).")
    n, h, w, _ = stack.shape
    if min(h, w) < 8:
        raise ShapeError(f"The frames are {w}x{h} pixels; a multi-frame model needs at least 8x8.")
    x = to_channels(stack[:need], "y")[None]

    def run(rows: slice, cols: slice) -> np.ndarray:
        return np.asarray(model(x[:, :, rows, cols], training=False))[0, ..., 0]

    out = predict_tiled(run, (h, w), tile=tile, overlap=overlap)
    if scale is not None and (out.shape[0] != h * scale or out.shape[1] != w * scale):
        raise ShapeError(f"{model.name} upscales x{out.shape[0] // h}, not x{scale}.")
    return out


def shift_and_add(burst: Burst) -> np.ndarray:
    """Classical multi-frame SR with known shifts: upscale every frame (bicubic), move it back by its
    shift onto frame 0's grid, and average.

    An LR pixel integrates an ``s x s`` block, and bicubic ``imresize`` puts LR pixel ``i`` at HR position
    ``s*i + (s-1)/2``, the block centre, so the upscaled frames are correctly registered; averaging them
    combines the different sub-pixel samplings (and averages the noise away).  Near the borders, where a
    shifted frame has no data, fewer frames are averaged.  Returns a float image in [0, 1], aligned with
    frame 0, of shape ``(s*h, s*w, C)``.
    """
    from .degrade import upscale

    if burst.shifts is None:
        raise InvalidValueError("shift_and_add needs the true shifts; this burst (real frames) has none.")
    s = burst.scale
    n, h, w, c = burst.frames.shape
    acc = np.zeros((h * s, w * s, c))
    cnt = np.zeros((h * s, w * s, 1))
    for frame, (dy, dx) in zip(burst.frames, np.round(burst.shifts * s).astype(int)):
        up = upscale(frame.astype(np.float64) / 255.0, s)
        # frame pixel at HR position p shows the target at p + (dy, dx): move it there
        ty0, tx0 = max(0, dy), max(0, dx)
        ty1, tx1 = min(h * s, h * s + dy), min(w * s, w * s + dx)
        acc[ty0:ty1, tx0:tx1] += up[ty0 - dy:ty1 - dy, tx0 - dx:tx1 - dx]
        cnt[ty0:ty1, tx0:tx1] += 1
    return np.clip(acc / np.maximum(cnt, 1), 0.0, 1.0)


class BurstSampler:
    """Training pairs for multi-frame SR: a burst of ``frames`` LR patches and the HR patch of frame 0.

    Each sample crops an HR region from a training image (with a margin for the shifts) and simulates a
    burst from it with :func:`make_burst`, so every sample has new random shifts.  Y channel, float32.
    Batch ``i`` depends only on ``(seed, i)``, like :class:`srkit.pipeline.PatchSampler`.
    """

    def __init__(self, images, scale: int = 4, patch_size: int = 16, frames: int = 5, noise_sigma: float = 0.0):
        self.scale, self.patch_size, self.frames, self.noise_sigma = int(scale), int(patch_size), int(frames), noise_sigma
        need = (self.patch_size + 2) * self.scale
        self.images = [im for _, im in images if im.shape[0] >= need and im.shape[1] >= need]
        if not self.images:
            raise ShapeError(f"No training image is at least {need}x{need} pixels.")
        sizes = np.array([(im.shape[0] - need + 1) * (im.shape[1] - need + 1) for im in self.images], float)
        self._p = sizes / sizes.sum()
        self._need = need

    def sample(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        im = self.images[rng.choice(len(self.images), p=self._p)]
        y = int(rng.integers(0, im.shape[0] - self._need + 1))
        x = int(rng.integers(0, im.shape[1] - self._need + 1))
        crop = im[y:y + self._need, x:x + self._need]
        k = int(rng.integers(0, 4))
        crop = np.ascontiguousarray(np.rot90(crop, k))
        b = make_burst(crop, self.scale, self.frames, self.noise_sigma, rng)
        return to_channels(b.frames, "y"), to_channels(b.hr, "y")

    def batch_at(self, seed: int, step: int, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng([int(seed), int(step)])
        pairs = [self.sample(rng) for _ in range(batch_size)]
        return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])


@dataclass(frozen=True)
class _BurstPair:
    """A burst with its name and its scoring target (what :func:`srkit.scoring.score_pairs` reads)."""

    name: str
    burst: Burst
    hr: np.ndarray


def evaluate_bursts(model_or_fn, datasets=("Set14",), scale: int = 4, frames: int = 5, seed: int = 0,
                    noise_sigma: float = 0.0, limit: int | None = None):
    """PSNR/SSIM of a multi-frame method on bursts made from benchmark HR images (fixed seeds).

    ``model_or_fn`` is a Keras model taking ``(1, frames, h, w, 1)`` Y bursts in [0, 1] (a model built
    for fewer frames gets the first frames), ``'shift_and_add'``, or ``'bicubic'`` (of frame 0).  Image
    ``i`` uses seed ``seed + i``, so every method sees the same bursts.  Returns a DataFrame with one row
    per dataset; scores use the paper protocol (Y, ``scale`` pixels shaved).
    """
    import pandas as pd

    from .data import load_benchmark
    from .degrade import upscale
    from .metrics import to_y_channel
    from .scoring import mean_scores, score_pairs

    def y_of(image):  # float Y in [0, 1]; quantised by the scoring loop
        return to_y_channel(image) / 255.0

    if isinstance(model_or_fn, str) and model_or_fn == "shift_and_add":
        def method(b):
            return y_of(shift_and_add(b))
    elif isinstance(model_or_fn, str) and model_or_fn == "bicubic":
        def method(b):
            return y_of(upscale(b.frames[0], scale))
    else:
        def method(b):
            return upscale_burst(model_or_fn, b)

    def bursts(ds):  # the target is the quantised Y of the burst's ground truth
        for i, pair in enumerate(load_benchmark(ds, scale, limit=limit)):
            b = make_burst(pair.hr, scale, frames, noise_sigma, seed + i)
            yield _BurstPair(pair.name, b, to_uint8(y_of(b.hr)))

    rows = []
    for ds in [datasets] if isinstance(datasets, str) else datasets:
        m = mean_scores(score_pairs(lambda p: method(p.burst), bursts(ds), scale))
        rows.append({"dataset": ds, "frames": frames, "psnr": m["psnr"], "ssim": m["ssim"]})
    return pd.DataFrame(rows)
