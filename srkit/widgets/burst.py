"""Step through the frames of a burst (multi-frame SR): the frame, its difference from the first frame, and
the sub-pixel shift of each frame.  :class:`BurstState` is plain Python; :class:`BurstViewer` draws it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ShapeError
from .compare import to_png

__all__ = ["BurstState", "BurstViewer"]


@dataclass
class BurstState:
    """State of a frame-by-frame view of a burst (:class:`srkit.burst.Burst`): the current frame index,
    stepping forwards/backwards (wrapping around), and what to show for each frame."""

    burst: object
    index: int = 0

    def __post_init__(self) -> None:
        if len(self.burst.frames) == 0:
            raise ShapeError("The burst has no frames.")
        self.go(self.index)

    @property
    def count(self) -> int:
        return len(self.burst.frames)

    def go(self, index: int) -> int:
        """Show frame ``index`` (wrapped into range, so -1 is the last frame)."""
        self.index = int(index) % self.count
        return self.index

    def step(self, delta: int = 1) -> int:
        return self.go(self.index + delta)

    def frame(self) -> np.ndarray:
        return self.burst.frames[self.index]

    def difference(self) -> np.ndarray:
        """|frame - frame 0|, amplified x4 and clipped: where this frame's sampling differs."""
        d = np.abs(self.frame().astype(np.int16) - self.burst.frames[0].astype(np.int16)) * 4
        return np.clip(d, 0, 255).astype(np.uint8)

    def caption(self) -> str:
        text = f"frame {self.index + 1} of {self.count}"
        if self.burst.shifts is not None:
            dy, dx = self.burst.shifts[self.index]
            text += f" | shift (dy, dx) = ({dy:+.2f}, {dx:+.2f}) LR pixels"
        return text


class BurstViewer:
    """ipywidgets view of a :class:`BurstState`: the frame, its difference from frame 0, a slider, a
    play button and the frame's true shift."""

    def __init__(self, burst, size: int = 256):
        import ipywidgets as w

        self.state, self.size = BurstState(burst), size
        self.image = w.Image(format="png", width=size)
        self.diff = w.Image(format="png", width=size)
        self.caption = w.HTML()
        # The slider holds the 0-based index; its number is hidden so that the only frame number shown is
        # the caption's, counted from 1 ("frame 1 of 8").
        self.slider = w.IntSlider(value=0, min=0, max=self.state.count - 1, description="frame", readout=False)
        self.play = w.Play(value=0, min=0, max=self.state.count - 1, interval=500)
        w.jslink((self.play, "value"), (self.slider, "value"))
        self.slider.observe(self._on_change, names="value")
        self.widget = w.VBox([w.HBox([self.play, self.slider]), w.HBox([self.image, self.diff]), self.caption])
        self.render()

    def _on_change(self, change) -> None:
        self.state.go(change["new"])
        self.render()

    def render(self) -> None:
        self.image.value = to_png(self.state.frame(), display_size=self.size)
        self.diff.value = to_png(self.state.difference(), display_size=self.size)
        self.caption.value = self.state.caption() + " (right: |frame - frame 1| x 4)"

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
