"""Interactive widgets for Jupyter, each in two layers so the logic is testable without a browser: a plain
Python state that tests drive directly, and an ipywidgets view that draws it.

* :mod:`~srkit.widgets.compare`: :func:`compare` / :class:`CompareState` / :class:`CompareWidget`, the
  images of one scene side by side with a shared zoom box, a before/after swipe and PSNR/SSIM;
* :mod:`~srkit.widgets.burst`: :class:`BurstViewer`, step through the frames of a burst;
* :mod:`~srkit.widgets.interpolation`: :class:`InterpolationWidget`, the network-interpolation slider;
* :mod:`~srkit.widgets.curves`: :func:`curves` / :class:`CurvesState` / :class:`CurvesExplorer`, learning
  curves of several runs with the generalisation gap shaded.

Quick use in a notebook::

    from srkit.widgets import compare
    compare({"bicubic": bic, "model": sr, "HR": hr}, reference="HR", crop_border=3)
"""

from __future__ import annotations

from .attribution import AttributionState, AttributionWidget, attribution, heat_overlay
from .burst import BurstState, BurstViewer
from .compare import CompareState, CompareWidget, ZoomBox, compare, to_png
from .curves import CurvesExplorer, CurvesState, curves
from .interpolation import InterpolationState, InterpolationWidget

__all__ = ["CompareState", "CompareWidget", "compare", "ZoomBox", "to_png", "BurstState", "BurstViewer",
           "InterpolationState", "InterpolationWidget", "CurvesState", "CurvesExplorer", "curves",
           "AttributionState", "AttributionWidget", "attribution", "heat_overlay"]
