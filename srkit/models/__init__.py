"""Super-resolution networks as Keras 3 models (functional API, any backend; srkit uses TensorFlow).

Conventions shared by every builder, and by :class:`srkit.infer.KerasUpscaler` that runs them:

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
``drcn``           Kim et al., "Deeply-recursive convolutional network for image SR", CVPR 2016 (a small DRCN)
``sequence_rnn``   recurrence over sequences: bidirectional GRUs along the rows, then the columns
``multiframe_rnn`` recurrent multi-frame SR: a ConvGRU/ConvLSTM over a burst of shifted LR frames
``rep_espcn``      ESPCN with re-parameterisable layers (RepVGG, Ding et al., CVPR 2021; ECBSR, Zhang et al., ACM MM 2021)
``edsr_progressive`` the flagship's body with progressive x2 stages (LapSRN, Lai et al., CVPR 2017), an image at each
=================  ================================================================================

Submodules: :mod:`~srkit.models.layers` (the custom layers), :mod:`~srkit.models.cnn` (convolutional
networks), :mod:`~srkit.models.recurrent` (recurrent networks), :mod:`~srkit.models.registry` (one
:class:`ModelSpec` per architecture: builder, input kind, training defaults, paper numbers),
:mod:`~srkit.models.reparam` (structural re-parameterisation: ``RepConv2D``, ``collapse``),
:mod:`~srkit.models.progressive` (``edsr_progressive``), :mod:`~srkit.models.transfer` (``transfer_weights``: start a
model from another scale or architecture by layer name).
"""

from __future__ import annotations

import importlib

from .registry import INPUT_KINDS, REGISTRY, ModelSpec, build, names, register, spec, unregister

__all__ = [
    "ModelSpec", "REGISTRY", "INPUT_KINDS", "register", "unregister", "spec", "names", "build",
    "naive_cnn", "srcnn", "fsrcnn", "espcn", "edsr", "drcn", "sequence_rnn", "multiframe_rnn", "with_frames",
    "PixelShuffle", "ResidualScale", "ConvRecurrent2D", "PairWithReference", "FrameSelect", "WeightedSum", "RowRNN",
    "BiGRU", "load_model", "RepConv2D", "fuse_repconv", "collapse", "rep_espcn", "edsr_progressive", "transfer_weights",
]

# Builders and layers load Keras (and TensorFlow): they are imported on first use, so that the registry
# (e.g. the command line's help) is read without them.
_LAZY = {
    **{n: "cnn" for n in ("naive_cnn", "srcnn", "fsrcnn", "espcn", "edsr", "check_scale")},
    **{n: "recurrent" for n in ("drcn", "sequence_rnn", "multiframe_rnn", "with_frames")},
    **{n: "layers" for n in ("PixelShuffle", "ResidualScale", "ConvRecurrent2D", "PairWithReference", "FrameSelect",
                             "WeightedSum", "RowRNN", "BiGRU")},
    **{n: "reparam" for n in ("RepConv2D", "fuse_repconv", "collapse", "rep_espcn")},
    "edsr_progressive": "progressive",
    "transfer_weights": "transfer",
}


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_model(path, compile: bool = True):
    """Load a ``.keras`` file of any srkit model with ``safe_mode=True`` (the kit's custom layers registered
    first; nothing else is needed)."""
    import keras

    importlib.import_module(f"{__name__}.layers")  # registers the custom layers with Keras
    importlib.import_module(f"{__name__}.reparam")
    return keras.saving.load_model(path, safe_mode=True, compile=compile)


# Published PSNR (Y channel, `scale` pixels shaved) the kit's models are held to.  SRCNN and FSRCNN: the
# comparison table that VDSR started and CARN, IMDN and later lightweight-SR papers copy (e.g. ASSL, NeurIPS
# 2021, Table 2), which evaluates the authors' released models on Set5, Set14 and BSD100 with this protocol.
# Its Set5/Set14 numbers are the papers' own for FSRCNN (its final model, 91 images + General-100) and within
# 0.03 dB of the SRCNN paper's (30.49 / 32.45 / 29.30 / 27.50 there, 30.48 / 32.42 / 29.28 / 27.49 here);
# BSD100 is that table's re-evaluation, as neither paper tested on BSD100.
_SRCNN = {"Set5": {2: 36.66, 3: 32.75, 4: 30.48}, "Set14": {2: 32.42, 3: 29.28, 4: 27.49},
          "BSD100": {2: 31.36, 3: 28.41, 4: 26.90}}
_FSRCNN = {"Set5": {2: 37.00, 3: 33.16, 4: 30.71}, "Set14": {2: 32.63, 3: 29.43, 4: 27.59},
           "BSD100": {2: 31.53, 3: 28.53, 4: 26.98}}
