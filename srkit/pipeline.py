"""Training input: random, aligned LR/HR patch pairs as a ``tf.data`` pipeline.

How it works (and why):

1. Each training image is cropped to a multiple of the scale and degraded **once, as a whole**
   (:class:`srkit.degrade.Degradation`, MATLAB bicubic by default), exactly as the benchmark LR files
   were made.  Degrading whole images rather than patches keeps patch borders free of padding effects.
2. A patch position is drawn (every possible LR patch equally likely, so large images are seen more
   often than small ones), and the LR patch at ``(y, x)`` is paired with the HR patch at
   ``(scale*y, scale*x)``.  With MATLAB's pixel-centre convention these are perfectly aligned.
3. Augmentation (``augment='flips'``, the default) applies one of the 8 flips/90-degree rotations to both
   patches (:func:`dihedral`): a rotated or mirrored photo is still a photo, and the LR patch is still
   the bicubic downsampling of the HR patch, so the pair stays true.  ``'colour_jitter'`` adds the
   classification habit of changing the input's brightness and contrast, to the LR patch only: the pair
   then contradicts the degradation model, and the network learns to undo a random change it cannot
   know (the training-practice chapter measures what that costs).  ``'none'`` leaves patches as drawn.
   ``rescale`` (off by default) adds, before step 1, a copy of every image shrunk by each given factor
   (FSRCNN's augmentation: 0.9, 0.8, 0.7 and 0.6): the same scenes with their detail packed into fewer
   pixels, so the sampler sees more of the sharp, high-frequency content the network must restore.
4. Random corruption (noise, JPEG), if the degradation has any, is applied to each LR patch.

With a :class:`srkit.degrade.SecondOrderDegradation` (random blur, resizes, noise and JPEG for every
sample) steps 1-4 change: the HR patch is cropped first and degraded on its own to an LR patch of exactly
``patch_size``, with the batch's generator, then the flips are applied to both (and, for pre-upsampling
models, the LR patch is bicubic-upscaled).  Batches stay a pure function of ``(seed, step)``.
5. Patches are converted to Y (BT.601 studio swing, the channel SR papers train and score on) or kept RGB,
   as float32 in [0, 1].

Batch ``i`` is built in NumPy from a generator seeded with ``(seed, i)``, so the same seed gives the
same batches in the same order on every machine, and a resumed run continues the exact sequence.  The
``tf.data`` pipeline maps step indices to batches in parallel and prefetches, so the next batches are
prepared while the model trains on the current one.
"""

from __future__ import annotations

import numbers
import os
from typing import Sequence

import numpy as np

from .color import rgb_to_y
from .data import TRAINING_SETS, load_training_images
from .degrade import Degradation, SecondOrderDegradation, imresize, modcrop, upscale
from .degrade import degradation as get_degradation
from .errors import InvalidValueError, ShapeError

__all__ = ["PatchSampler", "patch_dataset", "make_sampler", "to_channels", "dihedral", "rescaled_copies",
           "check_rescale", "AUGMENTATIONS", "FSRCNN_RESCALE"]

#: Augmentation modes of :class:`PatchSampler` (and :class:`srkit.configs.TrainConfig`'s ``augment``).
AUGMENTATIONS = ("flips", "none", "colour_jitter")

#: The range of the LR-only colour jitter: brightness shift (fraction of 255) and contrast factor.
JITTER_BRIGHTNESS, JITTER_CONTRAST = 0.1, (0.8, 1.2)


#: The downscaling factors of FSRCNN's data augmentation (Dong et al., 2016, section 4.1).
FSRCNN_RESCALE = (0.9, 0.8, 0.7, 0.6)


def check_rescale(rescale) -> tuple[float, ...]:
    """``rescale`` as a tuple of distinct factors, each a finite number strictly between 0 and 1; a clear error
    otherwise.  ``None`` or an empty sequence means no rescaled copies."""
    if rescale is None:
        return ()
    if isinstance(rescale, (str, bytes)) or not hasattr(rescale, "__iter__"):
        raise InvalidValueError(f"rescale must be a list of downscaling factors between 0 and 1, e.g. "
                                f"{list(FSRCNN_RESCALE)} (FSRCNN's), or empty for none; got {rescale!r}.")
    factors = []
    for f in rescale:
        if not isinstance(f, numbers.Real) or isinstance(f, bool) or not 0 < float(f) < 1:
            raise InvalidValueError(f"rescale factors must be numbers strictly between 0 and 1 (downscaling factors, "
                                    f"e.g. {list(FSRCNN_RESCALE)}, FSRCNN's), got {f!r} in {list(rescale)!r}.")
        factors.append(float(f))
    factors = tuple(factors)
    if len(set(factors)) != len(factors):
        raise InvalidValueError(f"rescale factors must be distinct, got {list(factors)}.")
    return factors


