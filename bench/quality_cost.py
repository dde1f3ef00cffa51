"""The quality-cost plane at x2 and x4: every single-image zoo model (its card's Set5 PSNR, parameters,
GFLOPs for a 1280x720 output, measured CPU ms per output megapixel) next to the published efficient-SR
results in ``srkit/reference/efficient_sr.json`` (FSRCNN, SRCNN, VDSR, CARN, IMDN, RFDN, SAFMN, SwinIR-light).

GFLOPs are counted (2 x multiply-adds, :func:`srkit.profile.flops_per_output_pixel`), so they do not depend
on the machine; the papers' multiply-adds are doubled to match.  CPU time is measured: the median of
``--repeats`` forward passes after a warm-up, for a ``--timing-hw`` output, divided by its megapixels.  It
depends on the machine and on what else runs on it, so the load average is recorded at the start and the
end.  The Pareto front is marked for each cost (``pareto_params``, ``pareto_gflops``, ``pareto_ms_per_mp``).

    python bench/quality_cost.py [--repeats 5] [--timing-hw 288 480] [--json bench/quality_cost.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from _common import load, run_record, table_rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--repeats", type=int, default=5, help="timed forward passes per model (median; after a warm-up)")
    parser.add_argument("--timing-hw", type=int, nargs=2, default=[288, 480], metavar=("H", "W"),
                        help="output size the CPU time is measured at (divisible by every scale)")
    parser.add_argument("--json", type=Path, default=Path(__file__).with_name("quality_cost.json"))
    args = parser.parse_args(argv)

    import keras

    from srkit.profile import COST_COLUMNS, REFERENCE_FILE, pareto_front, quality_cost

    result = {
        **run_record(argv),
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        # other processes slow the forward passes: ms_per_mp is only comparable within one run at one load
        "load_average_at_start": load(),
        "units": {"psnr": "dB, Set5, Y channel (zoo: the card's measured score; published: the paper's table)",
                  "params": "weights", "gflops": "GFLOPs (2 x multiply-adds) for one 1280x720 output",
                  "ms_per_mp": f"CPU ms per output megapixel: median of the runs for a {args.timing_hw[0]}x"
                               f"{args.timing_hw[1]} output (zoo models only)"},
        "reference_file": str(REFERENCE_FILE.relative_to(REFERENCE_FILE.parents[2])),
        "repeats": args.repeats,
        "timing_hw": list(args.timing_hw),
        "tables": {},
    }
    for scale in args.scales:
        table = quality_cost(scale, timing=True, timing_hw=tuple(args.timing_hw), repeats=args.repeats)
        for cost in COST_COLUMNS:
            table[f"pareto_{cost}"] = table.index.isin(pareto_front(table, cost).index)
        table = table.drop(columns=["pareto"])
        result["tables"][f"x{scale}"] = table_rows(table)
        with_cols = ["model", "kind", "psnr", "params", "gflops", "ms_per_mp", "pareto_params", "pareto_gflops",
                     "pareto_ms_per_mp"]
        print(f"x{scale}, Set5:")
        print(table[with_cols].to_string(index=False, float_format=lambda v: f"{v:.2f}"), flush=True)
    result["load_average_at_end"] = load()
    args.json.write_text(json.dumps(result, indent=1) + "\n")
    print(f"load average: start {result['load_average_at_start']}, end {result['load_average_at_end']}")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
