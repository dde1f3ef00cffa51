"""Recurrent SR networks: DRCN-style recursion with shared weights, recurrence over the rows and columns
of an image, and recurrent multi-frame SR over a burst (see :mod:`srkit.models`)."""

from __future__ import annotations

import keras
from keras import layers

from .cnn import check_scale
from .layers import ConvRecurrent2D, FrameSelect, PairWithReference, PixelShuffle, RowRNN, WeightedSum

__all__ = ["drcn", "sequence_rnn", "multiframe_rnn", "with_frames"]


def drcn(scale: int | None = None, recursions: int = 4, channels: int = 1, filters: int = 32):
    """A small DRCN (Kim et al., "Deeply-recursive convolutional network for image SR", CVPR 2016).

    An embedding convolution, then **one** 3x3 convolution applied ``recursions`` times with the *same*
    weights (a recurrent network unrolled in depth: ``h_t = relu(W * h_{t-1} + b)``, no new input after
    the first step), a shared reconstruction convolution after every recursion (each one a prediction, to
    be supervised), and a learned weighted average of those predictions plus the input (skip). Works on
    the bicubic-upscaled image (pre-upsampling). Apart from the ``recursions`` combination weights, the
    parameter count does not depend on ``recursions``; the receptive field grows by 2 pixels per recursion.
    """
    if recursions < 1:
        raise ValueError(f"recursions must be at least 1, got {recursions}.")
    inp = keras.Input((None, None, channels), name="bicubic")
    h = layers.Conv2D(filters, 3, padding="same", activation="relu", name="embed")(inp)
    shared = layers.Conv2D(filters, 3, padding="same", activation="relu", name="recursive_conv")
    reconstruct = layers.Conv2D(channels, 3, padding="same", name="reconstruct")
    predictions = []
    for t in range(recursions):
        h = shared(h)
        predictions.append(layers.Add(name=f"prediction{t + 1}")([inp, reconstruct(h)]))
    out = WeightedSum(name="combine")(predictions) if recursions > 1 else predictions[0]
    name = f"drcn_t{recursions}" + (f"_x{scale}" if scale else "")
    return keras.Model(inp, out, name=name)


def sequence_rnn(scale: int, channels: int = 1, units: int = 30):
    """SR by recurrence over sequences (each row, then each column, read as a sequence): a bidirectional GRU along the rows of the LR
    image, another along the columns of its output, a 1x1 convolution to ``scale**2`` sub-pixels per
    pixel (the decoder: sub-pixel along both axes) and a bilinear global residual.  No convolution
    looks at neighbours: all context comes through the recurrences.  ``units=30`` gives a parameter count
    close to ESPCN's, for a fair comparison.
    """
    scale = check_scale(scale)
    inp = keras.Input((None, None, channels), name="lr")
    x = RowRNN(units, "rows", name="rows")(inp)
    x = RowRNN(units, "cols", name="cols")(x)
    x = layers.Conv2D(channels * scale * scale, 1, name="decode")(x)
    x = PixelShuffle(scale, name="pixel_shuffle")(x)
    base = layers.UpSampling2D(scale, interpolation="bilinear", name="global_skip_upsample")(inp)
    out = layers.Add(name="global_residual")([base, x])
    return keras.Model(inp, out, name=f"sequence_rnn_x{scale}")


def multiframe_rnn(scale: int, frames: int = 5, channels: int = 1, filters: int = 32, cell: str = "gru",
                   bidirectional: bool = False, blocks: int = 2, align_layers: int = 3):
    """Recurrent multi-frame SR.

    1. Every frame ``t`` is paired with the reference frame 0 (:class:`PairWithReference`) and a small
       shared convolution stack (``align_layers`` layers) turns the pair into features ``x_t``.  Seeing
       both frames side by side lets the network estimate, locally, how frame ``t`` is shifted against
       the reference (the shift is a fraction of an LR pixel), which is what it needs to use the frame's
       extra samples.
    2. A :class:`ConvRecurrent2D` (ConvGRU or ConvLSTM) reads ``x_1..x_T``: ``h_t = f(x_t, h_{t-1})``
       accumulates what the frames add (forward, or both directions with ``bidirectional=True``).
    3. ``blocks`` convolutions, pixel-shuffle upsampling, plus a bilinear upscale of frame 0 (global
       residual).

    Input ``(B, frames, h, w, channels)`` in [0, 1], output ``(B, scale*h, scale*w, channels)``.  No
    weight depends on ``frames``: with ``frames=1`` it is the equal-capacity single-frame baseline, and
    weights trained at one ``frames`` load into a model built for another (see :func:`with_frames`).
    """
    scale = check_scale(scale)
    if frames < 1:
        raise ValueError(f"frames must be at least 1, got {frames}.")
    inp = keras.Input((frames, None, None, channels), name="frames")
    x = PairWithReference(name="pair_with_reference")(inp)
    # Leaky ReLUs: with plain ReLUs the fusion layers often died early in training (all units off).
    for i in range(align_layers):
        x = layers.TimeDistributed(layers.Conv2D(filters, 3, padding="same", activation="leaky_relu"),
                                   name="features" if i == 0 else f"features{i + 1}")(x)
    feat = x
    h = ConvRecurrent2D(filters, cell=cell, name="recurrent")(feat)
    if bidirectional:
        hb = ConvRecurrent2D(filters, cell=cell, go_backwards=True, name="recurrent_backward")(feat)
        h = layers.Concatenate(name="both_directions")([h, hb])
    x = h
    for i in range(blocks):
        x = layers.Conv2D(filters, 3, padding="same", activation="leaky_relu", name=f"fuse{i + 1}")(x)
    x = layers.Conv2D(channels * scale * scale, 3, padding="same", name="to_subpixels")(x)
    x = PixelShuffle(scale, name="pixel_shuffle")(x)
    ref = FrameSelect(0, name="reference_frame")(inp)
    base = layers.UpSampling2D(scale, interpolation="bilinear", name="reference_upsampled")(ref)
    out = layers.Add(name="global_residual")([base, x])
    kind = ("bi" if bidirectional else "") + cell
    model = keras.Model(inp, out, name=f"multiframe_{kind}_{frames}f_x{scale}")
    return model


def with_frames(model, frames: int):
    """The same multi-frame model rebuilt for ``frames`` input frames, with the same weights.

    A :func:`multiframe_rnn` has no weight that depends on the number of frames, so a model trained on
    5-frame bursts can be run on 1, 2, 3 or 8 frames (the frames chart of notebook 05).
    """
    if len(model.input_shape) != 5:
        raise ValueError(f"with_frames needs a multi-frame model (5-D input), got input {model.input_shape}.")
    cfg = _multiframe_config(model)
    new = multiframe_rnn(frames=int(frames), **cfg)
    new.set_weights(model.get_weights())
    return new


def _multiframe_config(model) -> dict:
    names = {layer.name: layer for layer in model.layers}
    rec = names["recurrent"]
    shuffle = names["pixel_shuffle"]
    channels = model.input_shape[-1]
    return dict(scale=shuffle.scale, channels=channels, filters=rec.filters, cell=rec.cell,
                bidirectional="recurrent_backward" in names,
                blocks=sum(1 for n in names if n.startswith("fuse")),
                align_layers=sum(1 for n in names if n.startswith("features")))
