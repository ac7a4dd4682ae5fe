"""Every two-class, multiclass and regression learner, with its default parameters, fits 30,000 rows of a
one-hot-heavy table (100 features) through Train Model on 2 threads within a stated bound, and its progress
moves while it fits: the step it is at for learners that count (rounds, trees, epochs), a beat with the
time elapsed for the others.

The bounds are generous (about three times the slowest fit seen on two shared, busy cores); the times
themselves are printed by ``make bench-learners`` (bench/learner_defaults.py, the same table).
"""

from __future__ import annotations

import re

import pytest

from bench.learner_defaults import CASES, Case, table
from bench.learner_defaults import train as train_defaults
from modules.library import _fit_progress
from modules.sdk import DataTable, LocalContext

#: Seconds a default fit may take: the neural networks run 100 passes of 938 mini-batches; the others
#: take a few seconds (the logistic regressions took 25-90 s before version 2).
BOUND_SECONDS = 60.0
NEURAL_BOUND_SECONDS = 180.0
COUNTING = {"boosted_decision_tree": "boosting round", "decision_forest": "tree", "neural_network": "epoch"}
ELAPSED = re.compile(r", (\d+) s elapsed$")


def unit_of(case: Case) -> str | None:
    """What a counting learner counts (None for learners that cannot count their steps)."""
    if case.wraps is not None:
        return None
    return next((unit for key, unit in COUNTING.items() if key in case.learner), None)


@pytest.fixture(scope="module")
def tables() -> dict[str, DataTable]:
    return {task: table(task) for task in ("binary", "multiclass", "regression", "counts")}


@pytest.mark.parametrize("case", CASES, ids=[c.learner for c in CASES])
def test_the_default_learner_fits_30000_rows_within_the_bound_and_shows_progress(
    case: Case, tables: dict[str, DataTable]
) -> None:
    # given the 30,000-row table with 10 numbers and 15 six-valued text columns (100 one-hot features)
    data = tables[case.task]
    assert data.df.shape == (30_000, 26)
    ctx = LocalContext(threads=2)

    # when Train Model fits the learner with its default parameters
    model, seconds = train_defaults(case, data, ctx)

    # then it finishes within the bound
    bound = NEURAL_BOUND_SECONDS if "neural_network" in case.learner else BOUND_SECONDS
    assert seconds < bound, f"{case.learner} took {seconds:.1f} s"
    assert model.feature_columns == [c for c in data.df.columns if c != "label"]
    # and while it fits, the progress shows what it is doing
    during = [(f, m) for f, m in ctx.progress_updates if m.startswith("fitting ")]
    unit = unit_of(case)
    if unit is not None:
        counted = [f for f, m in during if f": {unit} " in m]
        assert len(counted) >= 4
        assert counted == sorted(set(counted))
        assert counted[-1] == 1.0
    else:
        beats = [int(match.group(1)) for _, m in during if (match := ELAPSED.search(m))]
        assert {f for f, _ in during} == {0.1}  # no made-up percentage
        assert len(beats) >= int(seconds // _fit_progress.BEAT_SECONDS) - 1
        assert beats == sorted(beats)
        if len(beats) >= 2:
            assert beats[-1] > beats[0]
