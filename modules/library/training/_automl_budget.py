"""An AutoML node's time budget: how long the search may go on, so that what follows it fits too.

The time budget is the whole node's: from the node's ``run`` starting (the guardrails and the search
included) to its outputs returned. After the search come the *tail*: the soft-voting ensemble measured
like a trial, the winner refitted on every training row, and the explanation (the winner fitted on the
rows its held-out rows were held from, then permutation importance on at most
``_automl.TIMED_SAMPLE_ROWS`` held-out rows). Each is estimated from what the trials measured:

- a trial records the seconds its fits took (``fit_s``) and the seconds scoring its held-out rows took
  (``score_s``), summed over its splits;
- refitting the winner on every training row: one split's fit times the growth in rows (``1 / (1 -
  holdout fraction)``, ``k / (k - 1)`` for k folds, 1 with a validation dataset);
- the explanation: one split's fit (none with a validation dataset: the refitted model is explained on
  it), and one scoring of the held-out rows per input column plus one;
- with greedy ensemble selection (version 3's default), also refitting the other trials the ensemble may
  take: the next best distinct trials, up to the ensemble size (``partners``), at most
  :data:`ENSEMBLE_SHARE` of the budget. Selection itself fits nothing; an ensemble whose refit the time
  left does not cover is cut to a smaller one that fits, or left;
- all of it times :data:`SAFETY`, plus :data:`OUTPUT_SECONDS` for the outputs; before any trial
  completed, :data:`UNKNOWN_TAIL_SHARE` of the budget.

A round of trials starts only while the time left covers the winner's tail and :data:`ROUND_SHARE` of a
typical round (the mean of the rounds so far); trials carry the wall-clock time at which the search's
share ends (``stop_at``) and stop there (a boosted-tree trial between two trees, any trial between folds
and before it starts), so a round started late is cut short rather than run past the reserve. Waiting
for a whole round's time left the last quarter to half of a budget unused (``make bench-automl``,
2026-12-06: a 40 s search stopped at 17.5 s). The ensemble is measured only when the time left covers
it and its own tail; the explanation uses fewer rows, or is left out, when the time left does not cover
it. Each of these says so in the node's log, and the log's last line gives the time after the search
against what was reserved for it.

What the budget does not bound: loading the inputs before ``run`` and storing the outputs after it,
and a single fit that cannot be interrupted (a forest, a linear model, a neural network) which
started in time but runs far longer than earlier trials of its kind. :func:`slack` is what the node's
whole wall time may exceed the budget by on an ordinary machine.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from typing import Any

#: Estimates of the tail are multiplied by this: none, as trials measure their fits with the pruning watch and
#: per-split overheads a refit does not have (make bench-automl, 2026-12-07: 1.3 x the estimate reserved 2.6-4.3 x
#: what the tail took, 0.6-2.2 s against 1.5-9.4 s).
SAFETY = 1.0
#: The reserve for refitting an ensemble's other members is at most this share of the budget: the first rounds'
#: trials (often the slowest) would otherwise keep half of a 40 s budget from the search (make bench-automl,
#: 2026-12-07: a census-like search stopped at 20 trials with 15 s unused), and selection cuts an ensemble
#: to what the time left can train.
ENSEMBLE_SHARE = 0.15
#: Greedy ensemble selection picks for at most this share of the budget (at least 1 s): 0.1 s for 5 folds of 426
#: rows or one of 4,500, 0.5 s for 22,000 held-out rows (two classes).
SELECTION_SHARE = 0.03
#: A round starts while the time left past the tail covers this share of a typical round.
ROUND_SHARE = 0.5
#: Seconds kept for building the output tables and returning them.
OUTPUT_SECONDS = 0.5
#: Before any trial completed (nothing measured yet), this share of the budget is kept for the tail.
UNKNOWN_TAIL_SHARE = 0.2
#: The explanation's permutation importance uses at least this many held-out rows, or none at all.
FEWEST_ROWS = 100


def slack(seconds: float) -> float:
    """How far a node's wall time (start to outputs written) may go past a time budget of ``seconds``:
    10 %, at least 2 s."""
    return max(2.0, 0.1 * seconds)


class TimeBudget:
    """The clock of one AutoML node with a time budget of ``seconds`` from ``started`` (``time.monotonic``)."""

    def __init__(
        self, seconds: float, started: float, problem: Any, partners: Callable[[], list[dict[str, Any]]] | None = None
    ) -> None:
        self.seconds = float(seconds)
        self.end = started + self.seconds
        self.problem = problem
        self.rounds: list[float] = []  # wall seconds of each round of trials
        #: The best distinct trials so far, as many as an ensemble may take (greedy selection), best first.
        self.partners = partners

    def left(self) -> float:
        return self.end - time.monotonic()

    # ---- the search ------------------------------------------------------------------------------

    def stop_at(self, best: dict[str, Any] | None) -> float:
        """The wall-clock time (``time.time()``, as every worker reads it) at which the search's trials stop:
        the budget's end less the tail of the best trial so far (before any trial completed: less
        :data:`UNKNOWN_TAIL_SHARE` of the budget)."""
        return time.time() + self.left() - self.tail(best)

    def search_stops(self, best: dict[str, Any] | None) -> str:
        """Why no further round starts ("" when one may): the time left must cover a typical round and the
        tail of the best trial so far."""
        left = self.left()
        if left <= 0:
            return f"time budget of {self.seconds:g} s spent"
        if not self.rounds:
            return ""
        round_s = statistics.fmean(self.rounds)
        reserve = self.tail(best)
        if left < ROUND_SHARE * round_s + reserve:
            return (
                f"time budget: {left:.1f} s of {self.seconds:g} s left, a round of trials takes about "
                f"{round_s:.1f} s and training and explaining the winner about {reserve:.1f} s"
            )
        return ""

    # ---- the tail --------------------------------------------------------------------------------

    def tail(self, best: dict[str, Any] | None) -> float:
        """Estimated seconds to refit and explain ``best`` (the best single trial so far), refit the other trials
        an ensemble may take (``partners``), and return the outputs; :data:`UNKNOWN_TAIL_SHARE` of the budget
        while no trial has completed."""
        if best is None:
            return UNKNOWN_TAIL_SHARE * self.seconds + OUTPUT_SECONDS
        others = [t for t in self.partners() if t is not best] if self.partners is not None else []
        ensemble = min(self.cost(others, refit=True, explain=False), ENSEMBLE_SHARE * self.seconds) if others else 0.0
        return self.cost([best], refit=True, explain=True) + ensemble + OUTPUT_SECONDS

    def cost(self, trials: list[dict[str, Any]], *, measure: bool = False, refit: bool, explain: bool) -> float:
        """Estimated seconds (safety included) of the model averaging ``trials`` (one trial: that trial's):
        measuring it like a trial, refitting it on every row, explaining it."""
        fit = sum(float(t.get("fit_s", t.get("duration_s") or 0.0)) for t in trials)
        score = sum(float(t.get("score_s", 0.0)) for t in trials)
        splits = self.splits()
        seconds = fit + score if measure else 0.0
        if refit:
            seconds += fit / splits * self.growth()
        if explain:
            seconds += self.explain_fit(fit / splits) + self.permutation(score / splits)
        return SAFETY * seconds

    def splits(self) -> int:
        p = self.problem
        if p.validation is not None:
            return 1
        return p.folds if p.validation_type == "Cross-validation" else 1

    def growth(self) -> float:
        """Training rows of the refit over those of one split's fit."""
        p = self.problem
        if p.validation is not None:
            return 1.0
        if p.validation_type == "Cross-validation":
            return p.folds / (p.folds - 1)
        return 1.0 / (1.0 - p.holdout)

    def explain_fit(self, fit: float) -> float:
        """The explanation's own fit (none with a validation dataset: the refitted model is explained)."""
        return 0.0 if self.problem.validation is not None else fit

    def permutation(self, score: float) -> float:
        """One scoring of the explained rows per input column, plus one, from one scoring of held-out rows."""
        from modules.library.training._automl import TIMED_SAMPLE_ROWS

        held = self.held_rows()
        share = min(1.0, TIMED_SAMPLE_ROWS / held) if held else 1.0
        return (len(self.problem.feature_types) + 1) * score * share

    def held_rows(self) -> int:
        p = self.problem
        if p.validation is not None:
            return len(p.validation.df)
        n = len(p.training.df)
        if p.validation_type == "Cross-validation":
            return math.ceil(n / p.folds)
        return max(1, round(p.holdout * n))

    def explanation_rows(self, rows: int, score_s: float) -> int:
        """How many of ``rows`` held-out rows the permutation importance can afford in the time left, given
        that scoring all of them took ``score_s`` seconds: all, fewer (at least :data:`FEWEST_ROWS`), or 0."""
        columns = len(self.problem.feature_types)
        left = self.left() - OUTPUT_SECONDS
        need = SAFETY * columns * score_s
        if need <= left:
            return rows
        affordable = int(rows * left / need) if need > 0 else rows
        return affordable if affordable >= min(rows, FEWEST_ROWS) else 0
