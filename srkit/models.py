"""Super-resolution networks as Keras 3 models (functional API, any backend; srkit uses TensorFlow).

Conventions shared by every builder, and by :class:`srkit.evaluate.KerasUpscaler` that runs them:

* images are floats in [0, 1], ``(batch, H, W, C)``; ``channels=1`` models work on luma Y (the
  papers' choice), ``channels=3`` on RGB;
* all models are fully convolutional (any input size) except :func:`naive_cnn`, which is the point of
  that one;
* **pre-upsampling** models (SRCNN) take the bicubic-upscaled image and output the same size;
  **post-upsampling** models (FSRCNN, ESPCN, the EDSR-style flagship) take the LR image and output
  ``scale`` times larger;
* custom layers are registered Keras serialisables, so ``keras.saving.load_model(path)`` restores any of
  them with ``safe_mode=True`` and no ``custom_objects``.

=================  ================================================================================
builder            where it comes from
=================  ================================================================================
``naive_cnn``      the classification recipe (conv, pooling, dense head), as a cautionary example
``srcnn``          Dong et al., "Image super-resolution using deep convolutional networks", ECCV 2014
``fsrcnn``         Dong et al., "Accelerating the super-resolution convolutional neural network", ECCV 2016
``espcn``          Shi et al., "Real-time single image and video SR using an efficient sub-pixel CNN", CVPR 2016
``edsr``           Lim et al., "Enhanced deep residual networks for SISR", CVPRW 2017 (a small EDSR)
=================  ================================================================================
"""

from __future__ import annotations

import keras
from keras import layers, ops

__all__ = ["PixelShuffle", "ResidualScale", "naive_cnn", "srcnn", "fsrcnn", "espcn", "edsr", "BUILDERS", "build"]


def _check_scale(scale: int) -> int:
    if scale not in (2, 3, 4):
        raise ValueError(f"srkit models are built for scale 2, 3 or 4, got {scale!r}.")
    return int(scale)


@keras.saving.register_keras_serializable(package="srkit")
class PixelShuffle(layers.Layer):
    """Sub-pixel convolution's rearrangement: ``(H, W, C*r*r) -> (r*H, r*W, C)`` (``depth_to_space``).

    Each group of ``r*r`` channels becomes an ``r x r`` block of output pixels, so a convolution that
    produces ``C*r*r`` channels at LR resolution acts like ``r*r`` interleaved convolutions producing
    the HR image (Shi et al., 2016).
    """

    def __init__(self, scale: int, **kwargs):
        super().__init__(**kwargs)
        self.scale = int(scale)

    def call(self, x):
        return ops.depth_to_space(x, self.scale, data_format="channels_last")

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        r = self.scale
        return (b, None if h is None else h * r, None if w is None else w * r, c // (r * r))

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


@keras.saving.register_keras_serializable(package="srkit")
class ResidualScale(layers.Layer):
    """Multiply by a constant: EDSR's residual scaling (0.1 keeps very deep residual nets stable)."""

    def __init__(self, factor: float = 0.1, **kwargs):
        super().__init__(**kwargs)
        self.factor = float(factor)

    def call(self, x):
        return x * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def naive_cnn(scale: int, patch_size: int = 16, channels: int = 1, filters: int = 64, dense: int = 512):
    """The classification recipe applied to SR: conv + max-pooling blocks, then dense layers.

    It takes a fixed ``patch_size`` LR patch and predicts the whole HR patch from a flat vector. Two
    things break SR here: pooling throws away exactly the positional detail SR must restore, and the
    dense layers tie every output pixel to every input pixel, so the network is not translation
    equivariant and needs far more parameters to learn what a convolution gets for free.
    """
    scale = _check_scale(scale)
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
    scale = _check_scale(scale)
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


def espcn(scale: int, channels: int = 1, filters: tuple[int, int] = (64, 32)):
    """ESPCN (Shi et al., 2016): two convolutions (5x5, 3x3, tanh) at LR resolution, then a 3x3
    convolution to ``channels * scale**2`` maps and a :class:`PixelShuffle` to the HR image."""
    scale = _check_scale(scale)
    inp = keras.Input((None, None, channels), name="lr")
    x = layers.Conv2D(filters[0], 5, padding="same", activation="tanh")(inp)
    x = layers.Conv2D(filters[1], 3, padding="same", activation="tanh")(x)
    x = layers.Conv2D(channels * scale * scale, 3, padding="same")(x)
    out = PixelShuffle(scale, name="pixel_shuffle")(x)
    return keras.Model(inp, out, name=f"espcn_x{scale}")


def edsr(scale: int, channels: int = 1, blocks: int = 15, filters: int = 64, res_scale: float = 0.1):
    """The kit's flagship: a small EDSR (Lim et al., 2017).

    Residual blocks (conv-ReLU-conv, no batch normalisation, output scaled by ``res_scale``) between a
    head and a tail convolution, a long skip connection around them, pixel-shuffle upsampling (one x2
    step per factor 2, one x3 step for scale 3), and **global residual learning**: the network predicts
    the difference from a bilinear upsampling of its input, which it adds back. The default (15 blocks,
    64 filters, Y channel) has 1.29 M / 1.48 M / 1.44 M parameters at x2 / x3 / x4, under the kit's
    1.5 M budget for CPU training (EDSR-baseline: 16 blocks, 1.4-1.5 M for RGB).
    """
    scale = _check_scale(scale)
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
    steps = [3] if scale == 3 else [2] * (scale // 2)
    for j, r in enumerate(steps):
        x = layers.Conv2D(filters * r * r, 3, padding="same", name=f"up{j + 1}_conv")(x)
        x = PixelShuffle(r, name=f"up{j + 1}_shuffle")(x)
    x = layers.Conv2D(channels, 3, padding="same", name="tail")(x)
    base = layers.UpSampling2D(scale, interpolation="bilinear", name="global_skip_upsample")(inp)
    out = layers.Add(name="global_residual")([base, x])
    return keras.Model(inp, out, name=f"edsr_x{scale}")


#: name -> builder, for :func:`build`, the zoo and the ``srkit train`` command.
BUILDERS = {"naive_cnn": naive_cnn, "srcnn": srcnn, "fsrcnn": fsrcnn, "espcn": espcn, "edsr": edsr}

#: Models that take the bicubic-upscaled image (the rest take the LR image).
PRE_UPSAMPLING = {"srcnn"}


def build(name: str, scale: int, **config):
    """Build a model by name (see :data:`BUILDERS`) for ``scale``; ``config`` goes to its builder."""
    if name not in BUILDERS:
        raise ValueError(f"Unknown model {name!r}; choose one of {', '.join(BUILDERS)}.")
    return BUILDERS[name](scale=scale, **config)
