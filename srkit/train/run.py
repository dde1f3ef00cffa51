"""A training run on disk: its configuration, its state and its checkpoints, written so that a run killed
at any instant loses at most one epoch and resumes exactly.

A run folder holds ``config.json`` (what defines the run), one checkpoint per network and epoch,
``NAME-eNNNNNN.keras`` (with its optimizer state), ``state.json`` (epoch, step, the per-epoch history and
the names of that epoch's checkpoint files) and, when training ends, ``model.keras`` (the network to use).

Crash consistency: every file is written under a temporary name and renamed into place; an epoch's
checkpoints are written *before* the ``state.json`` that names them, and the previous epoch's files are
deleted only after it.  So ``state.json`` always names a complete set of files: a kill before its rename
resumes from the previous epoch, a kill after it from the new one.  Resuming refuses a folder whose
``config.json`` differs from the new run's, and names the file and what to do when one is damaged.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..errors import SrkitError
from ..models import load_model

__all__ = ["RunFolder"]


class RunFolder:
    """The files of one training run (or none at all, with ``path=None``: nothing kept, no resume).

    Args:
        path: the folder (created if needed) or ``None``.
        config: the run's configuration as JSON-able dict (compared on resume).
        checkpoints: names of the networks checkpointed each epoch (``checkpoint`` for supervised
            training, ``generator`` and ``discriminator`` for a GAN).
        what: how errors name the run (``"run"``, ``"GAN run"``).
    """

    def __init__(self, path: str | os.PathLike | None, config: dict, checkpoints=("checkpoint",), what: str = "run"):
        self.path = Path(path) if path is not None else None
        self.config, self.checkpoints, self.what = config, tuple(checkpoints), what

    def _file(self, name: str) -> Path:
        return self.path / name

    def open(self, resume: bool = True) -> tuple[int, list[dict], dict | None]:
        """Prepare the folder; returns ``(epochs done, history, {name: network} or None)``.

        With ``resume`` and a ``state.json``, the networks it names are loaded (``safe_mode=True``,
        optimizer state included) and training continues where it stopped.
        """
        if self.path is None:
            return 0, [], None
        self.path.mkdir(parents=True, exist_ok=True)
        saved = self._file("config.json")
        state_file = self._file("state.json")
        found = None
        epoch, history = 0, []
        if resume and state_file.exists():
            old = self._read_json(saved) if saved.exists() else None
            if old is not None and old != self.config:
                raise SrkitError(
                    f"{self.path} holds a {self.what} with a different configuration; use another out_dir or "
                    f"resume=False.\nsaved: {old}\nnow:   {self.config}"
                )
            state = self._read_json(state_file)
            try:
                epoch, history = int(state["epoch"]), list(state["history"])
                files = {name: self._file(state["checkpoints"][name]) for name in self.checkpoints}
            except (KeyError, TypeError, ValueError) as e:
                raise SrkitError(f"{state_file} is not a state file of this kind of run (missing {e}); delete the "
                                 "run folder or pass resume=False to start afresh.") from e
            missing = [str(f) for f in files.values() if not f.exists()]
            if missing:
                raise SrkitError(f"{state_file} names checkpoint files that are not there ({', '.join(missing)}); "
                                 "the run folder was changed by hand. Delete it or pass resume=False.")
            found = {name: self._load(f, name) for name, f in files.items()}
        self._write_json("config.json", self.config)
        return epoch, history, found

    def _read_json(self, path: Path):
        try:
            return json.loads(path.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise SrkitError(f"Could not read {path} ({e}); the run folder is damaged. Delete it or pass "
                             "resume=False to start afresh.") from e

    def _load(self, path: Path, name: str):
        try:
            return load_model(path)
        except Exception as e:  # noqa: BLE001 - any unreadable file gets the same advice
            raise SrkitError(f"Could not load the checkpoint {path} of the {name} ({e}); delete the run folder or "
                             "pass resume=False.") from e

    @staticmethod
    def _atomic(tmp: Path, final: Path, write) -> None:
        """``write(tmp)`` then rename it to ``final``; on any failure (a full disk, say) the temporary file is
        removed and ``final`` keeps its old content."""
        try:
            write(tmp)
            os.replace(tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def _write_json(self, name: str, data) -> None:
        text = json.dumps(data, indent=1)
        self._atomic(self._file(name + ".tmp"), self._file(name), lambda p: p.write_text(text))

    def save(self, networks: dict, epoch: int, step: int, history: list[dict]) -> None:
        """Checkpoint every network for ``epoch``, then point ``state.json`` at them, then delete older files."""
        if self.path is None:
            return
        names = {}
        for name, net in networks.items():
            names[name] = f"{name}-e{epoch:06d}.keras"
            self._atomic(self._file(f"{name}-e{epoch:06d}.tmp.keras"), self._file(names[name]), net.save)
        self._write_json("state.json", {"epoch": epoch, "step": step, "history": history, "checkpoints": names})
        keep = set(names.values())
        for name in networks:
            for old in self.path.glob(f"{name}-e*.keras"):
                if old.name not in keep:
                    old.unlink()

    def save_final(self, model) -> None:
        """Write the trained network as ``model.keras`` (what ``zoo`` tools and users load)."""
        if self.path is not None:
            self._atomic(self._file("model.tmp.keras"), self._file("model.keras"), model.save)
