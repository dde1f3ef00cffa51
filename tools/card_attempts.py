"""Record on zoo cards what was tried to reach a model's target, without changing its weights.

    python tools/card_attempts.py tools/zoo_inputs/attempts.json [--check]

The JSON maps a card (``NAME_xS``) to ``{"attempts": [...], "next_step": "..."}``.  Each attempt is a measured
run: ``{"what", "command", "where", "minutes", "steps", "val_before", "val_after", "shipped"}`` (validation
PSNR on the held-out training images, from the run folder's state.json).  The card's ``status`` gets
``attempts`` (replaced, not appended: the JSON is the record) and ``next_step``; its ``psnr_gap_db`` is
recomputed from its scores and targets, so it always says by how much the model misses.  Weights, sha256 and
scores are not touched.  Cards are written atomically.  ``--check`` only reports what would change.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CARDS = ROOT / "srkit" / "zoo" / "cards"
KEYS = ("what", "command", "where", "minutes", "steps", "val_before", "val_after", "shipped")


def updated(card: dict, entry: dict) -> dict:
    for i, attempt in enumerate(entry.get("attempts", [])):
        missing = [k for k in KEYS if k not in attempt]
        if missing:
            raise SystemExit(f"{card['name']} x{card['scale']}: attempt {i + 1} lacks {missing}.")
    targets = card.get("targets", {}).get("psnr", {})
    status = dict(card.get("status", {}))
    status["psnr_gap_db"] = {ds: round(targets[ds][str(card["scale"])] - sc["psnr"], 2)
                             for ds, sc in card["scores"].items() if str(card["scale"]) in targets.get(ds, {})}
    status["attempts"] = entry.get("attempts", [])
    if "next_step" in entry:
        status["next_step"] = entry["next_step"]
    return {**card, "status": status}


def main(argv=None) -> int:
    from srkit.io import _write_text_atomic

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("attempts", type=Path)
    ap.add_argument("--check", action="store_true", help="say what would change, write nothing")
    args = ap.parse_args(argv)
    for name, entry in json.loads(args.attempts.read_text()).items():
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
