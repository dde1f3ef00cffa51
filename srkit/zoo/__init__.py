"""Pretrained models shipped with the kit, each with a card that says how it was made and how good it is.

    >>> from srkit import zoo
    >>> zoo.available()                      # [('edsr', 2), ('edsr', 3), ..., ('srcnn', 4)]
    >>> model = zoo.load("espcn", 3)         # a Keras model, checked against its card's sha256
    >>> zoo.card("espcn", 3)["scores"]       # measured PSNR/SSIM on Set5, Set14, BSD100
    >>> zoo.results_table()                  # every model, every scale, next to the paper numbers

Files: ``srkit/zoo/models/NAME_xK.keras`` (weights, no optimizer state) and ``srkit/zoo/cards/NAME_xK.json``
(architecture, training data, steps, exact commands, wall time and hardware, sha256, scores, targets).
All were trained by the kit's own engine (:mod:`srkit.train`) on T91 + BSD200 only; they are made by
``tools/train_zoo.py`` and ``tools/build_zoo.py``.  Loading never downloads anything.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from ..errors import SrkitError
from ..infer import KerasUpscaler

__all__ = ["available", "card", "load", "upscaler", "results_table", "target", "targets_met", "psnr_gaps",
           "ZooError", "ZOO_DIR"]

ZOO_DIR = Path(__file__).resolve().parent

class ZooError(SrkitError, ValueError):
    """A zoo model is unknown, missing, corrupt, or does not match its card."""


def target(c: dict, dataset: str) -> float | None:
    """The published PSNR a zoo model is held to on ``dataset``, from its card (``None``: no number).

    Cards store the targets of the model's architecture (:class:`srkit.models.ModelSpec`) when it was made.
    """
    t = c.get("targets", {}).get("psnr", {}).get(dataset, {})
    return t.get(str(c["scale"]), t.get(c["scale"]))


def targets_met(c: dict) -> dict:
    """Per dataset: measured PSNR >= target PSNR (rounded to 2 decimals, as papers print them)."""
    out = {}
    for ds, sc in c["scores"].items():
        t = target(c, ds)
        if t is not None:
            out[ds] = round(sc["psnr"], 2) >= t
    out["all"] = all(out.values()) if out else None
    return out


def psnr_gaps(c: dict) -> dict:
    """Per dataset with a target: the card's target PSNR minus its measured PSNR rounded to 2 decimals as papers print
    it, in dB (positive: short of the paper; zero or negative: met, exactly as :func:`targets_met` decides)."""
    return {ds: round(target(c, ds) - round(sc["psnr"], 2), 2) for ds, sc in c["scores"].items()
            if target(c, ds) is not None}


def _cards() -> dict[tuple[str, int], dict]:
    cards = {}
    for path in sorted((ZOO_DIR / "cards").glob("*.json")):
        c = json.loads(path.read_text())
        cards[(c["name"], int(c["scale"]))] = c
    return cards


def available() -> list[tuple[str, int]]:
    """``(name, scale)`` of every shipped model."""
    return sorted(_cards())


def card(name: str, scale: int) -> dict:
    """The card of a zoo model (a dict; see the module docstring)."""
    cards = _cards()
    if (name, scale) not in cards:
        names = sorted({n for n, _ in cards})
        if name not in names:
            raise ZooError(f"No pretrained model named {name!r}. The zoo has: {', '.join(names) or 'nothing'}.")
        scales = sorted(s for n, s in cards if n == name)
        if scale == 8:  # say how to get an x8 model
            raise ZooError(f"The zoo has no x8 weights for {name!r} (only scales {scales}). Pick one of those scales, "
                           f"or train an x8 model: srkit train {name} --scale 8 (edsr_progressive can start from "
                           "edsr's x4 weights: python tools/init_from.py zoo:edsr:4 --model edsr_progressive "
                           "--scale 8 --out runs/init.keras).")
        raise ZooError(f"The zoo has {name!r} for scales {scales}, not x{scale}. Pick one of those scales.")
    return cards[(name, scale)]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load(name: str, scale: int, verify: bool = True):
    """Load a pretrained model (``safe_mode=True``), after checking the file against its card's sha256.

    Raises :class:`ZooError` for an unknown name or scale, a missing or corrupt file, or a checksum
    that does not match the card (the file was changed or damaged: reinstall or retrain it).
    """
    from ..models import load_model

    c = card(name, scale)
    path = ZOO_DIR / c["file"]
    if not path.exists():
        raise ZooError(f"The weights file of {name} x{scale} is missing: {path}. Reinstall srkit or retrain it "
                       f"with the command on its card.")
    if verify:
        digest = _sha256(path)
        if digest != c["sha256"]:
            raise ZooError(f"{path} does not match its card: sha256 {digest[:16]}... but the card says "
                           f"{c['sha256'][:16]}.... The file was modified or damaged; restore it (git checkout) "
                           "or retrain the model.")
    try:
        return load_model(path, compile=False)
    except Exception as e:  # a truncated or foreign file
        raise ZooError(f"Could not load {path} ({type(e).__name__}: {e}); the file is corrupt.") from e


@lru_cache(maxsize=16)
def _cached(name: str, scale: int):
    return load(name, scale)


class ZooUpscaler:
    """An upscaler ``f(lr, scale)`` that uses the zoo model ``name`` trained for that scale."""

    def __init__(self, name: str, tile: int | str | None = "auto"):
        if name not in {n for n, _ in available()}:
            card(name, 2)  # raises the helpful error
        self.name, self.tile = name, tile

    def __call__(self, lr, scale: int):
        return KerasUpscaler(_cached(self.name, int(scale)), self.name, tile=self.tile)(lr, scale)

    def __repr__(self) -> str:
        return f"ZooUpscaler({self.name!r})"


def upscaler(name: str, tile: int | str | None = "auto") -> ZooUpscaler:
    """The zoo model ``name`` as an upscaler (used by :func:`srkit.evaluate.evaluate` for zoo names).

    ``tile``: as :class:`srkit.infer.KerasUpscaler` (default ``'auto'``: large images in tiles, so memory
    stays bounded; ``None``: always in one piece)."""
    return ZooUpscaler(name, tile)


def results_table(with_targets: bool = True):
    """The measured scores of every zoo model (from the cards) as a DataFrame, with paper targets."""
    import pandas as pd

    rows = []
    for (name, scale), c in sorted(_cards().items()):
        for ds, sc in c["scores"].items():
            row = {"model": name, "scale": scale, "dataset": ds, "psnr": sc["psnr"], "ssim": sc["ssim"],
                   "params": c["architecture"]["parameters"], "input": c.get("input_kind", "single image")}
            if with_targets:
                row["target_psnr"] = target(c, ds)
            rows.append(row)
    return pd.DataFrame(rows)


def departures() -> list[dict]:
    """Zoo models whose network differs from the paper it is named after, and how.

    One dict per model, ``name``, ``scale`` and ``departures`` (the card's ``architecture.departures_from_paper``
    text, e.g. a different activation), so a student comparing a zoo model with its paper knows what differs.
    """
    return [{"name": name, "scale": scale, "departures": c["architecture"]["departures_from_paper"]}
            for (name, scale), c in sorted(_cards().items()) if c["architecture"].get("departures_from_paper")]


def shortfalls() -> list[dict]:
    """Every zoo model that misses its paper's numbers: by how much, what was tried and the next step.

    One dict per model, from its card's ``status``: ``name``, ``scale``, ``gap_db`` (per dataset, target minus
    measured PSNR), ``attempts`` (the measured runs behind the weights or tried without being shipped) and
    ``next_step``.  Models that meet their targets, or have no PSNR target, are not listed.
    """
    out = []
    for (name, scale), c in sorted(_cards().items()):
        if targets_met(c).get("all") is not False:
            continue
        status = c.get("status", {})
        out.append({"name": name, "scale": scale, "gap_db": psnr_gaps(c), "attempts": status.get("attempts", []),
                    "next_step": status.get("next_step") or status.get("more_training") or status.get("note", "")})
    return out
