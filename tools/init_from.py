"""Start a model from the weights of another scale or architecture (by layer name) and save it as a .keras file.

    python tools/init_from.py zoo:edsr:4 --model edsr_progressive --scale 8 --out runs/init.keras
    srkit train edsr_progressive --scale 8 --init runs/init.keras ...
    python tools/init_from.py zoo:espcn:3 --model espcn --scale 4 --by-order --out runs/init/espcn_x4_from_x3.keras

SRC is a ``.keras`` file or ``zoo:NAME:SCALE`` (a zoo model).  The target ``--model`` is built at ``--scale``
(with ``--model-config``, a JSON object of builder arguments: give the same one to ``srkit train``), the
layers it shares by name with the source get the source's weights (:func:`srkit.models.transfer_weights`;
extra upsampling steps start from the source's last one unless ``--no-extend``), the report is printed, and
the result is saved: ``srkit train --init FILE`` (``TrainConfig.init_weights``) accepts it, since it has the
target's architecture.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def load_source(src: str):
    """The source model: ``zoo:NAME:SCALE`` or the path of a ``.keras`` file."""
    from srkit import models
    from srkit.errors import InvalidValueError

    if src.startswith("zoo:"):
        parts = src.split(":")
        if len(parts) != 3 or not parts[2].isdigit():
            raise InvalidValueError(f"A zoo source is zoo:NAME:SCALE (e.g. zoo:edsr:4), got {src!r}.")
        from srkit import zoo

        return zoo.load(parts[1], int(parts[2]))
    if not src.endswith(".keras") or not Path(src).is_file():
        raise InvalidValueError(f"SRC must be zoo:NAME:SCALE or an existing .keras file, got {src!r}.")
    return models.load_model(src, compile=False)


def transfer_by_order(source, target) -> dict:
    """Copy weights between the layers that have weights, paired in order, while their shapes match.

    The report has the keys of :func:`srkit.models.transfer_weights` (``"target <- source"`` names in ``copied``).
    """
    src = [layer for layer in source.layers if layer.weights]
    dst = [layer for layer in target.layers if layer.weights]
    report = {"copied": [], "extended": [], "skipped": [], "fresh": [], "unused": []}
    for i, layer in enumerate(dst):
        if i >= len(src):
            report["fresh"].append(layer.name)
        elif [tuple(w.shape) for w in src[i].weights] == [tuple(w.shape) for w in layer.weights]:
            layer.set_weights(src[i].get_weights())
            report["copied"].append(f"{layer.name} <- {src[i].name}")
        else:
            report["skipped"].append(f"{layer.name}: {[tuple(w.shape) for w in layer.weights]} vs "
                                     f"{[tuple(w.shape) for w in src[i].weights]}")
    report["unused"] = [layer.name for layer in src[len(dst):]]
    return report


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("src", help="a .keras file, or zoo:NAME:SCALE (e.g. zoo:edsr:4)")
    p.add_argument("--model", required=True, help="the registered model to start (e.g. edsr_progressive)")
    p.add_argument("--scale", required=True, type=int, help="its scale (2, 3, 4 or 8)")
    p.add_argument("--out", required=True, help="the .keras file to write")
    p.add_argument("--model-config", default="{}", help="builder arguments as a JSON object (default: {})")
    p.add_argument("--channels", choices=("y", "rgb"), default="y", help="Y (1 channel, default) or RGB (3)")
    p.add_argument("--no-extend", action="store_true",
                   help="leave extra upsampling steps at their fresh initialisation")
    p.add_argument("--by-order", action="store_true",
                   help="pair the layers with weights in order instead of by name (for models whose layers have "
                        "automatic names, such as ESPCN: zoo:espcn:3 -> espcn x4 copies all but the last layer)")
    args = p.parse_args(argv)

    from srkit import models
    from srkit.errors import SrkitError

    try:
        config = json.loads(args.model_config)
        if not isinstance(config, dict):
            raise SrkitError(f"--model-config must be a JSON object, got {args.model_config!r}.")
        if not args.out.endswith(".keras"):
            raise SrkitError(f"--out must end in .keras, got {args.out!r}.")
        source = load_source(args.src)
        target = models.build(args.model, args.scale, channels=1 if args.channels == "y" else 3, **config)
        report = (transfer_by_order(source, target) if args.by_order
                  else models.transfer_weights(source, target, extend_upsampling=not args.no_extend))
        if not report["copied"]:
            raise SrkitError(f"No layer of {args.src} could be copied into {args.model} x{args.scale}: no layer has "
                             "the same name and weight shapes in both. Models with automatic layer names "
                             "(conv2d, conv2d_1, ...) need --by-order; otherwise the architectures differ.")
    except (SrkitError, ValueError, json.JSONDecodeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"{args.src} -> {args.model} x{args.scale}")
    for key in ("copied", "extended", "skipped", "fresh", "unused"):
        print(f"  {key} ({len(report[key])}): {', '.join(report[key]) or '-'}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    target.save(args.out)
    print(f"saved {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
