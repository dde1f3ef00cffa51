"""Every exercise's worked solution, run as printed, is accepted; wrong or missing answers get feedback, not errors."""

import math

import pytest

from srkit.exercises import EXERCISES, check, is_correct, solution


def _run_solution(key: str):
    """Execute the solution code of ``key`` in a fresh namespace (as a student pasting it would) and
    return the ``answer`` it sets."""
    namespace: dict = {}
    exec(compile(EXERCISES[key].solution, f"<solution {key}>", "exec"), namespace)
    assert "answer" in namespace, f"solution of {key} does not set `answer`"
    return namespace["answer"]


def _wrong(answer):
    """An answer that must be rejected: off by one unit, another name, another tuple."""
    if isinstance(answer, str):
        return answer + "_not"
    if isinstance(answer, tuple):
        return tuple(float(v) + 1.0 for v in answer)
    return float(answer) + 1.0


@pytest.mark.parametrize("key", sorted(EXERCISES))
def test_every_solution_passes_its_check(key, capsys):
    answer = _run_solution(key)
    assert is_correct(key, answer), f"the worked solution of {key} gives {answer!r}, which its check rejects"
    assert not is_correct(key, _wrong(answer))
    check(key, answer)
    assert capsys.readouterr().out.strip() == f"Exercise {key}: correct."


def test_solution_prints_the_code_it_runs(capsys):
    for key in EXERCISES:
        solution(key)
        assert EXERCISES[key].solution in capsys.readouterr().out


def test_chapter_exercises_accept_their_solutions():
    from srkit.burst import make_burst
    from srkit.data import load_benchmark

    assert is_correct("04.1", 2 * math.log(2))
    assert not is_correct("04.1", 1.0)
    assert is_correct("05.1", 21) and not is_correct("05.1", 19)
    b = make_burst(load_benchmark("Set14", 4)[0].hr, 4, 5, seed=7)
    assert is_correct("05.2", tuple(b.shifts[3]))
    assert not is_correct("05.2", (9.0, 9.0)) and not is_correct("05.2", "left")


def test_gan_exercise_uses_the_cards():
    from srkit import zoo

    drop = zoo.card("edsr", 4)["scores"]["Set5"]["psnr"] - zoo.card("edsr_gan", 4)["scores"]["Set5"]["psnr"]
    assert is_correct("04.2", drop) and not is_correct("04.2", drop + 0.5)


def test_feedback_never_raises(capsys):
    for key in EXERCISES:
        check(key, None)
        check(key, ...)
        check(key, object())
        solution(key)
    out = capsys.readouterr().out
    assert out.count("not answered yet") == 2 * len(EXERCISES)
    assert out.count("Hint:") == len(EXERCISES)
    with pytest.raises(KeyError, match="No exercise"):
        check("99.9", 1)
