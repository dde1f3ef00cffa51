"""The SRGAN-style discriminator, and the view of it that returns its features for feature matching."""

from __future__ import annotations

import keras
from keras import layers

__all__ = ["discriminator", "feature_model"]


def discriminator(channels: int = 1, filters: int = 32, blocks: int = 4, dense: int = 256):
    """An SRGAN-style discriminator: ``blocks`` pairs of 3x3 convolutions (the second with stride 2,
    channels doubling each block), global average pooling (so any input size works), a dense layer and
    one logit (> 0: "real").  Input: HR patches ``(B, H, W, channels)`` in [0, 1].

    The outputs of the strided convolutions are the features used by :func:`feature_matching_loss`
    (layer names ``down1`` ... ``downN``, see :func:`feature_model`).
    """
    if blocks < 1:
        raise ValueError(f"blocks must be at least 1, got {blocks}.")
    inp = keras.Input((None, None, channels), name="hr_or_sr")
    x = layers.Rescaling(2.0, offset=-1.0, name="to_minus1_1")(inp)
    for i in range(blocks):
        f = filters * 2**i
        x = layers.Conv2D(f, 3, padding="same", name=f"conv{i + 1}")(x)
        x = layers.LeakyReLU(0.2, name=f"act{i + 1}a")(x)
        x = layers.Conv2D(f, 3, strides=2, padding="same", name=f"down{i + 1}")(x)
        x = layers.LeakyReLU(0.2, name=f"act{i + 1}b")(x)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    x = layers.Dense(dense, name="dense")(x)
    x = layers.LeakyReLU(0.2, name="act_dense")(x)
    out = layers.Dense(1, name="logit")(x)
    return keras.Model(inp, out, name="discriminator")


def feature_model(disc):
    """The discriminator as a model that returns ``[logit, features_1, ..., features_N]`` (shared weights)."""
    feats = [layer.output for layer in disc.layers if layer.name.startswith("down")]
    if not feats:
        raise ValueError("The discriminator has no layers named 'down*'; build it with srkit.gan.discriminator.")
    return keras.Model(disc.input, [disc.output, *feats], name="discriminator_features")
