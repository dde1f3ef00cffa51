"""The GAN chapter's loss terms: pixel, adversarial (standard and relativistic average), feature matching,
and the optional VGG perceptual loss (only with the ImageNet weights already on disk: the kit never downloads)."""

from __future__ import annotations

import os
from pathlib import Path

import keras
from keras import ops

from ..errors import SrkitError

__all__ = ["pixel_loss", "adversarial_loss", "feature_matching_loss", "VGG19_FILE", "vgg_weights_path", "VGGFeatures"]


def pixel_loss(hr, sr, kind: str = "l1"):
    """Mean absolute (``'l1'``) or squared (``'l2'``) difference: the distortion term, which favours the
    average (blurry) answer and keeps the GAN's output faithful to the input."""
    d = sr - hr
    if kind == "l1":
        return ops.mean(ops.abs(d))
    if kind == "l2":
        return ops.mean(d * d)
    raise ValueError(f"pixel loss must be 'l1' or 'l2', got {kind!r}.")


def _bce_logits(logits, target: float):
    # numerically stable binary cross-entropy on logits
    return ops.mean(ops.maximum(logits, 0.0) - logits * target + ops.log1p(ops.exp(-ops.abs(logits))))


def adversarial_loss(real_logits, fake_logits, kind: str = "relativistic"):
    """The two adversarial losses ``(d_loss, g_loss)`` from the discriminator's logits on real HR and on SR.

    ``'standard'`` (SRGAN, non-saturating): ``D`` minimises ``BCE(D(hr), 1) + BCE(D(sr), 0)``; ``G``
    minimises ``BCE(D(sr), 1)``.

    ``'relativistic'`` (relativistic average GAN, ESRGAN): ``D`` predicts whether a real image is *more
    realistic than the average fake* (and a fake less realistic than the average real):
    ``D_ra(a, b) = sigmoid(C(a) - mean C(b))``;
    ``d_loss = BCE(D_ra(hr, sr), 1) + BCE(D_ra(sr, hr), 0)`` and ``g_loss`` swaps the targets, so the
    generator also gets gradients from the real images.
    """
    if kind == "standard":
        return (_bce_logits(real_logits, 1.0) + _bce_logits(fake_logits, 0.0),
                _bce_logits(fake_logits, 1.0))
    if kind == "relativistic":
        r = real_logits - ops.mean(fake_logits)
        f = fake_logits - ops.mean(real_logits)
        return (_bce_logits(r, 1.0) + _bce_logits(f, 0.0),
                _bce_logits(r, 0.0) + _bce_logits(f, 1.0))
    raise ValueError(f"adversarial loss must be 'standard' or 'relativistic', got {kind!r}.")


def feature_matching_loss(real_features, fake_features):
    """Mean L1 distance between the discriminator's features of HR and of SR, averaged over layers.

    A perceptual loss that needs no downloaded network: the discriminator's own features describe the
    texture statistics it uses to tell real from fake, and SR and HR are paired, so each SR patch is
    pulled towards the features of its own HR patch (Wang et al., pix2pixHD, 2018)."""
    if len(real_features) != len(fake_features) or not real_features:
        raise ValueError("feature_matching_loss needs the same, non-zero number of real and fake feature maps.")
    terms = [ops.mean(ops.abs(ops.stop_gradient(r) - f)) for r, f in zip(real_features, fake_features)]
    return sum(terms) / len(terms)


#: The ImageNet VGG19 weights file Keras would download (the kit never downloads it).
VGG19_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"


def vgg_weights_path() -> Path:
    """Where the ImageNet VGG19 weights must be for :class:`VGGFeatures` (the Keras cache)."""
    base = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    return base / "models" / VGG19_FILE


class VGGFeatures:
    """The VGG perceptual loss (SRGAN's "VGG54"): L1 distance between VGG19 ``block5_conv4`` features
    (before the activation, as ESRGAN) of SR and HR.

    Needs the ImageNet weights already in the Keras cache (:func:`vgg_weights_path`); srkit never
    downloads, so without them this raises :class:`srkit.errors.SrkitError` saying what to do.
    Y inputs are repeated to three channels.
    """

    def __init__(self, layer: str = "block5_conv4"):
        path = vgg_weights_path()
        if not path.exists():
            raise SrkitError(
                f"The VGG perceptual loss needs ImageNet VGG19 weights at {path}, and they are not there. "
                "srkit works offline and never downloads. Copy the file there from a machine with internet "
                "(python -c \"import keras; keras.applications.VGG19(include_top=False)\" downloads it), "
                "or train without it: GANConfig(perceptual_weight=0) uses the discriminator's feature matching."
            )
        vgg = keras.applications.VGG19(include_top=False, weights=str(path), input_shape=(None, None, 3))
        out = vgg.get_layer(layer)
        out.activation = keras.activations.linear
        self.model = keras.Model(vgg.input, out.output)
        self.model.trainable = False

    def __call__(self, hr, sr):
        def prep(x):
            x = ops.repeat(x, 3, axis=-1) if x.shape[-1] == 1 else x
            return keras.applications.vgg19.preprocess_input(x * 255.0)

        return ops.mean(ops.abs(self.model(prep(hr)) - self.model(prep(sr))))
