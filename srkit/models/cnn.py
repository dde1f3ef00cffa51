"""Convolutional SR networks: the naive classification recipe, SRCNN, FSRCNN, ESPCN and the EDSR-style
flagship (see :mod:`srkit.models` for the conventions they share)."""

from __future__ import annotations

import keras
from keras import layers

from .layers import PixelShuffle, ResidualScale

__all__ = ["check_scale", "naive_cnn", "srcnn", "fsrcnn", "espcn", "edsr"]


def check_scale(scale: int) -> int:
    """``scale`` as an int, or a clear error unless it is 2, 3, 4 or 8 (the scales the kit trains)."""
    if isinstance(scale, bool) or scale not in (2, 3, 4, 8):
        raise ValueError(f"srkit models are built for scale 2, 3, 4 or 8, got {scale!r}.")
    return int(scale)


def naive_cnn(scale: int, patch_size: int = 16, channels: int = 1, filters: int = 64, dense: int = 512):
    """The classification recipe applied to SR: conv + max-pooling blocks, then dense layers.

    It takes a fixed ``patch_size`` LR patch and predicts the whole HR patch from a flat vector. Two
    things break SR here: pooling throws away exactly the positional detail SR must restore, and the
    dense layers tie every output pixel to every input pixel, so the network is not translation
    equivariant and needs far more parameters to learn what a convolution gets for free.
    """
    scale = check_scale(scale)
    inp = keras.Input((patch_size, patch_size, channels), name="lr")
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(inp)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(2 * filters, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(dense, activation="relu")(x)
    hr = patch_size * scale
    x = layers.Dense(hr * hr * channels)(x)
    out = layers.Reshape((hr, hr, channels), name="sr")(x)
    return keras.Model(inp, out, name=f"naive_cnn_x{scale}")


def srcnn(scale: int | None = None, channels: int = 1, n1: int = 64, n2: int = 32, f1: int = 9, f2: int = 5, f3: int = 5):
    """SRCNN (Dong et al., 2014): patch extraction (f1 x f1, n1), non-linear mapping (f2 x f2, n2),
    reconstruction (f3 x f3), on the bicubic-upscaled image (pre-upsampling).

    ``f2=1`` gives the paper's 9-1-5 network; the default 9-5-5 is the paper's better variant (its
    Table 3); both are small. ``scale`` only names the model: SRCNN itself is scale-agnostic, but each
    scale is trained separately. Padding is "same", so the output has the input's size.
    """
    inp = keras.Input((None, None, channels), name="bicubic")
    x = layers.Conv2D(n1, f1, padding="same", activation="relu", name="extract")(inp)
    x = layers.Conv2D(n2, f2, padding="same", activation="relu", name="map")(x)
    out = layers.Conv2D(channels, f3, padding="same", name="reconstruct")(x)
    name = f"srcnn_x{scale}" if scale else "srcnn"
    return keras.Model(inp, out, name=name)


def fsrcnn(scale: int, channels: int = 1, d: int = 56, s: int = 12, m: int = 4):
    """FSRCNN (Dong et al., 2016): feature extraction (5x5, d), shrinking (1x1, s), m mapping layers
    (3x3, s), expanding (1x1, d), then a 9x9 transposed convolution with stride ``scale``
    (post-upsampling: all the work happens at LR resolution). PReLU activations as in the paper.
    """
    scale = check_scale(scale)
    inp = keras.Input((None, None, channels), name="lr")
    x = layers.Conv2D(d, 5, padding="same", name="extract")(inp)
    x = layers.PReLU(shared_axes=[1, 2])(x)
    x = layers.Conv2D(s, 1, padding="same", name="shrink")(x)
    x = layers.PReLU(shared_axes=[1, 2])(x)
    for i in range(m):
        x = layers.Conv2D(s, 3, padding="same", name=f"map{i + 1}")(x)
        x = layers.PReLU(shared_axes=[1, 2])(x)
    x = layers.Conv2D(d, 1, padding="same", name="expand")(x)
    x = layers.PReLU(shared_axes=[1, 2])(x)
    out = layers.Conv2DTranspose(channels, 9, strides=scale, padding="same", name="deconv")(x)
    return keras.Model(inp, out, name=f"fsrcnn_x{scale}")


def espcn(scale: int, channels: int = 1, filters: tuple[int, ...] = (64, 32), dropout: float = 0.0,
          activation: str = "tanh"):
    """ESPCN (Shi et al., 2016): two convolutions (5x5, 3x3, tanh) at LR resolution, then a 3x3
    convolution to ``channels * scale**2`` maps and a :class:`PixelShuffle` to the HR image.

    Options beyond the paper (the defaults build exactly the paper's network), used by the
    training-practice chapter to vary capacity and try dropout:

    * ``filters``: one width per hidden layer, any number of layers >= 1 (the first is 5x5, the others
      3x3): ``(64, 32)`` is the paper's, ``(128,) * 8`` a deep, wide one;
    * ``dropout``: the rate of a ``Dropout`` layer after every hidden layer (0 <= rate < 1; 0 adds none).
      Keras applies it in training only; inference uses every feature;
    * ``activation``: the hidden layers' activation (``'tanh'``, the paper's, or ``'relu'``, which trains
      deep stacks faster).
    """
    from ..errors import InvalidValueError, check_choice, check_float

    scale = check_scale(scale)
    widths = [filters] if isinstance(filters, int) else list(filters)
    if not widths or any(isinstance(f, bool) or not isinstance(f, int) or f < 1 for f in widths):
        raise InvalidValueError(f"filters must be a list of whole numbers >= 1 (one width per hidden layer, e.g. "
                                f"[64, 32]), got {filters!r}.")
    dropout = check_float("dropout", dropout, low=0.0, hint="Use a rate from 0 (none) up to, not including, 1.")
    if dropout >= 1.0:
        raise InvalidValueError(f"dropout must be below 1 (a rate of 1 drops every feature), got {dropout}.")
    check_choice("activation", activation, ("tanh", "relu"))
    inp = keras.Input((None, None, channels), name="lr")
    x = inp
    for i, width in enumerate(widths):
        x = layers.Conv2D(width, 5 if i == 0 else 3, padding="same", activation=activation)(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
    x = layers.Conv2D(channels * scale * scale, 3, padding="same")(x)
    out = PixelShuffle(scale, name="pixel_shuffle")(x)
    return keras.Model(inp, out, name=f"espcn_x{scale}")


def edsr(scale: int, channels: int = 1, blocks: int = 15, filters: int = 64, res_scale: float = 0.1):
    """The kit's flagship: a small EDSR (Lim et al., 2017).

    Residual blocks (conv-ReLU-conv, no batch normalisation, output scaled by ``res_scale``) between a
    head and a tail convolution, a long skip connection around them, pixel-shuffle upsampling (one x2
    step per factor 2, so three at x8, and one x3 step for scale 3), and **global residual learning**: the network predicts
    the difference from a bilinear upsampling of its input, which it adds back. The default (15 blocks,
    64 filters, Y channel) has 1.29 M / 1.48 M / 1.44 M parameters at x2 / x3 / x4, under the kit's
    1.5 M budget for CPU training (EDSR-baseline: 16 blocks, 1.4-1.5 M for RGB).
    """
    scale = check_scale(scale)
    inp = keras.Input((None, None, channels), name="lr")
    head = layers.Conv2D(filters, 3, padding="same", name="head")(inp)
    x = head
    for i in range(blocks):
        y = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{i + 1}_conv1")(x)
        y = layers.Conv2D(filters, 3, padding="same", name=f"block{i + 1}_conv2")(y)
        y = ResidualScale(res_scale, name=f"block{i + 1}_scale")(y)
        x = layers.Add(name=f"block{i + 1}_add")([x, y])
    x = layers.Conv2D(filters, 3, padding="same", name="body_end")(x)
    x = layers.Add(name="long_skip")([head, x])
    steps = [3] if scale == 3 else [2] * (scale.bit_length() - 1)  # x2: one step, x4: two, x8: three
    for j, r in enumerate(steps):
        x = layers.Conv2D(filters * r * r, 3, padding="same", name=f"up{j + 1}_conv")(x)
        x = PixelShuffle(r, name=f"up{j + 1}_shuffle")(x)
    x = layers.Conv2D(channels, 3, padding="same", name="tail")(x)
    base = layers.UpSampling2D(scale, interpolation="bilinear", name="global_skip_upsample")(inp)
    out = layers.Add(name="global_residual")([base, x])
    return keras.Model(inp, out, name=f"edsr_x{scale}")
