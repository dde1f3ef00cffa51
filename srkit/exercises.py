"""The checks behind the exercises at the end of each notebook.

The question of an exercise is written in its notebook (a Markdown cell "**Exercise 01.2.** ..."); this
module keeps what checking it needs: the expected answer (a function), the tolerance, a hint and a worked
solution.  In a notebook::

    answer = ...            # the student's work
    check("01.2", answer)   # prints whether it is right, or a hint

The expected value is *computed* by srkit when ``check`` runs (nothing is hard-coded), so the checks
stay true when the data or the protocol is changed on purpose.  ``check`` never raises on a wrong
answer: it prints feedback (``is_correct`` returns it as a bool), so a notebook with unanswered exercises still
runs top to bottom.  ``solution(key)`` prints a worked solution: self-contained code that sets ``answer``.

To add an exercise: write its question in the notebook, followed by a code cell ending in
``check("NN.k", answer_k)``, and add an ``Exercise`` under the key ``"NN.k"`` below.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

__all__ = ["check", "is_correct", "solution", "EXERCISES"]


@dataclass(frozen=True)
class Exercise:
    """What checking one exercise needs (its question is in the notebook).

    Attributes:
        expected: computes the right answer when called.
        hint: printed after a wrong answer.
        solution: self-contained code that assigns the right answer to ``answer``.
        tolerance: absolute tolerance for numeric answers (0: exact).
    """

    expected: Callable[[], Any]
    hint: str
    solution: str
    tolerance: float = 0.0


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
        lambda: _lr_pixels("butterfly", 4),
        "Load it with srkit.data.load_benchmark('Set5', 4) and multiply the LR height by its width.",
        "from srkit.data import load_benchmark\n\n"
        "pair = next(p for p in load_benchmark('Set5', 4) if p.name == 'butterfly')\n"
        "answer = pair.lr.shape[0] * pair.lr.shape[1]",
    ),
    "00.2": Exercise(
        _best_interpolation_on_baby,
        "Build a CompareState with the three upscaled images and HR as reference, then call .best().",
        "from srkit.data import load_benchmark\n"
        "from srkit.degrade import upscale\n"
        "from srkit.widgets import CompareState\n\n"
        "pair = next(p for p in load_benchmark('Set5', 3) if p.name == 'baby')\n"
        "images = {m: upscale(pair.lr, 3, m) for m in ('nearest', 'bilinear', 'bicubic')}\n"
        "state = CompareState(images | {'HR': pair.hr}, reference='HR', crop_border=3)\n"
        "answer = state.best()",
    ),
    "01.1": Exercise(
        lambda: _y_of((255, 0, 0)),
        "Y = 16 + 65.481 R + 128.553 G + 24.966 B with R, G, B in [0, 1].",
        "answer = 16 + 65.481 * 1.0 + 128.553 * 0.0 + 24.966 * 0.0   # R = 1, G = B = 0\n"
        "# or: srkit.metrics.to_y_channel(np.array([[[255, 0, 0]]], np.uint8))[0, 0]",
        tolerance=1e-6,
    ),
    "01.2": Exercise(
        lambda: _mean_psnr("Set5", 4, "nearest"),
        "evaluate('nearest', 'Set5', 4) does it; check that the border shave and Y channel are used.",
        "from srkit.evaluate import evaluate\n\n"
        "answer = evaluate('nearest', 'Set5', 4).psnr[0]",
        tolerance=0.01,
    ),
    "01.3": Exercise(
        lambda: _mean_psnr("Set14", 4, crop=False) - _mean_psnr("Set14", 4),
        "Average psnr(upscale(p.lr, 4), p.hr, crop_border=0) over Set14, minus the paper-protocol average.",
        "from statistics import mean\n\n"
        "from srkit.data import load_benchmark\n"
        "from srkit.degrade import upscale\n"
        "from srkit.metrics import psnr\n\n"
        "pairs = load_benchmark('Set14', 4)\n"
        "no_shave = mean(psnr(upscale(p.lr, 4), p.hr, 0) for p in pairs)\n"
        "paper = mean(psnr(upscale(p.lr, 4), p.hr, 4) for p in pairs)\n"
        "answer = no_shave - paper",
        tolerance=0.005,
    ),
    "02.1": Exercise(
        _srcnn_params,
        "Each conv layer has k*k*c_in*c_out weights plus c_out biases: 9*9*1*64+64, 5*5*64*32+32, 5*5*32*1+1.",
        "# each layer: k*k*c_in*c_out weights plus c_out biases\n"
        "answer = (9*9*1*64 + 64) + (5*5*64*32 + 32) + (5*5*32*1 + 1)   # or srkit.models.srcnn().count_params()",
    ),
    "02.2": Exercise(
        lambda: _zoo_gain("srcnn", "Set5", 3),
        "zoo.card('srcnn', 3)['scores']['Set5']['psnr'] minus evaluate('bicubic', 'Set5', 3).psnr[0].",
        "from srkit import zoo\n"
        "from srkit.evaluate import evaluate\n\n"
        "answer = zoo.card('srcnn', 3)['scores']['Set5']['psnr'] - evaluate('bicubic', 'Set5', 3).psnr[0]",
        tolerance=0.01,
    ),
    "03.1": Exercise(
        _shuffle_shape,
        "Each group of 3*3 = 9 channels becomes a 3x3 block of pixels: height and width grow 3 times, "
        "channels shrink 9 times.",
        "answer = (1, 5 * 3, 7 * 3, 18 // (3 * 3))   # = (1, 15, 21, 2)",
    ),
    "03.2": Exercise(
        lambda: _best_zoo("Set14", 4),
        "zoo.results_table() has every score; keep dataset == 'Set14', scale == 4 and input == 'single image'.",
        "from srkit import zoo\n\n"
        "t = zoo.results_table()\n"
        "t = t[(t.dataset == 'Set14') & (t.scale == 4) & (t.input == 'single image')]\n"
        "answer = t.sort_values('psnr').model.iloc[-1]",
    ),
    "04.1": Exercise(
        _relativistic_d_loss_at_zero,
        "D_ra = sigmoid(0 - 0) = 0.5 for both terms, and each binary cross-entropy term is -log(0.5).",
        "import math\n\n"
        "answer = 2 * math.log(2)   # = -log(0.5) - log(1 - 0.5), about 1.386",
        tolerance=1e-4,
    ),
    "04.2": Exercise(
        lambda: _gan_psnr_drop("Set5"),
        "zoo.card('edsr', 4)['scores']['Set5']['psnr'] minus the same for 'edsr_gan'.",
        "from srkit import zoo\n\n"
        "answer = zoo.card('edsr', 4)['scores']['Set5']['psnr'] - zoo.card('edsr_gan', 4)['scores']['Set5']['psnr']",
        tolerance=0.01,
    ),
    "05.1": Exercise(
        lambda: _drcn_receptive_field(8),
        "Each 3x3 convolution widens the receptive field by 2 pixels, starting from 1 pixel.",
        "answer = 1 + 2 * (1 + 8 + 1)   # = 21",
    ),
    "05.2": Exercise(
        lambda: _burst_shift(7, 3),
        "The Burst has a .shifts array of shape (frames, 2), in LR pixels; frame 0 is not shifted.",
        "from srkit.burst import make_burst\n"
        "from srkit.data import load_benchmark\n\n"
        "b = make_burst(load_benchmark('Set14', 4)[0].hr, 4, 5, seed=7)\n"
        "answer = tuple(b.shifts[3] - b.shifts[0])",
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
        print(f"Exercise {key}: not answered yet. Write your answer in place of None and run the cell again.")
    elif is_correct(key, answer):
        print(f"Exercise {key}: correct.")
    else:
        print(f"Exercise {key}: not yet ({answer!r}). Hint: {ex.hint}")


def solution(key: str) -> None:
    """Print a worked solution of exercise ``key``."""
    ex = _exercise(key)
    print(f"Exercise {key}, a worked solution:\n\n{ex.solution}")
