"""Static figures (matplotlib): image grids with zoomed insets, and metric bar charts."""

from __future__ import annotations

from typing import Mapping

import numpy as np

from .color import to_uint8

__all__ = ["image_grid", "metric_bars", "show_filters", "tradeoff_plot", "perception_distortion_plot", "gain_plot",
           "quality_cost_plot"]


def _show(ax, image):
    a = to_uint8(image)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[..., 0]
    if a.ndim == 2:
        ax.imshow(a, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    else:
        ax.imshow(a, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])


def image_grid(
    images: Mapping[str, np.ndarray],
    zoom_box: tuple[int, int, int] | None = None,
    ncols: int | None = None,
    captions: Mapping[str, str] | None = None,
    size: float = 3.0,
):
    """Show images side by side, each with a zoomed inset of the same region.

    Args:
        images: ``{title: image}``; images may differ in size (e.g. an LR input beside HR outputs), and
            the zoom box is scaled to each image's width relative to the largest one.
        zoom_box: ``(x, y, side)`` in the coordinates of the largest image, or ``None`` for no inset.
        ncols: columns of the grid (default: all in one row, up to 4).
        captions: text under each image (e.g. PSNR/SSIM).
    Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    names = list(images)
    ncols = ncols or min(4, len(names))
    nrows = int(np.ceil(len(names) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    ref_w = max(np.asarray(im).shape[1] for im in images.values())
    for ax in axes.flat[len(names):]:
        ax.axis("off")
    for ax, name in zip(axes.flat, names):
        im = np.asarray(images[name])
        _show(ax, im)
        title = name if not captions or name not in captions else f"{name}\n{captions[name]}"
        ax.set_title(title, fontsize=9)
        if zoom_box is not None:
            f = im.shape[1] / ref_w
            x, y, s = (int(round(v * f)) for v in zoom_box)
            s = max(s, 1)
            ax.add_patch(Rectangle((x - 0.5, y - 0.5), s, s, fill=False, edgecolor="red", linewidth=1.2))
            inset = ax.inset_axes([0.6, 0.0, 0.4, 0.4])
            _show(inset, im[y : y + s, x : x + s])
            for spine in inset.spines.values():
                spine.set_edgecolor("red")
    fig.tight_layout()
    return fig


def metric_bars(table, metric: str = "psnr", group: str = "dataset", hue: str = "method",
                ax=None, baseline: Mapping | None = None):
    """Bar chart of a metric from an :func:`srkit.evaluate.evaluate` table.

    Args:
        table: DataFrame with columns ``group``, ``hue`` and ``metric`` (one row per bar).
        metric: ``'psnr'`` or ``'ssim'`` (or any numeric column).
        group: column on the x axis (default the dataset); ``hue``: column for the bars in each group.
        baseline: optional ``{group_value: number}`` drawn as black ticks (e.g. published numbers).
    Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    pivot = table.pivot_table(index=group, columns=hue, values=metric, sort=False)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.2 + 1.1 * len(pivot) * max(1, len(pivot.columns)) / 2, 3.2))
    n = len(pivot.columns)
    width = 0.8 / max(n, 1)
    xs = np.arange(len(pivot))
    for i, col in enumerate(pivot.columns):
        bars = ax.bar(xs + (i - (n - 1) / 2) * width, pivot[col].values, width, label=str(col))
        ax.bar_label(bars, fmt="%.2f" if metric == "psnr" else "%.3f", fontsize=7)
    if baseline:
        for x, key in zip(xs, pivot.index):
            if key in baseline:
                ax.hlines(baseline[key], x - 0.4, x + 0.4, colors="black", linewidth=2)
    ax.set_xticks(xs, [str(v) for v in pivot.index])
    ax.set_ylabel("PSNR (dB)" if metric == "psnr" else metric.upper())
    lo = np.nanmin(pivot.values)
    ax.set_ylim(lo - (2 if metric == "psnr" else 0.05), None)
    ax.legend(fontsize=8)
    return ax


