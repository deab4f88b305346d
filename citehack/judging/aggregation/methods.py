"""Team scores under each method, on arrays of resamples x jurors x teams."""

from __future__ import annotations

import warnings

import numpy as np

from .arrays import _juror_spread, _nanmean
from .constants import MEAN, MEDIAN, ZSCORE
from .offset_scale import _offset_scale


def _team_scores(x: np.ndarray, method: str) -> np.ndarray:
    if method == MEAN:
        return _nanmean(x, axis=1)
    if method == MEDIAN:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a team no drawn juror scored
            return np.nanmedian(x, axis=1)
    if method == ZSCORE:
        return _nanmean(_zscores(x), axis=1)
    # The bootstrap needs less precision than the point estimate: 1e-7 on a unit-SD scale.
    return _offset_scale(x, max_iter=1000, tol=1e-7)[0]


def _zscores(x: np.ndarray) -> np.ndarray:
    present, _, _, deviation, sd, usable = _juror_spread(x)
    keep = present & usable[..., None]
    return np.where(keep, deviation / np.where(usable, sd, 1.0)[..., None], np.nan)