def rescaled_copies(images: Sequence, rescale) -> list[tuple[str, np.ndarray]]:
    """``images`` (uint8 arrays or ``(name, image)`` pairs) followed by a copy of each shrunk by every factor of
    ``rescale`` with MATLAB's bicubic ``imresize`` (antialiased, :func:`srkit.degrade.imresize`), named
    ``'name@0.9'`` and so on.  The copies are new HR images: their LR patches are made from them exactly as
    from the originals."""
    factors = check_rescale(rescale)
    named = [item if isinstance(item, tuple) else (f"image{i}", item) for i, item in enumerate(images)]
    out = list(named)
    for f in factors:
        out.extend((f"{name}@{f:g}", imresize(np.asarray(img), f)) for name, img in named)
    return out


def dihedral(x: np.ndarray, k: int, flip: bool) -> np.ndarray:
    """One of the 8 symmetries of the square applied to an image ``(H, W, ...)``: rotate by ``k`` quarter
    turns counter-clockwise (``np.rot90``), then, if ``flip``, mirror left-right.  ``k`` in 0..3."""
    x = np.rot90(np.asarray(x), int(k) % 4)
    return x[:, ::-1] if flip else x


def _augment_mode(augment) -> str:
    if augment is True:
        return "flips"
    if augment is False or augment is None:
        return "none"
    if augment not in AUGMENTATIONS:
        from .errors import InvalidValueError

        raise InvalidValueError(f"augment must be one of {', '.join(map(repr, AUGMENTATIONS))} (or True/False "
                                f"for 'flips'/'none'), got {augment!r}.")
    return augment


