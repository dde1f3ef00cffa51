"""A training run on disk: its configuration, its state and its checkpoints, written so that a killed run
loses at most one epoch and resumes exactly.

A run folder holds ``config.json`` (what defines the run), one ``NAME.keras`` checkpoint per network (with
its optimizer state), ``state.json`` (epoch, step and the per-epoch history) and, when training ends,
``model.keras`` (the network to use).  Every file is written to a temporary name and renamed, so a crash
never leaves half a file.  Resuming refuses a folder whose ``config.json`` differs from the new run's.
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

        With ``resume`` and a complete checkpoint (every network and ``state.json``), the networks are
        loaded (``safe_mode=True``, optimizer state included) and training continues where it stopped.
        """
        if self.path is None:
            return 0, [], None
        self.path.mkdir(parents=True, exist_ok=True)
        saved = self._file("config.json")
        state_file = self._file("state.json")
        files = {name: self._file(f"{name}.keras") for name in self.checkpoints}
        found = None
        epoch, history = 0, []
        if resume and state_file.exists() and all(f.exists() for f in files.values()):
            old = json.loads(saved.read_text()) if saved.exists() else None
            if old is not None and old != self.config:
                raise SrkitError(
                    f"{self.path} holds a {self.what} with a different configuration; use another out_dir or "
                    f"resume=False.\nsaved: {old}\nnow:   {self.config}"
                )
            state = json.loads(state_file.read_text())
            epoch, history = int(state["epoch"]), list(state["history"])
            found = {name: self._load(f, name) for name, f in files.items()}
        self._write_json("config.json", self.config)
        return epoch, history, found

    def _load(self, path: Path, name: str):
        try:
            return load_model(path)
        except Exception as e:  # noqa: BLE001 - any unreadable file gets the same advice
            raise SrkitError(f"Could not load the {name} checkpoint {path} ({e}); delete the run folder or "
                             "pass resume=False.") from e

    def _write_json(self, name: str, data) -> None:
        tmp = self._file(name + ".tmp")
        tmp.write_text(json.dumps(data, indent=1))
        os.replace(tmp, self._file(name))

    def save(self, networks: dict, epoch: int, step: int, history: list[dict]) -> None:
        """Checkpoint every network, then the state (so a state never points at a missing checkpoint)."""
        if self.path is None:
            return
        for name, net in networks.items():
            tmp = self._file(f"{name}.tmp.keras")
            net.save(tmp)
            os.replace(tmp, self._file(f"{name}.keras"))
        self._write_json("state.json", {"epoch": epoch, "step": step, "history": history})

    def save_final(self, model) -> None:
        """Write the trained network as ``model.keras`` (what ``zoo`` tools and users load)."""
        if self.path is not None:
            model.save(self._file("model.keras"))
