"""GAN super-resolution (SRGAN / ESRGAN style): a discriminator, the loss terms, a trainer, network
interpolation, and the perception-distortion measurements.

Submodules: :mod:`~srkit.gan.networks` (the discriminator), :mod:`~srkit.gan.losses` (every loss term),
:mod:`~srkit.gan.trainer` (:class:`GANTrainer`, :class:`GANConfig`, :func:`train_gan`),
:mod:`~srkit.gan.diagnostics` (:func:`diagnose`, the live loss plot), :mod:`~srkit.gan.tradeoff`
(network interpolation, the perception-distortion table).

Why a GAN?  A network trained with a pixel loss (L1/L2) predicts the *average* of all HR images that could
have produced the LR input: the average of many plausible textures is a smooth blur, which has the best
PSNR but looks soft.  A discriminator ``D`` learns to tell real HR patches from SR patches; training the
generator ``G`` to fool it pushes ``G`` towards *one* plausible sharp texture instead, at the cost of PSNR
(the invented detail is not exactly the true detail).  Blau & Michaeli (2018) showed this is a real
trade-off: no method can be best at both distortion (PSNR) and perceptual quality.

    from srkit import gan
    g = gan.load_generator("edsr", 4)                     # the pretrained PSNR generator
    d = gan.discriminator()
    result = gan.train_gan(gan.GANConfig(steps=2000), out_dir="runs/gan_x4")
    blended = gan.interpolate(g, result.generator, alpha=0.5)   # ESRGAN's network interpolation

Everything works on the Y channel in [0, 1] (as the zoo models do); the trainer needs the TensorFlow
backend (its ``train_step`` uses ``tf.GradientTape``).
"""

from __future__ import annotations

from .diagnostics import LossPlot, diagnose, plot_losses
from .losses import VGG19_FILE, VGGFeatures, adversarial_loss, feature_matching_loss, pixel_loss, vgg_weights_path
from .networks import discriminator, feature_model
from .tradeoff import interpolate, perception_distortion_table
from .trainer import GANConfig, GANResult, GANTrainer, load_generator, train_gan, validate_gan

__all__ = [
    "discriminator", "feature_model", "pixel_loss", "adversarial_loss", "feature_matching_loss",
    "VGGFeatures", "VGG19_FILE", "vgg_weights_path", "GANTrainer", "GANConfig", "GANResult", "train_gan",
    "load_generator", "validate_gan", "interpolate", "diagnose", "perception_distortion_table", "LossPlot",
    "plot_losses",
]
