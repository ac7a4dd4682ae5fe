"""AutoML Classification vs. ``flaml.AutoML.fit`` with the same time budget, on the same split, side by side.

Two data sets: the bundled breast-cancer sample (569 rows, 30 numbers) and a 30,000-row census-like table
generated here, deterministically (numbers, categories, missing values, a ``>50K`` / ``<=50K`` label with
signal). Each is split once (75% / 25%, stratified, seed 0); both sides search on the same training part
for the same number of seconds, optimizing AUC, and their winners are scored on the same held-out part
with ``sklearn.metrics.roc_auc_score`` of the positive class's probabilities.

- Tessera: Dataset → AutoML Classification (primary metric AUC, time budget, trial budget 1,000 so only the
  time stops it, the latest version's defaults: boosted decision tree, decision forest, logistic regression;
  Automatic validation, i.e. 5-fold cross-validation of the breast-cancer sample and a 20% holdout of the
  census-like table at these budgets, as FLAML decides; greedy ensemble selection; 4 concurrent trials) run
  through the executor on two real Celery workers (solo pool, Redis
  broker, PostgreSQL state): its trials are parts that both workers take. The trained model output is
  loaded from the artifact store and scored in this process with Score Model's scoring (``score_table``).
- FLAML: ``flaml.AutoML().fit(task="classification", metric="roc_auc", time_budget=..., estimator_list=
  ["lgbm", "rf", "lrl1"], n_jobs=-1, seed=...)`` in this process, with its own defaults for everything else
  (validation method chosen by data size, retraining the best configuration on all training rows).
  ``lgbm``, ``rf`` and ``lrl1`` are the counterparts of Tessera's three default algorithms.

Rounds are interleaved (Tessera, FLAML, Tessera, FLAML, ...) after an untimed warm-up of each; round ``r``
gives both sides the seed ``r``. Prints each round's held-out AUC, trials and wall time, the medians, the
ratio Tessera / FLAML and the load average before and after.

Needs PostgreSQL and Redis on 127.0.0.1 (scripts/services starts them) and the bench extra (flaml).
Usage:
    .venv/bin/python bench/automl_vs_flaml.py [--budget 20 40] [--rounds 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import bench_workspace, run_to_completion  # noqa: E402  (sets the environment first)

FLAML_ESTIMATORS = ["lgbm", "rf", "lrl1"]
TEST_SHARE = 0.25
SPLIT_SEED = 0


def census_like(rows: int = 30_000) -> Any:
    """A census-income-like table: ages, hours, capital gains, nine categorical columns (some with missing
    values) and an income label that depends on several of them, with noise. Deterministic."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)

    def pick(values: list[str], weights: list[float]) -> Any:
        w = np.asarray(weights, dtype="float64")
        return rng.choice(values, size=rows, p=w / w.sum())

    age = rng.integers(17, 91, rows)
    education = pick(
        ["HS-grad", "Some-college", "Bachelors", "Masters", "Assoc-voc", "11th", "Doctorate", "Prof-school", "9th"],
        [32, 22, 16, 5, 4, 4, 1.3, 1.7, 2],
    )
    years = {"9th": 5, "11th": 7, "HS-grad": 9, "Some-college": 10, "Assoc-voc": 11, "Bachelors": 13}
    years |= {"Masters": 14, "Prof-school": 15, "Doctorate": 16}
    education_num = np.array([years[e] for e in education])
    marital = pick(["Married-civ-spouse", "Never-married", "Divorced", "Separated", "Widowed"], [46, 33, 14, 3, 4])
    occupations = ["Prof-specialty", "Craft-repair", "Exec-managerial", "Adm-clerical", "Sales", "Other-service"]
    occupations += ["Machine-op-inspct", "Transport-moving", "Handlers-cleaners", "Tech-support", "Farming-fishing"]
    occupation = pick(occupations, [13, 13, 12, 12, 11, 10, 6, 5, 4, 3, 3]).astype(object)
    workclass = pick(["Private", "Self-emp", "Local-gov", "State-gov", "Federal-gov"], [70, 11, 7, 4, 3]).astype(object)
    sex = pick(["Male", "Female"], [67, 33])
    race = pick(["White", "Black", "Asian-Pac-Islander", "Other"], [85, 10, 3, 2])
    countries = ["United-States", "Mexico", "Philippines", "Germany", "Canada", "India", "China", "Cuba", "England"]
    countries += [f"Country-{i}" for i in range(30)]
    country = pick(countries, [90, 2, 0.6, 0.4, 0.4, 0.3, 0.3, 0.3, 0.3] + [0.18] * 30).astype(object)
    hours = np.clip(rng.normal(40, 12, rows).round(), 1, 99)
    gain = np.where(rng.random(rows) < 0.08, rng.lognormal(8.5, 1.0, rows).round(), 0.0)
    loss = np.where(rng.random(rows) < 0.05, rng.lognormal(7.4, 0.3, rows).round(), 0.0)

    married = marital == "Married-civ-spouse"
    top_jobs = np.isin(occupation, ["Exec-managerial", "Prof-specialty", "Tech-support"])
    logit = (
        -7.2
        + 0.35 * (education_num - 9)
        + 1.9 * married
        + 0.9 * top_jobs
        + 0.055 * np.minimum(age, 55)
        - 0.02 * np.maximum(age - 60, 0)
        + 0.025 * (hours - 40)
        + 0.4 * (sex == "Male")
        + 2.6 * (gain > 7000)
        + 0.8 * (loss > 1800)
        + 0.6 * (workclass == "Self-emp") * married
        + rng.normal(0, 0.6, rows)
    )
    label = np.where(rng.random(rows) < 1 / (1 + np.exp(-logit)), ">50K", "<=50K")
    occupation[rng.random(rows) < 0.05] = None
    workclass[rng.random(rows) < 0.05] = None
    country[rng.random(rows) < 0.02] = None
    hours = np.where(rng.random(rows) < 0.02, np.nan, hours)
    return pd.DataFrame(
        {
            "age": age,
            "workclass": workclass,
            "education": education,
            "education_num": education_num,
            "marital_status": marital,
            "occupation": occupation,
            "race": race,
            "sex": sex,
            "capital_gain": gain,
            "capital_loss": loss,
            "hours_per_week": hours,
            "native_country": country,
            "income": label,
        }
    )


