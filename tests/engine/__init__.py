"""Tests of the graph runtime; they run without Django (``pytest -p no:django tests/engine``)."""
