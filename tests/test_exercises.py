"""Every exercise's worked solution is accepted, and wrong or missing answers get feedback, not errors."""

import math

import pytest

from srkit.exercises import EXERCISES, check, is_correct, solution


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
        solution(key)
    out = capsys.readouterr().out
    assert out.count("not answered yet") == len(EXERCISES)
    with pytest.raises(KeyError, match="No exercise"):
        check("99.9", 1)