def show_filters(kernel, ncols: int = 16, size: float = 0.5, title: str | None = None):
    """Show the filters of a first convolution layer: ``kernel`` of shape (kh, kw, in, out), one small
    image per output filter (input channel 0), each scaled to its own min-max range."""
    import matplotlib.pyplot as plt

    k = np.asarray(kernel)[:, :, 0, :]
    n = k.shape[-1]
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            f = k[..., i]
            ax.imshow(f, cmap="gray", vmin=f.min(), vmax=f.max(), interpolation="nearest")
    if title:
        fig.suptitle(title)
    return fig


def tradeoff_plot(table, x: str = "params", y: str = "psnr", label: str = "model", ax=None, logx: bool = True):
    """Scatter of one column against another (e.g. PSNR against parameters or latency), labelled."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    ax.scatter(table[x], table[y])
    for _, row in table.iterrows():
        ax.annotate(str(row[label]), (row[x], row[y]), textcoords="offset points", xytext=(4, 4), fontsize=8)
    if logx:
        from matplotlib.ticker import NullFormatter

        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    return ax


def perception_distortion_plot(table, curve=None, x: str = "psnr", y: str = "texture", label: str = "method",
                               ax=None, title: str | None = None):
    """The perception-distortion plane (Blau & Michaeli, 2018): each method a point, PSNR (distortion,
    better to the right) against a perception measure (better down).

    ``table``: rows with ``label``, ``x`` and ``y`` columns (e.g. one dataset of
    :func:`srkit.gan.perception_distortion_table`).  ``y`` picks the perception axis: ``'texture'`` (the
    texture distance to the HR, default) or ``'niqe'`` (:func:`srkit.quality.niqe`, no reference: lower = more
    natural).  Rows with infinite PSNR (HR itself) are drawn as a horizontal line at their ``y`` (texture 0;
    with NIQE, the HR's own score, the level a method can hope to reach).  ``curve``: optional rows with ``alpha`` (network interpolation), drawn
    as a connected line.  Nothing can reach the bottom-right corner: that is the trade-off.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    missing = [c for c in (label, x, y) if c not in table.columns]
    if missing:
        raise KeyError(f"The table has no {missing} column(s); it has {list(table.columns)}. For y='niqe' make it "
                       "with srkit.gan.perception_distortion_table(..., niqe=True).")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.8))
    finite = table[np.isfinite(table[x])]
    for _, row in table.iterrows():
        if not np.isfinite(row[x]):
            ax.axhline(row[y], color="grey", lw=0.8, ls=":")
            ax.annotate(f"{row[label]} ({y} = {row[y]:.{0 if y == 'texture' else 2}f})", (finite[x].min(), row[y]), textcoords="offset points",
                        xytext=(0, 4), fontsize=8, color="grey")
    ax.scatter(finite[x], finite[y], zorder=3)
    for _, row in finite.iterrows():
        ax.annotate(str(row[label]), (row[x], row[y]), textcoords="offset points", xytext=(5, 4), fontsize=8)
    if curve is not None and len(curve):
        ax.plot(curve[x], curve[y], "o-", color="C1", ms=3, label="network interpolation", zorder=2)
        for _, row in curve.iterrows():
            ax.annotate(f"{row['alpha']:.2f}", (row[x], row[y]), textcoords="offset points", xytext=(-14, -10),
                        fontsize=7, color="C1")
        ax.legend(fontsize=8)
    ax.set_xlabel("PSNR (dB), higher = less distortion" if x == "psnr" else x)
    ax.set_ylabel({"texture": "texture distance (dB), lower = more real detail",
                   "niqe": "NIQE (no reference), lower = more natural"}.get(y, y))
    if title:
        ax.set_title(title)
    return ax


