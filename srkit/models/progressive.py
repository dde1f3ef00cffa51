"""Progressive upsampling (LapSRN-style, Lai et al., CVPR 2017) on the kit's EDSR-style body.

:func:`edsr_progressive` reconstructs an x8 image in three x2 steps, predicting an image at every step
(x2, x4, x8) so that each one can be supervised with its own loss (deep supervision; see
:func:`srkit.train.train` and ``TrainConfig.supervision``).  Up to the end of the body its layers are
those of :func:`srkit.models.edsr` with the same names, and its upsampling convolutions carry the names of
EDSR's (``up1_conv``, ``up2_conv``, ...), so :func:`srkit.models.transfer_weights` can start it from a
trained ``edsr`` (e.g. the x4 zoo model) and the comparison with a direct ``edsr`` x8 is fair.
"""

from __future__ import annotations

import keras
from keras import layers

from ..errors import InvalidValueError
from .cnn import check_scale
from .layers import PixelShuffle, ResidualScale

__all__ = ["edsr_progressive", "PROGRESSIVE_SCALES"]

#: The scales a progressive model is built for: powers of two (one x2 stage per factor 2).
PROGRESSIVE_SCALES = (2, 4, 8)


def _res_block(x, filters: int, res_scale: float, prefix: str):
    y = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"{prefix}_conv1")(x)
    y = layers.Conv2D(filters, 3, padding="same", name=f"{prefix}_conv2")(y)
    y = ResidualScale(res_scale, name=f"{prefix}_scale")(y)
    return layers.Add(name=f"{prefix}_add")([x, y])


def edsr_progressive(scale: int, channels: int = 1, blocks: int = 15, filters: int = 64, res_scale: float = 0.1,
                     stage_blocks: int = 1):
    """The flagship's body with LapSRN-style progressive upsampling: one x2 stage per factor 2, an image at each.

    Layers (names as in :func:`srkit.models.edsr` up to the body, so weights transfer by name):

    * ``head``, ``blocks`` residual blocks ``block{i}_conv1/conv2/scale/add``, ``body_end``, ``long_skip``;
    * stages ``k = 1..log2(scale)``, each: ``up{k}_conv`` (``4 * filters`` maps, 3x3) and ``up{k}_shuffle``
      (pixel shuffle x2), ``stage_blocks`` residual blocks at the new resolution (``stage{k}_block{j}_...``),
      and ``stage{k}_tail``, a 3x3 convolution to ``channels`` whose output (the residual) is added to a
      bilinear x2 upsampling (``stage{k}_upsample``) of the previous stage's image (the LR input for stage
      1).  That sum is the stage's prediction: layers ``prediction1 .. prediction{K-1}`` (at x2, x4, ...
      of the LR), and ``sr``, the model's output, for the last stage.

    Unlike LapSRN, which shares nothing with EDSR and uses transposed convolutions, every stage here
    upsamples features with a sub-pixel convolution; as in LapSRN, the features flow on from stage to stage
    and each stage's image is a residual on top of the upsampled previous one.

    Args:
        scale: 2, 4 or 8 (``log2(scale)`` stages); 3 is refused (no x2 steps make it).
        channels: 1 (luma Y) or 3 (RGB).
        blocks, filters, res_scale: the body, as in :func:`srkit.models.edsr`.
        stage_blocks: residual blocks in each stage, after its upsampling (0: none).
    """
    scale = check_scale(scale)
    if scale not in PROGRESSIVE_SCALES:
        raise InvalidValueError(f"edsr_progressive upsamples in x2 stages: scale must be one of "
                                f"{', '.join(map(str, PROGRESSIVE_SCALES))}, got {scale}. Use edsr for x3.")
    if isinstance(stage_blocks, bool) or not isinstance(stage_blocks, int) or stage_blocks < 0:
        raise InvalidValueError(f"stage_blocks must be an integer >= 0, got {stage_blocks!r}.")
    inp = keras.Input((None, None, channels), name="lr")
    head = layers.Conv2D(filters, 3, padding="same", name="head")(inp)
    x = head
    for i in range(blocks):
        x = _res_block(x, filters, res_scale, f"block{i + 1}")
    x = layers.Conv2D(filters, 3, padding="same", name="body_end")(x)
    x = layers.Add(name="long_skip")([head, x])
    stages = scale.bit_length() - 1  # x2: 1, x4: 2, x8: 3
    image = inp
    for k in range(1, stages + 1):
        x = layers.Conv2D(filters * 4, 3, padding="same", name=f"up{k}_conv")(x)
        x = PixelShuffle(2, name=f"up{k}_shuffle")(x)
        for j in range(stage_blocks):
            x = _res_block(x, filters, res_scale, f"stage{k}_block{j + 1}")
        residual = layers.Conv2D(channels, 3, padding="same", name=f"stage{k}_tail")(x)
        base = layers.UpSampling2D(2, interpolation="bilinear", name=f"stage{k}_upsample")(image)
        image = layers.Add(name="sr" if k == stages else f"prediction{k}")([base, residual])
    return keras.Model(inp, image, name=f"edsr_progressive_x{scale}")
