"""Structural re-parameterisation: train a multi-branch block, run one plain convolution.

A :class:`RepConv2D` layer computes, while training,

    y = conv_kxk(x) + b_k + conv_1x1(x) + b_1 + x        (the identity only when input and output widths match)

Every branch is linear, and a convolution is linear in its kernel, so the sum equals ONE ``k x k``
convolution: the 1x1 kernel placed at the centre of a ``k x k`` kernel of zeros, the identity written as a
centred Dirac kernel (1 at the centre, from channel ``c`` to channel ``c``), all kernels and biases
added (:func:`fuse_repconv`). The extra branches make the network easier to optimise (RepVGG, Ding et
al., CVPR 2021; ECBSR, Zhang et al., ACM MM 2021) and cost nothing at inference: :func:`collapse` turns a
trained model into a plain one made of ``Conv2D`` layers that gives the same outputs to float rounding.

:func:`rep_espcn` is ESPCN (Shi et al., 2016) with re-parameterisable feature layers; collapsed, it has
exactly ESPCN's architecture and parameter count.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from ..errors import InvalidValueError, check_choice, check_int
from .cnn import check_scale
from .layers import PixelShuffle

__all__ = ["RepConv2D", "fuse_repconv", "collapse", "rep_espcn"]


@keras.saving.register_keras_serializable(package="srkit")
class RepConv2D(layers.Layer):
    """A re-parameterisable convolution: ``k x k`` conv + 1x1 conv (+ identity), each conv with a bias.

    Stride 1 and "same" padding (the output has the input's height and width), channels last.

    Args:
        filters: output channels (a whole number >= 1).
        kernel_size: the large branch's kernel size, an odd whole number >= 3 (3, as in RepVGG and ECBSR).
        identity: ``None`` (default) adds the identity branch when the input has ``filters`` channels;
            ``True`` requires it (building on another width is refused); ``False`` leaves it out.
            The identity is ``x`` itself: a bias on it would only add to the two others.
        kernel_initializer, bias_initializer: Keras initialisers of the convolution branches.

    :meth:`deploy` returns the single ``k x k`` kernel and bias that compute exactly the same function.
    """

    def __init__(self, filters: int, kernel_size: int = 3, identity: bool | None = None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        self.filters = check_int("filters", filters, low=1, hint="Give the number of output channels, e.g. 64.")
        kernel_size = check_int("kernel_size", kernel_size, low=3,
                                hint="Use an odd size such as 3 or 5 (the 1x1 branch sits at its centre).")
        if kernel_size % 2 == 0:
            raise InvalidValueError(f"kernel_size must be odd (the 1x1 branch and the identity sit at the kernel's "
                                    f"centre, which an even kernel does not have), got {kernel_size}. Use 3 or 5.")
        self.kernel_size = kernel_size
        if identity is not None and not isinstance(identity, bool):
            raise InvalidValueError(f"identity must be None (automatic), True or False, got {identity!r}.")
        self.identity = identity
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.uses_identity = False

    def build(self, input_shape):
        cin = input_shape[-1]
        if cin is None:
            raise InvalidValueError("RepConv2D needs a known number of input channels: keras.Input((None, None, C)).")
        cin = int(cin)
        if self.identity and cin != self.filters:
            raise InvalidValueError(f"identity=True needs as many input channels as filters, but the input has {cin} "
                                    f"and filters is {self.filters}. Use identity=None to add it only where they match.")
        self.uses_identity = cin == self.filters if self.identity is None else bool(self.identity)
        k = self.kernel_size
        self.kernel = self.add_weight(shape=(k, k, cin, self.filters), initializer=self.kernel_initializer,
                                      name="kernel")
        self.bias = self.add_weight(shape=(self.filters,), initializer=self.bias_initializer, name="bias")
        self.kernel_1x1 = self.add_weight(shape=(1, 1, cin, self.filters), initializer=self.kernel_initializer,
                                          name="kernel_1x1")
        self.bias_1x1 = self.add_weight(shape=(self.filters,), initializer=self.bias_initializer, name="bias_1x1")

    def call(self, x):
        y = ops.conv(x, self.kernel, strides=1, padding="same") + self.bias
        y = y + ops.conv(x, self.kernel_1x1, strides=1, padding="same") + self.bias_1x1
        if self.uses_identity:
            y = y + x
        return y

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def deploy(self) -> tuple[np.ndarray, np.ndarray]:
        """The equivalent single convolution: ``(kernel (k, k, C_in, filters), bias (filters,))`` as float32
        arrays (summed in float64), for ``Conv2D(filters, k, padding="same")``."""
        if not self.built:
            raise InvalidValueError(f"RepConv2D {self.name!r} has no weights yet; call it on an input (or build the "
                                    "model) before fusing it.")
        kernel = np.array(keras.ops.convert_to_numpy(self.kernel), dtype=np.float64)
        k1 = np.asarray(keras.ops.convert_to_numpy(self.kernel_1x1), dtype=np.float64)
        c = self.kernel_size // 2
        kernel[c, c] += k1[0, 0]
        if self.uses_identity:
            kernel[c, c] += np.eye(kernel.shape[2], self.filters)
        bias = (np.asarray(keras.ops.convert_to_numpy(self.bias), dtype=np.float64)
                + np.asarray(keras.ops.convert_to_numpy(self.bias_1x1), dtype=np.float64))
        return kernel.astype(np.float32), bias.astype(np.float32)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "identity": self.identity,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "bias_initializer": keras.initializers.serialize(self.bias_initializer)}


def fuse_repconv(layer: RepConv2D) -> tuple[np.ndarray, np.ndarray]:
    """The single ``k x k`` kernel and bias equal to a built :class:`RepConv2D`'s branches (see
    :meth:`RepConv2D.deploy`)."""
    if not isinstance(layer, RepConv2D):
        raise InvalidValueError(f"fuse_repconv needs a RepConv2D layer, got {type(layer).__name__}. "
                                "To fuse a whole model, use collapse(model).")
    return layer.deploy()


def collapse(model):
    """A plain copy of ``model`` for inference: every :class:`RepConv2D` replaced by the ``Conv2D`` of its
    fused kernel, every other layer cloned with its weights (nested models are collapsed too).

    The copy gives the original's outputs to float rounding and needs nothing of this module to load
    (``srkit.models.load_model``, ``safe_mode=True``). ``model`` must be a functional or ``Sequential``
    Keras model; a model without ``RepConv2D`` layers comes back as an equal copy.
    """
    if not isinstance(model, keras.Model):
        raise InvalidValueError(f"collapse needs a Keras model, got {type(model).__name__}. Build one, e.g. "
                                "srkit.models.build('rep_espcn', 3).")
    if not isinstance(model, keras.Sequential) and type(model).__name__ != "Functional":
        raise InvalidValueError(f"collapse works on functional and Sequential models, got the subclassed model "
                                f"{model.name!r} ({type(model).__name__}). Build it with the functional API.")
    if not model.built:
        raise InvalidValueError(f"The model {model.name!r} has no weights yet; build it (or call it) first.")

    def clone(layer):
        if isinstance(layer, RepConv2D):
            return layers.Conv2D(layer.filters, layer.kernel_size, padding="same", name=layer.name,
                                 dtype=layer.dtype_policy)
        if isinstance(layer, keras.Model):
            return collapse(layer)
        return layer.__class__.from_config(layer.get_config())

    plain = keras.models.clone_model(model, clone_function=clone)
    for src in model.layers:
        if isinstance(src, keras.Model):
            continue  # collapsed with its weights above
        dst = plain.get_layer(src.name)
        dst.set_weights(list(src.deploy()) if isinstance(src, RepConv2D) else src.get_weights())
    if isinstance(plain, keras.Sequential):
        return plain
    inputs = plain.inputs[0] if len(plain.inputs) == 1 else plain.inputs
    outputs = plain.outputs[0] if len(plain.outputs) == 1 else plain.outputs
    return keras.Model(inputs, outputs, name=f"{model.name}_collapsed")


def rep_espcn(scale: int, channels: int = 1, filters: tuple[int, ...] = (64, 32), activation: str = "tanh"):
    """ESPCN with re-parameterisable feature layers: one :class:`RepConv2D` per width in ``filters`` (the
    first 5x5, the others 3x3, each with a 1x1 branch and, where the widths match, an identity), the
    activation after each, then ESPCN's sub-pixel head: a 3x3 ``Conv2D`` to ``channels * scale**2`` maps and
    a :class:`PixelShuffle`.

    Train it as it is; :func:`collapse` it for inference, where it is an ESPCN (same layers and parameter
    count as ``espcn(scale, channels, filters)``). ``activation`` is ``'tanh'`` (ESPCN's) or ``'relu'``.
    """
    scale = check_scale(scale)
    channels = check_int("channels", channels, low=1, hint="Use 1 (luma Y) or 3 (RGB).")
    widths = [filters] if isinstance(filters, int) and not isinstance(filters, bool) else filters
    if (not isinstance(widths, (list, tuple)) or not widths
            or any(isinstance(f, bool) or not isinstance(f, int) or f < 1 for f in widths)):
        raise InvalidValueError(f"filters must be a list of whole numbers >= 1 (one width per feature layer, e.g. "
                                f"[64, 32]), got {filters!r}.")
    check_choice("activation", activation, ("tanh", "relu"))
    inp = keras.Input((None, None, channels), name="lr")
    x = inp
    for i, width in enumerate(widths):
        x = RepConv2D(int(width), 5 if i == 0 else 3, name=f"rep{i + 1}")(x)
        x = layers.Activation(activation, name=f"act{i + 1}")(x)
    x = layers.Conv2D(channels * scale * scale, 3, padding="same", name="subpixel_conv")(x)
    out = PixelShuffle(scale, name="pixel_shuffle")(x)
    return keras.Model(inp, out, name=f"rep_espcn_x{scale}")
