"""Network interpolation on one image (the GAN chapter's slider): blend a PSNR model and its GAN version and
watch the image and its PSNR / SSIM / texture distance change.  :class:`InterpolationState` is plain Python;
:class:`InterpolationWidget` draws it."""

from __future__ import annotations

import numpy as np

from .compare import CompareState, CompareWidget

__all__ = ["InterpolationState", "InterpolationWidget"]


class InterpolationState:
    """Network interpolation (ESRGAN) on one image, as plain Python: ``alpha`` blends every weight of a
    PSNR model and a GAN model of the same architecture, ``(1 - alpha) * psnr + alpha * gan``.

    ``compare`` is a :class:`CompareState` with bicubic, the PSNR model, the GAN, the blend at the current
    ``alpha`` and HR, with PSNR, SSIM and texture distance; :meth:`set_alpha` recomputes the blend and
    its metrics.  :meth:`curve` walks several alphas (the perception-distortion curve of this image).
    """

    BLEND = "blend"

    def __init__(self, psnr_model, gan_model, lr, hr, scale: int, alpha: float = 0.5, zoom_size: int = 64):
        import keras

        from ..degrade import upscale
        from ..gan.tradeoff import blended_weights
        from ..infer import KerasUpscaler

        blended_weights(psnr_model, gan_model, 0.0)  # the same architecture, or a clear error
        self.scale, self._pair = int(scale), (psnr_model, gan_model)
        self._model = keras.models.clone_model(psnr_model)
        self._up = KerasUpscaler(self._model)
        self.lr = np.asarray(lr)
        out_psnr = KerasUpscaler(psnr_model)(self.lr, self.scale)
        out_gan = KerasUpscaler(gan_model)(self.lr, self.scale)
        self.alpha = float(alpha)
        self.compare = CompareState(
            {"bicubic": upscale(self.lr, self.scale), "PSNR model": out_psnr, "GAN": out_gan,
             self.BLEND: out_psnr, "HR": hr},
            reference="HR", crop_border=self.scale, zoom_size=zoom_size, texture=True)
        self.set_alpha(alpha)

    def blend(self, alpha: float) -> np.ndarray:
        """The blended model's output for ``alpha`` (does not change the state)."""
        from ..gan.tradeoff import blended_weights

        self._model.set_weights(blended_weights(*self._pair, alpha))
        return self._up(self.lr, self.scale)

    def set_alpha(self, alpha: float) -> dict[str, float]:
        """Move the slider: blend at ``alpha`` and return the blend's PSNR, SSIM and texture distance."""
        out = self.blend(alpha)
        self.alpha = float(alpha)
        return self.compare.set_image(self.BLEND, out)

    def curve(self, alphas=(0.0, 0.25, 0.5, 0.75, 1.0)):
        """PSNR, SSIM and texture distance of the blend at each alpha (a DataFrame); the state keeps its alpha."""
        import pandas as pd

        from ..scoring import score_image

        hr = self.compare.images["HR"]
        rows = []
        for a in alphas:
            scores = score_image(self.blend(a), hr, self.scale, ("psnr", "ssim", "texture"),
                                 where=f"blend at alpha {a}")
            rows.append({"alpha": float(a), **scores})
        self.blend(self.alpha)
        return pd.DataFrame(rows)


class InterpolationWidget:
    """An alpha slider over a :class:`CompareWidget`: moving it re-runs the blended network and updates the
    blend's image and metrics live (walk the perception-distortion curve)."""

    def __init__(self, state: InterpolationState, tile: int = 160):
        import ipywidgets as w

        self.state = state
        self.slider = w.FloatSlider(value=state.alpha, min=0.0, max=1.0, step=0.05, description="alpha",
                                    continuous_update=False)
        self.label = w.HTML()
        self.view = CompareWidget(state.compare, tile=tile)
        self.widget = w.VBox([w.HBox([self.slider, self.label]), self.view.widget])
        self.slider.observe(self._on_alpha, names="value")
        self._caption()

    def _caption(self) -> None:
        self.label.value = (f"<b>alpha = {self.state.alpha:.2f}</b> (0: PSNR model, 1: GAN) &nbsp; blend: "
                            f"{self.state.compare.metric_text(InterpolationState.BLEND)}")

    def _on_alpha(self, change) -> None:
        self.state.set_alpha(change["new"])
        self._caption()
        self.view.render()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
