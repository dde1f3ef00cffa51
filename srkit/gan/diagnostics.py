"""Reading a GAN run: plain-language diagnoses of its history, and a live plot of every loss term."""

from __future__ import annotations

import numpy as np

from ..train.callbacks import LivePlotBase

__all__ = ["diagnose", "LossPlot", "plot_losses"]


def diagnose(history: list[dict]) -> list[str]:
    """Plain-language warnings about a GAN run from its per-epoch history (empty list: nothing seen).

    * discriminator loss near zero with ~100% accuracy: ``D`` wins outright, its gradients to ``G``
      vanish or explode (the classic failure; lower ``d_learning_rate`` or raise the pixel weight);
    * generator adversarial loss climbing for three epochs while ``D`` wins: ``G`` is losing the game;
    * discriminator accuracy stuck at ~50%: ``D`` learned nothing, the adversarial term is only noise;
    * validation PSNR more than 4 dB below its start: the generator drifts away from the input
      (raise ``pixel_weight``).
    """
    out = []
    if not history:
        return out
    last = history[-1]
    acc = (last.get("d_real_acc", 0.5) + last.get("d_fake_acc", 0.5)) / 2
    if last.get("d_loss", 1.0) < 0.05 and acc > 0.98:
        out.append(f"Discriminator wins outright (d_loss {last['d_loss']:.3f}, accuracy {acc:.0%}): its gradients "
                   "no longer guide the generator. Lower d_learning_rate or raise pixel_weight.")
    adv = [h["adversarial"] for h in history if "adversarial" in h]
    if len(adv) >= 4 and adv[-1] > adv[-2] > adv[-3] > adv[-4] and acc > 0.9:
        out.append(f"Generator adversarial loss climbed for three epochs ({adv[-4]:.2f} -> {adv[-1]:.2f}) while the "
                   "discriminator wins: the generator is losing the game (possible collapse).")
    if len(history) >= 2 and all(abs((h.get("d_real_acc", 0) + h.get("d_fake_acc", 0)) / 2 - 0.5) < 0.03
                                 for h in history[-2:]):
        out.append("Discriminator accuracy is stuck near 50%: it cannot tell real from fake, so the adversarial "
                   "term adds noise, not texture. Raise d_learning_rate or the discriminator's size.")
    ps = [h["val_psnr"] for h in history if h.get("val_psnr") is not None]
    if len(ps) >= 2 and ps[0] - ps[-1] > 4.0:
        out.append(f"Validation PSNR fell {ps[0] - ps[-1]:.1f} dB since the start: the generator drifts from the "
                   "input. Raise pixel_weight.")
    return out


class LossPlot(LivePlotBase):
    """Live plot for a notebook: each loss term on its own axis, plus the discriminator's accuracy."""

    def __init__(self, every: int = 25, terms=("pixel", "adversarial", "feature", "d_loss")):
        super().__init__(every)
        self.terms = tuple(terms)
        self.rows: list[dict] = []

    def record_batch(self, logs: dict) -> None:
        self.rows.append({k: float(np.asarray(v)) for k, v in logs.items()})

    def figure(self):
        return plot_losses(self.rows, self.terms)


def plot_losses(rows: list[dict], terms=("pixel", "adversarial", "feature", "d_loss")):
    """One small axis per loss term (running means as Keras logs them) and one for D's accuracy."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(terms) + 1, figsize=(2.6 * (len(terms) + 1), 2.4))
    for ax, t in zip(axes, terms):
        ax.plot([r.get(t, np.nan) for r in rows], color="C0")
        ax.set_title(t, fontsize=9)
        ax.set_xlabel("step", fontsize=8)
    ax = axes[-1]
    ax.plot([r.get("d_real_acc", np.nan) for r in rows], label="real")
    ax.plot([r.get("d_fake_acc", np.nan) for r in rows], label="fake")
    ax.set_ylim(0, 1.05)
    ax.set_title("D accuracy", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