def datasets() -> list[tuple[str, Any, str]]:
    from designer.datasets.samples import breast_cancer

    return [("breast cancer", breast_cancer(), "diagnosis"), ("census-like", census_like(), "income")]


def pipeline_doc(dataset_id: int, label: str, budget: int, seed: int, trials: int = 1000) -> dict[str, Any]:
    from tests.support.pipelines import document

    automl = {
        "label_column": label,
        "primary_metric": "AUC",
        "time_budget_seconds": budget,
        "maximum_number_of_trials": trials,
        "random_seed": seed,
    }
    from modules.sdk import default_registry

    doc = document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": dataset_id}}),
            ("automl", "automl_classification", automl),
        ],
        ["data.dataset -> automl.training_dataset"],
    )
    doc["nodes"][1]["version"] = default_registry().latest_version("automl_classification")
    return doc


def held_out_auc(probabilities: Any, labels: Any, positive: Any) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score((labels == positive).to_numpy(), probabilities))


def flaml_once(train: Any, test: Any, label: str, budget: float, seed: int, positive: Any) -> dict[str, Any]:
    import logging

    from flaml import AutoML

    logging.getLogger("flaml").setLevel(logging.ERROR)  # its per-trial log and search hints
    automl = AutoML()
    start = time.perf_counter()
    automl.fit(
        train.drop(columns=[label]),
        train[label],
        task="classification",
        metric="roc_auc",
        time_budget=budget,
        estimator_list=FLAML_ESTIMATORS,
        n_jobs=-1,
        seed=seed,
        verbose=0,
    )
    wall = time.perf_counter() - start
    probabilities = automl.predict_proba(test.drop(columns=[label]))[:, list(automl.classes_).index(positive)]
    return {
        "auc": held_out_auc(probabilities, test[label], positive),
        # every configuration tried (config_history only keeps the improvements); FLAML has no public count
        "trials": sum(automl._iter_per_learner.values()),
        "wall": wall,
        "winner": automl.best_estimator,
    }


