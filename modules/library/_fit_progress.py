"""What a node shows while a learner fits: trees, rounds or epochs done where the learner can say, and
otherwise an honest "still fitting, N s elapsed" beat; never a percentage nobody measured.

Three kinds of learner count their own steps, with the very model they fit without counting:

- LightGBM (the boosted trees) calls a callback after every boosting round;
- scikit-learn's random forests grow in chunks with ``warm_start``, which draws each new tree's seed
  as growing them all at once does, so the trees are the same; ``warm_start`` is put back afterwards;
- the PyTorch neural networks call ``on_epoch`` after every pass over the rows.

Each step moves the progress from ``start`` towards 1 and checks for cancellation, so a long fit of
these can be stopped between steps. For every learner a heartbeat thread repeats the latest state with
the time elapsed, every :data:`BEAT_SECONDS`, when no step has been reported since: a learner that
cannot count (a linear model's solver, a calibrated SVM, a one-vs-all wrapper, the quantile forests)
shows "fitting <learner> on 30,000 rows × 25 columns, 12 s elapsed" and its bar stays where the
fit began. The heartbeat only calls ``ctx.progress`` (thread-safe in every context); cancellation
is checked only on the fitting thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from modules.sdk import RunContext

#: Seconds between two heartbeat reports of a fit that has reported nothing newer.
BEAT_SECONDS = 2.0
#: Chunks a forest grows in (at least as many trees per chunk as threads, so no thread idles).
FOREST_CHUNKS = 10


class FitProgress:
    """The progress of one fit, from ``start`` to 1: steps reported by the learner, beats in between."""

    def __init__(self, ctx: RunContext, what: str, start: float) -> None:
        self.ctx, self.what, self.start = ctx, what, start
        self.fraction, self.message = start, what
        self.started = self.reported = time.monotonic()
        self._lock = threading.Lock()

    def step(self, done: int, total: int, unit: str) -> None:
        """``done`` of ``total`` ``unit``s fitted (on the fitting thread): report, then check for cancellation."""
        with self._lock:
            self.fraction = self.start + (1.0 - self.start) * done / max(total, 1)
            self.message = f"{self.what}: {unit} {done:,} / {total:,}"
            self.reported = time.monotonic()
            self.ctx.progress(self.fraction, self.message)
        self.ctx.check_cancelled()

    def beat(self) -> None:
        """The latest state again, with the time elapsed, unless a step was reported within the last beat."""
        with self._lock:
            now = time.monotonic()
            if now - self.reported < BEAT_SECONDS * 0.99:
                return
            self.reported = now
            self.ctx.progress(self.fraction, f"{self.message}, {now - self.started:.0f} s elapsed")

    def elapsed(self) -> float:
        return time.monotonic() - self.started


@contextmanager
def reporting(ctx: RunContext, what: str, start: float) -> Iterator[FitProgress]:
    """A :class:`FitProgress` whose heartbeat runs while the block does."""
    progress = FitProgress(ctx, what, start)
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(BEAT_SECONDS):
            progress.beat()

    thread = threading.Thread(target=beat, name=f"fit-progress-{ctx.node_id}", daemon=True)
    thread.start()
    try:
        yield progress
    finally:
        stop.set()
        thread.join()


def fit_counting(pipeline: Any, features: Any, y: Any, progress: FitProgress, threads: int) -> None:
    """``pipeline.fit(features, y)``, with the learner's own steps reported where it can count them."""
    prefix, final = _final_step(pipeline)
    kind = type(final).__name__
    module = type(final).__module__
    if module.startswith("lightgbm") and kind in ("LGBMClassifier", "LGBMRegressor"):
        total = int(final.get_params()["n_estimators"])

        def round_done(env: Any) -> None:
            progress.step(env.iteration - env.begin_iteration + 1, total, "boosting round")

        pipeline.fit(features, y, **{f"{prefix}callbacks": [round_done]})
    elif module.startswith("modules.estimators.torch_mlp"):
        pipeline.fit(features, y, **{f"{prefix}on_epoch": lambda done, total: progress.step(done, total, "epoch")})
    elif module.startswith("sklearn.ensemble") and kind in ("RandomForestClassifier", "RandomForestRegressor"):
        _grow_forest(pipeline, final, features, y, progress, threads)
    else:
        pipeline.fit(features, y)


def _final_step(pipeline: Any) -> tuple[str, Any]:
    """The innermost last step of nested pipelines, and the ``step__`` prefix that routes a fit parameter to it."""
    prefix, step = "", pipeline
    while hasattr(step, "steps"):
        name, step = step.steps[-1]
        prefix += f"{name}__"
    return prefix, step


def _grow_forest(pipeline: Any, forest: Any, features: Any, y: Any, progress: FitProgress, threads: int) -> None:
    """Fit the steps before the forest as ``Pipeline.fit`` does, then grow the forest a chunk at a time."""
    encoded = _fit_all_but_last(pipeline, features, y)
    total = int(forest.n_estimators)
    chunk = max(threads, -(-total // FOREST_CHUNKS))
    try:
        for grown in range(chunk, total + chunk, chunk):
            forest.set_params(n_estimators=min(grown, total), warm_start=True)
            forest.fit(encoded, y)
            progress.step(min(grown, total), total, "tree")
    finally:
        forest.set_params(n_estimators=total, warm_start=False)


def _fit_all_but_last(pipeline: Any, features: Any, y: Any) -> Any:
    """What ``Pipeline.fit`` hands its last step: every earlier step fitted in place (nested pipelines too)."""
    encoded = features
    while hasattr(pipeline, "steps"):
        if len(pipeline.steps) > 1:
            encoded = pipeline[:-1].fit_transform(encoded, y)
        pipeline = pipeline.steps[-1][1]
    return encoded
