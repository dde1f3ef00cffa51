"""How fast is ``srkit upscale``?  Milliseconds per output megapixel, next to OpenCV's ``dnn_superres``.

The kit's path is exactly what ``srkit upscale IMAGE OUT --model espcn --scale 3`` runs between reading
and saving the image: the zoo ESPCN x3 through :class:`srkit.infer.KerasUpscaler` (luma through the
network, colour from the MATLAB-exact bicubic, uint8 output).  It is timed on the Set14 x3 LR images
and on a 640x480 input, after a warm-up, as the median of ``--runs`` runs per image.  The network's
forward pass alone (the same call the upscaler makes) is timed too.

OpenCV: ``cv2.dnn_superres`` (its ESPCN pipeline: ``cvtColor`` to YCrCb, Y through the network, Cr/Cb
with ``cv2.resize`` bicubic, back to BGR) is timed on the *same network* as the kit: the zoo ESPCN x3
weights written here as a TensorFlow graph with constant weights, the format ``dnn_superres`` reads.
OpenCV's own ``ESPCN_x3.pb`` (a network of the same shape, other weights) is not shipped and cannot be
downloaded by this script; give it with ``--opencv-model PATH`` to time it as well.  Without it the
script says so.  The ratios kit / OpenCV are measured in the same run, the methods taking turns.

    python bench/upscale_speed.py [--runs 5] [--opencv-model ESPCN_x3.pb] [--json bench/upscale_speed.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import load, run_record

SCALE = 3


def _interleaved_ms(methods: dict, runs: int) -> dict[str, float]:
    """Median ms of each zero-argument callable; the methods take turns within every run, so a change in
    the machine's load affects them alike.  Each is called once first (warm-up)."""
    for fn in methods.values():
        fn()
    times = {name: [] for name in methods}
    for _ in range(runs):
        for name, fn in methods.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: 1000.0 * statistics.median(t) for name, t in times.items()}


def _inputs():
    """``[(name, uint8 RGB LR image)]``: the Set14 x3 LR images and one 640x480 input."""
    from srkit.data import load_benchmark
    from srkit.degrade import imresize

    pairs = load_benchmark("Set14", SCALE)
    # grey images as RGB, as an image viewer or cv2.imread gives them: every tool gets 3 channels
    set14 = [(f"Set14/{p.name}", np.repeat(p.lr, 3, axis=2) if p.lr.shape[2] == 1 else p.lr) for p in pairs]
    colour = [p for p in pairs if p.hr.shape[2] == 3]
    big = max(colour, key=lambda p: p.hr.shape[0] * p.hr.shape[1]).hr
    vga = imresize(big, output_shape=(480, 640))
    return set14, ("640x480", vga)


def _rate(ms: float, lr: np.ndarray) -> float:
    return ms / (lr.shape[0] * lr.shape[1] * SCALE * SCALE / 1e6)


def _summary(per_image: dict[str, float], images: dict[str, np.ndarray]) -> float:
    """ms per output megapixel over a set of images: total time / total output pixels."""
    total_mp = sum(im.shape[0] * im.shape[1] * SCALE * SCALE / 1e6 for im in images.values())
    return sum(per_image.values()) / total_mp


