"""Post-training int8 quantisation of the zoo's luma models: the Keras model, its float32 TFLite and its
int8 TFLite (weights and activations int8, float32 input and output) scored with the kit's protocol
(:func:`srkit.evaluate.evaluate`: Y channel, ``scale`` pixels shaved, per-image mean), with the size of each
file and the CPU time of one forward pass on a 128x128 LR input (median of ``--repeats`` after a warm-up;
TFLite with every logical CPU, as TensorFlow uses for Keras).

The flatbuffers are converted for a fixed ``--input-size`` square input and run in overlapping windows of
that size (:class:`srkit.quantize.TFLiteUpscaler`); the int8 ones are calibrated on 32 LR training patches
(:func:`srkit.quantize.calibration_patches`), never on a benchmark image.  ``delta_psnr`` is each row's PSNR
minus the Keras model's on the same set; ``float_ops`` lists operators that still compute in float32.
CPU times depend on the machine and its load, recorded at the start and the end.

    python bench/quantization.py [--models espcn:3 espcn:2 espcn:4 fsrcnn:3 edsr:3] [--datasets Set5 Set14]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from _common import load, run_record, table_rows

DEFAULT_MODELS = ["espcn:3", "fsrcnn:3", "edsr:3", "espcn:2", "espcn:4"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=DEFAULT_MODELS, help="zoo name:scale pairs")
    parser.add_argument("--datasets", nargs="+", default=["Set5", "Set14"])
    parser.add_argument("--input-size", type=int, default=64, help="side of the flatbuffers' square LR input")
    parser.add_argument("--latency-size", type=int, default=128, help="side of the LR input CPU time is measured on")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", type=Path, default=Path(__file__).with_name("quantization.json"))
    args = parser.parse_args(argv)

    import keras
    import tensorflow as tf

    from srkit import zoo
    from srkit.io import _write_text_atomic
    from srkit.quantize import RUNTIME, quantization_report

    result = {
        **run_record(argv),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "tflite_runtime": RUNTIME,
        "load_average_at_start": load(),
        "units": {"psnr": "dB, Y channel, scale px shaved, per-image mean (srkit.evaluate)",
                  "bytes": "file size: the .keras file the model saves to, or the flatbuffer",
                  "latency_ms": f"median ms of one forward pass of the network alone on a {args.latency_size}x"
                                f"{args.latency_size} LR input (after a warm-up)"},
        "input_size": args.input_size,
        "latency_size": args.latency_size,
        "repeats": args.repeats,
        "calibration": "32 LR luma patches from T91+BSD200 (srkit.quantize.calibration_patches, seed 0)",
        "rows": [],
    }
    for item in args.models:
        name, scale = item.split(":")
        t = time.perf_counter()
        table = quantization_report(zoo.load(name, int(scale)), int(scale), args.datasets,
                                    input_size=args.input_size, latency_size=args.latency_size,
                                    repeats=args.repeats, name=name)
        result["rows"] += table_rows(table, precise=("psnr", "ssim", "delta_psnr"), digits=3)
        cols = ["model", "variant", "scale", "dataset", "psnr", "ssim", "delta_psnr", "bytes", "latency_ms"]
        print(table[cols].to_string(index=False, float_format=lambda v: f"{v:.4f}"), flush=True)
        print(f"({time.perf_counter() - t:.0f} s)", flush=True)
        result["load_average_at_end"] = load()
        _write_text_atomic(args.json, json.dumps(result, indent=1) + "\n")  # usable if a later model fails
    print(f"load average: start {result['load_average_at_start']}, end {result['load_average_at_end']}")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