class Side:
    """Tessera's side on one data set: its pipeline, run through the executor, its winner scored in-process."""

    def __init__(self, user: Any, workspace: Any, pipeline: Any, dataset_id: int, label: str, test: Any) -> None:
        self.user, self.workspace, self.pipeline = user, workspace, pipeline
        self.dataset_id, self.label, self.test = dataset_id, label, test

    def run(self, seed: int, budget: int, trials: int = 1000) -> dict[str, Any]:
        from designer.artifacts import artifact_store
        from designer.engine.execute import load_output
        from designer.pipelines.services import save_version
        from designer.runs.models import CacheEntry, NodePart
        from modules.library.scoring.score_model import score_table
        from modules.sdk import DataTable, Table

        store = artifact_store()
        doc = pipeline_doc(self.dataset_id, self.label, budget, seed, trials)
        save_version(self.user, self.pipeline, doc, message=f"seed {seed}, {budget} s")
        CacheEntry.objects.filter(workspace=self.workspace, module_id="automl_classification").delete()
        start = time.perf_counter()
        run = run_to_completion(self.user, self.pipeline)
        wall = time.perf_counter() - start
        node = run.nodes.get(node_id="automl")
        record = node.outputs["trained_model"]
        model = load_output(store, record["type"], record["digest"])
        scored = score_table(model, DataTable(self.test.drop(columns=[self.label]), {}))
        positive = scored.meta["positive_class"]
        board = Table.deserialize(store.get(node.outputs["leaderboard"]["digest"]))
        probabilities = scored.df["Scored Probabilities"].to_numpy()
        searched = board.df[board.df["Algorithm"] != "Soft-voting ensemble"]
        return {
            "auc": held_out_auc(probabilities, self.test[self.label], positive),
            "trials": len(searched),
            "pruned": int((searched["Status"] == "pruned").sum()),
            "wall": wall,
            "winner": board.meta["automl"]["winner"]["algorithm"],
            "positive": positive,
            "workers": NodePart.objects.filter(node_run=node).values("worker").distinct().count(),
            # how the time budget was spent: why the search stopped, and the tail against its reserve
            "budget_log": [
                line.strip()
                for line in (node.log or "").splitlines()
                if "search stopped after" in line or "after the search:" in line
            ],
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--budget", type=int, nargs=2, default=[20, 40], metavar=("BREAST", "CENSUS"), help="seconds per search"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes for Tessera")
    args = parser.parse_args()
    load_start = os.getloadavg()

    user, workspace = bench_workspace()
    from sklearn.model_selection import train_test_split

    from designer.datasets.services import create_dataset_from_frame
    from designer.pipelines.services import create_pipeline
    from tests.support.processes import WorkerPool

    pool = WorkerPool(size=args.workers)
    report: list[dict[str, Any]] = []
    try:
        pool.ensure()
        for (name, df, label), budget in zip(datasets(), args.budget, strict=True):
            train, test = train_test_split(df, test_size=TEST_SHARE, stratify=df[label], random_state=SPLIT_SEED)
            train, test = train.reset_index(drop=True), test.reset_index(drop=True)
            dataset = create_dataset_from_frame(user, workspace, f"automl bench {name}", train)
            pipeline = create_pipeline(
                user, workspace, f"automl bench {name}", document=pipeline_doc(dataset.pk, label, budget, 0)
            )

            side = Side(user, workspace, pipeline, dataset.pk, label, test)
            load_before = os.getloadavg()
            positive = side.run(seed=1000, budget=0, trials=4)["positive"]  # warm-up: imports, data on workers
            flaml_once(train, test, label, 2, 1000, positive)  # warm-up: imports
            rounds: dict[str, list[dict[str, Any]]] = {"Tessera": [], "FLAML": []}
            for seed in range(args.rounds):
                rounds["Tessera"].append(side.run(seed, budget))
                rounds["FLAML"].append(flaml_once(train, test, label, budget, seed, positive))
                t, f = rounds["Tessera"][-1], rounds["FLAML"][-1]
                print(
                    f"{name} round {seed + 1}: Tessera AUC {t['auc']:.4f} ({t['trials']} trials, {t['pruned']} pruned, "
                    f"{t['wall']:.1f} s, "
                    f"{t['winner']}, {t['workers']} workers)   FLAML AUC {f['auc']:.4f} ({f['trials']} trials, "
                    f"{f['wall']:.1f} s, {f['winner']})",
                    flush=True,
                )
                for line in t["budget_log"]:
                    print(f"    Tessera: {line}", flush=True)
            report.append(
                {
                    "name": name,
                    "rows": (len(train), len(test)),
                    "budget": budget,
                    "positive": positive,
                    "rounds": rounds,
                    "load": (load_before, os.getloadavg()),
                }
            )
    finally:
        pool.stop()

    med = statistics.median
    print(
        f"\nTessera: AutoML Classification on {args.workers} worker(s), default algorithms, 4 concurrent trials. "
        f"FLAML: estimator_list={FLAML_ESTIMATORS}, n_jobs=-1 ({os.cpu_count()} cpus). Metric: held-out AUC, "
        f"{args.rounds} interleaved rounds, seed = round."
    )
    for entry in report:
        t, f = entry["rounds"]["Tessera"], entry["rounds"]["FLAML"]
        train_rows, test_rows = entry["rows"]
        print(
            f"\n{entry['name']}: {train_rows:,} training rows, {test_rows:,} held out, positive class "
            f"{entry['positive']!r}, time budget {entry['budget']} s each"
        )
        print(f"{'':24}{'Tessera':>12}{'FLAML':>12}{'ratio':>9}")
        for key, what, fmt in (
            ("auc", "held-out AUC", ".4f"),
            ("trials", "trials", ".0f"),
            ("wall", "wall (s)", ".1f"),
        ):
            a, b = med(x[key] for x in t), med(x[key] for x in f)
            print(f"{'median ' + what:24}{a:>12{fmt}}{b:>12{fmt}}{a / b:>8.3f}x")
        for side, runs in (("Tessera", t), ("FLAML", f)):
            aucs = [x["auc"] for x in runs]
            print(f"{side} AUC per round: {', '.join(f'{a:.4f}' for a in aucs)} (spread {max(aucs) - min(aucs):.4f})")
        before, after = entry["load"]
        print(
            f"load average before {', '.join(f'{x:.2f}' for x in before)}, after {', '.join(f'{x:.2f}' for x in after)}"
        )
        verdict = "met" if med(x["auc"] for x in t) >= med(x["auc"] for x in f) else "NOT met"
        print(f"target (Tessera's median held-out AUC >= FLAML's): {verdict}")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {commit or 'unknown'}")
    print(f"load average at start {', '.join(f'{x:.2f}' for x in load_start)}, at end "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}, cpus {os.cpu_count()}")  # fmt: skip


if __name__ == "__main__":
    main()
