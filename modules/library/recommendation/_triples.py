"""Reading user-item-rating triples: which columns, which rows, and the errors that name them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from modules.library._features import prepare_features
from modules.sdk import DataTable, FittedModel, ModuleError, RunContext, TableSchema, column

ROLES = ("user", "item", "rating")


def user_column() -> Any:
    return column(
        "dataset",
        title="User column",
        description="The column of user ids; empty means the first column, as Azure reads the triples.",
        default=None,
    )


def item_column() -> Any:
    return column(
        "dataset",
        title="Item column",
        description="The column of item ids; empty means the second column.",
        default=None,
    )


def rating_column() -> Any:
    return column(
        "dataset",
        title="Rating column",
        description="The numeric column of ratings; empty means the third column.",
        default=None,
    )


@dataclass
class Triples:
    """Training ratings: the ids as the model keys them (numbers as floats, else text) and the ratings."""

    users: np.ndarray
    items: np.ndarray
    ratings: np.ndarray
    names: dict[str, str]  # role -> column name
    types: dict[str, str]  # user and item column -> dtype

    def features(self) -> pd.DataFrame:
        """The two id columns, named as in the table (Score Model hands them back in any order)."""
        return pd.DataFrame(
            {self.names["user"]: self.users.astype(object), self.names["item"]: self.items.astype(object)}
        )

    def model(self, estimator: Any, learner: str, name: str) -> FittedModel:
        """The trained recommender: a rating regressor over the user and item columns."""
        return FittedModel(
            estimator=estimator,
            task="regression",
            learner=learner,
            label_column=self.names["rating"],
            feature_columns=[self.names["user"], self.names["item"]],
            feature_types=dict(self.types),
            name=name,
        )


def pick_columns(schema: TableSchema, chosen: dict[str, str | None], port: str = "dataset") -> dict[str, str]:
    """Role -> column: a chosen name, or by position (user, item, rating) as Azure reads triples."""
    names: dict[str, str] = {}
    for position, role in enumerate(ROLES):
        if role not in chosen:
            continue
        name = chosen[role]
        if name is None:
            if len(schema.names) <= position:
                raise ModuleError(
                    f"the {port.replace('_', ' ')} has {len(schema.names)} columns; user-item-rating triples "
                    f"need the {role} in column {position + 1} (or choose the {role} column)",
                    port=port,
                    param=f"{role}_column",
                )
            name = schema.names[position]
        elif name not in schema:
            raise ModuleError(
                f"{role} column {name!r} is not in the {port.replace('_', ' ')} (available: {', '.join(schema.names)})",
                param=f"{role}_column",
                column=name,
                port=port,
            )
        names[role] = name
    used = list(names.values())
    twice = next((n for n in used if used.count(n) > 1), None)
    if twice is not None:
        raise ModuleError(f"column {twice!r} is chosen for two roles", column=twice, port=port)
    return names


def read_triples(table: DataTable, chosen: dict[str, str | None], ctx: RunContext, port: str = "dataset") -> Triples:
    """The ratings of ``table``: rows missing a user, item or rating are left out (logged);
    a non-numeric rating, an empty table and a user-item pair rated twice are refused."""
    schema = table.schema
    if len(table.df) == 0:
        raise ModuleError(f"the {port.replace('_', ' ')} has no rows", port=port)
    names = pick_columns(schema, chosen, port)
    rating = names["rating"]
    dtype = schema.get(rating).dtype  # type: ignore[union-attr]
    if dtype not in ("integer", "number"):
        raise ModuleError(
            f"rating column {rating!r} is {dtype}; ratings must be numbers", column=rating, param="rating_column"
        )
    types = {names["user"]: _dtype(schema, names["user"]), names["item"]: _dtype(schema, names["item"])}
    ids = prepare_features(table.df, types, port=port)
    users, items = ids[names["user"]].to_numpy(), ids[names["item"]].to_numpy()
    ratings = table.df[rating].to_numpy(dtype="float64", na_value=np.nan)
    kept = ~(pd.isna(users) | pd.isna(items) | np.isnan(ratings))
    if not kept.all():
        ctx.log(f"{int((~kept).sum())} rows without a user, item or rating are left out")
    if not kept.any():
        raise ModuleError(f"the {port.replace('_', ' ')} has no row with a user, an item and a rating", port=port)
    users, items, ratings = users[kept], items[kept], ratings[kept]
    _refuse_duplicates(users, items, names, port)
    return Triples(users, items, ratings, names, types)


def _dtype(schema: TableSchema, name: str) -> str:
    return schema.get(name).dtype  # type: ignore[union-attr]


def _refuse_duplicates(users: np.ndarray, items: np.ndarray, names: dict[str, str], port: str) -> None:
    pairs = pd.DataFrame({"u": users, "i": items})
    repeated = pairs.duplicated(keep=False)
    if repeated.any():
        first = pairs[repeated].iloc[0]
        user, item = _shown(first["u"]), _shown(first["i"])
        raise ModuleError(
            f"user {user!r} rated item {item!r} more than once ({int(repeated.sum())} rows repeat a user-item pair); "
            "keep one rating per pair, e.g. average them with Apply SQL Transformation "
            f"(GROUP BY {names['user']}, {names['item']}) or drop repeats with Remove Duplicate Rows",
            port=port,
            column=names["item"],
        )


def _shown(value: Any) -> Any:
    """An id as the user typed it: ``3`` rather than ``np.float64(3.0)``."""
    if isinstance(value, np.generic):
        value = value.item()
    return int(value) if isinstance(value, float) and value.is_integer() else value


def ids_of(model: FittedModel, table: DataTable, roles: tuple[str, ...], port: str) -> pd.DataFrame:
    """The user (and item) id columns of ``table`` keyed as the model keys them; names a missing column."""
    wanted = dict(zip(("user", "item"), model.feature_columns, strict=True))
    types = {}
    for role in roles:
        name = wanted[role]
        if name not in table.df.columns:
            raise ModuleError(
                f"the {port.replace('_', ' ')} has no {role} column {name!r} (the recommender was trained with "
                f"{role}s in {name!r}; available: {', '.join(map(str, table.df.columns))})",
                port=port,
                column=name,
            )
        types[name] = model.feature_types[name]
    return prepare_features(table.df, types, port=port)
