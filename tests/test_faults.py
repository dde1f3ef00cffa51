"""Faults: a full disk under every writer (images, JSON results, training checkpoints and state), writing over
the input, and training runs killed with SIGKILL at random instants.  The old file always survives, the
error says what happened, and a killed run resumes to exactly the weights of an uninterrupted one."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from srkit.cli import main
from srkit.io import read_image, save_image


@pytest.fixture(autouse=True)
def _repo_data(monkeypatch):
    monkeypatch.delenv("SRKIT_DATA", raising=False)


# --------------------------------------------------------------------------------------------------
# A full disk: a small tmpfs, filled up
# --------------------------------------------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path):
    """A 24 MB tmpfs (needs root and permission to mount; skipped otherwise)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mnt)], capture_output=True,
                              text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        pytest.skip(f"cannot mount a tmpfs to fill up ({e}); these tests need root in a container that allows mount")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs to fill up ({done.stderr.strip()}); these tests need root and mount rights")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True, timeout=30)


def fill(disk: Path) -> Path:
    """Fill ``disk`` to the last byte; returns the filler file (delete it to free the space)."""
    filler = disk / "filler.bin"
    block = b"\0" * (1 << 16)
    with open(filler, "ab", buffering=0) as f:
        for size in (1 << 16, 4096, 512, 1):
            try:
                while True:
                    f.write(block[:size])
            except OSError as e:
                assert e.errno == 28, e
    return filler


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name)


@pytest.mark.parametrize("name, shape", [("small.png", (40, 60, 3)), ("photo.jpg", (40, 60, 3)),
                                         ("large.png", (4100, 4000))])  # the last is written row by row
def test_image_writes_on_a_full_disk_keep_the_old_file(small_disk, name, shape):
    target = small_disk / name
    save_image(target, np.zeros((8, 8, 3), np.uint8))
    before = target.read_bytes()
    filler = fill(small_disk)
    noise = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    with pytest.raises(OSError) as e:
        save_image(target, noise)
    assert e.value.errno == 28
    assert f"Could not write {target}: No space left on device. The file that was there is unchanged." in str(e.value)
    assert target.read_bytes() == before and _leftovers(small_disk) == []
    filler.unlink()
    save_image(target, noise)  # with space again, the same call works
    assert read_image(target).shape[:2] == shape[:2]


@pytest.mark.parametrize("command", [["degrade", "--scale", "2"], ["upscale", "--model", "bicubic", "--scale", "2"]])
def test_commands_on_a_full_disk_exit_with_a_clear_error(small_disk, tmp_path, capsys, command):
    src = save_image(tmp_path / "in.png", np.random.default_rng(1).integers(0, 256, (64, 48, 3), dtype=np.uint8))
    out = small_disk / "out.png"
    save_image(out, np.zeros((4, 4, 3), np.uint8))
    before = out.read_bytes()
    fill(small_disk)
    assert main([command[0], str(src), str(out), *command[1:]]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"srkit {command[0]}: error: [Errno 28] Could not write {out}: No space left on device.")
    assert "Free some space" in err and "Traceback" not in err
    assert out.read_bytes() == before and _leftovers(small_disk) == []


def test_evaluate_json_on_a_full_disk_keeps_the_old_results(small_disk, capsys):
    target = small_disk / "results.json"
    assert main(["evaluate", "bicubic", "--data", "Set5", "--scale", "2", "--limit", "1", "--json", str(target)]) == 0
    before = target.read_text()
    assert json.loads(before)[0]["images"] == 1
    fill(small_disk)
    capsys.readouterr()
    assert main(["evaluate", "bicubic", "--data", "Set5", "--scale", "3", "--limit", "1", "--json", str(target)]) == 2
    err = capsys.readouterr().err
    assert f"Could not write {target}: No space left on device. The file that was there is unchanged." in err
    assert target.read_text() == before and _leftovers(small_disk) == []