# x8: VDSR as retrained at x8 by Lai et al. (LapSRN, CVPR 2017, Table 4); the aim at x8 is LapSRN itself.
_VDSR = {"Set5": {2: 37.53, 3: 33.66, 4: 31.35, 8: 25.93}, "Set14": {2: 33.03, 3: 29.77, 4: 28.01, 8: 24.26},
         "BSD100": {2: 31.90, 3: 28.82, 4: 27.29, 8: 24.49}}
_DRRN = {"Set5": {2: 37.74, 3: 34.03, 4: 31.68, 8: 26.15}, "Set14": {2: 33.23, 3: 29.96, 4: 28.21, 8: 24.35},
         "BSD100": {2: 32.05, 3: 28.95, 4: 27.38, 8: 24.54}}

for _spec in (
    ModelSpec("naive_cnn", "srkit.models.cnn:naive_cnn", "lr", "conv + pooling + dense head: why classification networks fail at SR",
              patch_size=16, batch_size=32, learning_rate=1e-3),
    ModelSpec("srcnn", "srkit.models.cnn:srcnn", "pre_upsampled", "SRCNN: three convolutions on the bicubic-upscaled image",
              patch_size=11, batch_size=32, learning_rate=1e-3,
              paper="SRCNN (Dong et al., 2014), its released model as evaluated in VDSR's comparison table",
              targets=_SRCNN),
    ModelSpec("fsrcnn", "srkit.models.cnn:fsrcnn", "lr", "FSRCNN: shrink, map, expand at LR, transposed-convolution upsampling",
              patch_size=16, batch_size=32, learning_rate=1e-3,
              paper="FSRCNN (Dong et al., 2016), its released model as evaluated in CARN's and IMDN's comparison tables",
              targets=_FSRCNN),
    ModelSpec("espcn", "srkit.models.cnn:espcn", "lr", "ESPCN: two convolutions at LR, sub-pixel convolution",
              patch_size=17, batch_size=32, learning_rate=1e-3,
              paper="SRCNN's numbers, as evaluated in VDSR's comparison table (ESPCN must at least match them)",
              targets=_SRCNN),
    ModelSpec("edsr", "srkit.models.cnn:edsr", "lr", "EDSR-style residual network, the kit's flagship",
              patch_size=32, batch_size=16, learning_rate=5e-4, paper="VDSR (Kim et al., 2016); aim: DRRN (x8: VDSR and LapSRN as published by Lai et al., 2017)",
              targets=_VDSR, aim=_DRRN),
    ModelSpec("drcn", "srkit.models.recurrent:drcn", "pre_upsampled", "DRCN-style recursion: one convolution applied T times, deep supervision",
              patch_size=11, batch_size=32, learning_rate=1e-3, supervision=0.5,
              paper="DRCN (Kim et al., 2016); the kit's DRCN is a ~10k-parameter teaching version (32 filters, "
                    "8 recursions; the paper's has 256 filters, 16 recursions, 1.8M parameters)",
              targets={"Set5": {3: 33.82}, "Set14": {3: 29.76}, "BSD100": {3: 28.80}}),
    ModelSpec("sequence_rnn", "srkit.models.recurrent:sequence_rnn", "lr", "recurrence over sequences: bidirectional GRUs along rows and columns",
              patch_size=17, batch_size=32, learning_rate=1e-3,
              paper="none (rows and columns read as sequences); compared with an ESPCN of the same size "
                    "trained the same way (notebook 05)"),
    ModelSpec("multiframe_rnn", "srkit.models.recurrent:multiframe_rnn", "burst", "recurrent multi-frame SR: a ConvGRU/ConvLSTM over a burst",
              patch_size=16, batch_size=16, learning_rate=5e-4,
              paper="at least +1.0 dB PSNR over the equal-capacity single-frame model (singleframe_rnn) on "
                    "5-frame x4 bursts from Set14 and BSD100"),
    ModelSpec("rep_espcn", "srkit.models.reparam:rep_espcn", "lr", "ESPCN with multi-branch re-parameterisable layers, collapsed to plain convolutions for inference",
              patch_size=17, batch_size=32, learning_rate=1e-3,
              paper="ECBSR (Zhang et al., 2021) and RepVGG (Ding et al., 2021); no published numbers for this network"),
    ModelSpec("edsr_progressive", "srkit.models.progressive:edsr_progressive", "lr",
              "the flagship's body with LapSRN-style progressive x2 stages (scales 2, 4, 8), a loss at each",
              patch_size=32, batch_size=16, learning_rate=5e-4, supervision=0.5,
              paper="LapSRN (Lai et al., CVPR 2017) style; held to the flagship's numbers (VDSR; aim: DRRN, "
                    "x8: VDSR and LapSRN as published by Lai et al., 2017)",
              targets=_VDSR, aim=_DRRN, scales=(2, 4, 8)),
):
    register(_spec)
del _spec
