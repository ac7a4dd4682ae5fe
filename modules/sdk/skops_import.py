"""``skops.io`` imported without what Tessera never uses of it, in every process that saves or loads a model.

skops builds default allow-lists when ``skops.io`` is imported: it walks every scikit-learn estimator
(3 s and ~260 MB, PyTorch included where it is installed, through scikit-learn's array-API shim) and imports
``sklearn.ensemble._hist_gradient_boosting.binning`` for one internal type, which pulls in
``sklearn.ensemble`` and with it the tree, neighbors, decomposition and linear-model packages: about
0.6 s of a scoring server's start for a model that needs none of them. Tessera never relies on skops'
defaults (``_skops_loads`` passes exactly the types an artifact holds, checked against
``TRUSTED_PREFIXES``), so both are skipped here; a model that needs ``sklearn.ensemble`` imports it when
it loads.

skops also lists, at import, every public ufunc of NumPy and ``scipy.special`` as trusted by default,
finding each one's module by a walk over every module loaded so far (``whichmodule``): some 400 ufuncs
times the ~2,000 modules a scoring server holds by then, ~1 s of a start on a quiet machine, and 1.3-2.5 s
inside the first node a Celery worker saved a trained model in (it had loaded more by then). Those
lists are defaults too, never relied on (``_skops_loads`` trusts ``numpy.`` and ``scipy.`` types by
prefix after listing them), so they are left empty here: skops can only become stricter for any other
caller in this process.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

_BINNING = "sklearn.ensemble._hist_gradient_boosting.binning"


def import_skops() -> None:
    """Import ``skops.io`` without its scikit-learn walk, its ufunc walk and ``sklearn.ensemble``."""
    if "skops.io" in sys.modules:
        return
    import sklearn.utils

    # The package's module first, without running its __init__ (which imports everything at once), so that
    # its _utils can be patched before _trusted_types reads from it; then its __init__.
    spec = importlib.util.find_spec("skops.io")
    if spec is None or spec.loader is None:
        raise ImportError("skops.io is not installed")
    package = importlib.util.module_from_spec(spec)
    sys.modules["skops.io"] = package
    walk = sklearn.utils.all_estimators
    sklearn.utils.all_estimators = _no_estimators
    blocked = _BINNING not in sys.modules
    if blocked:
        sys.modules[_BINNING] = None  # type: ignore[assignment]  # its `from ... import` fails: skops skips it
    try:
        skops_utils = importlib.import_module("skops.io._utils")
        public = skops_utils.get_public_type_names
        skops_utils.get_public_type_names = _no_names
        try:
            spec.loader.exec_module(package)
        finally:
            skops_utils.get_public_type_names = public
    except BaseException:
        for name in [m for m in sys.modules if m == "skops.io" or m.startswith("skops.io.")]:
            del sys.modules[name]
        raise
    finally:
        sklearn.utils.all_estimators = walk
        if blocked and sys.modules.get(_BINNING, 0) is None:
            del sys.modules[_BINNING]
    import skops

    skops.io = package  # type: ignore[attr-defined]  # as a regular import binds it on its parent


def _no_estimators(type_filter: Any = None) -> list[tuple[str, type]]:
    return []


def _no_names(module: Any, oftype: Any) -> list[str]:
    return []
