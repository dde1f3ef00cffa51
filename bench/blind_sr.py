"""Blind vs bicubic-trained ("BI") super-resolution on degraded inputs: the table behind the zoo's blind model.

Every upscaler is scored with :func:`srkit.evaluate.robustness` on Set14 (default) at x4: the same HR images,
LR made with each condition of :data:`srkit.evaluate.DEGRADED_CONDITIONS` (clean bicubic; Gaussian blur
before downsampling; Gaussian noise on the LR; JPEG; a mix), noise seeded per image, so every method sees the
very same inputs.  Expect the BI model to lose its lead over bicubic as inputs get worse, and the blind model
(the same architecture trained on the second-order degradations of :class:`srkit.degrade.SecondOrderDegradation`)
to keep it, at a small cost on clean inputs.

    python bench/blind_sr.py [--data Set14] [--scale 4] [--models bicubic edsr edsr_blind] [--json bench/blind_sr.json]
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="Set14")
    ap.add_argument("--scale", type=int, default=4)
    ap.add_argument("--models", nargs="+", default=["bicubic", "edsr", "edsr_blind"])
    ap.add_argument("--limit", type=int)
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "blind_sr.json")
    args = ap.parse_args()

    from srkit.env import start
    from srkit.evaluate import DEGRADED_CONDITIONS, robustness
    from srkit.io import _write_text_atomic

    setup = start()
    t0 = time.time()
    table = robustness(args.models, args.data, args.scale, limit=args.limit, progress=True)
    out = {
        "command": "python bench/blind_sr.py " + " ".join(sys.argv[1:]),
        "date": datetime.date.today().isoformat(),
        "setup": setup,
        "machine": platform.machine(),
        "dataset": args.data,
        "scale": args.scale,
        "conditions": DEGRADED_CONDITIONS,
        "wall_time_s": round(time.time() - t0, 1),
        "rows": [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()}
                 for r in table.to_dict("records")],
    }
    _write_text_atomic(args.json, json.dumps(out, indent=1) + "\n")
    print(table.pivot(index="condition", columns="method", values="psnr").round(2).to_string())
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
