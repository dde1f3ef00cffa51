"""Knowledge distillation for SR: a small student learns from a large teacher's outputs as well as the HR images.

A classifier's teacher passes on "dark knowledge" through its soft class probabilities (Hinton et al., 2015).
An SR network has no classes; what the teacher can give is its **super-resolved image**: a target that is
smoother and easier to reach than the real HR image (which holds detail that the LR image no longer
determines), and that is consistent across similar patches.  The student is then trained against

    target = teacher_weight * teacher(lr) + (1 - teacher_weight) * hr

With an L2 loss this blended target gives exactly the gradient of ``w * |s - t|^2 + (1 - w) * |s - hr|^2``
(up to a constant); with L1 it is the usual cheap approximation.  ``teacher_weight=1`` trains on the
teacher's images alone ("data-free" of HR detail); 0 would be ordinary training.

The teacher's outputs are computed **once**, on the whole training images, before training (offline
distillation): the teacher (e.g. the 1.4 M-parameter flagship) would cost several times the student's
step if it ran on every batch, and its output for a patch equals the crop of its output for the image
up to the border effect of its receptive field.  Validation and tests still compare with the real HR images,
so a distilled model's scores are comparable with every other model's.

Used by :func:`srkit.train.train` through ``TrainConfig(teacher=..., teacher_weight=...)``, i.e.
``srkit train espcn --scale 4 --teacher edsr --teacher-weight 0.5``.
"""

from __future__ import annotations

import os

import numpy as np

from ..errors import InvalidValueError, ShapeError, SrkitError

__all__ = ["load_teacher", "teacher_output", "attach_teacher"]


def load_teacher(teacher, scale: int):
    """The teacher network: a Keras model as it is, a pretrained model's name (``'edsr'``: the zoo's flagship at
    ``scale``), or the path of a ``.keras`` file (loaded with ``safe_mode=True``)."""
    import keras

    if hasattr(teacher, "predict") and hasattr(teacher, "input_shape"):
        return teacher
    if not isinstance(teacher, (str, os.PathLike)) or not str(teacher):
        raise InvalidValueError(f"teacher must be a pretrained model's name (e.g. 'edsr'), a .keras file or a Keras "
                                f"model, got {teacher!r}.")
    src = os.fspath(teacher)
    if src.endswith(".keras"):
        if not os.path.isfile(os.path.expanduser(src)):
            raise InvalidValueError(f"teacher {src!r} is not a file. Give a pretrained model's name (e.g. 'edsr') "
                                    "or the path of a .keras file.")
        return keras.saving.load_model(os.path.expanduser(src), compile=False, safe_mode=True)
    from .. import zoo

    names = sorted({n for n, s in zoo.available() if s == scale})
    if src not in names:
        raise InvalidValueError(f"No pretrained {src!r} model at x{scale} to teach with. Pretrained models at x{scale}: "
                                f"{', '.join(names) or 'none'}; or give the path of a .keras file.")
    return zoo.load(src, scale)


def teacher_output(teacher, lr_y: np.ndarray, scale: int) -> np.ndarray:
    """The teacher's SR of one LR luma image: float32 ``(H, W, 1)`` in [0, 1] -> float32 ``(sH, sW, 1)`` in [0, 1].

    The teacher must take the LR image itself (a post-upsampling network: ``edsr``, ``espcn``, ``fsrcnn``) on
    one channel; the image is run in tiles when it is large (:class:`srkit.infer.KerasUpscaler`).
    """
    from ..infer import KerasUpscaler, predict_tiled

    lr_y = np.asarray(lr_y, np.float32)
    if lr_y.ndim != 3 or lr_y.shape[2] != 1:
        raise ShapeError(f"teacher_output needs one luma image (H, W, 1), got shape {lr_y.shape}.")
    up = KerasUpscaler(teacher)
    if up.channels != 1:
        raise ShapeError(f"The teacher {up.name!r} takes {up.channels} channels; distillation here works on luma "
                         "(channels='y'), so the teacher must be a 1-channel model such as the zoo's 'edsr'.")
    if up.fixed or up.is_pre_upsampling(scale):
        raise SrkitError(f"The teacher {up.name!r} does not take an LR image of any size (it is a pre-upsampling or "
                         "fixed-size network). Use a post-upsampling teacher, such as the zoo's 'edsr'.")
    out = predict_tiled(lambda ys, xs: up.forward(lr_y[ys, xs]), lr_y.shape[:2], tile=up.tile, overlap=up.overlap)
    if out.shape[:2] != (lr_y.shape[0] * scale, lr_y.shape[1] * scale):
        raise ShapeError(f"The teacher {up.name!r} turned a {lr_y.shape[0]}x{lr_y.shape[1]} image into "
                         f"{out.shape[0]}x{out.shape[1]}, not x{scale}. Is it a model for scale {scale}?")
    return np.clip(out, 0.0, 1.0)


