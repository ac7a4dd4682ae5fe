"""The Monitoring tab's figures wear the app's chart look and leave the title to the page's card."""

from __future__ import annotations

import pytest

from designer.endpoints.monitoring import drift_figure, figures
from designer.engine.figures import FONT, GRID, SERIES

# No query runs, but the session-end cleanup in tests/designer/conftest.py (_no_stray_connections) expects
# the test database to have been set up.
pytestmark = pytest.mark.django_db

SERIES_ROWS = [
    {"t": "2026-01-01T10:00:00Z", "requests": 5, "errors": 1, "p50_ms": 3.0, "p95_ms": 9.0, "p99_ms": 12.0,
     "total_p95_ms": None},
    {"t": "2026-01-01T10:01:00Z", "requests": 2, "errors": 0, "p50_ms": 2.0, "p95_ms": 4.0, "p99_ms": 5.0,
     "total_p95_ms": None},
]  # fmt: skip


def test_traffic_and_latency_use_the_app_theme_and_no_title_of_their_own():
    out = figures(SERIES_ROWS)

    for name in ("traffic", "latency"):
        layout = out[name]["layout"]
        template = layout["template"]["layout"]
        assert "text" not in layout.get("title", {}), name  # the card says "Traffic" / "Latency"
        assert template["plot_bgcolor"] == "white"
        assert template["font"]["family"] == FONT
        assert template["xaxis"]["gridcolor"] == GRID
        assert template["colorway"] == list(SERIES)
        assert layout["height"] == 300
    assert [t["name"] for t in out["traffic"]["data"]] == ["succeeded", "errors"]
    assert out["traffic"]["layout"]["legend"]["traceorder"] == "normal"  # stacked bars would list errors first
    assert [t["y"] for t in out["traffic"]["data"]] == [[4, 2], [1, 0]]
    assert [t["name"] for t in out["latency"]["data"]] == ["p50", "p95", "p99"]


def test_the_drift_figure_uses_the_app_theme_and_grows_with_the_features():
    features = [
        {"column": f"f{i}", "distance": 0.1 * i, "drifted": i > 2, "test": "ks", "p_value": 0.5} for i in range(12)
    ]

    out = drift_figure(features)

    assert out["layout"]["template"]["layout"]["plot_bgcolor"] == "white"
    assert out["layout"]["height"] == 22 * 12 + 100
    assert out["data"][0]["marker"]["color"][:4] == ["#1b7f45", "#1b7f45", "#1b7f45", "#c4314b"]
