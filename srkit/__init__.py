"""srkit: a teaching and exploration kit for deep-learning image super-resolution.

Modules (imported on demand, so ``import srkit`` is fast and does not load TensorFlow):

* :mod:`srkit.io`: reading and writing images, with a documented policy for every kind of file
* :mod:`srkit.data`: the bundled datasets and folders of your own images
* :mod:`srkit.degrade`: MATLAB-exact ``imresize``, blur, noise, JPEG, interpolation baselines
* :mod:`srkit.color`: BT.601 luma (the Y channel papers score) and uint8 quantisation
* :mod:`srkit.metrics`: PSNR/SSIM with the paper protocol, in NumPy and Keras
* :mod:`srkit.scoring`: the benchmark-scoring loop every evaluation goes through
* :mod:`srkit.evaluate`: score any upscaler on Set5/Set14/BSD100
* :mod:`srkit.pipeline`: ``tf.data`` training patches
* :mod:`srkit.widgets`, :mod:`srkit.viz`: interactive comparison and static figures
* :mod:`srkit.env`: machine check and smoke mode
* :mod:`srkit.exercises`: the notebooks' exercises and their checks
* :mod:`srkit.models`, :mod:`srkit.train`, :mod:`srkit.zoo`: architectures, the training engine, pretrained models
* :mod:`srkit.gan`: GAN fine-tuning, network interpolation, perception-distortion
* :mod:`srkit.burst`: multi-frame bursts and shift-and-add
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBMODULES = {
    "io", "data", "degrade", "metrics", "evaluate", "pipeline", "widgets", "viz", "env", "errors", "cli", "exercises",
    "models", "train", "zoo", "profile", "burst", "gan", "color", "scoring",
}

__all__ = sorted(_SUBMODULES) + ["__version__"]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"srkit.{name}")
    raise AttributeError(f"module 'srkit' has no attribute {name!r}")