def _colour_jitter(lr: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random brightness and contrast (one draw per patch, every channel alike), as classification
    pipelines jitter their inputs; uint8 in, uint8 out."""
    contrast = rng.uniform(*JITTER_CONTRAST)
    shift = rng.uniform(-JITTER_BRIGHTNESS, JITTER_BRIGHTNESS) * 255.0
    x = lr.astype(np.float32)
    x = (x - x.mean()) * contrast + x.mean() + shift
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)


def to_channels(image: np.ndarray, channels: str) -> np.ndarray:
    """uint8 (H, W, 1|3) -> float32 (H, W, 1|3) in [0, 1] holding ``'y'`` or ``'rgb'``.

    ``'y'``: BT.601 studio-swing luma of RGB, grey values of grey images.  ``'rgb'``: grey is repeated.
    Works on a batch ``(N, H, W, C)`` too.
    """
    x = np.asarray(image)
    c = x.shape[-1]
    if channels == "y":
        y = rgb_to_y(x.astype(np.float32)) if c == 3 else x[..., 0].astype(np.float32)
        return (y / 255.0).astype(np.float32)[..., None]
    if channels == "rgb":
        x = np.repeat(x, 3, axis=-1) if c == 1 else x
        return x.astype(np.float32) / 255.0
    raise ValueError(f"channels must be 'y' or 'rgb', got {channels!r}.")


class PatchSampler:
    """Draws aligned LR/HR patch pairs from a list of images (pure NumPy; no TensorFlow needed).

    Args:
        images: list of uint8 images, or of ``(name, image)`` pairs.
        scale: upscaling factor.
        patch_size: LR patch size in pixels (the HR patch is ``scale * patch_size``).
        degradation: a :class:`~srkit.degrade.Degradation` (default: bicubic ``Degradation.BI(scale)``), or a
            :class:`~srkit.degrade.SecondOrderDegradation`, which degrades each cropped HR patch on its own, or
            a name of :data:`srkit.degrade.DEGRADATIONS` (e.g. ``'realistic'``; :func:`srkit.degrade.degradation`).
        channels: ``'y'`` or ``'rgb'``.
        augment: ``'flips'`` (or ``True``): one of the 8 flips and 90-degree rotations, applied to both
            patches; ``'none'`` (or ``False``); ``'colour_jitter'``: the flips, then a random brightness
            (+-10% of the range) and contrast (x0.8 to x1.2) change of the **LR patch only**, the
            classification habit that breaks the LR/HR pair.  Another name is refused.
        pre_upsample: give the bicubic-upscaled LR (same size as HR) as input, for pre-upsampling
            models such as SRCNN; the whole LR image is upscaled once, as at test time.
        rescale: downscaling factors (each strictly between 0 and 1), e.g. :data:`FSRCNN_RESCALE`: every image
            is also used shrunk by each factor (:func:`rescaled_copies`), as FSRCNN's training did.  Empty
            (default): the images as given.
    """

    def __init__(
        self,
        images: Sequence,
        scale: int,
        patch_size: int = 17,
        degradation: Degradation | SecondOrderDegradation | str | None = None,
        channels: str = "y",
        augment: bool | str = True,
        pre_upsample: bool = False,
        rescale: Sequence[float] = (),
    ):
        augment = _augment_mode(augment)
        self.rescale = check_rescale(rescale)
        if self.rescale:
            images = rescaled_copies(images, self.rescale)
        if channels not in ("y", "rgb"):
            raise ValueError(f"channels must be 'y' or 'rgb', got {channels!r}.")
        if patch_size < 1:
            raise ValueError(f"patch_size must be positive, got {patch_size}.")
        self.scale, self.patch_size, self.channels, self.augment = int(scale), int(patch_size), channels, augment
        self.pre_upsample = bool(pre_upsample)
        if isinstance(degradation, str):
            degradation = get_degradation(degradation, self.scale)
        self.degradation = degradation or Degradation.BI(self.scale)
        if not isinstance(self.degradation, (Degradation, SecondOrderDegradation)):
            raise ShapeError(f"degradation must be a srkit.degrade.Degradation or SecondOrderDegradation (e.g. "
                             f"srkit.degrade.degradation('realistic', {self.scale})), got {self.degradation!r}.")
        self.per_patch = isinstance(self.degradation, SecondOrderDegradation)
        if self.degradation.scale != self.scale:
            raise ValueError(
                f"The degradation downsamples by {self.degradation.scale} but scale={self.scale}."
            )
        self.hr: list[np.ndarray] = []
        self.lr: list[np.ndarray] = []
        self.skipped: list[str] = []
        hr_size = self.scale * self.patch_size
        for i, item in enumerate(images):
            name, img = item if isinstance(item, tuple) else (f"image{i}", item)
            img = np.asarray(img)
            if img.ndim == 2:
                img = img[..., None]
            if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] not in (1, 3):
                raise ShapeError(f"Training image {name} must be uint8 (H, W, 1|3), got {img.dtype} {img.shape}.")
            if img.shape[0] < hr_size or img.shape[1] < hr_size:
                self.skipped.append(name)
                continue
            hr = modcrop(img, self.scale)
            self.hr.append(hr)
            if self.per_patch:  # degraded patch by patch in sample()
                continue
            lr = self.degradation.downsample(hr)
            if self.pre_upsample and not self.degradation.is_random:
                lr = upscale(lr, self.scale)
            self.lr.append(lr)
        if not self.hr:
            raise ShapeError(
                f"No training image is at least {hr_size}x{hr_size} pixels (patch_size={patch_size} at "
                f"x{scale}); use a smaller patch_size or larger images."
            )
        p = self.patch_size
        counts = np.array([(h.shape[0] // self.scale - p + 1) * (h.shape[1] // self.scale - p + 1) for h in self.hr])
        self._p = counts / counts.sum()

    def __len__(self) -> int:
        return len(self.hr)

    def sample(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """One ``(lr, hr)`` uint8 patch pair."""
        i = rng.choice(len(self.hr), p=self._p)
        hr_img = self.hr[i]
        p, s = self.patch_size, self.scale
        y = int(rng.integers(0, hr_img.shape[0] // s - p + 1))
        x = int(rng.integers(0, hr_img.shape[1] // s - p + 1))
        hr = hr_img[s * y : s * (y + p), s * x : s * (x + p)]
        if self.per_patch:
            return self._sample_degraded(hr, rng)
        lr_img = self.lr[i]
        if lr_img.shape[:2] == hr_img.shape[:2]:  # stored pre-upsampled, at HR size
            lr = lr_img[s * y : s * (y + p), s * x : s * (x + p)]
        else:
            lr = lr_img[y : y + p, x : x + p]
        lr, hr = self._augment(lr, hr, rng)
        if self.degradation.is_random:
            lr = self.degradation.corrupt(np.ascontiguousarray(lr), rng)
            if self.pre_upsample:
                lr = upscale(lr, s)
        return lr, hr

    def _augment(self, lr: np.ndarray, hr: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """The pair's augmentation: one of the 8 flips/rotations of both patches, then the LR-only colour jitter."""
        if self.augment != "none":
            k = int(rng.integers(0, 4))
            flip = bool(rng.integers(0, 2))
            lr, hr = dihedral(lr, k, flip), dihedral(hr, k, flip)
        if self.augment == "colour_jitter":
            lr = _colour_jitter(lr, rng)
        return lr, hr

    def _sample_degraded(self, hr: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """The pair of an HR patch and its own random degradation (then flips, jitter, pre-upsampling)."""
        lr, hr = self._augment(self.degradation(hr, rng), hr, rng)
        if self.pre_upsample:
            lr = upscale(np.ascontiguousarray(lr), self.scale)
        return lr, hr

    def batch(self, rng: np.random.Generator, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        """A float32 batch ``(lr, hr)`` of shapes ``(N, p, p, C)`` and ``(N, s*p, s*p, C)``."""
        pairs = [self.sample(rng) for _ in range(batch_size)]
        lr = [to_channels(a, self.channels) for a, _ in pairs]
        hr = [to_channels(b, self.channels) for _, b in pairs]
        return np.stack(lr), np.stack(hr)

    def batch_at(self, seed: int, step: int, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        """The batch for training step ``step``: a pure function of ``(seed, step)``, so a run resumed
        at any step sees exactly the batches an uninterrupted run would, in any backend."""
        return self.batch(np.random.default_rng([int(seed), int(step)]), batch_size)

    @property
    def input_size(self) -> int:
        """Side of the input patch: the LR patch, or the HR patch for pre-upsampling."""
        return self.patch_size * (self.scale if self.pre_upsample else 1)

    @property
    def num_channels(self) -> int:
        return 1 if self.channels == "y" else 3


def patch_dataset(
    source: Sequence = TRAINING_SETS,
    scale: int = 3,
    patch_size: int = 17,
    batch_size: int = 32,
    degradation: Degradation | SecondOrderDegradation | str | None = None,
    channels: str = "y",
    augment: bool | str = True,
    seed: int = 0,
    steps: int | None = None,
    limit: int | None = None,
    pre_upsample: bool = False,
    start_step: int = 0,
    sampler: PatchSampler | None = None,
    rescale: Sequence[float] = (),
):
    """A ``tf.data.Dataset`` of ``(lr, hr)`` float32 batches for training.

    Args:
        source: training set names (``'T91'``, ``'BSD200'``), folders of images, or a list of images.
        scale, patch_size, degradation, channels, augment, pre_upsample, rescale: see :class:`PatchSampler`.
        batch_size: patches per batch.
        seed: batch ``i`` depends only on ``(seed, i)`` (:meth:`PatchSampler.batch_at`): the same seed
            gives the same batches in the same order, every time and on every machine.
        steps: number of batches (``None`` = endless; use ``model.fit(..., steps_per_epoch=...)``).
        limit: use only the first ``limit`` images of each named set or folder (quick experiments; to
            limit a list of images, slice the list).
        start_step: index of the first batch (a resumed run continues the same sequence).
        sampler: reuse an existing :class:`PatchSampler` (or any object with the same ``batch_at``, such as
            :class:`srkit.burst.BurstSampler`) instead of loading ``source`` again.

    Example::

        ds = patch_dataset(["T91"], scale=3, patch_size=17, batch_size=32, seed=1)
        lr, hr = next(iter(ds))      # (32, 17, 17, 1), (32, 51, 51, 1)
    """
    import tensorflow as tf

    if sampler is None:
        sampler = make_sampler(source, scale, patch_size, degradation, channels, augment, limit, pre_upsample,
                               rescale)
    lr0, hr0 = sampler.batch_at(seed, start_step, batch_size)  # shapes (works for any sampler)

    def make_batch(step):
        return sampler.batch_at(seed, int(step), batch_size)

    def load(step):
        lr, hr = tf.numpy_function(make_batch, [step], (tf.float32, tf.float32), stateful=False)
        lr.set_shape(lr0.shape)
        hr.set_shape(hr0.shape)
        return lr, hr

    if steps is None:
        ds = tf.data.Dataset.counter(start_step)
    else:
        ds = tf.data.Dataset.range(start_step, start_step + steps)
    ds = ds.map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return ds.prefetch(tf.data.AUTOTUNE)


def make_sampler(
    source: Sequence = TRAINING_SETS,
    scale: int = 3,
    patch_size: int = 17,
    degradation: Degradation | SecondOrderDegradation | str | None = None,
    channels: str = "y",
    augment: bool | str = True,
    limit: int | None = None,
    pre_upsample: bool = False,
    rescale: Sequence[float] = (),
) -> PatchSampler:
    """Load ``source`` (set names, folders or a list of images) into a :class:`PatchSampler`."""
    if isinstance(source, (str, os.PathLike)):
        source = [source]
    if source and all(isinstance(x, (str, os.PathLike)) for x in source):
        images = load_training_images(source, limit=limit)
    else:
        images = list(source)
    return PatchSampler(images, scale, patch_size, degradation, channels, augment, pre_upsample, rescale)
