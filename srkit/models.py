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

__all__ = ["PixelShuffle", "ResidualScale", "ConvRecurrent2D", "FrameSelect", "naive_cnn", "srcnn", "fsrcnn", "espcn",
           "edsr", "drcn", "WeightedSum", "multiframe_rnn", "with_frames", "PairWithReference", "RowRNN", "sequence_rnn", "BUILDERS", "build"]


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
PRE_UPSAMPLING = {"srcnn", "drcn"}

#: Models that take a burst of frames ``(B, T, h, w, C)``.
MULTIFRAME = {"multiframe_rnn"}


def _register_late_builders() -> None:
    BUILDERS.update({"drcn": drcn, "multiframe_rnn": multiframe_rnn, "sequence_rnn": sequence_rnn})


def build(name: str, scale: int, **config):
    """Build a model by name (see :data:`BUILDERS`) for ``scale``; ``config`` goes to its builder."""
    if name not in BUILDERS:
        raise ValueError(f"Unknown model {name!r}; choose one of {', '.join(BUILDERS)}.")
    return BUILDERS[name](scale=scale, **config)


@keras.saving.register_keras_serializable(package="srkit")
class ConvRecurrent2D(layers.Layer):
    """A convolutional GRU or LSTM run over the frames of a burst: ``(B, T, H, W, C) -> (B, H, W, F)``.

    The recurrence ``h_t = f(x_t, h_{t-1}; theta)`` with convolutions instead of matrix products, so
    ``x_t`` (frame t's features) and ``h_t`` (what the network remembers of frames 1..t) are feature
    maps. For ``cell='gru'``::

        z = sigmoid(Wz * x_t + Uz * h)          update gate
        r = sigmoid(Wr * x_t + Ur * h)          reset gate
        n = tanh(Wn * x_t + Un * (r . h))       candidate
        h = (1 - z) . h + z . n

    and for ``cell='lstm'`` the usual input/forget/output gates with a cell state ``c``.  ``*`` is a
    ``kernel_size`` convolution, ``.`` element-wise.  The number of frames ``T`` must be known when the
    layer is built (it is unrolled).  ``go_backwards`` reads the frames in reverse order;
    ``return_sequences`` returns every ``h_t`` as ``(B, T, H, W, F)``.
    """

    def __init__(self, filters: int, kernel_size: int = 3, cell: str = "gru", go_backwards: bool = False,
                 return_sequences: bool = False, **kwargs):
        super().__init__(**kwargs)
        if cell not in ("gru", "lstm"):
            raise ValueError(f"cell must be 'gru' or 'lstm', got {cell!r}.")
        self.filters, self.kernel_size, self.cell = int(filters), int(kernel_size), cell
        self.go_backwards, self.return_sequences = bool(go_backwards), bool(return_sequences)
        gates = 3 if cell == "gru" else 4
        self.conv_x = layers.Conv2D(gates * self.filters, self.kernel_size, padding="same", name="conv_x")
        self.conv_h = layers.Conv2D((2 if cell == "gru" else 4) * self.filters, self.kernel_size,
                                    padding="same", use_bias=False, name="conv_h")
        self.conv_n = (layers.Conv2D(self.filters, self.kernel_size, padding="same", use_bias=False, name="conv_n")
                       if cell == "gru" else None)

    def build(self, input_shape):
        if input_shape[1] is None:
            raise ValueError("ConvRecurrent2D needs a known number of frames: keras.Input((T, None, None, C)).")
        frame = (input_shape[0], input_shape[2], input_shape[3], input_shape[4])
        state = (input_shape[0], input_shape[2], input_shape[3], self.filters)
        self.conv_x.build(frame)
        self.conv_h.build(state)
        if self.conv_n is not None:
            self.conv_n.build(state)

    def call(self, x):
        f = self.filters
        steps = list(range(x.shape[1]))
        if self.go_backwards:
            steps = steps[::-1]
        first = x[:, 0]
        h = ops.zeros_like(first[..., :1]) * ops.zeros((f,), dtype=first.dtype)
        c = h
        outputs = []
        for t in steps:
            gx = self.conv_x(x[:, t])
            gh = self.conv_h(h)
            if self.cell == "gru":
                z = ops.sigmoid(gx[..., :f] + gh[..., :f])
                r = ops.sigmoid(gx[..., f:2 * f] + gh[..., f:])
                n = ops.tanh(gx[..., 2 * f:] + self.conv_n(r * h))
                h = (1.0 - z) * h + z * n
            else:
                g = gx + gh
                i, fg, o = ops.sigmoid(g[..., :f]), ops.sigmoid(g[..., f:2 * f]), ops.sigmoid(g[..., 2 * f:3 * f])
                c = fg * c + i * ops.tanh(g[..., 3 * f:])
                h = o * ops.tanh(c)
            outputs.append(h)
        if self.return_sequences:
            if self.go_backwards:
                outputs = outputs[::-1]
            return ops.stack(outputs, axis=1)
        return h

    def compute_output_shape(self, input_shape):
        b, t, hh, ww, _ = input_shape
        return (b, t, hh, ww, self.filters) if self.return_sequences else (b, hh, ww, self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size, "cell": self.cell,
                "go_backwards": self.go_backwards, "return_sequences": self.return_sequences}


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
    scale = _check_scale(scale)
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


