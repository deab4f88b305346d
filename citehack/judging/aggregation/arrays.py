"""NaN-aware helpers on arrays of resamples x jurors x teams (NaN where no total)."""

from __future__ import annotations

import numpy as np

from .constants import TIE_TOLERANCE


def _nanmean(x: np.ndarray, axis: int) -> np.ndarray:
    present = ~np.isnan(x)
    count = present.sum(axis=axis)
    total = np.where(present, x, 0.0).sum(axis=axis)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _juror_spread(x: np.ndarray):
    """Per juror: mask, number of teams, mean, deviations, population SD, usable."""
    present = ~np.isnan(x)
    n = present.sum(axis=2)
    mean = np.where(present, x, 0.0).sum(axis=2) / np.maximum(n, 1)
    deviation = np.where(present, x - mean[..., None], 0.0)
    sd = np.sqrt((deviation**2).sum(axis=2) / np.maximum(n, 1))
    # Zero variance relative to the values' size, so shifting or scaling a juror changes nothing.
    size = np.where(present, np.abs(x), 0.0).max(axis=2, initial=0.0)
    usable = (n >= 2) & (sd > TIE_TOLERANCE * size)
    return present, n, mean, deviation, sd, usable
