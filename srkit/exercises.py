"""Exercises at the end of each notebook, and the checks that tell the student how they did.

In a notebook::

    answer = ...            # the student's work
    check("01.1", answer)   # prints whether it is right, or a hint

The expected value is *computed* by srkit when ``check`` runs (nothing is hard-coded), so the checks
stay true when the data or the protocol is changed on purpose.  ``check`` never raises on a wrong
answer: it prints feedback (``is_correct`` returns it as a bool), so a notebook with unanswered exercises still
runs top to bottom.  ``solution(key)`` prints a worked solution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

__all__ = ["check", "is_correct", "solution", "EXERCISES"]


@dataclass(frozen=True)
class Exercise:
    question: str
    expected: Callable[[], Any]
    hint: str
    solution: str
    tolerance: float = 0.0


def _mean_psnr(dataset: str, scale: int, method: str = "bicubic", crop: bool = True) -> float:
    from .data import load_benchmark
    from .degrade import upscale
    from .metrics import psnr

    pairs = load_benchmark(dataset, scale)
    vals = [psnr(upscale(p.lr, scale, method), p.hr, scale if crop else 0) for p in pairs]
    return sum(vals) / len(vals)


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
    import numpy as np

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
    import numpy as np

    from .models import PixelShuffle

    return tuple(int(v) for v in PixelShuffle(3)(np.zeros((1, 5, 7, 18), np.float32)).shape)


def _best_zoo(dataset: str, scale: int) -> str:
    from . import zoo

    scores = {n: zoo.card(n, s)["scores"][dataset]["psnr"] for n, s in zoo.available()
              if s == scale and zoo.card(n, s).get("input_kind", "single image") != "burst"}  # bursts: other protocol
    return max(scores, key=scores.get)


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


EXERCISES: dict[str, Exercise] = {
    "00.1": Exercise(
        "How many pixels does the x4 low-resolution input of Set5 'butterfly' have?",
        lambda: _lr_pixels("butterfly", 4),
        "Load it with srkit.data.load_benchmark('Set5', 4) and multiply the LR height by its width.",
        "pair = [p for p in srkit.data.load_benchmark('Set5', 4) if p.name == 'butterfly'][0]\n"
        "answer = pair.lr.shape[0] * pair.lr.shape[1]",
    ),
    "00.2": Exercise(
        "Of nearest, bilinear and bicubic, which gives the highest PSNR on Set5 'baby' at x3? "
        "(answer with the method's name)",
        _best_interpolation_on_baby,
        "Build a CompareState with the three upscaled images and HR as reference, then call .best().",
        "state = CompareState({m: upscale(pair.lr, 3, m) for m in ('nearest', 'bilinear', 'bicubic')} | "
        "{'HR': pair.hr}, reference='HR', crop_border=3)\nanswer = state.best()",
    ),
    "01.1": Exercise(
        "What is the Y value (BT.601 studio swing, 0-255 scale) of pure red (255, 0, 0)?",
        lambda: _y_of((255, 0, 0)),
        "Y = 16 + 65.481 R + 128.553 G + 24.966 B with R, G, B in [0, 1].",
        "answer = 16 + 65.481 * 1.0   # or srkit.metrics.to_y_channel(np.array([[[255, 0, 0]]], np.uint8))",
        tolerance=1e-6,
    ),
    "01.2": Exercise(
        "Average PSNR (dB) of nearest-neighbour upscaling on Set5 at x4, with the paper protocol.",
        lambda: _mean_psnr("Set5", 4, "nearest"),
        "evaluate('nearest', 'Set5', 4) does it; check that the border shave and Y channel are used.",
        "answer = srkit.evaluate.evaluate('nearest', 'Set5', 4).psnr[0]",
        tolerance=0.01,
    ),
    "01.3": Exercise(
        "By how many dB does bicubic's Set14 x4 PSNR change if you forget the border shave? "
        "(no-shave PSNR minus paper PSNR; it can be negative)",
        lambda: _mean_psnr("Set14", 4, crop=False) - _mean_psnr("Set14", 4),
        "Average psnr(upscale(p.lr, 4), p.hr, crop_border=0) over Set14, minus the paper-protocol average.",
        "pairs = load_benchmark('Set14', 4)\n"
        "answer = mean(psnr(upscale(p.lr, 4), p.hr, 0) for p in pairs) - "
        "mean(psnr(upscale(p.lr, 4), p.hr, 4) for p in pairs)",
        tolerance=0.005,
    ),
    "02.1": Exercise(
        "How many parameters (weights and biases) does SRCNN 9-5-5 with 64 and 32 filters on one channel have?",
        _srcnn_params,
        "Each conv layer has k*k*c_in*c_out weights plus c_out biases: 9*9*1*64+64, 5*5*64*32+32, 5*5*32*1+1.",
        "answer = 9*9*1*64 + 64 + 5*5*64*32 + 32 + 5*5*32*1 + 1   # or srkit.models.srcnn().count_params()",
    ),
    "02.2": Exercise(
        "By how many dB does the pretrained SRCNN x3 beat bicubic on Set5 (from its card and evaluate)?",
        lambda: _zoo_gain("srcnn", "Set5", 3),
        "zoo.card('srcnn', 3)['scores']['Set5']['psnr'] minus evaluate('bicubic', 'Set5', 3).psnr[0].",
        "answer = zoo.card('srcnn', 3)['scores']['Set5']['psnr'] - evaluate('bicubic', 'Set5', 3).psnr[0]",
        tolerance=0.01,
    ),
    "03.1": Exercise(
        "What is the output shape of PixelShuffle(3) applied to a tensor of shape (1, 5, 7, 18)? (a tuple)",
        _shuffle_shape,
        "Each group of 3*3 = 9 channels becomes a 3x3 block of pixels: height and width grow 3 times, "
        "channels shrink 9 times.",
        "answer = (1, 15, 21, 2)",
    ),
    "03.2": Exercise(
        "Which zoo model has the highest Set14 PSNR at x4? (its name)",
        lambda: _best_zoo("Set14", 4),
        "zoo.results_table() has every score; filter dataset == 'Set14' and scale == 4.",
        "t = zoo.results_table(); t = t[(t.dataset == 'Set14') & (t.scale == 4) & (t.input == 'single image')]\n"
        "answer = t.sort_values('psnr').model.iloc[-1]",
    ),
    "04.1": Exercise(
        "What is the relativistic discriminator loss when D outputs the logit 0 for every real and every fake "
        "image (D cannot tell them apart)?",
        _relativistic_d_loss_at_zero,
        "D_ra = sigmoid(0 - 0) = 0.5 for both terms, and each binary cross-entropy term is -log(0.5).",
        "answer = 2 * math.log(2)   # = -log(0.5) - log(1 - 0.5), about 1.386",
        tolerance=1e-4,
    ),
    "04.2": Exercise(
        "How many dB of Set5 PSNR does the pretrained GAN (edsr_gan x4) give up against the PSNR generator it "
        "started from (edsr x4)? Use the zoo cards.",
        lambda: _gan_psnr_drop("Set5"),
        "zoo.card('edsr', 4)['scores']['Set5']['psnr'] minus the same for 'edsr_gan'.",
        "answer = zoo.card('edsr', 4)['scores']['Set5']['psnr'] - zoo.card('edsr_gan', 4)['scores']['Set5']['psnr']",
        tolerance=0.01,
    ),
    "05.1": Exercise(
        "What is the receptive field (in pixels, one side) of the kit's DRCN with 8 recursions? All its "
        "convolutions are 3x3: one embedding, the shared one applied 8 times, one reconstruction.",
        lambda: _drcn_receptive_field(8),
        "Each 3x3 convolution widens the receptive field by 2 pixels, starting from 1 pixel.",
        "answer = 1 + 2 * (1 + 8 + 1)   # = 21",
    ),
    "05.2": Exercise(
        "make_burst(load_benchmark('Set14', 4)[0].hr, 4, 5, seed=7): by how much (dy, dx), in LR pixels, is "
        "frame 3 shifted against frame 0? (a tuple)",
        lambda: _burst_shift(7, 3),
        "The Burst has a .shifts array of shape (frames, 2).",
        "b = make_burst(load_benchmark('Set14', 4)[0].hr, 4, 5, seed=7)\nanswer = tuple(b.shifts[3])",
    ),
}


def _same(answer, expected, tol: float) -> bool:
    if isinstance(expected, tuple):
        try:
            a = tuple(float(v) for v in answer)
            return len(a) == len(expected) and all(math.isclose(x, float(y), abs_tol=1e-9) for x, y in zip(a, expected))
        except (TypeError, ValueError):
            return False
    if isinstance(expected, str):
        return isinstance(answer, str) and answer.strip().lower() == expected.lower()
    try:
        a, e = float(answer), float(expected)
    except (TypeError, ValueError):
        return False
    return math.isclose(a, e, abs_tol=tol) if tol else a == e


def _exercise(key: str) -> Exercise:
    if key not in EXERCISES:
        raise KeyError(f"No exercise {key!r}; known exercises: {', '.join(EXERCISES)}.")
    return EXERCISES[key]


def is_correct(key: str, answer: Any) -> bool:
    """Whether ``answer`` solves exercise ``key`` (the expected value is computed now)."""
    ex = _exercise(key)
    return answer is not None and answer is not Ellipsis and _same(answer, ex.expected(), ex.tolerance)


def check(key: str, answer: Any) -> None:
    """Check the answer to exercise ``key`` (e.g. ``'01.2'``) and print feedback or a hint."""
    ex = _exercise(key)
    if answer is None or answer is Ellipsis:
        print(f"Exercise {key}: not answered yet. {ex.question}")
    elif is_correct(key, answer):
        print(f"Exercise {key}: correct.")
    else:
        print(f"Exercise {key}: not yet ({answer!r}). Hint: {ex.hint}")


def solution(key: str) -> None:
    """Print a worked solution of exercise ``key``."""
    ex = _exercise(key)
    print(f"Exercise {key}: {ex.question}\n\n{ex.solution}")
