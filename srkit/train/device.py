"""Training with the data on the accelerator: no host pipeline in the loop (Keras 3 on the JAX backend).

The kit's usual input path cuts every patch on the CPU (:class:`srkit.pipeline.PatchSampler`, fed to
``model.fit`` through ``tf.data`` or a ``PyDataset``).  On a laptop that is fine: the model is the slow part.
On a GPU the model step takes a few milliseconds and the CPU that cuts, flips and converts the patches
becomes the bottleneck: the GPU waits.  Here the whole training set goes to the accelerator once, and the
compiled step draws its own batch:

1. :class:`DevicePairs` packs a sampler's LR and HR images, already in the model's channels, into two
   zero-padded arrays ``(N, H, W, C)`` plus each image's size and its sampling probability (as
   :class:`~srkit.pipeline.PatchSampler`: proportional to the number of patch positions it has).
2. :class:`DeviceTrainer` compiles ``steps_per_call`` training steps into one function (``jax.lax.scan``).
   Each step picks images, offsets and one of the 8 flips/rotations with ``jax.random``, slices the
   patches out of the arrays in device memory, runs the model (:meth:`keras.Model.stateless_call`), takes
   the gradient and applies the Keras optimizer (:meth:`keras.optimizers.Optimizer.stateless_apply`).
   Only a random key and the learning rate cross from the host per call.

:meth:`DeviceTrainer.run_host_fed` runs the same compiled step on batches cut on the host instead, so the
two input paths can be timed against each other on one machine (``tools/gpu_train.py`` does that).

This path needs the JAX backend (``KERAS_BACKEND=jax``), the backend of GPU machines without TensorFlow.
The batches are random but not the ones :meth:`PatchSampler.batch_at` gives: a run here is reproducible
from its seed, not batch-for-batch comparable with a ``srkit train`` run.

Example (on a machine with JAX)::

    import os; os.environ["KERAS_BACKEND"] = "jax"
    from srkit import models, pipeline
    from srkit.train.device import DevicePairs, DeviceTrainer
    sampler = pipeline.make_sampler(scale=2, patch_size=48)
    trainer = DeviceTrainer(models.build("edsr", scale=2), DevicePairs.from_sampler(sampler), batch_size=32)
    trainer.run(steps=1000, learning_rate=2e-4)
    trainer.sync()          # the trained weights back into the Keras model
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import InvalidValueError, SrkitError, check_int
from ..pipeline import PatchSampler, to_channels

__all__ = ["DevicePairs", "DeviceTrainer", "require_jax"]


def require_jax():
    """The ``jax`` module, if Keras runs on the JAX backend; otherwise a clear error."""
    import keras

    if keras.backend.backend() != "jax":
        raise SrkitError(
            f"Device-fed training needs Keras on the JAX backend, but it runs on {keras.backend.backend()!r}. "
            "Set KERAS_BACKEND=jax before anything imports Keras (or train with srkit.train.train, which "
            "feeds batches from the host on every backend).")
    import jax

    return jax


@dataclass
class DevicePairs:
    """A training set packed for the accelerator (host-side NumPy arrays until :class:`DeviceTrainer`
    copies them over).

    Attributes:
        lr, hr: float32 ``(N, H, W, C)``: every image's LR input and HR target in the model's channels
            (:func:`srkit.pipeline.to_channels`), zero-padded to the largest size.  A pre-upsampled LR
            (SRCNN) is stored at HR size.
        lr_sizes: int32 ``(N, 2)``: each LR image's true height and width (before padding), in LR pixels.
        weights: float64 ``(N,)``: each image's probability of being picked, proportional to its number of
            patch positions (as :class:`~srkit.pipeline.PatchSampler` draws).
        scale, patch_size, pre_upsample, augment: as the sampler's.
    """

    lr: np.ndarray
    hr: np.ndarray
    lr_sizes: np.ndarray
    weights: np.ndarray
    scale: int
    patch_size: int
    pre_upsample: bool
    augment: bool

    @classmethod
    def from_sampler(cls, sampler: PatchSampler) -> "DevicePairs":
        """Pack a :class:`~srkit.pipeline.PatchSampler`'s images (its LR images as it made them)."""
        if not isinstance(sampler, PatchSampler):
            raise InvalidValueError(f"DevicePairs.from_sampler needs a srkit.pipeline.PatchSampler, got "
                                    f"{type(sampler).__name__}.")
        if sampler.per_patch or sampler.degradation.is_random:
            raise InvalidValueError(
                "Device-fed training draws patches from fixed LR images, so it takes deterministic degradations "
                f"only (bicubic 'bi' or blur 'bd'); this sampler's degradation is random ({sampler.degradation!r}). "
                "Train it with srkit.train.train, which degrades every patch on the host.")
        if sampler.augment == "colour_jitter":
            raise InvalidValueError("Device-fed training does flips and rotations only; augment='colour_jitter' "
                                    "needs the host pipeline (srkit.train.train).")
        s, m = sampler.scale, (sampler.scale if sampler.pre_upsample else 1)
        lrs = [to_channels(x, sampler.channels) for x in sampler.lr]
        hrs = [to_channels(x, sampler.channels) for x in sampler.hr]
        c = hrs[0].shape[-1]
        lr_sizes = np.array([(h.shape[0] // s, h.shape[1] // s) for h in hrs], dtype=np.int32)
        hmax, wmax = lr_sizes.max(axis=0)
        lr = np.zeros((len(hrs), hmax * m, wmax * m, c), np.float32)
        hr = np.zeros((len(hrs), hmax * s, wmax * s, c), np.float32)
        for i, (a, b) in enumerate(zip(lrs, hrs)):
            lr[i, : a.shape[0], : a.shape[1]] = a
            hr[i, : b.shape[0], : b.shape[1]] = b
        return cls(lr, hr, lr_sizes, np.asarray(sampler._p, np.float64), s, sampler.patch_size,
                   bool(sampler.pre_upsample), sampler.augment != "none")

    def __len__(self) -> int:
        return len(self.lr_sizes)

    @property
    def nbytes(self) -> int:
        """Bytes the two image arrays take in device memory."""
        return int(self.lr.nbytes + self.hr.nbytes)


def _dihedral(x, t, jnp):
    """One of the 8 symmetries of a square patch ``(p, p, C)``: ``t % 4`` quarter turns, mirrored if
    ``t >= 4`` (:func:`srkit.pipeline.dihedral`'s order: rotate, then flip)."""
    import jax

    x = jax.lax.switch(t % 4, [lambda a, k=k: jnp.rot90(a, k, axes=(0, 1)) for k in range(4)], x)
    return jnp.where(t >= 4, x[:, ::-1], x)


def make_sampler_fn(pairs: DevicePairs, batch_size: int) -> Callable:
    """The traceable batch draw: ``sample(key, lr, hr, lr_sizes, log_weights) -> (x, y, where)`` with
    ``where = (index, row, col, symmetry)`` of each patch (LR pixels; the tests check the crops with it)."""
    jax = require_jax()
    jnp = jax.numpy
    p, s = pairs.patch_size, pairs.scale
    m = s if pairs.pre_upsample else 1
    c = pairs.lr.shape[-1]
    augment = pairs.augment

    def one(lr, hr, i, r, q, t):
        x = jax.lax.dynamic_slice(lr, (i, r * m, q * m, 0), (1, p * m, p * m, c))[0]
        y = jax.lax.dynamic_slice(hr, (i, r * s, q * s, 0), (1, p * s, p * s, c))[0]
        if augment:
            x, y = _dihedral(x, t, jnp), _dihedral(y, t, jnp)
        return x, y

    def sample(key, lr, hr, lr_sizes, log_weights):
        k1, k2, k3, k4 = jax.random.split(key, 4)
        idx = jax.random.categorical(k1, log_weights, shape=(batch_size,))
        rows = lr_sizes[idx, 0] - p + 1  # positions per axis
        cols = lr_sizes[idx, 1] - p + 1
        r = jnp.minimum((jax.random.uniform(k2, (batch_size,)) * rows).astype(jnp.int32), rows - 1)
        q = jnp.minimum((jax.random.uniform(k3, (batch_size,)) * cols).astype(jnp.int32), cols - 1)
        t = jax.random.randint(k4, (batch_size,), 0, 8) if augment else jnp.zeros((batch_size,), jnp.int32)
        x, y = jax.vmap(one, in_axes=(None, None, 0, 0, 0, 0))(lr, hr, idx, r, q, t)
        return x, y, (idx, r, q, t)

    return sample


_LOSSES = ("l1", "l2")


class DeviceTrainer:
    """Trains a single-output Keras model on :class:`DevicePairs` held in accelerator memory.

    Args:
        model: a built Keras model (one output, the SR image), e.g. ``srkit.models.build('edsr', scale=2)``
            or a loaded zoo model, whose weights are the starting point.
        pairs: the packed training set (:meth:`DevicePairs.from_sampler`).
        batch_size: patches per step.
        loss: ``'l1'`` (mean absolute error) or ``'l2'`` (mean squared error).
        optimizer: a Keras optimizer with a float learning rate (default Adam); :meth:`run` sets its rate.
        steps_per_call: training steps compiled into one call (more: less Python between steps).
        seed: seed of the batch draws.

    The trainer keeps the weights and optimizer state as arrays on the device; :meth:`sync` writes them
    back into ``model`` (then ``model.save(...)`` as usual).
    """

    def __init__(self, model, pairs: DevicePairs, batch_size: int = 16, loss: str = "l1", optimizer=None,
                 steps_per_call: int = 25, seed: int = 0):
        jax = require_jax()
        import keras

        jnp = jax.numpy
        self.batch_size = check_int("batch_size", batch_size, low=1)
        self.steps_per_call = check_int("steps_per_call", steps_per_call, low=1)
        if loss not in _LOSSES:
            raise InvalidValueError(f"loss must be one of {_LOSSES}, got {loss!r}.")
        if len(model.outputs) != 1:
            raise InvalidValueError(
                f"{model.name} has {len(model.outputs)} outputs; device-fed training takes single-output models "
                "(train deep-supervised models with srkit.train.train).")
        want = (pairs.patch_size * (pairs.scale if pairs.pre_upsample else 1),) * 2 + (pairs.lr.shape[-1],)
        out = model.compute_output_shape((1, *want))
        if tuple(out[1:]) != (pairs.patch_size * pairs.scale,) * 2 + (pairs.hr.shape[-1],):
            raise InvalidValueError(
                f"{model.name} maps a {want} patch to {tuple(out[1:])}, but the pairs hold x{pairs.scale} "
                f"targets of {pairs.patch_size * pairs.scale} px with {pairs.hr.shape[-1]} channel(s): the model's "
                "scale, channels or input kind do not match the sampler's.")
        self.model, self.pairs, self.loss = model, pairs, loss
        self.optimizer = optimizer or keras.optimizers.Adam(learning_rate=1e-4)
        self.optimizer.build(model.trainable_variables)
        names = [v.name for v in self.optimizer.variables]
        if "learning_rate" not in names:
            raise InvalidValueError("The optimizer's learning rate must be a float (a variable), not a schedule: "
                                    "DeviceTrainer.run sets it for every call.")
        self._lr_index = names.index("learning_rate")
        self._key = jax.random.PRNGKey(seed)
        self._calls = 0
        # the data, once, to the device
        self._data = (jnp.asarray(pairs.lr), jnp.asarray(pairs.hr), jnp.asarray(pairs.lr_sizes),
                      jnp.log(jnp.asarray(pairs.weights, jnp.float32)))
        # copies: the compiled calls donate (reuse) the state's buffers, which must not be the Keras variables'
        self._state = jax.tree_util.tree_map(jnp.copy, (
            [v.value for v in model.trainable_variables], [v.value for v in model.non_trainable_variables],
            [v.value for v in self.optimizer.variables]))
        self.steps = 0
        self.history: list[dict] = []
        self._sample = make_sampler_fn(pairs, self.batch_size)
        self._device_call = jax.jit(self._make_call(device_fed=True), donate_argnums=0)
        self._host_call = jax.jit(self._make_call(device_fed=False), donate_argnums=0)

    # -- the compiled steps ---------------------------------------------------------------------------
    def _make_call(self, device_fed: bool):
        jax = require_jax()
        jnp = jax.numpy
        model, optimizer, loss_name, lr_index = self.model, self.optimizer, self.loss, self._lr_index
        sample = self._sample

        def loss_fn(tv, ntv, x, y):
            pred, ntv = model.stateless_call(tv, ntv, x, training=True)
            d = pred.astype(jnp.float32) - y
            return (jnp.mean(jnp.abs(d)) if loss_name == "l1" else jnp.mean(d * d)), ntv

        grad_fn = jax.value_and_grad(loss_fn, has_aux=True)

        def step(state, x, y):
            tv, ntv, ov = state
            (loss, ntv), grads = grad_fn(tv, ntv, x, y)
            tv, ov = optimizer.stateless_apply(ov, grads, tv)
            return (tv, ntv, ov), loss

        def with_rate(state, lr):
            tv, ntv, ov = state
            ov = list(ov)
            ov[lr_index] = jnp.asarray(lr, ov[lr_index].dtype)
            return tv, ntv, ov

        if device_fed:
            def call(state, base_key, counter, lr, data):
                def body(st, k):
                    x, y, _ = sample(k, *data)
                    return step(st, x, y)

                keys = jax.random.split(jax.random.fold_in(base_key, counter), self.steps_per_call)
                state, losses = jax.lax.scan(body, with_rate(state, lr), keys)
                return state, jnp.mean(losses)
        else:
            def call(state, xs, ys, lr):
                state, losses = jax.lax.scan(lambda st, xy: step(st, *xy), with_rate(state, lr), (xs, ys))
                return state, jnp.mean(losses)
        return call

    # -- running ----------------------------------------------------------------------------------------
    def run(self, steps: int | None = None, seconds: float | None = None,
            learning_rate: float | Callable[[int], float] = 1e-4, log_every: int = 0) -> dict:
        """Train for ``steps`` steps or ``seconds`` of wall time (whichever ends first; one is needed),
        in whole calls of ``steps_per_call`` steps.

        ``learning_rate``: a float, or a function of the trainer's step count (e.g. a
        :func:`srkit.train.learning_rate_at` closure), evaluated once per call.  Returns
        ``{'steps', 'seconds', 'steps_per_s', 'loss'}`` for this run (the first call's compile included in
        the seconds, excluded from ``steps_per_s``); the same dicts accumulate in :attr:`history`."""
        if steps is None and seconds is None:
            raise InvalidValueError("DeviceTrainer.run needs steps=, seconds= or both.")
        rate = learning_rate if callable(learning_rate) else (lambda _s, v=float(learning_rate): v)
        t0 = time.perf_counter()
        done, loss, t_first, n_first, prev = 0, float("nan"), None, 0, None
        while (steps is None or done < steps) and (seconds is None or time.perf_counter() - t0 < seconds):
            self._state, l = self._device_call(self._state, self._key, self._calls, rate(self.steps), self._data)
            self._calls += 1
            done += self.steps_per_call
            self.steps += self.steps_per_call
            if t_first is None:
                loss = float(l)  # waits for the first call: its compile time stays out of steps_per_s
                t_first, n_first = time.perf_counter(), done
            elif prev is not None:
                loss = float(prev)  # at most two calls in flight, so the clock follows the device
            prev = l
            if log_every and (done // self.steps_per_call) % max(1, log_every // self.steps_per_call) == 0:
                print(f"step {self.steps}: loss {loss:.5f}, {time.perf_counter() - t0:.0f} s", flush=True)
        loss = float(l) if done else loss  # also waits for the last call
        return self._record("device", t0, t_first, done, n_first, loss)

    def run_host_fed(self, sampler: PatchSampler, steps: int | None = None, seconds: float | None = None,
                     learning_rate: float = 1e-4, threads: int = 4, seed: int = 0) -> dict:
        """The same compiled step on batches cut on the host by ``sampler`` (``batch_at``, ``threads``
        worker threads preparing the next call's batches while the device runs): the usual input path,
        for timing against :meth:`run`.  It trains the model too."""
        if steps is None and seconds is None:
            raise InvalidValueError("DeviceTrainer.run_host_fed needs steps=, seconds= or both.")
        jax = require_jax()
        k = self.steps_per_call

        def chunk(c):
            b = [sampler.batch_at(seed, c * k + i, self.batch_size) for i in range(k)]
            return np.stack([x for x, _ in b]), np.stack([y for _, y in b])

        t0 = time.perf_counter()
        done, loss, t_first, n_first, prev = 0, float("nan"), None, 0, None
        with ThreadPoolExecutor(max(1, threads)) as pool:
            pending = [pool.submit(chunk, i) for i in range(max(1, threads))]
            c = len(pending)
            while (steps is None or done < steps) and (seconds is None or time.perf_counter() - t0 < seconds):
                xs, ys = pending.pop(0).result()
                pending.append(pool.submit(chunk, c))
                c += 1
                self._state, l = self._host_call(self._state, jax.device_put(xs), jax.device_put(ys),
                                                 float(learning_rate))
                done += k
                self.steps += k
                if t_first is None:
                    loss = float(l)
                    t_first, n_first = time.perf_counter(), done
                elif prev is not None:
                    loss = float(prev)
                prev = l
            loss = float(l) if done else loss
            for f in pending:
                f.cancel()
        return self._record("host", t0, t_first, done, n_first, loss)

    def _record(self, kind, t0, t_first, done, n_first, loss) -> dict:
        t1 = time.perf_counter()
        timed = done - n_first
        rec = {"input": kind, "steps": done, "seconds": round(t1 - t0, 2),
               "steps_per_s": round(timed / (t1 - t_first), 2) if timed and t_first else None,
               "loss": loss, "total_steps": self.steps}
        self.history.append(rec)
        return rec

    def sync(self):
        """Write the trained weights (and the optimizer's state) back into the Keras objects; returns the model."""
        tv, ntv, ov = self._state
        for v, a in zip(self.model.trainable_variables, tv):
            v.assign(a)
        for v, a in zip(self.model.non_trainable_variables, ntv):
            v.assign(a)
        for v, a in zip(self.optimizer.variables, ov):
            v.assign(a)
        return self.model

    def predict_tiles(self, lr: np.ndarray) -> np.ndarray:
        """The model on a batch of equal-size inputs ``(B, h, w, C)`` with the trainer's current weights
        (no :meth:`sync` needed); one compile per input shape."""
        jax = require_jax()
        if not hasattr(self, "_predict"):
            model = self.model

            def f(tv, ntv, x):
                return model.stateless_call(tv, ntv, x, training=False)[0]

            self._predict = jax.jit(f)
        tv, ntv, _ = self._state
        return np.asarray(self._predict(tv, ntv, jax.numpy.asarray(lr, jax.numpy.float32)))


def cosine_rate(peak: float, total_steps: int, warmup_steps: int = 0) -> Callable[[int], float]:
    """The kit's cosine schedule (:func:`srkit.train.learning_rate_at`) as a function of the step."""
    from .schedules import learning_rate_at

    total = max(1, int(total_steps))
    return lambda step: learning_rate_at(min(step, total), peak, total, "cosine", warmup_steps)


def tiles(pairs, tile: int, scale: int, limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Non-overlapping ``tile`` x ``tile`` LR tiles of float ``(lr, hr)`` image pairs, with their HR tiles:
    equal-size batches for a quick validation on the device (one compile).  Borders that do not fill a
    tile are dropped."""
    xs, ys = [], []
    for lr, hr in pairs:
        for r in range(0, lr.shape[0] - tile + 1, tile):
            for q in range(0, lr.shape[1] - tile + 1, tile):
                xs.append(lr[r : r + tile, q : q + tile])
                ys.append(hr[r * scale : (r + tile) * scale, q * scale : (q + tile) * scale])
    if not xs:
        raise InvalidValueError(f"No image is at least {tile} px on each side; use a smaller tile.")
    xs, ys = np.stack(xs)[:limit], np.stack(ys)[:limit]
    return xs, ys


def tile_psnr(pred: np.ndarray, target: np.ndarray, shave: int) -> float:
    """Mean PSNR (dB, values in [0, 1]) over tiles, ``shave`` px left out at every tile border: a quick
    monitor during device training.  The reported scores come from :mod:`srkit.evaluate`."""
    p = pred[:, shave:-shave, shave:-shave].astype(np.float64) if shave else pred.astype(np.float64)
    t = target[:, shave:-shave, shave:-shave].astype(np.float64) if shave else target.astype(np.float64)
    mse = np.mean((np.clip(p, 0, 1) - t) ** 2, axis=(1, 2, 3))
    return float(np.mean(10 * np.log10(1.0 / np.maximum(mse, 1e-12))))


__all__ += ["cosine_rate", "tiles", "tile_psnr", "make_sampler_fn"]
