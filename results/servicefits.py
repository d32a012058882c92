"""Service-time fits for a discovered catalogue: per step and kind of work, the mean with its
confidence interval and the best of the catalogue's families (scipy.stats), and the one shape the
catalogue can state for all steps (``world.service_time_distribution`` and ``service_time_cv``),
with a goodness-of-fit figure (matplotlib, no pyplot state).

The catalogue's families are those the engines draw (``world.service_time_distribution``):
exponential, lognormal with one coefficient of variation for every step, deterministic. Each
sample is fitted with each (scale or log-mean free per step, location 0; ``scipy.stats.expon`` and
``scipy.stats.lognorm``), the best per sample by AIC, with a Kolmogorov-Smirnov p-value (the
parameters being estimated from the same data, it is conservative). The shared shape is chosen by
the pooled log-likelihood: exponential (one scale per sample), or lognormal with the pooled log
standard deviation (one log-mean per sample, one sigma for all, its maximum-likelihood estimate),
by AIC; deterministic when no sample varies. The step's mean in the draft is the sample mean
(unbiased whatever the family), its interval Student's t.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats

FAMILIES = ("exponential", "lognormal", "deterministic")
STILL = 1e-9  # a coefficient of variation below this is no variation (deterministic times)


@dataclass(frozen=True)
class Fit:
    """One sample's fit: size, mean with its interval, coefficient of variation, the best family
    by AIC and its KS p-value, and each family's AIC."""

    n: int
    mean: float
    low: float
    high: float
    cv: float
    family: str
    ks_p: float
    aic: dict[str, float]


def mean_interval(sample: np.ndarray, level: float) -> tuple[float, float, float]:
    """The sample mean and its Student-t interval at ``level``."""
    n = len(sample)
    mean = float(np.mean(sample))
    if n < 2:
        return mean, float("nan"), float("nan")
    half = stats.t.ppf(0.5 + level / 2, n - 1) * np.std(sample, ddof=1) / np.sqrt(n)
    return mean, mean - half, mean + half


def fit_sample(sample: np.ndarray, level: float = 0.95) -> Fit:
    """Fit one sample of positive durations (days)."""
    sample = np.asarray(sample, dtype=float)
    mean, low, high = mean_interval(sample, level)
    cv = float(np.std(sample, ddof=1) / mean) if len(sample) > 1 and mean > 0 else 0.0
    if cv < STILL or np.any(sample <= 0):
        return Fit(len(sample), mean, low, high, cv, "deterministic", float("nan"), {})
    scale = sample.mean()  # expon MLE with location 0
    aic = {"exponential": 2 - 2 * stats.expon.logpdf(sample, scale=scale).sum()}
    logs = np.log(sample)
    sigma = logs.std()
    aic["lognormal"] = 4 - 2 * stats.lognorm.logpdf(sample, sigma, scale=np.exp(logs.mean())).sum()
    family = min(aic, key=aic.get)
    if family == "exponential":
        ks = stats.kstest(sample, "expon", args=(0, scale))
    else:
        ks = stats.kstest(sample, "lognorm", args=(sigma, 0, np.exp(logs.mean())))
    return Fit(len(sample), mean, low, high, cv, family, float(ks.pvalue), aic)


@dataclass(frozen=True)
class Shape:
    """The shape shared by every step: family, lognormal coefficient of variation (with the
    pooled sigma), and the pooled AIC of each family."""

    family: str
    cv: float
    sigma: float
    aic: dict[str, float]


def shared_shape(samples: list[np.ndarray]) -> Shape:
    """The catalogue family fitting all samples at once (one mean per sample)."""
    samples = [np.asarray(s, dtype=float) for s in samples if len(s)]
    if not samples or all(len(s) < 2 or np.std(s) / np.mean(s) < STILL for s in samples):
        return Shape("deterministic", 0.0, 0.0, {})
    if any(np.any(s <= 0) for s in samples):
        return Shape("deterministic", 0.0, 0.0, {})
    loglik_exp = sum(stats.expon.logpdf(s, scale=s.mean()).sum() for s in samples)
    residuals = np.concatenate([np.log(s) - np.log(s).mean() for s in samples])
    sigma = float(np.sqrt(np.mean(residuals**2)))
    loglik_log = sum(stats.lognorm.logpdf(s, sigma, scale=np.exp(np.log(s).mean())).sum()
                     for s in samples)  # fmt: skip
    k = len(samples)
    aic = {"exponential": 2 * k - 2 * loglik_exp, "lognormal": 2 * (k + 1) - 2 * loglik_log}
    family = min(aic, key=aic.get)
    return Shape(family, float(np.sqrt(np.expm1(sigma**2))), sigma, aic)


def quantiles(shape: Shape, mean: float, probabilities: np.ndarray) -> np.ndarray:
    """Quantiles of the shared shape with the given mean."""
    if shape.family == "exponential":
        return stats.expon.ppf(probabilities, scale=mean)
    if shape.family == "lognormal":
        scale = mean * np.exp(-(shape.sigma**2) / 2)
        return stats.lognorm.ppf(probabilities, shape.sigma, scale=scale)
    return np.full_like(probabilities, mean)


def fit_figure(panels: list[tuple[str, np.ndarray, Fit]], shape: Shape, path: Path) -> None:
    """Q-Q plots, one panel per sample: observed quantiles against those of the shared shape
    with the sample's mean (the draft's model of it); a straight diagonal is a good fit."""
    from matplotlib.figure import Figure

    from govlab.viz.fonts import use_bundled_font

    use_bundled_font()
    columns = min(6, max(1, len(panels)))
    rows = -(-len(panels) // columns)
    figure = Figure(figsize=(2.8 * columns, 2.8 * rows))
    axes = figure.subplots(rows, columns, squeeze=False)
    for ax in axes.flat[len(panels) :]:
        ax.set_visible(False)
    for ax, (title, sample, fit) in zip(axes.flat, panels, strict=False):
        observed = np.sort(sample)
        probabilities = (np.arange(1, len(observed) + 1) - 0.5) / len(observed)
        model = quantiles(shape, fit.mean, probabilities)
        top = max(observed.max(), model.max())
        ax.plot([0, top], [0, top], color="0.6", linewidth=0.8)
        ax.plot(model, observed, ".", markersize=2)
        ax.set_title(f"{title}\nn={fit.n}, best {fit.family}, KS p={fit.ks_p:.2f}", fontsize=6.5)
        ax.tick_params(labelsize=6)
    figure.supxlabel(
        f"quantiles of the draft ({shape.family}, cv {shape.cv:.2f}); days", fontsize=8
    )
    figure.supylabel("observed quantiles; days", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
