"""Start a model from the weights of another scale or architecture, layer by layer, by name.

:func:`transfer_weights` is how a progressive x8 model (:func:`srkit.models.edsr_progressive`) or an x8
``edsr`` starts from a trained x4 ``edsr``: the layers they share carry the same names (``head``,
``block{i}_...``, ``body_end``, ``up{k}_conv``), so their weights are copied as they are.  It is explicit on
purpose: ``TrainConfig.init_weights`` only accepts weights of the same architecture and scale (see
``tools/init_from.py`` for the command-line route).
"""

from __future__ import annotations

import re

from ..errors import InvalidValueError

__all__ = ["transfer_weights"]

_UP = re.compile(r"^up(\d+)_conv$")


def _shapes(layer) -> list[tuple]:
    return [tuple(w.shape) for w in layer.weights]


def transfer_weights(source, target, extend_upsampling: bool = True) -> dict:
    """Copy the weights of ``source``'s layers into ``target``'s layers of the same name (in place).

    A layer is copied when both models have a layer of that name with weights of the same shapes; a target
    layer with weights of other shapes (e.g. EDSR's ``tail`` at another number of channels) keeps its fresh
    initialisation and is reported as skipped.  With ``extend_upsampling``, upsampling convolutions the
    target has beyond the source's (``up3_conv`` of an x8 model started from an x4 one) start from the
    source's last one (``up2_conv``) when the shapes match: every x2 step then begins as the same learned
    x2 upsampler.

    Args:
        source: the trained ``keras.Model`` to copy from.
        target: the ``keras.Model`` to start (modified in place).
        extend_upsampling: initialise extra ``up{k}_conv`` layers from the source's last one.

    Returns:
        A dict of lists of layer names: ``copied`` (same name, same shapes), ``extended`` (``"up3_conv <-
        up2_conv"`` entries), ``skipped`` (``"name: target shapes vs source shapes"``: kept fresh because of a
        shape mismatch), ``fresh`` (target layers with weights that the source does not have, kept at their
        initialisation) and ``unused`` (source layers with weights that the target does not have).
    """
    for what, m in (("source", source), ("target", target)):
        if not hasattr(m, "layers") or not hasattr(m, "get_layer"):
            raise InvalidValueError(f"transfer_weights needs Keras models; the {what} is a {type(m).__name__}.")
    src = {layer.name: layer for layer in source.layers if layer.weights}
    report = {"copied": [], "extended": [], "skipped": [], "fresh": [], "unused": []}
    src_ups = sorted((int(_UP.match(n).group(1)), n) for n in src if _UP.match(n))
    for layer in target.layers:
        if not layer.weights:
            continue
        name = layer.name
        if name in src:
            if _shapes(src[name]) == _shapes(layer):
                layer.set_weights(src[name].get_weights())
                report["copied"].append(name)
            else:
                report["skipped"].append(f"{name}: {_shapes(layer)} vs {_shapes(src[name])}")
            continue
        up = _UP.match(name)
        if extend_upsampling and up and src_ups and int(up.group(1)) > src_ups[-1][0]:
            last = src[src_ups[-1][1]]
            if _shapes(last) == _shapes(layer):
                layer.set_weights(last.get_weights())
                report["extended"].append(f"{name} <- {last.name}")
            else:
                report["skipped"].append(f"{name}: {_shapes(layer)} vs {last.name} {_shapes(last)}")
            continue
        report["fresh"].append(name)
    names = {layer.name for layer in target.layers}
    report["unused"] = [n for n in src if n not in names]
    return report