@keras.saving.register_keras_serializable(package="srkit")
class PairWithReference(layers.Layer):
    """``(B, T, H, W, C) -> (B, T, H, W, 2C)``: every frame concatenated with frame 0 (the reference)."""

    def call(self, x):
        ref = ops.repeat(x[:, :1], x.shape[1], axis=1)
        return ops.concatenate([x, ref], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:4], 2 * input_shape[4])


@keras.saving.register_keras_serializable(package="srkit")
class FrameSelect(layers.Layer):
    """Pick frame ``index`` of a ``(B, T, H, W, C)`` burst tensor."""

    def __init__(self, index: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.index = int(index)

    def call(self, x):
        return x[:, self.index]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *input_shape[2:])

    def get_config(self):
        return {**super().get_config(), "index": self.index}


@keras.saving.register_keras_serializable(package="srkit")
class WeightedSum(layers.Layer):
    """A learned weighted average of several tensors of the same shape (DRCN's final combination).

    The weights start equal and are normalised with a softmax, so they stay positive and sum to one.
    """

    def build(self, input_shape):
        self.logits = self.add_weight(shape=(len(input_shape),), initializer="zeros", name="logits")

    def call(self, inputs):
        w = ops.softmax(self.logits)
        return sum(w[i] * x for i, x in enumerate(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape[0]


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


@keras.saving.register_keras_serializable(package="srkit")
class RowRNN(layers.Layer):
    """A bidirectional GRU run along every row (``axis='rows'``) or column (``axis='cols'``) of a feature
    map: ``(B, H, W, C) -> (B, H, W, 2*units)``.

    This is the seed's "split the image into sequences" scheme done honestly: each row is a sequence of
    pixels ``x_t`` and ``h_t = GRU(x_t, h_{t-1})`` summarises everything to the left (and, backwards, to
    the right) of pixel ``t``, however far.  Unlike a convolution it is not local, and it is not
    translation equivariant along the sequence's start and end.
    """

    def __init__(self, units: int = 32, axis: str = "rows", **kwargs):
        super().__init__(**kwargs)
        if axis not in ("rows", "cols"):
            raise ValueError(f"axis must be 'rows' or 'cols', got {axis!r}.")
        self.units, self.axis = int(units), axis
        self.rnn = layers.Bidirectional(layers.GRU(self.units, return_sequences=True), name="bigru")

    def build(self, input_shape):
        self.rnn.build((None, None, input_shape[-1]))

    def call(self, x):
        if self.axis == "cols":
            x = ops.transpose(x, (0, 2, 1, 3))
        shape = ops.shape(x)
        seq = ops.reshape(x, (shape[0] * shape[1], shape[2], x.shape[-1]))
        y = self.rnn(seq)
        y = ops.reshape(y, (shape[0], shape[1], shape[2], 2 * self.units))
        if self.axis == "cols":
            y = ops.transpose(y, (0, 2, 1, 3))
        return y

    def compute_output_shape(self, input_shape):
        return (*input_shape[:3], 2 * self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "axis": self.axis}


def sequence_rnn(scale: int, channels: int = 1, units: int = 30):
    """SR by recurrence over sequences (the seed's scheme): a bidirectional GRU along the rows of the LR
    image, another along the columns of its output, a 1x1 convolution to ``scale**2`` sub-pixels per
    pixel (the decoder: sub-pixel along both axes) and a bilinear global residual.  No convolution
    looks at neighbours: all context comes through the recurrences.  ``units=30`` gives a parameter count
    close to ESPCN's, for a fair comparison.
    """
    scale = _check_scale(scale)
    inp = keras.Input((None, None, channels), name="lr")
    x = RowRNN(units, "rows", name="rows")(inp)
    x = RowRNN(units, "cols", name="cols")(x)
    x = layers.Conv2D(channels * scale * scale, 1, name="decode")(x)
    x = PixelShuffle(scale, name="pixel_shuffle")(x)
    base = layers.UpSampling2D(scale, interpolation="bilinear", name="global_skip_upsample")(inp)
    out = layers.Add(name="global_residual")([base, x])
    return keras.Model(inp, out, name=f"sequence_rnn_x{scale}")


_register_late_builders()
