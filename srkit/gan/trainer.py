"""GAN fine-tuning: the trainer (one generator and one discriminator update per batch), its configuration,
and :func:`train_gan`, which runs through the kit's one training engine (:mod:`srkit.train.engine`):
same run folder, resume check, atomic checkpoints, time budget, NaN stop and live plot as supervised
training."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keras
import numpy as np
from keras import ops

from ..errors import ShapeError, SrkitError
from ..configs import GANConfig
from ..train import RunFolder, fit_run
from ..train.engine import want_live_plot
from .diagnostics import LossPlot, diagnose
from .losses import VGGFeatures, adversarial_loss, feature_matching_loss, pixel_loss
from .networks import discriminator, feature_model

__all__ = ["GANTrainer", "GANConfig", "GANResult", "train_gan", "load_generator", "validate_gan"]


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
        from ..models import load_model

        model = load_model(source, compile=False)
    else:
        from .. import zoo

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


def validate_gan(generator, scale: int, dataset: str = "val", limit: int | None = None) -> dict[str, float]:
    """PSNR and texture distance (:func:`srkit.metrics.texture_distance`) of a generator on a set (by default
    ``'val'``, the held-out training images; a benchmark name for testing)."""
    from ..scoring import mean_scores, score_benchmark

    scores = mean_scores(score_benchmark(generator, dataset, scale, ("psnr", "texture"), limit=limit),
                         ("psnr", "texture"))
    return {"val_psnr": scores["psnr"], "val_texture": scores["texture"]}


class _HalvingSchedule(keras.callbacks.Callback):
    """The GAN's learning rates: constant, halved at 50% and again at 75% of the steps (global step)."""

    def __init__(self, counter, config: GANConfig, gen, disc):
        super().__init__()
        self.counter, self.config, self.gen, self.disc = counter, config, gen, disc

    def on_train_batch_begin(self, batch, logs=None):
        frac = self.counter.step / self.config.steps
        factor = 0.25 if frac >= 0.75 else 0.5 if frac >= 0.5 else 1.0
        self.gen.optimizer.learning_rate = self.config.g_learning_rate * factor
        self.disc.optimizer.learning_rate = self.config.d_learning_rate * factor


def train_gan(config: GANConfig, out_dir: str | os.PathLike | None = None, resume: bool = True,
              live_plot: bool | None = None, verbose: int | str = "auto", callbacks: list | None = None,
              generator=None) -> GANResult:
    """Fine-tune a PSNR generator into a GAN generator.

    Starts from ``config.generator`` (or the ``generator`` model given), with a fresh discriminator; writes
    ``config.json``, the generator's and the discriminator's checkpoints (with their optimizer states) and
    ``state.json`` to ``out_dir`` after every ``eval_every`` steps, and resumes from them (same batches as
    an uninterrupted run).  Validation after each epoch: PSNR and :func:`srkit.metrics.texture_distance`
    on ``config.val_set``.  A non-finite loss stops training with :class:`SrkitError` (the last good
    checkpoint stays).
    """
    if keras.backend.backend() != "tensorflow":
        raise SrkitError("train_gan needs the TensorFlow backend (KERAS_BACKEND=tensorflow).")
    from ..pipeline import make_sampler, patch_dataset

    t0 = time.time()
    run = RunFolder(out_dir, config.to_json(), checkpoints=("generator", "discriminator"), what="GAN run")
    start_epoch, history, found = run.open(resume)
    keras.utils.set_random_seed(config.seed)
    if found is not None:
        gen, disc = found["generator"], found["discriminator"]
    else:
        src = generator if generator is not None else load_generator(config.generator, config.scale)
        if generator is not None:
            _check_generator(src, config.scale, "The generator")
        gen = keras.models.clone_model(src)  # never modify the caller's (or the zoo's cached) model
        gen.set_weights(src.get_weights())
        disc = discriminator(gen.input_shape[-1], config.disc_filters, config.disc_blocks)
        gen.compile(optimizer=keras.optimizers.Adam(config.g_learning_rate, beta_1=0.9))
        disc.compile(optimizer=keras.optimizers.Adam(config.d_learning_rate, beta_1=0.9))
    trainer = GANTrainer(gen, disc, config.pixel_weight, config.adversarial_weight, config.feature_weight,
                         config.perceptual_weight, config.adversarial, config.pixel)
    trainer.compile(g_optimizer=gen.optimizer, d_optimizer=disc.optimizer)

    channels = "y" if gen.input_shape[-1] == 1 else "rgb"
    sampler = make_sampler(config.train_sets, config.scale, config.patch_size, channels=channels, limit=config.limit)
    fit_run(
        trainer,
        lambda start: patch_dataset(batch_size=config.batch_size, seed=config.seed, start_step=start, sampler=sampler),
        run=run, networks={"generator": gen, "discriminator": disc}, history=history, start_epoch=start_epoch,
        steps=config.steps, eval_every=config.eval_every,
        validate=(lambda: validate_gan(gen, config.scale, config.val_set, config.val_limit)) if config.val_set else None,
        time_budget_s=config.time_budget_s, schedule=lambda counter: _HalvingSchedule(counter, config, gen, disc),
        what="The GAN's", advice="Lower the learning rates or the adversarial weight.",
        live_plot=LossPlot(every=max(10, config.eval_every // 5)) if want_live_plot(live_plot) else None,
        callbacks=callbacks, verbose=verbose,
    )
    run.save_final(gen)
    return GANResult(gen, disc, history, run.path, config, time.time() - t0, diagnose(history))