def attach_teacher(sampler, teacher, weight: float = 0.5) -> dict:
    """Replace a :class:`srkit.pipeline.PatchSampler`'s targets with ``weight * teacher(lr) + (1 - weight) * hr``.

    The sampler must work on luma (``channels='y'``) with a fixed degradation (bicubic, ``'bd'``): its LR images
    are computed once, so the teacher sees exactly the LR the student is trained on.  Its images are stored
    from then on as float32 luma on the 0-255 scale (what :func:`srkit.pipeline.to_channels` turns into the
    usual [0, 1] batches).  ``teacher``: see :func:`load_teacher`.

    Returns what the teacher adds: ``{"images", "teacher_psnr_vs_hr"}``, the mean PSNR of the teacher's output
    against the HR training images (whole images, no border shaved: a sanity check, not a benchmark score).
    """
    from ..color import rgb_to_y

    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0.0 < float(weight) <= 1.0:
        raise InvalidValueError(f"teacher_weight must be a number in (0, 1] (the teacher's share of the target; 0.5 "
                                f"blends teacher and HR equally), got {weight!r}.")
    if sampler.channels != "y":
        raise SrkitError("Distillation works on luma: train with channels='y' (the zoo's teachers are luma models).")
    if sampler.per_patch or sampler.degradation.is_random:
        raise SrkitError("Distillation needs the LR training images fixed in advance (the teacher is run on them "
                         "once); a random degradation makes new LR patches every step. Use degradation='bicubic'.")
    if sampler.pre_upsample:
        raise SrkitError("Distillation is for students that take the LR image (post-upsampling); pre-upsampling "
                         "students such as SRCNN are not supported.")
    if getattr(sampler, "distilled", False):
        raise SrkitError("This sampler's targets already come from a teacher; make a new sampler.")
    net = load_teacher(teacher, sampler.scale)

    def luma(img):
        img = np.asarray(img, np.float32)
        return rgb_to_y(img)[..., None] if img.shape[2] == 3 else img

    w = np.float32(weight)
    errors = []
    for i, (hr, lr) in enumerate(zip(sampler.hr, sampler.lr)):
        hr_y, lr_y = luma(hr), luma(lr)
        t = teacher_output(net, lr_y / np.float32(255.0), sampler.scale) * np.float32(255.0)
        if t.shape != hr_y.shape:
            raise ShapeError(f"The teacher's output ({t.shape[0]}x{t.shape[1]}) does not match training image {i} "
                             f"({hr_y.shape[0]}x{hr_y.shape[1]}).")
        errors.append(float(np.mean((t - hr_y) ** 2)))
        sampler.hr[i] = w * t + (np.float32(1.0) - w) * hr_y
        sampler.lr[i] = lr_y
    sampler.distilled = True
    psnr = [10 * np.log10(255.0 ** 2 / max(e, 1e-12)) for e in errors]
    return {"images": len(errors), "teacher_psnr_vs_hr": round(float(np.mean(psnr)), 3)}