def _espcn_graph(model, path: Path) -> None:
    """Write the Keras ESPCN (conv, conv, conv, pixel shuffle) as a TensorFlow graph with its weights as
    constants: the file format ``cv2.dnn_superres`` reads (its own ESPCN models are such graphs)."""
    import tensorflow as tf

    layers = []
    for layer in model.layers:
        if layer.__class__.__name__ == "Conv2D":
            kernel, bias = (np.asarray(w, np.float32) for w in layer.get_weights())
            layers.append((kernel, bias, layer.get_config().get("activation")))
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [1, None, None, 1], name="lr")
        for kernel, bias, act in layers:
            x = tf.nn.bias_add(tf.nn.conv2d(x, tf.constant(kernel), 1, "SAME"), tf.constant(bias))
            if act == "tanh":
                x = tf.nn.tanh(x)
            elif act not in ("linear", None):
                raise ValueError(f"unexpected activation {act!r} in {model.name}")
        tf.nn.depth_to_space(x, SCALE, name="sr")
    path.write_bytes(graph.as_graph_def().SerializeToString())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per image (median; after one warm-up)")
    parser.add_argument("--opencv-model", type=Path, default=None, help="OpenCV's ESPCN_x3.pb for cv2.dnn_superres")
    parser.add_argument("--json", type=Path, default=Path(__file__).with_name("upscale_speed.json"),
                        help="where to write the results")
    args = parser.parse_args(argv)

    from srkit import zoo
    from srkit.infer import KerasUpscaler

    set14, (vga_name, vga) = _inputs()
    images = dict(set14)
    images[vga_name] = vga
    model = zoo.load("espcn", SCALE)
    up = KerasUpscaler(model, "espcn")  # for the forward pass alone

    result = {
        **run_record(argv),
        # other processes slow every method; the methods take turns, so the ratios are the robust numbers
        "load_average_at_start": load(),
        "unit": "ms per output megapixel (per image: median of the runs after a warm-up; Set14: total over its images)",
        "scale": SCALE,
        "runs": args.runs,
    }

    def report(label: str, per_image: dict[str, float]) -> dict:
        s14 = {k: v for k, v in per_image.items() if k.startswith("Set14/")}
        row = {"Set14": round(_summary(s14, {k: images[k] for k in s14}), 1),
               vga_name: round(_rate(per_image[vga_name], vga), 1)}
        print(f"{label:<44} Set14 {row['Set14']:7.1f}   {vga_name} {row[vga_name]:7.1f}   ms/MP", flush=True)
        return row

    from srkit.color import rgb_to_y

    def luma(im):
        return (rgb_to_y(im.astype(np.float32)) / np.float32(255.0))[..., None]

    # the methods, each a function of the image returning a zero-argument callable
    methods = {
        # as cmd_upscale does: a new upscaler around the loaded model for each image
        "srkit": lambda im: (lambda: KerasUpscaler(model, "espcn")(im, SCALE)),
        "srkit_forward_only": lambda im: (lambda y=luma(im): up.forward(y)),
    }
    labels = {"srkit": "srkit upscale (zoo espcn x3, KerasUpscaler)",
              "srkit_forward_only": "  forward pass alone (the same call)"}
    notes = {}
    try:
        import cv2
    except ImportError:
        cv2 = None
        notes["opencv"] = "cv2 is not installed (pip install opencv-contrib-python-headless)"
    if cv2 is not None:
        result["opencv_version"] = cv2.__version__
        if args.opencv_model is not None and hasattr(cv2, "dnn_superres"):
            sr = cv2.dnn_superres.DnnSuperResImpl_create()
            sr.readModel(str(args.opencv_model))
            sr.setModel("espcn", SCALE)
            methods["opencv_dnn_superres"] = lambda im: (lambda b=np.ascontiguousarray(im[..., ::-1]): sr.upsample(b))
            labels["opencv_dnn_superres"] = "OpenCV dnn_superres (its ESPCN_x3.pb)"
        else:
            why = ("no --opencv-model given: OpenCV's ESPCN_x3.pb is not shipped and cannot be downloaded here"
                   if args.opencv_model is None else "this OpenCV build has no dnn_superres (install opencv-contrib)")
            notes["opencv_dnn_superres"] = f"not timed: {why}"
        if hasattr(cv2, "dnn_superres"):
            tmp = tempfile.TemporaryDirectory()
            path = Path(tmp.name) / "espcn_x3_zoo.pb"
            _espcn_graph(model, path)
            same = cv2.dnn_superres.DnnSuperResImpl_create()
            same.readModel(str(path))
            same.setModel("espcn", SCALE)
            methods["opencv_same_network"] = lambda im: (lambda b=np.ascontiguousarray(im[..., ::-1]): same.upsample(b))
            labels["opencv_same_network"] = "OpenCV dnn_superres, the kit's network"
            # the same network: OpenCV's output for a luma input agrees with the kit's to float precision
            net = cv2.dnn.readNetFromTensorflow(str(path))
            y = luma(vga)
            net.setInput(y[None, ..., 0][None])
            result["opencv_same_network_max_abs_diff"] = float(np.abs(net.forward()[0, 0] - up.forward(y)[..., 0]).max())
        else:
            notes["opencv_same_network"] = "not timed: this OpenCV build has no dnn_superres (install opencv-contrib)"

    per_method = {name: {} for name in methods}
    for name, im in images.items():
        ms = _interleaved_ms({m: make(im) for m, make in methods.items()}, args.runs)
        for m, v in ms.items():
            per_method[m][name] = v
    for m in methods:
        result[m] = report(labels[m], per_method[m])
    for m, note in notes.items():
        result[m] = note
        print(f"{m}: {note}")
    for m in ("opencv_dnn_superres", "opencv_same_network"):
        if isinstance(result.get(m), dict):
            result[f"ratio_srkit_over_{m}"] = {k: round(result["srkit"][k] / result[m][k], 2) for k in result[m]}
            print(f"srkit / {m}: " + ", ".join(f"{k} {v:.2f}" for k, v in result[f"ratio_srkit_over_{m}"].items()))
    if "opencv_same_network_max_abs_diff" in result:
        print(f"max |OpenCV - srkit| network output on the {vga_name} luma: "
              f"{result['opencv_same_network_max_abs_diff']:.2e}")
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
