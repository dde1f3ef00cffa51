"""The learning-curve explorer (the training-practice chapter): choose runs and overlay their training and
validation PSNR curves, with the generalisation gap between them shaded.

:class:`CurvesState` is plain Python (which runs are shown, against steps or seconds, as PSNR or as the gain
over bicubic; the curves, gaps and a summary table; the figure); :class:`CurvesExplorer` draws it with
ipywidgets.  A run is anything with a per-epoch history: a :class:`srkit.train.TrainResult`, a list of
history dicts (``step``, ``val_psnr``, optionally ``train_psnr``, ``epoch_time_s`` and the bicubic
baselines ``train_bicubic_psnr`` / ``val_bicubic_psnr``), or a record of ``bench/training_practice.json``
(a dict with a ``history``).
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidValueError

__all__ = ["CurvesState", "CurvesExplorer", "curves", "MEASURES", "X_AXES"]

#: What the curves show: the PSNR itself, or the gain over bicubic on the same images.
MEASURES = ("psnr", "gain")
#: What the curves are drawn against: training steps, or training seconds (time to PSNR).
X_AXES = ("step", "time")

_LABELS = {"psnr": "PSNR (dB)", "gain": "gain over bicubic (dB)", "step": "training step",
           "time": "training time (s)"}


def _history(run) -> list[dict]:
    if hasattr(run, "history") and not isinstance(run, dict):
        return list(run.history)
    if isinstance(run, dict) and "history" in run:
        return list(run["history"])
    if isinstance(run, (list, tuple)) and all(isinstance(h, dict) for h in run):
        return list(run)
    raise InvalidValueError(f"A run must be a TrainResult, a list of history dicts or a dict with a 'history', got "
                            f"{type(run).__name__}.")


class CurvesState:
    """Learning curves of several runs, as plain Python.

    Args:
        runs: ``{name: run}`` (see the module docstring for what a run may be); at least one, each with at
            least one epoch that has ``val_psnr``.
        selected: the names shown at first (default: all).
        measure: ``'psnr'`` or ``'gain'`` (PSNR minus bicubic's on the same images: compares training and
            validation images of different difficulty fairly; needs the bicubic baselines in the history).
        x: ``'step'`` or ``'time'`` (cumulative training seconds).
    """

    def __init__(self, runs: dict, selected=None, measure: str = "psnr", x: str = "step"):
        if not isinstance(runs, dict) or not runs:
            raise InvalidValueError("runs must be a non-empty dict {name: run}.")
        self.runs = {str(k): _history(v) for k, v in runs.items()}
        for name, hist in self.runs.items():
            if not any(h.get("val_psnr") is not None for h in hist):
                raise InvalidValueError(f"Run {name!r} has no validation PSNR in its history: train it with a val_set.")
        self.measure, self.x = "psnr", "step"
        self.selected: list[str] = []
        self.select(list(self.runs) if selected is None else selected)
        self.set_measure(measure)
        self.set_x(x)

    # ---------------------------------------------------------------- choices
    def _check(self, name: str) -> str:
        if name not in self.runs:
            raise InvalidValueError(f"Unknown run {name!r}; the runs are: {', '.join(self.runs)}.")
        return name

    def select(self, names) -> list[str]:
        """Show exactly these runs (in the order of ``runs``); returns the selection."""
        names = [names] if isinstance(names, str) else list(names)
        chosen = {self._check(n) for n in names}
        self.selected = [n for n in self.runs if n in chosen]
        return self.selected

    def toggle(self, name: str) -> list[str]:
        """Show the run if hidden, hide it if shown; returns the selection."""
        name = self._check(name)
        return self.select([n for n in self.selected if n != name] if name in self.selected else [*self.selected, name])

    def set_measure(self, measure: str) -> None:
        """``'psnr'`` or ``'gain'`` (refused when a run lacks the bicubic baselines)."""
        if measure not in MEASURES:
            raise InvalidValueError(f"measure must be one of {', '.join(map(repr, MEASURES))}, got {measure!r}.")
        if measure == "gain":
            missing = [n for n, h in self.runs.items() if not any(e.get("val_bicubic_psnr") is not None for e in h)]
            if missing:
                raise InvalidValueError(f"measure='gain' needs the bicubic baselines, which {', '.join(missing)} did not "
                                        "log; train with train_psnr_images > 0, or use measure='psnr'.")
        self.measure = measure

    def set_x(self, x: str) -> None:
        """``'step'`` or ``'time'``."""
        if x not in X_AXES:
            raise InvalidValueError(f"x must be one of {', '.join(map(repr, X_AXES))}, got {x!r}.")
        self.x = x

    # ---------------------------------------------------------------- numbers
    def curves(self, name: str) -> dict[str, np.ndarray]:
        """``{'x', 'val', 'train'}`` of one run for the current measure and x axis (``train`` holds NaN where
        the run did not log ``train_psnr``)."""
        hist = [h for h in self.runs[self._check(name)] if h.get("val_psnr") is not None]
        if self.x == "step":
            xs = np.array([float(h["step"]) for h in hist])
        else:
            xs = np.cumsum([float(h.get("epoch_time_s", 0.0)) for h in hist])
        val = np.array([float(h["val_psnr"]) for h in hist])
        train = np.array([np.nan if h.get("train_psnr") is None else float(h["train_psnr"]) for h in hist])
        if self.measure == "gain":
            val = val - np.array([float(h.get("val_bicubic_psnr", np.nan)) for h in hist])
            train = train - np.array([float(h.get("train_bicubic_psnr", np.nan)) for h in hist])
        return {"x": xs, "val": val, "train": train}

    def gap(self, name: str) -> np.ndarray:
        """The generalisation gap per epoch, ``train - val`` in the current measure (NaN without ``train_psnr``)."""
        c = self.curves(name)
        return c["train"] - c["val"]

    def summary(self):
        """One row per shown run: final train and validation value, gap, best validation value and its step."""
        import pandas as pd

        rows = []
        for name in self.selected:
            c = self.curves(name)
            best = int(np.nanargmax(c["val"]))
            steps = [float(h["step"]) for h in self.runs[name] if h.get("val_psnr") is not None]
            rows.append({"run": name, "train": c["train"][-1], "val": c["val"][-1], "gap": c["train"][-1] - c["val"][-1],
                         "best val": c["val"][best], "best at step": int(steps[best])})
        return pd.DataFrame(rows, columns=["run", "train", "val", "gap", "best val", "best at step"])

    # ---------------------------------------------------------------- figure
    def figure(self, ax=None, title: str | None = None):
        """The shown runs: validation solid, training dashed, the gap between them shaded."""
        import matplotlib.pyplot as plt

        fig = None
        if ax is None:
            fig, ax = plt.subplots(figsize=(7, 3.8))
        for i, name in enumerate(self.selected):
            c = self.curves(name)
            colour = f"C{i % 10}"
            ax.plot(c["x"], c["val"], "-", color=colour, label=f"{name}: validation")
            if not np.all(np.isnan(c["train"])):
                ax.plot(c["x"], c["train"], "--", color=colour, label=f"{name}: training")
                ax.fill_between(c["x"], c["train"], c["val"], color=colour, alpha=0.15)
        ax.set_xlabel(_LABELS[self.x])
        ax.set_ylabel(_LABELS[self.measure])
        if title:
            ax.set_title(title)
        if self.selected:
            ax.legend(fontsize=7, loc="best")
        return fig if fig is not None else ax.figure


class CurvesExplorer:
    """Pick runs (a multiple selection), the measure (PSNR or gain over bicubic) and the x axis (steps or
    seconds); the figure and the summary table redraw on every change."""

    def __init__(self, state: CurvesState, title: str | None = None):
        import ipywidgets as w

        self.state, self.title = state, title
        self.runs = w.SelectMultiple(options=list(state.runs), value=tuple(state.selected), description="runs",
                                     rows=min(8, len(state.runs)))
        self.measure = w.ToggleButtons(options=[("PSNR", "psnr"), ("gain over bicubic", "gain")], value=state.measure)
        self.x = w.ToggleButtons(options=[("steps", "step"), ("seconds", "time")], value=state.x)
        self.out = w.Output()
        self.message = w.HTML()
        self.widget = w.VBox([w.HBox([self.runs, w.VBox([self.measure, self.x, self.message])]), self.out])
        self.runs.observe(self._on_runs, names="value")
        self.measure.observe(self._on_measure, names="value")
        self.x.observe(self._on_x, names="value")
        self.render()

    def _on_runs(self, change) -> None:
        self.state.select(change["new"])
        self.render()

    def _on_measure(self, change) -> None:
        try:
            self.state.set_measure(change["new"])
            self.message.value = ""
        except InvalidValueError as err:
            self.measure.value = self.state.measure  # back to what is shown (this clears the message) ...
            self.message.value = f"<i>{err}</i>"     # ... then say why
            return
        self.render()

    def _on_x(self, change) -> None:
        self.state.set_x(change["new"])
        self.render()

    def render(self) -> None:
        """Redraw the figure and the table."""
        import matplotlib.pyplot as plt
        from IPython.display import display

        self.out.clear_output(wait=True)
        with self.out:
            fig = self.state.figure(title=self.title)
            display(fig)
            plt.close(fig)
            display(self.state.summary().round(2))

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def curves(runs: dict, selected=None, measure: str = "psnr", x: str = "step", title: str | None = None) -> CurvesExplorer:
    """The learning-curve explorer for ``runs`` (``{name: TrainResult | history | bench record}``)."""
    return CurvesExplorer(CurvesState(runs, selected, measure, x), title=title)
