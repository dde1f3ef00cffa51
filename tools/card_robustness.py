"""Add the blind-vs-BI table of ``bench/blind_sr.json`` to the cards of the blind zoo models.

    python tools/card_robustness.py [--json bench/blind_sr.json] [--models edsr_blind edsr_realistic]

Each card gets ``robustness``: per condition, its PSNR/SSIM next to the bicubic-trained ``edsr``'s and
bicubic's, with the command that measured them.  ``edsr_blind`` is held to: at least the bicubic-trained
model's PSNR on every degraded condition, and at most 1 dB below it on clean inputs (``targets_met``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLEAN_LOSS_DB = 1.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "blind_sr.json")
    ap.add_argument("--models", nargs="+", default=["edsr_blind", "edsr_realistic"])
    args = ap.parse_args()
    from srkit.io import _write_text_atomic

    bench = json.loads(args.json.read_text())
    rows = {(r["method"], r["condition"]): r for r in bench["rows"]}
    conditions = list(dict.fromkeys(r["condition"] for r in bench["rows"]))
    scale = bench["scale"]
    for name in args.models:
        path = ROOT / "srkit" / "zoo" / "cards" / f"{name}_x{scale}.json"
        card = json.loads(path.read_text())
        key = f"{name}_x{scale}"
        table = {}
        for c in conditions:
            own = rows.get((key, c)) or rows.get((name, c))
            bi = rows.get((f"edsr_x{scale}", c)) or rows.get(("edsr", c))
            bic = rows.get(("bicubic", c))
            table[c] = {"psnr": own["psnr"], "ssim": own["ssim"], "edsr_bicubic_trained_psnr": bi["psnr"],
                        "bicubic_psnr": bic["psnr"]}
        card["robustness"] = {"dataset": bench["dataset"], "scale": scale, "command": bench["command"],
                              "conditions": bench["conditions"], "psnr": table}
        if name == "edsr_blind":
            met = {c: (t["psnr"] >= t["edsr_bicubic_trained_psnr"] if c != "clean"
                       else t["edsr_bicubic_trained_psnr"] - t["psnr"] <= CLEAN_LOSS_DB) for c, t in table.items()}
            card["targets_met"] = {**met, "all": all(met.values())}
            card["status"]["targets_reached"] = card["targets_met"]["all"]
        _write_text_atomic(path, json.dumps(card, indent=1) + "\n")
        print(name, {c: round(t["psnr"] - t["edsr_bicubic_trained_psnr"], 2) for c, t in table.items()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
