"""Record on zoo cards what was tried to reach a model's target, without changing its weights.

    python tools/card_attempts.py tools/zoo_inputs/attempts.json [--check]

The JSON maps a card (``NAME_xS``) to ``{"attempts": [...], "next_step": "..."}``.  Each attempt is a measured
run: ``{"what", "command", "where", "minutes", "steps", "val_before", "val_after", "shipped"}`` (validation
PSNR on the held-out training images, from the run folder's state.json).  An attempt whose command trains on
rescaled copies (``--rescale F ...``) carries those factors as ``rescale``, filled in from the command when
absent; a ``rescale`` that disagrees with the command is an error.  The card's ``status`` gets
``attempts`` (replaced, not appended: the JSON is the record) and ``next_step``.  The card's ``targets`` are
copied again from the model registry (``srkit.models.REGISTRY``, the one place published numbers live; a
distilled model takes its architecture's), and ``targets_met``, ``status.targets_reached`` and
``status.psnr_gap_db`` are recomputed from its scores and those targets, so a card always says by how much the
model misses.  Weights, sha256 and scores are not touched.  Cards are written atomically.  ``--check`` only
reports what would change.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CARDS = ROOT / "srkit" / "zoo" / "cards"
KEYS = ("what", "command", "where", "minutes", "steps", "val_before", "val_after", "shipped")


from build_zoo_chapters import SAME_TARGETS_AS  # noqa: E402  (models held to another architecture's targets)


def registry_targets(name: str) -> dict | None:
    """The targets a card of model ``name`` must carry (``None``: the registry holds none for it)."""
    from srkit.models import REGISTRY

    spec = REGISTRY.get(SAME_TARGETS_AS.get(name, name))
    return spec.card_targets() if spec is not None and spec.targets else None


def retargeted(card: dict) -> dict:
    """``card`` with the registry's current targets and everything computed from them."""
    from srkit.zoo import psnr_gaps, targets_met

    targets = registry_targets(card["name"])
    if targets is None:
        return card
    card = {**card, "targets": targets}
    card["targets_met"] = targets_met(card)
    status = dict(card.get("status", {}))
    status["targets_reached"] = card["targets_met"]["all"]
    if "psnr_gap_db" in status or status["targets_reached"] is False:
        status["psnr_gap_db"] = psnr_gaps(card)
    card["status"] = status
    return card


def command_rescale(command: str) -> list[float]:
    """The factors after ``--rescale`` in a training command (``[]`` when it has none)."""
    words = command.split()
    if "--rescale" not in words:
        return []
    factors = []
    for word in words[words.index("--rescale") + 1:]:
        if word.startswith("--"):
            break
        factors.append(float(word))
    return factors


def with_rescale(attempt: dict, where: str) -> dict:
    """``attempt`` with ``rescale`` equal to its command's factors; an error if it says otherwise."""
    factors = command_rescale(attempt["command"])
    if "rescale" in attempt and [float(f) for f in attempt["rescale"]] != factors:
        raise SystemExit(f"{where}: 'rescale' is {attempt['rescale']} but its command trains with "
                         f"{factors or 'no rescaled copies'}; make them agree.")
    return {**attempt, "rescale": factors} if factors and "rescale" not in attempt else attempt


def updated(card: dict, entry: dict) -> dict:
    attempts = []
    for i, attempt in enumerate(entry.get("attempts", [])):
        where = f"{card['name']} x{card['scale']}: attempt {i + 1}"
        missing = [k for k in KEYS if k not in attempt]
        if missing:
            raise SystemExit(f"{where} lacks {missing}.")
        attempts.append(with_rescale(attempt, where))
    from srkit.zoo import psnr_gaps

    card = retargeted(card)
    status = dict(card.get("status", {}))
    status["psnr_gap_db"] = psnr_gaps(card)
    status["attempts"] = attempts
    if "next_step" in entry:
        status["next_step"] = entry["next_step"]
    return {**card, "status": status}


def main(argv=None) -> int:
    from srkit.io import _write_text_atomic

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("attempts", type=Path)
    ap.add_argument("--check", action="store_true", help="say what would change, write nothing")
    args = ap.parse_args(argv)
    entries = json.loads(args.attempts.read_text())
    for path in sorted(CARDS.glob("*.json")):  # cards without attempts: only their targets follow the registry
        card = json.loads(path.read_text())
        if path.stem in entries or registry_targets(card["name"]) in (None, card.get("targets")):
            continue
        new = retargeted(card)
        print(f"{path.stem}: targets copied again from the registry, gap {new['status'].get('psnr_gap_db')}")
        if not args.check:
            _write_text_atomic(path, json.dumps(new, indent=1) + "\n")
    for name, entry in entries.items():
        path = CARDS / f"{name}.json"
        if not path.exists():
            raise SystemExit(f"No card {path.name}; cards: {', '.join(sorted(p.stem for p in CARDS.glob('*.json')))}.")
        card = json.loads(path.read_text())
        new = updated(card, entry)
        if new == card:
            print(f"{name}: unchanged")
            continue
        print(f"{name}: {len(new['status']['attempts'])} attempt(s), gap {new['status']['psnr_gap_db']}")
        if not args.check:
            _write_text_atomic(path, json.dumps(new, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
