"""Properties of the column selector every column-picking module relies on."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from modules.sdk import Column, ColumnSelection, TableSchema

DTYPES = ("integer", "number", "boolean", "string", "category", "datetime")
TYPE_RULES = ("numeric", "integer", "string", "categorical", "boolean", "datetime", "all")

schemas = st.lists(
    st.tuples(st.text(alphabet="abcdefgh", min_size=1, max_size=3), st.sampled_from(DTYPES)),
    min_size=1,
    max_size=8,
    unique_by=lambda c: c[0],
).map(lambda cols: TableSchema(tuple(Column(n, t) for n, t in cols)))  # type: ignore[arg-type]


@st.composite
def selections(draw: st.DrawFn, schema: TableSchema) -> ColumnSelection:
    rules = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "op": st.sampled_from(["include", "exclude"]),
                    "names": st.lists(st.sampled_from(schema.names), max_size=3),
                    "types": st.lists(st.sampled_from(TYPE_RULES), max_size=2),
                }
            ),
            max_size=4,
        )
    )
    return ColumnSelection.model_validate({"start": draw(st.sampled_from(["none", "all"])), "rules": rules})


@settings(max_examples=80, deadline=None)
@given(data=st.data(), schema=schemas)
def test_resolve_returns_distinct_known_columns_in_table_order(data: st.DataObject, schema: TableSchema) -> None:
    selection = data.draw(selections(schema))

    chosen = selection.resolve(schema)

    assert len(set(chosen)) == len(chosen)
    assert chosen == [n for n in schema.names if n in set(chosen)]


@settings(max_examples=80, deadline=None)
@given(data=st.data(), schema=schemas)
def test_a_name_list_selects_exactly_those_names(data: st.DataObject, schema: TableSchema) -> None:
    names = data.draw(st.lists(st.sampled_from(schema.names), unique=True))

    chosen = ColumnSelection.of(*names).resolve(schema)

    assert set(chosen) == set(names)


@settings(max_examples=80, deadline=None)
@given(data=st.data(), schema=schemas)
def test_excluding_after_including_removes_the_excluded(data: st.DataObject, schema: TableSchema) -> None:
    selection = data.draw(selections(schema))
    dropped = data.draw(st.lists(st.sampled_from(schema.names), max_size=3))
    extended = ColumnSelection.model_validate(
        {**selection.model_dump(), "rules": [*selection.model_dump()["rules"], {"op": "exclude", "names": dropped}]}
    )

    assert set(extended.resolve(schema)) == set(selection.resolve(schema)) - set(dropped)
