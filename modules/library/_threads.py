"""Fitting on the threads a run gives a node, into a model whose bytes do not say how many there were.

A learner is built with ``n_jobs=1`` (the saved model then predicts on one thread wherever it is
served); Train Model raises that to ``ctx.threads`` for the fit only. The learners that take
``n_jobs`` here grow the same model on any number of threads: scikit-learn's forests seed every tree
before spreading them, and the boosted trees are built with ``deterministic`` and ``force_col_wise``
(each thread sums whole features, so no sum depends on how rows were split among threads).
LightGBM writes the thread count into the model text it saves, so that line is put back: the same
data and settings give the same model text however busy the worker was.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_LGBM_THREADS = re.compile(r"^\[num_threads: -?\d+\]$", re.MULTILINE)


@contextmanager
def fitting_threads(estimator: Any, threads: int) -> Iterator[None]:
    """Inside the block ``estimator`` fits on ``threads`` threads; afterwards it says ``n_jobs`` as before."""
    params = estimator.get_params(deep=False) if hasattr(estimator, "get_params") else {}
    if "n_jobs" not in params or (threads <= 1 and not _is_lightgbm(estimator)):
        yield
        return
    before = params["n_jobs"]
    estimator.set_params(n_jobs=threads)
    try:
        yield
    finally:
        estimator.set_params(n_jobs=before)
        _forget_lightgbm_threads(estimator, before)


def _is_lightgbm(estimator: Any) -> bool:
    return type(estimator).__module__.startswith("lightgbm")


def _forget_lightgbm_threads(estimator: Any, threads: Any) -> None:
    """Reload a fitted LightGBM model from its text with the thread count it was built with (always, so
    a one-thread fit and a many-thread fit pickle alike)."""
    booster = getattr(estimator, "_Booster", None)
    if not _is_lightgbm(estimator) or booster is None:
        return
    import lightgbm

    text = _LGBM_THREADS.sub(f"[num_threads: {int(threads or 0)}]", booster.model_to_string())
    estimator._Booster = lightgbm.Booster(model_str=text)
