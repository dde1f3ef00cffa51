"""The checks behind the exercises at the end of each notebook.

The question of an exercise is written in its notebook (a Markdown cell "**Exercise 01.2.** ..."); this
module keeps what checking it needs.  There are two kinds of exercises:

* **Read a result**: the answer is a number, a name or a tuple.  The expected value is *computed* by srkit
  when ``check`` runs (nothing is hard-coded), and the tolerance follows the precision the notebook prints.
* **Build something**: the answer is a function (or a Keras model) the student wrote.  The check *runs* it
  on fresh random inputs (seeded, several shapes) next to the kit's own implementation and says what
  differs: the shape, the dtype, or which value, where, and by how much.

In a notebook::

    answer = ...            # the student's work: a value, a function or a model
    check("01.2", answer)   # prints whether it is right, or what differs and a hint

``check`` never raises on a wrong or missing answer: it prints feedback (``is_correct`` returns it as a bool,
``feedback`` as text), so a notebook with unanswered exercises still runs top to bottom.  A function whose body
still raises ``NotImplementedError`` (or returns ``None``) counts as not answered yet.  Under nbgrader's
autograder (the environment variable ``NBGRADER_EXECUTION`` is ``autograde`` or ``validate``) a check that
does not pass raises ``AssertionError`` with the same feedback, so the grade cell earns its points only when
the answer is right.

``solution(key)`` prints a worked solution when this copy of the course has them: the teacher's copy keeps
them in ``notebooks/solutions/`` (one file per exercise, ``01.2.py``, code that sets ``answer``), found from
the notebooks' folder or the repository root, or wherever ``SRKIT_SOLUTIONS`` points.  A student's copy
has none, and ``solution`` says so.

To add an exercise: write its question in the notebook, followed by a cell for the answer and a cell ending
in ``check("NN.k", answer_k)``, add an ``Exercise`` under the key ``"NN.k"`` below and a worked solution
``notebooks/solutions/NN.k.py``.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

__all__ = ["check", "is_correct", "feedback", "solution", "solutions_folder", "EXERCISES", "SOLUTIONS_ENV"]

#: Environment variable naming the folder of worked solutions (overrides the search described above).
SOLUTIONS_ENV = "SRKIT_SOLUTIONS"


@dataclass(frozen=True)
class Exercise:
    """What checking one exercise needs (its question is in the notebook, its worked solution in the
    teacher's ``solutions`` folder).

    Attributes:
        expected: computes the right answer when called (exercises that read a result; ``None`` otherwise).
        hint: printed after a wrong answer.
        tolerance: absolute tolerance for numeric answers (0: exact).
        test: for exercises that build something: runs the answer next to the kit's implementation and
            returns ``None`` when they agree, else raises ``Wrong`` or ``NotYet`` saying what differs.
        advice: optional, for exercises that read a result: a sentence for a specific wrong answer (or ``None``).
        points: what the exercise is worth when graded (nbgrader's ``points``).
    """

    expected: Callable[[], Any] | None
    hint: str
    tolerance: float = 0.0
    test: Callable[[Any], None] | None = None
    advice: Callable[[Any], str | None] | None = None
    points: int = 1


class NotYet(Exception):
    """The answer is not written yet (its function raises ``NotImplementedError`` or returns ``None``)."""


class Wrong(Exception):
    """The answer runs but differs from the kit's; the message says how."""


# --------------------------------------------------------------------------------------------------
# Exercises that read a result: the expected values, computed by the kit
# --------------------------------------------------------------------------------------------------
def _mean_psnr(dataset: str, scale: int, method: str = "bicubic", crop: bool = True) -> float:
    from .scoring import mean_scores, score_benchmark

    rows = score_benchmark(method, dataset, scale, ("psnr",), crop_border=None if crop else 0)
    return mean_scores(rows, ("psnr",))["psnr"]


def _lr_pixels(name: str, scale: int) -> int:
    from .data import load_benchmark

    pair = next(p for p in load_benchmark("Set5", scale) if p.name == name)
    return int(pair.lr.shape[0] * pair.lr.shape[1])


def _best_interpolation_on_baby() -> str:
    from .data import load_benchmark
    from .degrade import upscale
    from .metrics import psnr

    pair = next(p for p in load_benchmark("Set5", 3) if p.name == "baby")
    scores = {m: psnr(upscale(pair.lr, 3, m), pair.hr, 3) for m in ("nearest", "bilinear", "bicubic")}
    return max(scores, key=scores.get)


def _y_of(rgb) -> float:
    from .metrics import to_y_channel

    return float(to_y_channel(np.array([[rgb]], np.uint8))[0, 0])


def _srcnn_params() -> int:
    from .models import srcnn

    return int(srcnn().count_params())


def _zoo_gain(name: str, dataset: str, scale: int) -> float:
    from . import zoo
    from .evaluate import evaluate

    return zoo.card(name, scale)["scores"][dataset]["psnr"] - float(evaluate("bicubic", dataset, scale).psnr[0])


def _shuffle_shape():
    from .models import PixelShuffle

    return tuple(int(v) for v in PixelShuffle(3)(np.zeros((1, 5, 7, 18), np.float32)).shape)


def _is_burst_model(name: str) -> bool:
    from . import zoo

    return any(n == name and zoo.card(n, s).get("input_kind", "single image") == "burst" for n, s in zoo.available())


def _best_zoo(dataset: str, scale: int) -> str:
    from . import zoo

    scores = {n: zoo.card(n, s)["scores"][dataset]["psnr"] for n, s in zoo.available()
              if s == scale and not _is_burst_model(n)}  # burst models are scored on bursts: another protocol
    return max(scores, key=scores.get)


def _single_image_advice(answer) -> str | None:
    if isinstance(answer, str) and _is_burst_model(answer.strip().lower()):
        return (f"{answer.strip()} is scored on bursts of 5 frames, not on single images: its number answers "
                "another question. Keep the rows whose input is 'single image'.")
    return None


def _relativistic_d_loss_at_zero() -> float:
    from .gan import adversarial_loss

    z = [[0.0], [0.0]]
    return float(adversarial_loss(z, z, "relativistic")[0])


def _gan_psnr_drop(dataset: str) -> float:
    from . import zoo

    return zoo.card("edsr", 4)["scores"][dataset]["psnr"] - zoo.card("edsr_gan", 4)["scores"][dataset]["psnr"]


def _drcn_receptive_field(recursions: int) -> int:
    return 2 * recursions + 5  # embed 3x3, T shared 3x3, reconstruct 3x3: each adds 2 pixels to 1


def _burst_shift(seed: int, frame: int) -> tuple:
    from .burst import make_burst
    from .data import load_benchmark

    b = make_burst(load_benchmark("Set14", 4)[0].hr, 4, 5, seed=seed)
    return tuple(float(v) for v in b.shifts[frame])


# --------------------------------------------------------------------------------------------------
# Exercises that build something: run the answer next to the kit's implementation
# --------------------------------------------------------------------------------------------------
def _name_of(fn) -> str:
    return getattr(fn, "__name__", None) or type(fn).__name__


def _require_callable(answer, what: str = "a function") -> None:
    if not callable(answer):
        raise Wrong(f"the answer should be {what} (pass the function itself, without calling it), "
                    f"got {type(answer).__name__} {answer!r:.60}.")


def _run(fn, *args, call: str):
    """``fn(*args)``; a body that still raises ``NotImplementedError`` or returns ``None`` is not written yet."""
    try:
        out = fn(*args)
    except NotImplementedError:
        raise NotYet(f"{_name_of(fn)} still raises NotImplementedError: write its body") from None
    except Exception as err:  # the student's code failed: say where, never raise
        raise Wrong(f"{call} raised {type(err).__name__}: {err}.") from None
    if out is None:
        raise NotYet(f"{call} returned None: write its body, and return the result")
    return out


def _as_array(got, call: str) -> np.ndarray:
    try:
        return np.asarray(got)
    except Exception as err:  # e.g. a ragged list
        raise Wrong(f"{call} returned {type(got).__name__}, which is not an array ({err}).") from None


def _compare(got, want, call: str, atol: float = 1e-6, dtype: str | None = None) -> None:
    """Raise :class:`Wrong` naming the first thing that differs: shape, dtype, then values (how many,
    the largest difference, where, and by how much)."""
    g, w = _as_array(got, call), np.asarray(want)
    if g.shape != w.shape:
        raise Wrong(f"{call} has shape {g.shape}, the kit's has shape {w.shape}.")
    if dtype == "same" and g.dtype != w.dtype:
        raise Wrong(f"{call} has dtype {g.dtype}, the kit's has dtype {w.dtype}.")
    if dtype == "float" and not np.issubdtype(g.dtype, np.floating):
        raise Wrong(f"{call} has dtype {g.dtype}: keep the values as floats (no rounding), as the kit does.")
    if not (np.issubdtype(g.dtype, np.number) or g.dtype == bool):
        raise Wrong(f"{call} holds {g.dtype} values, not numbers.")
    gf, wf = g.astype(np.float64), w.astype(np.float64)
    diff = np.abs(gf - wf)
    bad = ~(diff <= atol)  # NaN counts as different
    if not bad.any():
        return
    if not g.shape:
        raise Wrong(f"{call} gives {gf:.6g} instead of {wf:.6g} (off by {gf - wf:+.6g}).")
    where = np.unravel_index(int(np.argmax(np.where(np.isnan(diff), np.inf, diff))), g.shape)
    raise Wrong(f"{call}: {int(bad.sum())} of {bad.size} values differ; the largest difference is at index "
                f"{tuple(int(i) for i in where)}: {gf[where]:.6g} instead of {wf[where]:.6g} "
                f"(off by {gf[where] - wf[where]:+.6g}).")


def _test_nearest(fn) -> None:
    from .degrade import upscale

    _require_callable(fn)
    rng = np.random.default_rng(3)
    for shape, s in (((5, 7), 2), ((6, 4, 3), 3), ((4, 9, 1), 4), ((7, 7, 3), 2)):
        lr = rng.integers(0, 256, shape, dtype=np.uint8)
        call = f"{_name_of(fn)}(lr of shape {shape}, {s})"
        _compare(_run(fn, lr.copy(), s, call=call), upscale(lr, s, "nearest"), call, atol=0, dtype="same")


def _test_modcrop(fn) -> None:
    from .degrade import modcrop

    _require_callable(fn)
    rng = np.random.default_rng(4)
    for shape, s in (((13, 11), 4), ((12, 10, 3), 3), ((9, 8), 2), ((17, 15, 1), 4), ((10, 12), 2)):
        hr = rng.integers(0, 256, shape, dtype=np.uint8)
        call = f"{_name_of(fn)}(hr of shape {shape}, {s})"
        _compare(_run(fn, hr.copy(), s, call=call), modcrop(hr, s), call, atol=0, dtype="same")


def _test_rgb_to_y(fn) -> None:
    from .color import rgb_to_y

    _require_callable(fn)
    rng = np.random.default_rng(5)
    corners = np.array([[[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 255, 0], [0, 0, 255]]], np.uint8)
    for rgb in (corners, *(rng.integers(0, 256, (h, w, 3), dtype=np.uint8) for h, w in ((4, 6), (9, 5), (1, 1)))):
        call = f"{_name_of(fn)}(rgb of shape {rgb.shape})"
        _compare(_run(fn, rgb.copy(), call=call), rgb_to_y(rgb), call, atol=1e-3, dtype="float")


def _sr_like(hr: np.ndarray, scale: int, rng) -> np.ndarray:
    """A fake SR output: HR with small errors inside and large ones near the border (as real outputs have)."""
    noise = rng.normal(0, 4, hr.shape)
    b = scale + 1
    noise[:b] *= 8
    noise[-b:] *= 8
    noise[:, :b] *= 8
    noise[:, -b:] *= 8
    return np.clip(np.rint(hr + noise), 0, 255).astype(np.uint8)


def _test_psnr_y(fn) -> None:
    from .metrics import psnr

    _require_callable(fn)
    rng = np.random.default_rng(6)
    for (h, w), s in (((24, 30), 2), ((33, 27), 3), ((40, 36), 4)):
        hr = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        sr = _sr_like(hr, s, rng)
        call = f"{_name_of(fn)}(sr, hr, {s}) on {h}x{w} RGB images"
        got = _run(fn, sr.copy(), hr.copy(), s, call=call)
        try:
            value = float(got)
        except (TypeError, ValueError):
            raise Wrong(f"{call} returned {type(got).__name__}, not a number of dB.") from None
        _compare(value, psnr(sr, hr, crop_border=s), call, atol=1e-4)


def _test_srcnn(answer) -> None:
    import keras

    from .models import srcnn

    def fresh():
        if isinstance(answer, keras.Model):
            try:
                return keras.models.clone_model(answer)
            except Exception:  # a subclassed model: use it as it is
                return answer
        _require_callable(answer, "a function that returns a keras.Model")
        model = _run(answer, call=f"{_name_of(answer)}()")
        if not isinstance(model, keras.Model):
            raise Wrong(f"{_name_of(answer)}() returned {type(model).__name__}, not a keras.Model.")
        return model

    model, ref = fresh(), srcnn()
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    ref_convs = [layer for layer in ref.layers if isinstance(layer, keras.layers.Conv2D)]
    if len(convs) != len(ref_convs):
        raise Wrong(f"your model has {len(convs)} convolution layers; SRCNN has {len(ref_convs)}.")
    for i, (c, r) in enumerate(zip(convs, ref_convs), 1):
        for what, mine, kit in (("kernel shape", tuple(c.kernel.shape), tuple(r.kernel.shape)),
                                ("activation", c.activation.__name__, r.activation.__name__),
                                ("padding", c.padding, r.padding), ("bias", c.use_bias, r.use_bias)):
            if mine != kit:
                raise Wrong(f"convolution {i} ({r.name}): {what} {mine}, SRCNN's is {kit}.")
    if model.count_params() != ref.count_params():
        raise Wrong(f"your model has {model.count_params():,} parameters, SRCNN has {ref.count_params():,}: "
                    "it has layers with weights besides the three convolutions.")
    rng = np.random.default_rng(7)
    for shape in ((1, 20, 24, 1), (2, 13, 17, 1)):
        x = rng.random(shape, dtype=np.float32)
        call = f"your model on an input of shape {shape}"
        try:
            out = np.asarray(model(x))
        except Exception as err:
            raise Wrong(f"{call} raised {type(err).__name__}: {err}") from None
        if out.shape != shape:
            raise Wrong(f"{call} gives shape {out.shape}; SRCNN keeps the input's size ({shape}).")
    try:
        model.set_weights(ref.get_weights())
    except Exception as err:
        raise Wrong(f"SRCNN's weights do not fit your model ({err}).") from None
    x = rng.random((1, 16, 18, 1), dtype=np.float32)
    _compare(np.asarray(model(x)), np.asarray(ref(x)), "your model with SRCNN's weights", atol=1e-4)
    before = [w.copy() for w in model.get_weights()]
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mae")
    y = rng.random((4, 16, 16, 1), dtype=np.float32)
    history = model.fit(y, y, epochs=3, batch_size=4, verbose=0).history["loss"]
    if not all(math.isfinite(v) for v in history):
        raise Wrong(f"training your model for 3 steps gives the losses {history}.")
    if all(np.array_equal(a, b) for a, b in zip(before, model.get_weights())):
        raise Wrong("training your model for 3 steps does not change its weights (are they trainable?).")


def _test_conv2d(fn) -> None:
    from keras import ops

    _require_callable(fn)
    rng = np.random.default_rng(8)
    for (h, w), k in (((6, 7), 3), ((9, 5), 5), ((8, 8), 3), ((5, 11), 1)):
        image = rng.random((h, w)).astype(np.float32)
        kernel = rng.normal(size=(k, k)).astype(np.float32)
        want = np.asarray(ops.conv(image[None, :, :, None], kernel[:, :, None, None], padding="same"))[0, :, :, 0]
        call = f"{_name_of(fn)}(image of shape {(h, w)}, kernel of shape {(k, k)})"
        _compare(_run(fn, image.copy(), kernel.copy(), call=call), want, call, atol=1e-4)


def _test_pixel_shuffle(fn) -> None:
    from .models import PixelShuffle

    _require_callable(fn)
    rng = np.random.default_rng(9)
    for shape, r in (((1, 2, 3, 4), 2), ((2, 3, 2, 18), 3), ((1, 2, 2, 32), 4), ((1, 3, 3, 8), 2)):
        x = rng.random(shape, dtype=np.float32)
        call = f"{_name_of(fn)}(x of shape {shape}, {r})"
        _compare(_run(fn, x.copy(), r, call=call), np.asarray(PixelShuffle(r)(x)), call, atol=0)


def _test_conv_flops(fn) -> None:
    import keras

    from .profile import count_flops

    _require_callable(fn)
    for h, w, k, c_in, c_out in ((10, 12, 3, 1, 8), (7, 5, 5, 4, 3), (16, 9, 1, 6, 2), (6, 6, 9, 2, 5)):
        inp = keras.Input((None, None, c_in))
        model = keras.Model(inp, keras.layers.Conv2D(c_out, k, padding="same")(inp))
        call = f"{_name_of(fn)}(h={h}, w={w}, k={k}, c_in={c_in}, c_out={c_out})"
        got = _run(fn, h, w, k, c_in, c_out, call=call)
        want = count_flops(model, (h, w))
        try:
            ok = float(got) == want
        except (TypeError, ValueError):
            raise Wrong(f"{call} returned {type(got).__name__}, not a number.") from None
        if not ok:
            ratio = f" ({float(got) / want:.3g} times it)" if float(got) else ""
            raise Wrong(f"{call} = {got}, the kit counts {want:,} FLOPs{ratio}.")


def _test_d_loss_ra(fn) -> None:
    from .gan import adversarial_loss

    _require_callable(fn)
    rng = np.random.default_rng(10)
    for n in (4, 16, 3, 1):
        real = (rng.normal(size=(n, 1)) * 3 + 1).astype(np.float32)
        fake = (rng.normal(size=(n, 1)) * 3 - 1).astype(np.float32)
        call = f"{_name_of(fn)}(real_logits, fake_logits) with {n} logits each"
        got = _run(fn, real.copy(), fake.copy(), call=call)
        try:
            value = float(np.asarray(got))
        except (TypeError, ValueError):
            raise Wrong(f"{call} returned {type(got).__name__} of shape {np.shape(got)}, not one number.") from None
        _compare(value, float(adversarial_loss(real, fake, "relativistic")[0]), call, atol=1e-4)


def _test_interpolate_weights(fn) -> None:
    from .gan.tradeoff import blended_weights
    from .models import espcn

    _require_callable(fn)
    psnr_model, gan_model = espcn(2, filters=(8, 4)), espcn(2, filters=(8, 4))
    rng = np.random.default_rng(11)
    gan_model.set_weights([w + rng.normal(size=w.shape).astype(w.dtype) for w in gan_model.get_weights()])
    for alpha in (0.3, 0.0, 1.0, 0.75):
        wa, wb = psnr_model.get_weights(), gan_model.get_weights()
        call = f"{_name_of(fn)}(w_psnr, w_gan, alpha={alpha})"
        got = _run(fn, [w.copy() for w in wa], [w.copy() for w in wb], alpha, call=call)
        want = blended_weights(psnr_model, gan_model, alpha)
        try:
            got = list(got)
        except TypeError:
            raise Wrong(f"{call} returned {type(got).__name__}, not a list of arrays.") from None
        if len(got) != len(want):
            raise Wrong(f"{call} returned {len(got)} weight tensors; the models have {len(want)}.")
        for i, (g, w) in enumerate(zip(got, want)):
            _compare(g, w, f"{call}, tensor {i} (shape {w.shape})", atol=1e-5)


def _test_gru_step(fn) -> None:
    from .models import ConvRecurrent2D

    _require_callable(fn)
    rng = np.random.default_rng(12)
    for b, t, h, w, c, f in ((1, 2, 5, 6, 2, 4), (2, 3, 4, 4, 3, 2)):
        layer = ConvRecurrent2D(f, 3, cell="gru")
        seq = rng.normal(size=(b, t, h, w, c)).astype(np.float32)
        layer(seq)  # builds the layer
        layer.conv_x.bias.assign(rng.normal(size=(3 * f,)).astype(np.float32))  # gates not centred on 0
        want = np.asarray(layer(seq))
        state = np.zeros((b, h, w, f), np.float32)
        for step in range(t):
            call = f"{_name_of(fn)}(x, h, conv_x, conv_h, conv_n) at frame {step} ({b}x{h}x{w}, {c} -> {f} channels)"
            state = _as_array(_run(fn, seq[:, step], state, layer.conv_x, layer.conv_h, layer.conv_n, call=call), call)
            if state.shape != (b, h, w, f):
                raise Wrong(f"{call} has shape {state.shape}; the state has shape {(b, h, w, f)}.")
        _compare(state, want, f"the state after {t} frames ({b}x{h}x{w}, {c} -> {f} channels)", atol=1e-4)


def _test_shift_and_add(fn) -> None:
    from .burst import make_burst, shift_and_add

    _require_callable(fn)
    rng = np.random.default_rng(13)
    for shape, s, n in (((48, 40), 4, 4), ((30, 33, 3), 3, 3), ((24, 26), 2, 5)):
        burst = make_burst(rng.integers(0, 256, shape, dtype=np.uint8), s, n, seed=int(rng.integers(1000)))
        want = shift_and_add(burst)
        call = f"{_name_of(fn)}(burst) for {n} frames of {burst.frames.shape[1]}x{burst.frames.shape[2]} at x{s}"
        _compare(_run(fn, burst, call=call), want, call, atol=1e-4)


def _lab_zoo_best(metric: str) -> str:
    """The zoo model the lab rates best by ``metric`` on Set14 zebra degraded by bicubic x4 (lowest NIQE, highest PSNR)."""
    from . import zoo
    from .degrade import INTERPOLATIONS
    from .lab import LabState, available_methods

    lab = LabState()
    lab.load_bundled("Set14/zebra")
    lab.configure(scale=4, mode="degrade")
    table = lab.run([m for m in available_methods(4) if m not in INTERPOLATIONS])
    table = table[table.method.isin([n for n, _ in zoo.available()])]
    row = table.loc[table[metric].idxmin() if metric == "niqe" else table[metric].idxmax()]
    return str(row.method)


def _test_mscn(fn) -> None:
    from .quality import mscn

    _require_callable(fn)
    rng = np.random.default_rng(9)
    for shape in ((12, 17), (30, 30), (9, 40)):
        grey = rng.integers(0, 256, shape).astype(np.float64)
        call = f"{_name_of(fn)}(grey) for a {shape[0]}x{shape[1]} image"
        _compare(_run(fn, grey.copy(), call=call), mscn(grey)[0], call, atol=1e-6)


def _practice_results() -> dict:
    """The training-practice sweeps shipped with the kit (bench/training_practice.json)."""
    import json

    return json.loads((Path(__file__).resolve().parents[1] / "bench" / "training_practice.json").read_text())


def _practice_final(run: str, key: str) -> float:
    return float(_practice_results()["runs"][run]["final"][key])


def _jitter_cost() -> float:
    return _practice_final("remedies/flips (baseline)", "val_psnr") - _practice_final("remedies/colour jitter on LR", "val_psnr")


def _decay_factor(base_lr: float, steps: int, weight_decay: float) -> float:
    from .train.schedules import learning_rate_at

    return float(np.prod([1 - learning_rate_at(t, base_lr, steps) * weight_decay for t in range(steps)]))


def _test_cosine_lr(fn) -> None:
    from .train.schedules import learning_rate_at

    _require_callable(fn)
    for base_lr, steps, warmup in ((1e-3, 1000, 0), (5e-4, 2000, 100), (1e-2, 300, 30)):
        at = sorted({0, 1, warmup // 2, max(0, warmup - 1), warmup, warmup + 1, steps // 2, steps - 1, steps, steps + 50})
        call = f"{_name_of(fn)}(step, base_lr={base_lr}, steps={steps}, warmup_steps={warmup})"
        got = [_run(fn, t, base_lr, steps, warmup, call=call) for t in at]
        try:
            got = [float(v) for v in got]
        except (TypeError, ValueError):
            raise Wrong(f"{call} returned {type(got[0]).__name__}, not a number.") from None
        want = [learning_rate_at(t, base_lr, steps, "cosine", warmup) for t in at]
        for t, g, w in zip(at, got, want):
            if not math.isclose(g, w, rel_tol=1e-4, abs_tol=1e-12):
                raise Wrong(f"{call} at step {t} is {g:.6g}; the kit's schedule gives {w:.6g}.")


def _test_augment_pair(fn) -> None:
    from .pipeline import dihedral

    _require_callable(fn)
    rng = np.random.default_rng(14)
    lr = rng.integers(0, 256, (5, 7, 1), dtype=np.uint8)
    hr = rng.integers(0, 256, (15, 21, 1), dtype=np.uint8)
    for k in range(4):
        for flip in (False, True):
            call = f"{_name_of(fn)}(lr, hr, k={k}, flip={flip})"
            got = _run(fn, lr.copy(), hr.copy(), k, flip, call=call)
            try:
                got_lr, got_hr = got
            except (TypeError, ValueError):
                raise Wrong(f"{call} returned {type(got).__name__}; return the pair (lr, hr).") from None
            _compare(got_lr, dihedral(lr, k, flip), f"{call}: the LR patch", atol=0)
            _compare(got_hr, dihedral(hr, k, flip), f"{call}: the HR patch", atol=0)


def _test_box_target(fn) -> None:
    from .train.supervised import box_downscale

    _require_callable(fn)
    rng = np.random.default_rng(17)
    for shape, f in (((2, 8, 12, 1), 2), ((1, 16, 8, 3), 4), ((3, 6, 9, 1), 3), ((1, 8, 8, 2), 8), ((2, 4, 6, 1), 1)):
        hr = rng.random(shape, dtype=np.float32)
        call = f"{_name_of(fn)}(hr of shape {shape}, {f})"
        _compare(_run(fn, hr.copy(), f, call=call), box_downscale(hr, f), call, atol=1e-5, dtype="same")


def _test_aniso_kernel(fn) -> None:
    from .degrade import blur_kernel

    _require_callable(fn)
    for size, sx, sy, angle in ((7, 1.0, 1.0, 0.0), (21, 3.0, 1.0, 0.5), (15, 0.8, 2.5, -1.2), (11, 2.0, 0.6, 2.8),
                                (9, 1.5, 1.5, 0.9)):
        call = f"{_name_of(fn)}({size}, sigma_x={sx}, sigma_y={sy}, angle={angle})"
        _compare(_run(fn, size, sx, sy, angle, call=call), blur_kernel(size, sx, sy, angle), call, atol=1e-6)


def _x8_gain(dataset: str) -> float:
    return _zoo_gain("edsr", dataset, 8)


def _blind_results() -> dict:
    """The blind vs BI robustness table shipped with the kit (bench/blind_sr.json)."""
    import json

    return json.loads((Path(__file__).resolve().parents[1] / "bench" / "blind_sr.json").read_text())


def _blind_advantage(condition: str) -> float:
    rows = {(r["method"], r["condition"]): r["psnr"] for r in _blind_results()["rows"]}
    return float(rows[("edsr_blind", condition)] - rows[("edsr", condition)])


def _lowest_niqe(names=("baboon", "comic", "zebra"), scale: int = 4) -> str:
    from .data import load_benchmark
    from .degrade import upscale
    from .quality import niqe
    from .zoo import upscaler

    pairs = [p for p in load_benchmark("Set14", scale) if p.name in names]
    methods = {"bicubic": lambda lr: upscale(lr, scale), **{n: (lambda u: lambda lr: u(lr, scale))(upscaler(n))
                                                           for n in ("edsr", "edsr_gan")}}
    means = {m: float(np.mean([niqe(up(p.lr), crop_border=scale) for p in pairs])) for m, up in methods.items()}
    return min(means, key=means.get)


def _rep_reference(kernel, bias, kernel_1x1, bias_1x1, identity):
    """The kit's fused kernel and bias for these branch weights (a built RepConv2D's ``deploy``)."""
    import keras

    from .models.reparam import RepConv2D

    k, _, c_in, c_out = kernel.shape
    layer = RepConv2D(c_out, k, identity=identity)
    layer(keras.ops.zeros((1, k, k, c_in)))
    layer.set_weights([kernel, bias, kernel_1x1, bias_1x1])
    return layer.deploy()


def _test_fuse_branches(fn) -> None:
    _require_callable(fn)
    rng = np.random.default_rng(8)
    for k, c_in, c_out, identity in ((3, 4, 4, True), (3, 2, 5, False), (5, 3, 3, True), (3, 6, 6, False),
                                     (5, 1, 4, False)):
        kernel = rng.normal(size=(k, k, c_in, c_out)).astype(np.float32)
        kernel_1x1 = rng.normal(size=(1, 1, c_in, c_out)).astype(np.float32)
        bias, bias_1x1 = (rng.normal(size=c_out).astype(np.float32) for _ in range(2))
        call = (f"{_name_of(fn)}(kernel {k}x{k}x{c_in}x{c_out}, bias, kernel_1x1 1x1x{c_in}x{c_out}, bias_1x1, "
                f"identity={identity})")
        got = _run(fn, kernel.copy(), bias.copy(), kernel_1x1.copy(), bias_1x1.copy(), identity, call=call)
        try:
            got_kernel, got_bias = got
        except (TypeError, ValueError):
            raise Wrong(f"{call} returned {type(got).__name__}; return the pair (kernel, bias).") from None
        want_kernel, want_bias = _rep_reference(kernel, bias, kernel_1x1, bias_1x1, identity)
        _compare(got_kernel, want_kernel, f"{call}: the kernel", atol=1e-5)
        _compare(got_bias, want_bias, f"{call}: the bias", atol=1e-5)


def _test_diffusion_index(fn) -> None:
    from .interpret import diffusion_index

    _require_callable(fn)
    rng = np.random.default_rng(9)
    maps = [rng.normal(size=(16, 16)), rng.random((9, 13)) ** 6, np.ones((5, 5)), rng.laplace(size=(32, 24))]
    sparse = np.zeros((12, 12))
    sparse[3, 7], sparse[8, 2] = 2.0, -0.5
    maps.append(sparse)
    for a in maps:
        call = f"{_name_of(fn)}(a {a.shape[0]}x{a.shape[1]} map)"
        got = _run(fn, a.copy(), call=call)
        try:
            value = float(np.asarray(got))
        except (TypeError, ValueError):
            raise Wrong(f"{call} returned {type(got).__name__} of shape {np.shape(got)}, not one number.") from None
        _compare(value, diffusion_index(a), call, atol=1e-6)


def _cpu_time_ratio(scale: int, slow: str, fast: str) -> float:
    """From the shipped quality-cost tables (bench/quality_cost.json): CPU ms per megapixel of ``slow`` / ``fast``."""
    import json

    rows = json.loads((Path(__file__).resolve().parents[1] / "bench" / "quality_cost.json").read_text())["tables"]
    ms = {r["model"]: r["ms_per_mp"] for r in rows[f"x{scale}"] if r["kind"] == "zoo"}
    return float(ms[slow] / ms[fast])


def _zoo_receptive_field(name: str, scale: int) -> int:
    from . import zoo
    from .interpret import receptive_field

    return int(receptive_field(zoo.load(name, scale)))


def _params_saved_by_collapse(scale: int) -> int:
    from .models.reparam import collapse, rep_espcn

    model = rep_espcn(scale)
    return int(model.count_params() - collapse(model).count_params())


def _fake_quant_reference(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Affine int8 quantisation of ``x`` over the range [lo, hi] (extended to hold 0), then back to float:
    the arithmetic TFLite's post-training int8 quantisation does for every activation."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    scale = (hi - lo) / 255.0 or 1.0
    zero_point = np.round(-128.0 - lo / scale)
    q = np.clip(np.round(np.asarray(x, np.float64) / scale) + zero_point, -128, 127)
    return ((q - zero_point) * scale).astype(np.float32)


def _test_fake_quant(fn) -> None:
    _require_callable(fn)
    rng = np.random.default_rng(10)
    cases = [(rng.random((6, 7)), 0.0, 1.0), (rng.normal(size=(5, 5)), -2.0, 3.0),
             (rng.normal(size=20) * 4, -1.0, 1.0), (rng.random(9) + 2.0, 2.0, 3.0), (np.linspace(-1, 1, 11), -0.5, 0.25)]
    for x, lo, hi in cases:
        call = f"{_name_of(fn)}(x of shape {x.shape}, lo={lo}, hi={hi})"
        got = _run(fn, x.copy(), lo, hi, call=call)
        _compare(got, _fake_quant_reference(x, lo, hi), call, atol=1e-5)


def _efficiency_speedup(setup: str) -> float:
    """From bench/training_efficiency.json: how many times faster ``setup`` reached the target than fp32."""
    import json

    data = json.loads((Path(__file__).resolve().parents[1] / "bench" / "training_efficiency.json").read_text())
    rows = data["summary"]["rows"]
    return float(rows["fp32"]["time_to_target_s"] / rows[setup]["time_to_target_s"])


_BUILD = 2  # points of an exercise that builds something

EXERCISES: dict[str, Exercise] = {
    "00.1": Exercise(
        lambda: _lr_pixels("butterfly", 4),
        "Load it with srkit.data.load_benchmark('Set5', 4) and multiply the LR height by its width.",
    ),
    "00.2": Exercise(
        _best_interpolation_on_baby,
        "Build a CompareState with the three upscaled images and HR as reference, then call .best().",
    ),
    "00.3": Exercise(
        None,
        "Every LR pixel becomes an s x s block of copies of itself: np.repeat along axis 0, then along axis 1. "
        "Keep the input's dtype.",
        test=_test_nearest, points=_BUILD,
    ),
    "00.4": Exercise(
        None,
        "Keep the top-left part: image[:h - h % scale, :w - w % scale]. When h is already a multiple, "
        "h % scale is 0 and nothing is cut.",
        test=_test_modcrop, points=_BUILD,
    ),
    "01.1": Exercise(
        lambda: _y_of((255, 0, 0)),
        "Y = 16 + 65.481 R + 128.553 G + 24.966 B with R, G, B in [0, 1].",
        tolerance=0.005,  # two decimals are enough
    ),
    "01.2": Exercise(
        lambda: _mean_psnr("Set5", 4, "nearest"),
        "evaluate('nearest', 'Set5', 4) does it; check that the border shave and Y channel are used.",
        tolerance=0.01,
    ),
    "01.3": Exercise(
        lambda: _mean_psnr("Set14", 4, crop=False) - _mean_psnr("Set14", 4),
        "Average psnr(upscale(p.lr, 4), p.hr, crop_border=0) over Set14, minus the paper-protocol average "
        "(or read the 'no border shave' row of the protocol table).",
        tolerance=0.005,  # the protocol table prints three decimals
    ),
    "01.4": Exercise(
        None,
        "Divide by 255 to get R, G, B in [0, 1], then Y = 16 + 65.481 R + 128.553 G + 24.966 B (studio swing, "
        "not the full-range 0.299/0.587/0.114); return floats, unrounded.",
        test=_test_rgb_to_y, points=_BUILD,
    ),
    "01.5": Exercise(
        None,
        "Convert both images to Y (float), shave `scale` pixels from every border (y[s:-s, s:-s]), then "
        "10 log10(255^2 / MSE) with the MSE in float64.",
        test=_test_psnr_y, points=_BUILD,
    ),
    "02.1": Exercise(
        _srcnn_params,
        "Each conv layer has k*k*c_in*c_out weights plus c_out biases: 9*9*1*64+64, 5*5*64*32+32, 5*5*32*1+1.",
    ),
    "02.2": Exercise(
        lambda: _zoo_gain("srcnn", "Set5", 3),
        "zoo.card('srcnn', 3)['scores']['Set5']['psnr'] minus evaluate('bicubic', 'Set5', 3).psnr[0].",
        tolerance=0.015,  # the difference of two numbers printed with two decimals
    ),
    "02.3": Exercise(
        None,
        "keras.Input((None, None, 1)), then Conv2D(64, 9, padding='same', activation='relu'), "
        "Conv2D(32, 5, padding='same', activation='relu') and Conv2D(1, 5, padding='same'); return keras.Model(inp, out).",
        test=_test_srcnn, points=_BUILD,
    ),
    "02.4": Exercise(
        None,
        "Zero-pad the image by k // 2 on every side, then out[i, j] = sum(padded[i:i+k, j:j+k] * kernel). "
        "Keras's Conv2D does not flip the kernel (it is a cross-correlation).",
        test=_test_conv2d, points=_BUILD,
    ),
    "03.1": Exercise(
        _shuffle_shape,
        "Each group of 3*3 = 9 channels becomes a 3x3 block of pixels: height and width grow 3 times, "
        "channels shrink 9 times.",
    ),
    "03.2": Exercise(
        lambda: _best_zoo("Set14", 4),
        "zoo.results_table() has every score; keep dataset == 'Set14', scale == 4 and input == 'single image'.",
        advice=_single_image_advice,
    ),
    "03.3": Exercise(
        None,
        "x.reshape(b, h, w, r, r, c), then transpose to (b, h, r, w, r, c) (axes 0, 1, 3, 2, 4, 5), then "
        "reshape to (b, h*r, w*r, c): channel (a*r + b')*c + k goes to pixel (r*i + a, r*j + b').",
        test=_test_pixel_shuffle, points=_BUILD,
    ),
    "03.4": Exercise(
        None,
        "Every output pixel of every output channel needs k*k*c_in multiply-accumulates, and one "
        "multiply-accumulate is 2 FLOPs; with 'same' padding there are h*w output pixels.",
        test=_test_conv_flops, points=_BUILD,
    ),
    "04.1": Exercise(
        _relativistic_d_loss_at_zero,
        "D_ra = sigmoid(0 - 0) = 0.5 for both terms, and each binary cross-entropy term is -log(0.5).",
        tolerance=0.001,  # the loss table prints three decimals
    ),
    "04.2": Exercise(
        lambda: _gan_psnr_drop("Set5"),
        "zoo.card('edsr', 4)['scores']['Set5']['psnr'] minus the same for 'edsr_gan'.",
        tolerance=0.015,  # the difference of two numbers printed with two decimals
    ),
    "04.3": Exercise(
        None,
        "r = real - fake.mean() and f = fake - real.mean(); the loss is mean(BCE(r, 1)) + mean(BCE(f, 0)) with "
        "BCE(x, 1) = log(1 + exp(-x)) and BCE(x, 0) = log(1 + exp(x)) (np.logaddexp(0, x) is stable).",
        test=_test_d_loss_ra, points=_BUILD,
    ),
    "04.4": Exercise(
        None,
        "[(1 - alpha) * a + alpha * b for a, b in zip(w_psnr, w_gan)]: alpha = 0 is the PSNR model, 1 the GAN.",
        test=_test_interpolate_weights, points=_BUILD,
    ),
    "05.1": Exercise(
        lambda: _drcn_receptive_field(8),
        "Each 3x3 convolution widens the receptive field by 2 pixels, starting from 1 pixel.",
    ),
    "05.2": Exercise(
        lambda: _burst_shift(7, 3),
        "The Burst has a .shifts array of shape (frames, 2), in LR pixels; frame 1 (index 0) is not shifted, "
        "so frame 4 is b.shifts[3].",
    ),
    "05.3": Exercise(
        None,
        "gx = conv_x(x) holds [z | r | n] parts of f channels each, gh = conv_h(h) holds [z | r]; "
        "z = sigmoid(gx_z + gh_z), r = sigmoid(gx_r + gh_r), n = tanh(gx_n + conv_n(r * h)), "
        "new h = (1 - z) * h + z * n.",
        test=_test_gru_step, points=_BUILD,
    ),
    "05.4": Exercise(
        None,
        "For each frame: upscale(frame / 255, s); its shift in HR pixels is round(shift * s) = (dy, dx); "
        "the upscaled pixel at p belongs at p + (dy, dx) on frame 0's grid. Add what lands inside, count "
        "how many frames reach each pixel, divide by the count (at least 1), clip to [0, 1].",
        test=_test_shift_and_add, points=_BUILD,
    ),
    "09.1": Exercise(
        lambda: _lab_zoo_best("niqe"),
        "lab.run(...) returns the table; keep the zoo models' rows and take the method with the smallest niqe.",
    ),
    "09.2": Exercise(
        lambda: _lab_zoo_best("psnr"),
        "The same table: the zoo model with the largest psnr.",
    ),
    "09.3": Exercise(
        None,
        "k = srkit.degrade.gaussian_kernel(7 / 6, 7); mu = scipy.ndimage.correlate(grey, k, mode='nearest'); "
        "sigma = sqrt(|correlate(grey**2, k, mode='nearest') - mu**2|); return (grey - mu) / (sigma + 1).",
        test=_test_mscn, points=_BUILD,
    ),
    "06.1": Exercise(
        None,
        "During the warm-up (step < warmup_steps) the rate is base_lr * step / warmup_steps; after it, with "
        "u = min(step - warmup_steps, steps - warmup_steps) / (steps - warmup_steps), it is "
        "base_lr * (0.01 + 0.99 * 0.5 * (1 + cos(pi * u))).",
        test=_test_cosine_lr, points=_BUILD,
    ),
    "06.2": Exercise(
        None,
        "Apply the same transform to both patches: np.rot90(x, k), then x[:, ::-1] if flip. Return (lr, hr).",
        test=_test_augment_pair, points=_BUILD,
    ),
    "06.3": Exercise(
        lambda: _practice_final("overfit_wide/images_1", "gain_gap_db"),
        "results['runs']['overfit_wide/images_1']['final']['gain_gap_db'], or the train gain minus the "
        "validation gain of that run.",
        tolerance=0.005,  # the table prints two decimals
    ),
    "06.4": Exercise(
        _jitter_cost,
        "The validation PSNR of 'remedies/flips (baseline)' minus that of 'remedies/colour jitter on LR'.",
        tolerance=0.005,
    ),
    "06.5": Exercise(
        lambda: _decay_factor(1e-3, 4000, 0.1),
        "With a zero gradient each step multiplies w by (1 - lr_t * weight_decay); multiply these factors over "
        "the 4000 steps, with lr_t = learning_rate_at(t, 1e-3, 4000).",
        tolerance=0.001,
    ),
    "07.1": Exercise(
        None,
        "hr.reshape(b, h // f, f, w // f, f, c).mean(axis=(2, 4)): each output pixel is the mean of one f x f "
        "block (not every f-th pixel); cast back with .astype(hr.dtype).",
        test=_test_box_target, points=_BUILD,
    ),
    "07.2": Exercise(
        None,
        "r = np.arange(size) - size // 2; xx, yy = np.meshgrid(r, -r) (y up); R = [[cos, -sin], [sin, cos]]; "
        "inv = np.linalg.inv(R @ diag(sigma_x**2, sigma_y**2) @ R.T); k = exp(-0.5 * p.inv.p) at every "
        "p = (xx, yy); return k / k.sum().",
        test=_test_aniso_kernel, points=_BUILD,
    ),
    "07.3": Exercise(
        lambda: _x8_gain("Set14"),
        "zoo.card('edsr', 8)['scores']['Set14']['psnr'] minus evaluate('bicubic', 'Set14', 8).psnr[0].",
        tolerance=0.015,  # the difference of two numbers printed with two decimals
    ),
    "07.4": Exercise(
        _lowest_niqe,
        "Section 2's table has it: the column with the smallest mean NIQE (leave out HR, which is not a method). "
        "Answer 'bicubic', 'edsr' or 'edsr_gan'.",
    ),
    "07.5": Exercise(
        lambda: _blind_advantage("noise 25"),
        "Keep the rows of condition 'noise 25' of json.load(open('../bench/blind_sr.json'))['rows'] and subtract "
        "edsr's psnr from edsr_blind's.",
        tolerance=0.015,  # the table prints two decimals
    ),
    "08.1": Exercise(
        None,
        "Start from a float64 copy of the k x k kernel; add the 1x1 kernel to its centre, kernel[k // 2, k // 2] "
        "+= kernel_1x1[0, 0]; with identity, also add np.eye(c_in, c_out) there (channel c to channel c); the "
        "bias is bias + bias_1x1. Return (kernel, bias) as float32.",
        test=_test_fuse_branches, points=_BUILD,
    ),
    "08.2": Exercise(
        None,
        "v = np.sort(np.abs(a).ravel()) (absolute values, sorted ascending), n = v.size, i = 1..n; "
        "G = sum((2 i - n - 1) v_i) / (n sum(v)); return (1 - G) * 100.",
        test=_test_diffusion_index, points=_BUILD,
    ),
    "08.3": Exercise(
        lambda: _cpu_time_ratio(2, "fsrcnn", "espcn"),
        "json.load(open('../bench/quality_cost.json'))['tables']['x2'] holds the rows; divide fsrcnn's "
        "ms_per_mp by espcn's.",
        tolerance=0.01,  # two decimals
    ),
    "08.4": Exercise(
        lambda: _zoo_receptive_field("fsrcnn", 3),
        "srkit.interpret.receptive_field(zoo.load('fsrcnn', 3)) walks the layers for you (in LR pixels: FSRCNN "
        "works on the LR image).",
    ),
    "08.5": Exercise(
        lambda: _params_saved_by_collapse(4),
        "rep_espcn(4).count_params() minus collapse(rep_espcn(4)).count_params(): each RepConv2D keeps a 1x1 "
        "kernel and a second bias that the fused kernel absorbs.",
    ),
    "08.6": Exercise(
        lambda: _efficiency_speedup("bf16"),
        "json.load(open('../bench/training_efficiency.json'))['summary']['rows'] holds each set-up's "
        "time_to_target_s; divide fp32's by bf16's.",
        tolerance=0.01,  # two decimals
    ),
    "08.7": Exercise(
        None,
        "Extend the range to hold 0: lo = min(lo, 0), hi = max(hi, 0); scale = (hi - lo) / 255; zero_point = "
        "round(-128 - lo / scale); q = clip(round(x / scale) + zero_point, -128, 127); return "
        "(q - zero_point) * scale as float32.",
        test=_test_fake_quant, points=_BUILD,
    ),
}


def _same(answer, expected, tol: float) -> bool:
    if isinstance(expected, tuple):
        try:
            a = tuple(float(v) for v in answer)
            return len(a) == len(expected) and all(math.isclose(x, float(y), abs_tol=max(tol, 1e-9))
                                                   for x, y in zip(a, expected))
        except (TypeError, ValueError):
            return False
    if isinstance(expected, str):
        return isinstance(answer, str) and answer.strip().lower() == expected.lower()
    if isinstance(answer, (str, bytes)) or callable(answer):
        return False
    try:
        a, e = float(answer), float(expected)
    except (TypeError, ValueError):
        return False
    return math.isclose(a, e, abs_tol=tol) if tol else a == e


def _exercise(key: str) -> Exercise:
    if key not in EXERCISES:
        raise KeyError(f"No exercise {key!r}; known exercises: {', '.join(EXERCISES)}.")
    return EXERCISES[key]


def _verdict(key: str, answer: Any) -> tuple[str, str]:
    """``('correct' | 'missing' | 'wrong', what differs)``."""
    ex = _exercise(key)
    if answer is None or answer is Ellipsis:
        return "missing", ""
    if ex.test is not None:
        try:
            ex.test(answer)
        except NotYet as err:
            return "missing", str(err)
        except Wrong as err:
            return "wrong", f": {err}"
        return "correct", ""
    if _same(answer, ex.expected(), ex.tolerance):
        return "correct", ""
    advice = ex.advice(answer) if ex.advice else None
    return "wrong", f" ({answer!r:.80})." + (f" {advice}" if advice else "")


def feedback(key: str, answer: Any) -> str:
    """The feedback :func:`check` prints for ``answer`` to exercise ``key``: whether it is right, not
    answered yet, or what differs from the kit's answer, with a hint."""
    status, detail = _verdict(key, answer)
    if status == "correct":
        return f"Exercise {key}: correct."
    if status == "missing":
        if detail:
            return f"Exercise {key}: not answered yet: {detail}. Then run the cell again."
        return f"Exercise {key}: not answered yet. Write your answer in place of None and run the cell again."
    return f"Exercise {key}: not yet{detail} Hint: {_exercise(key).hint}"


def is_correct(key: str, answer: Any) -> bool:
    """Whether ``answer`` solves exercise ``key`` (the expected value is computed, or the answer run, now)."""
    return _verdict(key, answer)[0] == "correct"


def _grading() -> bool:
    return os.environ.get("NBGRADER_EXECUTION", "").lower() in ("autograde", "validate")


def check(key: str, answer: Any) -> None:
    """Check the answer to exercise ``key`` (e.g. ``'01.2'``): a value, or the function or model the
    exercise asks for, which is run next to the kit's own.  Prints feedback or a hint and never raises
    on a wrong answer, except under nbgrader's autograder, where a wrong or missing answer raises
    ``AssertionError`` (so the grade cell earns no points)."""
    text = feedback(key, answer)
    print(text)
    if _grading() and not text.endswith(": correct."):
        raise AssertionError(text)


def solutions_folder() -> Path | None:
    """The folder of worked solutions of this copy of the course, or ``None`` when it has none.

    ``SRKIT_SOLUTIONS`` names it when set; otherwise ``solutions/`` in the current folder (the notebooks'
    folder, where Jupyter runs them) or ``notebooks/solutions/`` (from the repository root).
    """
    env = os.environ.get(SOLUTIONS_ENV)
    candidates = [Path(env)] if env else [Path.cwd() / "solutions", Path.cwd() / "notebooks" / "solutions"]
    for folder in candidates:
        if folder.is_dir() and any(folder.glob("[0-9][0-9].*.py")):
            return folder
    return None


def solution(key: str) -> None:
    """Print a worked solution of exercise ``key`` (code that sets ``answer``), if this copy of the course
    has the solutions; otherwise say that it has none."""
    _exercise(key)
    folder = solutions_folder()
    path = folder / f"{key}.py" if folder else None
    if path is None or not path.is_file():
        print(f"Exercise {key}: worked solutions are not part of this copy of the course. "
              "Ask your teacher for one.")
        return
    print(f"Exercise {key}, a worked solution:\n\n{path.read_text().strip()}")
