"""GAN super-resolution (SRGAN / ESRGAN style): a discriminator, the loss terms, a trainer, network
interpolation, and the perception-distortion measurements.

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

import json
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keras
import numpy as np
from keras import layers, ops

from .data import TRAINING_SETS
from .errors import ShapeError, SrkitError
from .train import JsonConfig

__all__ = [
    "discriminator", "feature_model", "pixel_loss", "adversarial_loss", "feature_matching_loss",
    "VGGFeatures", "vgg_weights_path", "GANTrainer", "GANConfig", "GANResult", "train_gan", "load_generator",
    "interpolate", "diagnose", "perception_distortion_table", "LossPlot",
]


# --- discriminator -------------------------------------------------------------------------------------


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


# --- losses ------------------------------------------------------------------------------------------


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


# --- the trainer --------------------------------------------------------------------------------------


class GANTrainer(keras.Model):
    """Trains a generator and a discriminator with ``fit()``: one generator update, then one discriminator
    update, per batch of ``(lr, hr)``.

    Generator loss ``= pixel_weight * pixel + adversarial_weight * adversarial
    + feature_weight * feature_matching (+ perceptual_weight * VGG)``; discriminator loss = its adversarial
    loss.  Every term is logged on its own (``pixel``, ``adversarial``, ``feature``, ``perceptual``,
    ``g_loss``, ``d_loss``) with the discriminator's accuracy on real and on fake patches (``d_real_acc``,
    ``d_fake_acc``; for the relativistic loss, "real" means scored above the average fake).
    """

    TERMS = ("g_loss", "d_loss", "pixel", "adversarial", "feature", "perceptual", "d_real_acc", "d_fake_acc")

    def __init__(self, generator, disc, pixel_weight: float = 1.0, adversarial_weight: float = 5e-3,
                 feature_weight: float = 1.0, perceptual_weight: float = 0.0, adversarial: str = "relativistic",
                 pixel: str = "l1", **kwargs):
        super().__init__(**kwargs)
        g_out, d_in = generator.output_shape, disc.input_shape
        if g_out[-1] != d_in[-1]:
            raise ShapeError(
                f"The generator outputs {g_out[-1]} channel(s) but the discriminator takes {d_in[-1]}: build the "
                f"discriminator with discriminator(channels={g_out[-1]})."
            )
        if len(g_out) != 4 or len(d_in) != 4:
            raise ShapeError(f"GANTrainer needs image models: generator output {g_out}, discriminator input {d_in}.")
        if disc.output_shape[-1] != 1:
            raise ShapeError(f"The discriminator must output one logit per image, got shape {disc.output_shape}.")
        self.generator, self.disc = generator, disc
        self.d_features = feature_model(disc)
        self.weights_ = dict(pixel=pixel_weight, adversarial=adversarial_weight, feature=feature_weight,
                             perceptual=perceptual_weight)
        self.adversarial_kind, self.pixel_kind = adversarial, pixel
        adversarial_loss(ops.zeros((2, 1)), ops.zeros((2, 1)), adversarial)  # validate the kind early
        self.vgg = VGGFeatures() if perceptual_weight > 0 else None
        self.trackers = {t: keras.metrics.Mean(name=t) for t in self.TERMS}

    @property
    def metrics(self):
        return list(self.trackers.values())

    def compile(self, g_optimizer=None, d_optimizer=None, **kwargs):
        super().compile(**kwargs)
        self.g_optimizer = g_optimizer or keras.optimizers.Adam(1e-4, beta_1=0.9)
        self.d_optimizer = d_optimizer or keras.optimizers.Adam(1e-4, beta_1=0.9)

    def call(self, x, training=False):
        return self.generator(x, training=training)

    def train_step(self, data):
        import tensorflow as tf

        lr, hr = data
        w = self.weights_
        with tf.GradientTape() as tape:
            sr = self.generator(lr, training=True)
            real = self.d_features(hr, training=True)
            fake = self.d_features(sr, training=True)
            _, adv = adversarial_loss(real[0], fake[0], self.adversarial_kind)
            pix = pixel_loss(hr, sr, self.pixel_kind)
            fm = feature_matching_loss(real[1:], fake[1:]) if w["feature"] else ops.zeros(())
            per = self.vgg(hr, sr) if self.vgg is not None else ops.zeros(())
            g_loss = w["pixel"] * pix + w["adversarial"] * adv + w["feature"] * fm + w["perceptual"] * per
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))

        sr = ops.stop_gradient(sr)
        with tf.GradientTape() as tape:
            real_logits = self.disc(hr, training=True)
            fake_logits = self.disc(sr, training=True)
            d_loss, _ = adversarial_loss(real_logits, fake_logits, self.adversarial_kind)
        grads = tape.gradient(d_loss, self.disc.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.disc.trainable_weights))

        if self.adversarial_kind == "relativistic":
            real_acc = ops.mean(ops.cast(real_logits > ops.mean(fake_logits), "float32"))
            fake_acc = ops.mean(ops.cast(fake_logits < ops.mean(real_logits), "float32"))
        else:
            real_acc = ops.mean(ops.cast(real_logits > 0, "float32"))
            fake_acc = ops.mean(ops.cast(fake_logits < 0, "float32"))
        values = dict(g_loss=g_loss, d_loss=d_loss, pixel=pix, adversarial=adv, feature=fm, perceptual=per,
                      d_real_acc=real_acc, d_fake_acc=fake_acc)
        for k, v in values.items():
            self.trackers[k].update_state(v)
        return {k: t.result() for k, t in self.trackers.items()}


# --- configuration, training, checkpoints ------------------------------------------------------------


@dataclass
class GANConfig(JsonConfig):
    """Everything that defines a GAN fine-tuning run (stored as ``config.json`` beside its checkpoints).

    Args:
        generator: zoo name of the PSNR generator to start from (its architecture and weights), or a
            ``.keras`` file.
        scale: 2, 3 or 4.
        steps: generator (= discriminator) updates.
        pixel_weight, adversarial_weight, feature_weight, perceptual_weight: loss weights
            (see :class:`GANTrainer`); ``perceptual_weight > 0`` needs the VGG19 weights offline.
        adversarial: ``'relativistic'`` or ``'standard'``.
        pixel: ``'l1'`` or ``'l2'``.
        g_learning_rate, d_learning_rate: Adam learning rates (constant; halved at 50% and 75% of the steps).
        patch_size, batch_size: LR patch size and batch size.
        disc_filters, disc_blocks: discriminator size (:func:`discriminator`).
        eval_every: steps between validation (PSNR and texture distance on ``val_set``) and checkpoints.
        val_set, val_limit: validation benchmark and image limit.
        train_sets, limit, seed: training data (T91 + BSD200 by default), and the seed of weights and data.
        time_budget_s: stop after this many seconds (``steps`` stays the schedule's length).
    """

    generator: str = "edsr"
    scale: int = 4
    steps: int = 5000
    pixel_weight: float = 1.0
    adversarial_weight: float = 5e-3
    feature_weight: float = 1.0
    perceptual_weight: float = 0.0
    adversarial: str = "relativistic"
    pixel: str = "l1"
    g_learning_rate: float = 1e-4
    d_learning_rate: float = 1e-4
    patch_size: int = 24
    batch_size: int = 16
    disc_filters: int = 32
    disc_blocks: int = 4
    eval_every: int = 500
    val_set: str | None = "Set5"
    val_limit: int | None = None
    train_sets: tuple = TRAINING_SETS
    limit: int | None = None
    seed: int = 0
    time_budget_s: float | None = None

    def __post_init__(self) -> None:
        if self.scale not in (2, 3, 4):
            raise ValueError(f"scale must be 2, 3 or 4, got {self.scale!r}.")
        if self.adversarial not in ("relativistic", "standard"):
            raise ValueError(f"adversarial must be 'relativistic' or 'standard', got {self.adversarial!r}.")
        if self.pixel not in ("l1", "l2"):
            raise ValueError(f"pixel must be 'l1' or 'l2', got {self.pixel!r}.")
        if self.steps < 1 or self.eval_every < 1:
            raise ValueError("steps and eval_every must be positive.")
        for k in ("pixel_weight", "adversarial_weight", "feature_weight", "perceptual_weight"):
            if getattr(self, k) < 0:
                raise ValueError(f"{k} must be >= 0, got {getattr(self, k)}.")
        self.train_sets = tuple(str(s) for s in self.train_sets)
        self.eval_every = min(self.eval_every, self.steps)



@dataclass
class GANResult:
    """What :func:`train_gan` returns: the generator, discriminator, per-epoch history and run folder."""

    generator: Any
    discriminator: Any
    history: list[dict]
    out_dir: Path | None
    config: GANConfig
    wall_time_s: float
    warnings: list[str] = field(default_factory=list)


def load_generator(source: str = "edsr", scale: int = 4):
    """The PSNR-trained generator to start from: a zoo name (e.g. ``'edsr'``) or a ``.keras`` file.

    Raises :class:`SrkitError` if it is not a single-image model that upscales by ``scale``.
    """
    if str(source).endswith(".keras"):
        if not Path(source).exists():
            raise SrkitError(f"Generator file {source} does not exist.")
        model = keras.saving.load_model(source, safe_mode=True, compile=False)
    else:
        from . import zoo

        model = zoo.load(str(source), int(scale))
    _check_generator(model, scale, str(source))
    return model


def _check_generator(model, scale: int, what: str) -> None:
    shape = model.input_shape
    if len(shape) != 4:
        raise SrkitError(f"{what} takes input {shape}; a GAN generator must be a single-image model (B, h, w, C).")
    probe = np.zeros((1, 8, 8, shape[-1]), "float32")
    try:
        out = np.asarray(model(probe, training=False))
    except Exception as e:  # noqa: BLE001 - any failure means the wrong kind of model
        raise SrkitError(f"{what} could not run on an 8x8 LR input ({e}).") from e
    if out.shape[1] != 8 * scale:
        raise SrkitError(f"{what} upscales 8 px to {out.shape[1]} px, not x{scale}: it is not a x{scale} "
                         "post-upsampling generator (pre-upsampling models such as SRCNN do not fit).")


def _load_checkpoint(path: Path, what: str):
    try:
        return keras.saving.load_model(path, safe_mode=True)
    except Exception as e:  # noqa: BLE001
        raise SrkitError(f"Could not load the {what} checkpoint {path} ({e}); delete the run folder or "
                         "pass resume=False.") from e


def _validate_gan(generator, scale: int, dataset: str, limit: int | None) -> dict[str, float]:
    from .data import load_benchmark
    from .evaluate import KerasUpscaler, to_uint8
    from .metrics import psnr, texture_distance

    up = KerasUpscaler(generator)
    ps, tx = [], []
    for pair in load_benchmark(dataset, scale, limit=limit):
        sr = to_uint8(up(pair.lr, scale))
        ps.append(psnr(sr, pair.hr, scale))
        tx.append(texture_distance(sr, pair.hr, scale))
    return {"val_psnr": float(np.mean(ps)), "val_texture": float(np.mean(tx))}


class _NaNGuard(keras.callbacks.Callback):
    """Stop at the first non-finite loss term, naming it, before any checkpoint is written."""

    def __init__(self, start_step: int):
        super().__init__()
        self.step = start_step
        self.error: str | None = None

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        for k, v in (logs or {}).items():
            if not math.isfinite(float(v)):
                self.error = (f"The GAN's {k} became {float(v)} at step {self.step}; training stopped and the last "
                              "good checkpoint was kept. Lower the learning rates or the adversarial weight.")
                self.model.stop_training = True
                return


def train_gan(config: GANConfig, out_dir: str | os.PathLike | None = None, resume: bool = True,
              live_plot: bool | None = None, verbose: int | str = "auto", callbacks: list | None = None,
              generator=None) -> GANResult:
    """Fine-tune a PSNR generator into a GAN generator.

    Starts from ``config.generator`` (or the ``generator`` model given), with a fresh discriminator; writes
    ``config.json``, ``generator.keras`` / ``discriminator.keras`` (with their optimizer states) and
    ``state.json`` to ``out_dir`` after every ``eval_every`` steps, and resumes from them (same batches as
    an uninterrupted run).  Validation after each epoch: PSNR and :func:`srkit.metrics.texture_distance`
    on ``config.val_set``.  A non-finite loss stops training with :class:`SrkitError` (the last good
    checkpoint stays).
    """
    if keras.backend.backend() != "tensorflow":
        raise SrkitError("train_gan needs the TensorFlow backend (KERAS_BACKEND=tensorflow).")
    from .pipeline import make_sampler, patch_dataset

    t0 = time.time()
    out = Path(out_dir) if out_dir is not None else None
    history: list[dict] = []
    start_epoch = 0
    gen = disc = None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        saved = out / "config.json"
        if resume and (out / "state.json").exists() and (out / "generator.keras").exists():
            old = json.loads(saved.read_text()) if saved.exists() else None
            if old is not None and old != config.to_json():
                raise SrkitError(f"{out} holds a GAN run with a different configuration; use another out_dir or "
                                 f"resume=False.\nsaved: {old}\nnow:   {config.to_json()}")
            state = json.loads((out / "state.json").read_text())
            start_epoch, history = int(state["epoch"]), list(state["history"])
            gen = _load_checkpoint(out / "generator.keras", "generator")
            disc = _load_checkpoint(out / "discriminator.keras", "discriminator")
        saved.write_text(json.dumps(config.to_json(), indent=1))

    keras.utils.set_random_seed(config.seed)
    if gen is None:
        src = generator if generator is not None else load_generator(config.generator, config.scale)
        if generator is not None:
            _check_generator(src, config.scale, "The generator")
        gen = keras.models.clone_model(src)  # never modify the caller's (or the zoo's cached) model
        gen.set_weights(src.get_weights())
        channels = gen.input_shape[-1]
        disc = discriminator(channels, config.disc_filters, config.disc_blocks)
        gen.compile(optimizer=keras.optimizers.Adam(config.g_learning_rate, beta_1=0.9))
        disc.compile(optimizer=keras.optimizers.Adam(config.d_learning_rate, beta_1=0.9))
    trainer = GANTrainer(gen, disc, config.pixel_weight, config.adversarial_weight, config.feature_weight,
                         config.perceptual_weight, config.adversarial, config.pixel)
    trainer.compile(g_optimizer=gen.optimizer, d_optimizer=disc.optimizer)

    channels = "y" if gen.input_shape[-1] == 1 else "rgb"
    sampler = make_sampler(config.train_sets, config.scale, config.patch_size, channels=channels, limit=config.limit)
    start_step = int(history[-1]["step"]) if history else 0
    guard = _NaNGuard(start_step)

    class Epoch(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            step = guard.step
            frac = step / config.steps
            factor = 0.25 if frac >= 0.75 else 0.5 if frac >= 0.5 else 1.0
            gen.optimizer.learning_rate = config.g_learning_rate * factor
            disc.optimizer.learning_rate = config.d_learning_rate * factor
            if step >= config.steps:
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            if guard.error:
                return
            logs = logs if logs is not None else {}
            if config.val_set:
                logs.update(_validate_gan(gen, config.scale, config.val_set, config.val_limit))
            logs["step"] = guard.step
            entry = {"epoch": epoch + 1, "step": guard.step, "time": time.time(),
                     **{k: float(v) for k, v in logs.items() if np.ndim(v) == 0}}
            history.append(entry)
            if out is not None:
                for m, name in ((gen, "generator"), (disc, "discriminator")):
                    tmp = out / f"{name}.tmp.keras"
                    m.save(tmp)
                    os.replace(tmp, out / f"{name}.keras")
                (out / "state.tmp.json").write_text(json.dumps({"epoch": epoch + 1, "step": guard.step,
                                                                "history": history}, indent=1))
                os.replace(out / "state.tmp.json", out / "state.json")

    cbs: list = [guard, Epoch()]
    if config.time_budget_s:
        cbs.append(_StopAfter(config.time_budget_s, history))
    if live_plot is None:
        from .train import _in_notebook

        live_plot = _in_notebook()
    if live_plot:
        cbs.append(LossPlot(every=max(10, config.eval_every // 5)))
    cbs += list(callbacks or [])
    done = start_step >= config.steps or (
        config.time_budget_s is not None and sum(h.get("epoch_time_s", 0.0) for h in history) >= config.time_budget_s)
    if not done:
        data = patch_dataset(batch_size=config.batch_size, seed=config.seed, start_step=start_step, sampler=sampler)
        epochs = math.ceil(config.steps / config.eval_every)
        trainer.fit(data, epochs=epochs, initial_epoch=start_epoch, steps_per_epoch=config.eval_every,
                    callbacks=cbs, verbose=verbose, shuffle=False)
    if guard.error:
        raise SrkitError(guard.error)
    if out is not None:
        gen.save(out / "model.keras")
    return GANResult(gen, disc, history, out, config, time.time() - t0, diagnose(history))


class _StopAfter(keras.callbacks.Callback):
    """Stop when ``budget_s`` seconds of training (this run and earlier ones) are spent."""

    def __init__(self, budget_s: float, history: list[dict]):
        super().__init__()
        self.budget_s = budget_s
        self.spent = sum(h.get("epoch_time_s", 0.0) for h in history)

    def on_train_begin(self, logs=None):
        self.t0 = time.time() - self.spent
        self.t_epoch = time.time()

    def on_train_batch_end(self, batch, logs=None):
        if time.time() - self.t0 >= self.budget_s:
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["epoch_time_s"] = time.time() - self.t_epoch
        self.t_epoch = time.time()


# --- diagnostics -------------------------------------------------------------------------------------


def diagnose(history: list[dict]) -> list[str]:
    """Plain-language warnings about a GAN run from its per-epoch history (empty list: nothing seen).

    * discriminator loss near zero with ~100% accuracy: ``D`` wins outright, its gradients to ``G``
      vanish or explode (the classic failure; lower ``d_learning_rate`` or raise the pixel weight);
    * generator adversarial loss climbing for three epochs while ``D`` wins: ``G`` is losing the game;
    * discriminator accuracy stuck at ~50%: ``D`` learned nothing, the adversarial term is only noise;
    * validation PSNR more than 4 dB below its start: the generator drifts away from the input
      (raise ``pixel_weight``).
    """
    out = []
    if not history:
        return out
    last = history[-1]
    acc = (last.get("d_real_acc", 0.5) + last.get("d_fake_acc", 0.5)) / 2
    if last.get("d_loss", 1.0) < 0.05 and acc > 0.98:
        out.append(f"Discriminator wins outright (d_loss {last['d_loss']:.3f}, accuracy {acc:.0%}): its gradients "
                   "no longer guide the generator. Lower d_learning_rate or raise pixel_weight.")
    adv = [h["adversarial"] for h in history if "adversarial" in h]
    if len(adv) >= 4 and adv[-1] > adv[-2] > adv[-3] > adv[-4] and acc > 0.9:
        out.append(f"Generator adversarial loss climbed for three epochs ({adv[-4]:.2f} -> {adv[-1]:.2f}) while the "
                   "discriminator wins: the generator is losing the game (possible collapse).")
    if len(history) >= 2 and all(abs((h.get("d_real_acc", 0) + h.get("d_fake_acc", 0)) / 2 - 0.5) < 0.03
                                 for h in history[-2:]):
        out.append("Discriminator accuracy is stuck near 50%: it cannot tell real from fake, so the adversarial "
                   "term adds noise, not texture. Raise d_learning_rate or the discriminator's size.")
    ps = [h["val_psnr"] for h in history if h.get("val_psnr") is not None]
    if len(ps) >= 2 and ps[0] - ps[-1] > 4.0:
        out.append(f"Validation PSNR fell {ps[0] - ps[-1]:.1f} dB since the start: the generator drifts from the "
                   "input. Raise pixel_weight.")
    return out


class LossPlot(keras.callbacks.Callback):
    """Live plot for a notebook: each loss term on its own axis, plus the discriminator's accuracy."""

    def __init__(self, every: int = 25, terms=("pixel", "adversarial", "feature", "d_loss")):
        super().__init__()
        self.every, self.terms = every, tuple(terms)
        self.rows: list[dict] = []
        self._handle = None

    def on_train_batch_end(self, batch, logs=None):
        self.rows.append({k: float(v) for k, v in (logs or {}).items()})
        if len(self.rows) % self.every == 0:
            self.draw()

    def on_train_end(self, logs=None):
        self.draw()

    def draw(self):
        import matplotlib.pyplot as plt
        from IPython.display import display

        fig = plot_losses(self.rows, self.terms)
        if self._handle is None:
            self._handle = display(fig, display_id=True)
        else:
            self._handle.update(fig)
        plt.close(fig)


def plot_losses(rows: list[dict], terms=("pixel", "adversarial", "feature", "d_loss")):
    """One small axis per loss term (running means as Keras logs them) and one for D's accuracy."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(terms) + 1, figsize=(2.6 * (len(terms) + 1), 2.4))
    for ax, t in zip(axes, terms):
        ax.plot([r.get(t, np.nan) for r in rows], color="C0")
        ax.set_title(t, fontsize=9)
        ax.set_xlabel("step", fontsize=8)
    ax = axes[-1]
    ax.plot([r.get("d_real_acc", np.nan) for r in rows], label="real")
    ax.plot([r.get("d_fake_acc", np.nan) for r in rows], label="fake")
    ax.set_ylim(0, 1.05)
    ax.set_title("D accuracy", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


# --- network interpolation and the perception-distortion plane ---------------------------------------


def interpolate(psnr_model, gan_model, alpha: float):
    """ESRGAN's network interpolation: a model whose every weight is ``(1 - alpha) * psnr + alpha * gan``.

    ``alpha = 0`` is the PSNR model, ``1`` the GAN; in between trades distortion for detail smoothly.
    Both models must have the same architecture (same weight shapes), otherwise :class:`ShapeError`.
    """
    if not 0.0 <= float(alpha) <= 1.0:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}.")
    wa, wb = psnr_model.get_weights(), gan_model.get_weights()
    shapes_a, shapes_b = [w.shape for w in wa], [w.shape for w in wb]
    if shapes_a != shapes_b:
        raise ShapeError(f"Cannot interpolate {psnr_model.name} and {gan_model.name}: different architectures "
                         f"({len(wa)} vs {len(wb)} weight tensors). Both must come from the same builder and config.")
    model = keras.models.clone_model(psnr_model)
    model.set_weights([(1 - alpha) * a + alpha * b for a, b in zip(wa, wb)])
    return model


def perception_distortion_table(models: dict, datasets=("Set5", "Set14", "BSD100"), scale: int = 4,
                                limit: int | None = None):
    """PSNR, SSIM and texture distance of several methods on benchmarks (the paper protocol).

    ``models`` maps a label to an upscaler (a name such as ``'bicubic'`` or ``'hr'``, a Keras model, or
    anything :func:`srkit.evaluate.as_upscaler` accepts).  ``'hr'`` scores the ground truth itself
    (PSNR inf, texture 0).  Returns one row per (method, dataset).
    """
    import pandas as pd

    from .data import load_benchmark
    from .evaluate import as_upscaler, to_uint8
    from .metrics import psnr, ssim, texture_distance

    rows = []
    for label, m in models.items():
        up = None if (isinstance(m, str) and m == "hr") else as_upscaler(m)
        for ds in [datasets] if isinstance(datasets, str) else datasets:
            vals = []
            for pair in load_benchmark(ds, scale, limit=limit):
                sr = pair.hr if up is None else to_uint8(up(pair.lr, scale))
                vals.append((psnr(sr, pair.hr, scale), ssim(sr, pair.hr, scale), texture_distance(sr, pair.hr, scale)))
            v = np.array(vals)
            rows.append({"method": label, "dataset": ds, "psnr": float(np.mean(v[:, 0])),
                         "ssim": float(np.mean(v[:, 1])), "texture": float(np.mean(v[:, 2]))})
    return pd.DataFrame(rows)