def _tiny(**kw):
    from srkit.train import TrainConfig

    base = dict(model="espcn", scale=2, steps=30, eval_every=10, val_limit=1, limit=3, batch_size=8)
    base.update(kw)
    return TrainConfig(**base)


def _weights(path: Path):
    from srkit.models import load_model

    return load_model(path).get_weights()


def _assert_same_weights(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


@pytest.mark.slow
@pytest.mark.parametrize("where", ["checkpoint", "state.json"])
def test_training_on_a_full_disk_keeps_the_last_checkpoint_and_resumes_exactly(small_disk, tmp_path, monkeypatch,
                                                                               where):
    from srkit.train import RunFolder, train

    reference = train(_tiny(), out_dir=tmp_path / "reference", verbose=0)
    run = small_disk / "run"
    real_save, real_json = RunFolder.save, RunFolder._write_json
    filled = []

    def save(self, networks, epoch, step, history):
        if where == "checkpoint" and epoch == 2:
            filled.append(fill(small_disk))
        real_save(self, networks, epoch, step, history)

    def write_json(self, name, data):
        if where == "state.json" and name == "state.json" and data["epoch"] == 2:
            filled.append(fill(small_disk))
        real_json(self, name, data)

    monkeypatch.setattr(RunFolder, "save", save)
    monkeypatch.setattr(RunFolder, "_write_json", write_json)
    with pytest.raises(OSError) as e:
        train(_tiny(), out_dir=run, verbose=0)
    assert e.value.errno == 28
    state = json.loads((run / "state.json").read_text())  # still whole, still naming epoch 1's checkpoint
    assert (state["epoch"], state["step"]) == (1, 10) and (run / state["checkpoints"]["checkpoint"]).exists()
    monkeypatch.setattr(RunFolder, "save", real_save)
    monkeypatch.setattr(RunFolder, "_write_json", real_json)
    assert list(run.glob("*.tmp*")) == []  # the failed write removed its temporary file
    filled[0].unlink()
    resumed = train(_tiny(), out_dir=run, verbose=0)
    assert [h["step"] for h in resumed.history] == [10, 20, 30]
    _assert_same_weights(resumed.model.get_weights(), reference.model.get_weights())


# --------------------------------------------------------------------------------------------------
# Writing over the input
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", [["degrade", "--scale", "2"], ["upscale", "--model", "bicubic", "--scale", "2"]])
@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_a_link_to_the_input_is_the_input(tmp_path, capsys, command, link):
    src = save_image(tmp_path / "photo.png", np.random.default_rng(0).integers(0, 256, (24, 30, 3), dtype=np.uint8))
    before = src.read_bytes()
    other = tmp_path / "alias.png"
    (other.symlink_to if link == "symlink" else other.hardlink_to)(src)
    assert main([command[0], str(src), str(other), *command[1:]]) == 2
    assert "is the input image" in capsys.readouterr().err and src.read_bytes() == before


@pytest.mark.parametrize("command", [["degrade", "--scale", "2"], ["upscale", "--model", "bicubic", "--scale", "2"]])
def test_overwriting_the_input_is_atomic(small_disk, capsys, command):
    """With --overwrite and a full disk, the input is left whole (the result goes to a temporary file first)."""
    src = save_image(small_disk / "photo.png", np.random.default_rng(0).integers(0, 256, (40, 40, 3), dtype=np.uint8))
    before = src.read_bytes()
    fill(small_disk)
    assert main([command[0], str(src), str(src), *command[1:], "--overwrite"]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert src.read_bytes() == before and _leftovers(small_disk) == []


# --------------------------------------------------------------------------------------------------
# SIGKILL during training
# --------------------------------------------------------------------------------------------------
TRAIN = ["train", "espcn", "--scale", "2", "--steps", "30", "--eval-every", "10", "--limit", "3", "--batch-size", "8",
         "--val-limit", "1", "--quiet"]

# Runs `srkit ARGS`; with SRKIT_KILL_AT_STATE=N it kills itself (SIGKILL) after epoch N's checkpoint is on disk
# and before the state.json that names it is written.
DRIVER = """
import os, signal, sys
at = os.environ.get("SRKIT_KILL_AT_STATE")
if at:
    from srkit.train import RunFolder
    real = RunFolder._write_json
    def write_json(self, name, data):
        if name == "state.json" and data["epoch"] == int(at):
            os.kill(os.getpid(), signal.SIGKILL)
        real(self, name, data)
    RunFolder._write_json = write_json
from srkit.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _start(out: Path, **env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", DRIVER, *TRAIN, "--out", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env={**os.environ, **env})


def _finish(out: Path) -> str:
    proc = _start(out)
    text, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0, text[-3000:]
    return text


def _saved_step(out: Path) -> int:
    state = out / "state.json"
    return json.loads(state.read_text())["step"] if state.exists() else 0


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory):
    """An uninterrupted run, and its timing: seconds from config.json to the first checkpoint (step 10) and
    from there to the last (step 30)."""
    out = tmp_path_factory.mktemp("reference") / "run"
    proc = _start(out)
    while proc.poll() is None and not (out / "config.json").exists():
        time.sleep(0.02)
    t0 = time.monotonic()
    seen = {}
    while proc.poll() is None:
        try:
            step = _saved_step(out)
        except (ValueError, OSError):  # caught mid-rename
            step = None
        if step and step not in seen:
            seen[step] = time.monotonic()
        time.sleep(0.02)
    text, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0, text[-3000:]
    first = seen.get(10, seen.get(20, time.monotonic()))
    return out, first - t0, max(seen.values(), default=first) - first


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_run_killed_at_a_random_instant_resumes_to_the_same_weights(reference_run, tmp_path, seed):
    """Even seeds: a random instant between the start of training and its last checkpoint; odd seeds: between
    the first checkpoint and the last.  (On a busy machine a run may end before its instant comes: then it is
    tried again with half the delay.)"""
    ref, to_first, between = reference_run
    out = tmp_path / "run"
    after = out / ("config.json" if seed % 2 == 0 else "state.json")
    delay = np.random.default_rng(seed).uniform(0.0, (to_first + between) if seed % 2 == 0 else between)
    for _ in range(4):
        shutil.rmtree(out, ignore_errors=True)
        proc = _start(out)
        while proc.poll() is None and not after.exists():
            time.sleep(0.02)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        if proc.returncode == -signal.SIGKILL:
            break
        delay /= 2
    assert proc.returncode == -signal.SIGKILL, "every run finished before it could be killed"
    killed_at = _saved_step(out)
    assert killed_at in (0, 10, 20, 30)  # state.json names a complete checkpoint, or is not there yet
    if killed_at:
        state = json.loads((out / "state.json").read_text())
        assert (out / state["checkpoints"]["checkpoint"]).exists()
    print(f"seed {seed}: killed with step {killed_at} saved")
    text = _finish(out)
    assert "espcn x2: 30 steps" in text
    state = json.loads((out / "state.json").read_text())
    assert [h["step"] for h in state["history"]] == [10, 20, 30]
    _assert_same_weights(_weights(out / "model.keras"), _weights(ref / "model.keras"))


@pytest.mark.slow
def test_a_run_killed_between_checkpoint_and_state_resumes_from_the_previous_epoch(reference_run, tmp_path):
    ref = reference_run[0]
    out = tmp_path / "run"
    proc = _start(out, SRKIT_KILL_AT_STATE="2")
    proc.communicate(timeout=600)
    assert proc.returncode == -signal.SIGKILL
    assert _saved_step(out) == 10 and (out / "checkpoint-e000002.keras").exists()  # written, but not named
    _finish(out)
    assert sorted(p.name for p in out.glob("checkpoint*")) == ["checkpoint-e000003.keras"]
    _assert_same_weights(_weights(out / "model.keras"), _weights(ref / "model.keras"))
