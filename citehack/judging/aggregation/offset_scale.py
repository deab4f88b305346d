"""The offset-scale model x_jt = a_j + b_j q_t, fitted by alternating least squares."""

from __future__ import annotations

import numpy as np

from .arrays import _juror_spread, _nanmean
from .constants import SCALE_PRIOR_FLOOR, SCALE_PRIOR_WEIGHT


def _offset_scale(x: np.ndarray, *, max_iter: int, tol: float):
    """Fit x_jt = a_j + b_j q_t by alternating least squares; return q, a, b.

    Gauge: q has mean 0 and SD 1 over the teams that have an estimate; b >= 0. Resamples
    that have converged drop out of the loop, so a few slow ones cost little.
    """
    present, _, _, deviation, spread, usable = _juror_spread(x)
    weight = (present & usable[..., None]).astype(float)
    values = np.where(present, x, 0.0)
    team_present = weight.sum(axis=1) > 0
    # Start from the mean of juror-centred totals: right up to scale when the design is full.
    start = _nanmean(np.where(present, deviation, np.nan), axis=1)
    q = np.nan_to_num(_standardise(np.nan_to_num(start), team_present))
    active = np.arange(len(x))
    w, v, tp, sp = weight, values, team_present, spread
    for _ in range(max_iter):
        new_q = _update_teams(v, w, q[active], tp, sp)[0]
        change = np.abs(new_q - q[active]).max(axis=1)
        q[active] = new_q
        moving = change >= tol
        if not moving.any():
            break
        if moving.sum() <= len(active) // 2:
            active, w, v, tp, sp = active[moving], w[moving], v[moving], tp[moving], sp[moving]
    informed = _update_teams(values, weight, q, team_present, spread)[1]
    q = _standardise(np.where(informed, q, np.nan), informed)
    a, b = _fit_jurors(values, weight * informed[:, None, :], np.nan_to_num(q), spread)
    return q, a, b


def _update_teams(values, weight, q, team_present, spread):
    """One ALS sweep: jurors' lines given q, then q given the lines, standardised."""
    a, b = _fit_jurors(values, weight, q, spread)
    denominator = (weight * b[..., None] ** 2).sum(axis=1)
    numerator = (weight * b[..., None] * (values - a[..., None])).sum(axis=1)
    informed = denominator > 1e-12
    raw = np.where(informed, numerator / np.where(informed, denominator, 1.0), 0.0)
    return np.nan_to_num(_standardise(raw, team_present)), informed


def _fit_jurors(values: np.ndarray, weight: np.ndarray, q: np.ndarray, spread: np.ndarray):
    """Each juror's a_j, b_j given q: least squares, b_j shrunk towards a target scale.

    Unpenalised, the model is degenerate on sparse designs: a juror's scale grows without
    bound while the teams that juror tells apart collapse together. The penalty
    SCALE_PRIOR_WEIGHT * (b_j - target_j)^2 stops that. The target, the SD of the juror's
    totals over the SD of q on the juror's teams (floored at SCALE_PRIOR_FLOOR), is the
    exact scale when the data are noise-free, so an exact fit stays a fixed point.
    """
    n = np.maximum(weight.sum(axis=2), 1.0)
    q_mean = (weight * q[:, None, :]).sum(axis=2) / n
    x_mean = (weight * values).sum(axis=2) / n
    dq = weight * (q[:, None, :] - q_mean[..., None])
    variance = (dq**2).sum(axis=2)
    covariance = (dq * (values - x_mean[..., None])).sum(axis=2)
    target = spread / np.maximum(np.sqrt(variance / n), SCALE_PRIOR_FLOOR)
    b = (covariance + SCALE_PRIOR_WEIGHT * target) / (variance + SCALE_PRIOR_WEIGHT)
    b = np.where(weight.any(axis=2), np.maximum(b, 0.0), 0.0)
    return x_mean - b * q_mean, b


def _standardise(q: np.ndarray, present: np.ndarray) -> np.ndarray:
    count = np.maximum(present.sum(axis=1, keepdims=True), 1)
    mean = np.where(present, q, 0.0).sum(axis=1, keepdims=True) / count
    centred = np.where(present, q - mean, np.nan)
    sd = np.sqrt((np.where(present, centred, 0.0) ** 2).sum(axis=1, keepdims=True) / count)
    return np.where(sd > 1e-12, centred / np.where(sd > 1e-12, sd, 1.0), centred)
