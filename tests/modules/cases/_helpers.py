"""Shared input builders for contract cases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from modules.sdk import DataTable, Learner

Inputs = Callable[[DataTable, Callable[..., dict[str, Any]]], dict[str, Any]]


@dataclass(frozen=True)
class Case:
    inputs: Inputs
    params: dict[str, Any]


def _no_inputs(table: DataTable, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return {}


def _dataset(table: DataTable, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return {"dataset": table}


def _dataset_with_gaps(table: DataTable, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    df = table.df.copy()
    df.loc[[1, 4, 9], "age"] = pd.NA
    df.loc[[2, 4], "hours"] = float("nan")
    return {"dataset": DataTable(df)}


def _learner(run: Callable[..., dict[str, Any]]) -> Learner:
    learner: Learner = run("two_class_logistic_regression", {}, l1_regularization_weight=0.0)["untrained_model"]
    return learner


def _training(table: DataTable, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return {"untrained_model": _learner(run), "dataset": table}


def _scoring(table: DataTable, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    model = run("train_model", _training(table, run), label_column="income")["trained_model"]
    return {"trained_model": model, "dataset": table}


def _evaluation(table: DataTable, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return {"scored_dataset": run("score_model", _scoring(table, run))["scored_dataset"]}
