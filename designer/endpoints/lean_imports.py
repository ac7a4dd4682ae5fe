"""What a scoring server imports before its first model loads, and nothing more.

skops builds default allow-lists when ``skops.io`` is imported: it walks every scikit-learn estimator
(``modules.sdk.ports._skops_io`` already skips that walk) and imports
``sklearn.ensemble._hist_gradient_boosting.binning`` for one internal type, which pulls in
``sklearn.ensemble`` and with it the tree, neighbors, decomposition and linear-model packages: about
0.6 s of a scoring server's start for a model that needs none of them. Tessera never relies on skops'
defaults (``_skops_loads`` passes exactly the types an artifact holds, checked against
``TRUSTED_PREFIXES``), so both are skipped here; a model that needs ``sklearn.ensemble`` imports it when
it loads.
"""

from __future__ import annotations

import sys
from typing import Any

_BINNING = "sklearn.ensemble._hist_gradient_boosting.binning"


def import_skops() -> None:
    """Import ``skops.io`` without its scikit-learn walk and without ``sklearn.ensemble``."""
    if "skops.io" in sys.modules:
        return
    import sklearn.utils

    walk = sklearn.utils.all_estimators
    sklearn.utils.all_estimators = _no_estimators
    blocked = _BINNING not in sys.modules
    if blocked:
        sys.modules[_BINNING] = None  # type: ignore[assignment]  # its `from ... import` fails: skops skips it
    try:
        import skops.io  # noqa: F401
    finally:
        sklearn.utils.all_estimators = walk
        if blocked and sys.modules.get(_BINNING, 0) is None:
            del sys.modules[_BINNING]


def _no_estimators(type_filter: Any = None) -> list[tuple[str, type]]:
    return []