def gain_plot(table, dataset: str = "Set5", y: str = "gain_db", ax=None, title: str | None = None):
    """PSNR gain over bicubic (``y='gain_db'``) or absolute PSNR (``y='psnr'``, with bicubic's own line) against
    the scale factor, one line per model, published methods as open markers (e.g. at x8).

    ``table``: :func:`srkit.evaluate.gain_table` (rows of ``dataset`` are drawn).  The scale axis is logarithmic
    (x2, x3, x4, x8 evenly by factor): the gain shrinks as less of the image survives in the LR.
    """
    import matplotlib.pyplot as plt

    t = table[table.dataset == dataset]
    if not len(t):
        raise ValueError(f"The table has no rows for {dataset!r}; it has {sorted(set(table.dataset))}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    zoo_rows, pub = t[t.source == "zoo"], t[t.source == "published"]
    if y == "psnr":
        bic = t.sort_values("source", key=lambda c: c != "zoo").groupby("scale").bicubic_psnr.first()  # measured first
        ax.plot(bic.index, bic.values, "k--", lw=1, label="bicubic")
    else:
        ax.axhline(0, color="k", lw=0.8, ls="--")
    for i, (name, g) in enumerate(zoo_rows.groupby("model", sort=False)):
        g = g.sort_values("scale")
        ax.plot(g.scale, g[y], "o-", color=f"C{i}", ms=4, label=name)
    for j, (_, row) in enumerate(pub.iterrows()):
        ax.plot(row.scale, row[y], marker="s", mfc="none", color="grey", ms=6, ls="none",
                label="published at x8" if j == 0 else None)
        if y == "gain_db":  # in PSNR the published points lie too close together to be labelled
            ax.annotate(row.model, (row.scale, row[y]), textcoords="offset points", xytext=(6, -3), fontsize=7,
                        color="grey")
    scales = sorted(set(t.scale))
    ax.set_xscale("log", base=2)
    ax.set_xticks(scales)
    ax.set_xticklabels([f"x{s}" for s in scales])
    ax.minorticks_off()
    ax.set_xlabel("scale factor")
    ax.set_ylabel("gain over bicubic (dB)" if y == "gain_db" else "PSNR (dB)")
    ax.set_title(title or f"{dataset}: " + ("gain over bicubic" if y == "gain_db" else "PSNR") + " by scale")
    ax.legend(fontsize=7)
    return ax


def quality_cost_plot(table, cost: str = "params", quality: str = "psnr", label: str = "model", ax=None,
                      front: bool = True, title: str | None = None):
    """The quality-cost plane: PSNR against a cost on a log axis, the zoo's models and the published ones in
    two styles, each point labelled, and the Pareto front (:func:`srkit.profile.pareto_front`) as a step line.

    ``table``: a :func:`srkit.profile.quality_cost` table (any table with ``label``, ``cost``, ``quality`` and a
    ``kind`` column: ``'zoo'`` points are filled circles, the others hollow diamonds).  ``cost``: ``'params'``,
    ``'gflops'`` or ``'ms_per_mp'``.  Rows without a value on either axis (a published model's CPU time)
    are not drawn.  The front is computed here for ``cost``, over the drawn points (the table's ``pareto``
    column may have been computed for another cost).  Returns the matplotlib Axes.

        >>> from srkit.profile import quality_cost
        >>> ax = quality_cost_plot(quality_cost(4, timing=False), cost="gflops")
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    from .errors import InvalidValueError
    from .profile import COST_COLUMNS, pareto_front

    if cost not in COST_COLUMNS:
        raise InvalidValueError(f"cost must be one of {', '.join(map(repr, COST_COLUMNS))}, got {cost!r}.")
    missing = [c for c in (label, cost, quality) if c not in table.columns]
    if missing:
        hint = (" Make the table with quality_cost(..., timing=True) to have CPU times."
                if cost == "ms_per_mp" else " Make it with srkit.profile.quality_cost.")
        raise InvalidValueError(f"The table has no {missing} column(s); it has {list(table.columns)}.{hint}")
    x = np.asarray(table[cost], dtype=float)
    y = np.asarray(table[quality], dtype=float)
    shown = table[np.isfinite(x) & np.isfinite(y) & (x > 0)]
    if shown.empty:
        raise InvalidValueError(f"No row has both a positive {cost!r} and a {quality!r} to draw."
                                + (" CPU times exist only for zoo models timed with timing=True." if cost == "ms_per_mp" else ""))
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    kinds = shown["kind"] if "kind" in shown.columns else np.array(["zoo"] * len(shown))
    zoo_rows, other = shown[np.asarray(kinds) == "zoo"], shown[np.asarray(kinds) != "zoo"]
    if len(zoo_rows):
        ax.scatter(zoo_rows[cost], zoo_rows[quality], marker="o", color="C0", zorder=3, label="srkit zoo (measured)")
    if len(other):
        ax.scatter(other[cost], other[quality], marker="D", facecolors="none", edgecolors="C1", zorder=3,
                   label="published (paper's table)")
    for _, row in shown.iterrows():
        ax.annotate(str(row[label]), (row[cost], row[quality]), textcoords="offset points", xytext=(4, 4), fontsize=8)
    if front:
        f = pareto_front(shown, cost, quality)
        # a staircase: each front point's quality holds until the next (costlier, better) point
        ax.step(f[cost], f[quality], where="post", color="grey", lw=1, ls="--", zorder=2, label="Pareto front")
    ax.set_xscale("log")
    ax.xaxis.set_minor_formatter(NullFormatter())
    xlabel = COST_COLUMNS[cost]
    hw = getattr(table, "attrs", {}).get("output_hw")
    if cost == "gflops" and hw and tuple(hw) != (720, 1280):
        xlabel = f"GFLOPs per {hw[1]}x{hw[0]} output (2 x multiply-adds)"
    ax.set_xlabel(xlabel + " (log)")
    ds = getattr(table, "attrs", {}).get("dataset")
    ax.set_ylabel(f"PSNR on {ds} (dB)" if quality == "psnr" and ds else quality)
    if title is None and "scale" in table.columns and table["scale"].nunique() == 1:
        title = f"quality vs cost, x{int(table['scale'].iloc[0])}"
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8, loc="upper left")  # cheap and good: the empty corner of this plane
    return ax


def psnr_time_plot(curves: dict, target: float | None = None, x: str = "train_s", ax=None, title: str | None = None):
    """Validation PSNR against training time (or steps), one line per run, and a dashed target line.

    ``curves``: ``{label: [{"train_s": seconds, "step": n, "val_psnr": dB}, ...]}`` (each run's validations, in
    order; a run with no points is refused), e.g. the ``curve`` of every set-up in
    ``bench/training_efficiency.json``.  ``x``: ``'train_s'`` (default) or ``'step'``.  Where a run first
    reaches ``target`` is marked with a dot: the time-to-quality that steps per second alone do not tell.
    Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    from .errors import InvalidValueError

    if not isinstance(curves, dict) or not curves:
        raise InvalidValueError("curves must be a non-empty dict {label: [{'train_s': ..., 'val_psnr': ...}, ...]}.")
    if x not in ("train_s", "step"):
        raise InvalidValueError(f"x must be 'train_s' or 'step', got {x!r}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.2))
    for i, (label, points) in enumerate(curves.items()):
        if not points or any(x not in p or "val_psnr" not in p for p in points):
            raise InvalidValueError(f"The curve {label!r} needs points with {x!r} and 'val_psnr'.")
        xs = np.array([p[x] for p in points], dtype=float)
        ys = np.array([p["val_psnr"] for p in points], dtype=float)
        ax.plot(xs, ys, "-", color=f"C{i % 10}", lw=1.3, label=str(label))
        if target is not None and (ys >= target).any():
            j = int(np.argmax(ys >= target))
            ax.plot(xs[j], ys[j], "o", color=f"C{i % 10}", ms=5)
    if target is not None:
        ax.axhline(target, color="k", ls="--", lw=0.8, label=f"target {target:.2f} dB")
    finite = [p["val_psnr"] for pts in curves.values() for p in pts[1:]] or [0.0]
    ax.set_ylim(min(finite) - 0.2, max(finite) + 0.1)  # the untrained first point would flatten the rest
    ax.set_xlabel("training time (s)" if x == "train_s" else "steps")
    ax.set_ylabel("validation PSNR (dB)")
    if title:
        ax.set_title(title)
    ax.legend(fontsize=7, ncol=2)
    return ax
