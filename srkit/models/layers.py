"""The custom Keras layers srkit's networks are made of (each registered, so saved models load with
``safe_mode=True`` and no ``custom_objects``)."""

from __future__ import annotations

import keras
from keras import layers, ops

__all__ = ["PixelShuffle", "ResidualScale", "ConvRecurrent2D", "PairWithReference", "FrameSelect", "WeightedSum",
           "RowRNN", "BiGRU"]


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


@keras.saving.register_keras_serializable(package="srkit")
class BiGRU(layers.Layer):
    """A bidirectional GRU over sequences: ``(N, T, C) -> (N, T, 2*units)``.

    Two GRUs read each sequence, ``forward_layer`` from the first step to the last and
    ``backward_layer`` from the last to the first; the backward outputs are flipped back so that
    position ``t`` carries a summary of everything before ``t`` (first ``units`` channels) and of
    everything after it (last ``units``).  This is what ``keras.layers.Bidirectional(GRU(...))``
    computes, with the same weight paths in a saved file, written out so that it can be built inside another
    layer: ``Bidirectional`` copies the layer it wraps through Keras' serialisation, which can pick
    up the wrong object when a model holding several of them is loaded.
    """

    def __init__(self, units: int = 32, **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.forward_layer = layers.GRU(self.units, return_sequences=True, name="forward_gru")
        self.backward_layer = layers.GRU(self.units, return_sequences=True, go_backwards=True, name="backward_gru")

    def build(self, input_shape):
        self.forward_layer.build(input_shape)
        self.backward_layer.build(input_shape)

    def call(self, seq):
        backward = ops.flip(self.backward_layer(seq), axis=1)  # go_backwards emits the last step first
        return ops.concatenate([self.forward_layer(seq), backward], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], 2 * self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="srkit")
class RowRNN(layers.Layer):
    """A bidirectional GRU run along every row (``axis='rows'``) or column (``axis='cols'``) of a feature
    map: ``(B, H, W, C) -> (B, H, W, 2*units)``.

    This is "split the image into sequences" done honestly: each row is a sequence of
    pixels ``x_t`` and ``h_t = GRU(x_t, h_{t-1})`` summarises everything to the left (and, backwards, to
    the right) of pixel ``t``, however far.  Unlike a convolution it is not local, and it is not
    translation equivariant along the sequence's start and end.
    """

    def __init__(self, units: int = 32, axis: str = "rows", **kwargs):
        super().__init__(**kwargs)
        if axis not in ("rows", "cols"):
            raise ValueError(f"axis must be 'rows' or 'cols', got {axis!r}.")
        self.units, self.axis = int(units), axis
        self.rnn = BiGRU(self.units, name="bigru")

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
