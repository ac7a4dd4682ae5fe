"""Which modules of a real-time inference pipeline can be exported as ONNX, and why the others cannot.

``EXPORTABLE``: module id -> what its ONNX converter does (and its limits). ``NOT_EXPORTABLE``: module
id -> why no converter exists. A module in neither (a newer one) is refused as "no ONNX converter".
Learners are judged through the trained model they produce (``model.why_not``); the ones the tests
export are listed in ``LEARNERS``. The README table is written from these dicts.
"""

from __future__ import annotations

from typing import Any

EXPORTABLE: dict[str, str] = {
    "web_service_input": "One typed ONNX input per column: numbers as float64 [N,1] (missing: NaN), text as "
    "string [N,1] (missing: the empty string), true/false as bool [N,1]. Dates and images are refused.",
    "web_service_output": "The ONNX outputs: Score Model's score columns only (not the input columns it appends).",
    "select_columns": "Keeps the selected columns (rules resolved against the columns at that point).",
    "edit_metadata": "Renames, categorical flags and roles; a data type change only where the values stay the same.",
    "apply_transformation": "Normalize Data (ZScore, MinMax, Logistic, Tanh, LogNormal) and Clean Missing Data "
    "(numeric mean/median/mode/custom fills, text fills, indicator columns, Remove entire row/column) transformations.",
    "saved_transformation": "The fitted statistics become ONNX constants.",
    "saved_trained_model": "Converted with skl2onnx (scikit-learn), onnxmltools (LightGBM) or torch.onnx (Tessera's "
    "neural networks), float64 throughout.",
    "score_model": "Score Model's columns: Scored Labels, Scored Probabilities (per class for multiclass).",
    "assign_data_to_clusters": "K-Means: Assignments and DistancesToClusterCenter no.<k>.",
}

_USER_CODE = "runs user code (Python or R) in a sandbox per request; ONNX holds a fixed graph of operators, not code"
_TEXT = "its text processing (tokenizing, lemmatizing with simplemma, vocabularies in Python) has no ONNX operators"
_IMAGES = "requests carry base64 PNG/JPEG images, and decoding them is not an ONNX operator"
_ROWS = "it combines several tables or reorders rows, which a per-row ONNX graph does not express"

NOT_EXPORTABLE: dict[str, str] = {
    "execute_python_script": _USER_CODE,
    "execute_r_script": _USER_CODE,
    "script_component": _USER_CODE,
    "create_python_model": _USER_CODE,
    "apply_sql_transformation": "it runs an SQL statement over the rows; SQL is not converted to ONNX",
    "preprocess_text": _TEXT,
    "extract_n_gram_features_from_text": _TEXT,
    "feature_hashing": _TEXT,
    "convert_word_to_vector": _TEXT,
    "latent_dirichlet_allocation": _TEXT,
    "score_vowpal_wabbit_model": "Vowpal Wabbit models have no ONNX converter",
    "web_service_image_input": _IMAGES,
    "score_image_model": _IMAGES + " (the image classifier alone is a PyTorch ResNet/DenseNet, not exported yet)",
    "apply_image_transformation": _IMAGES,
    "saved_image_model": _IMAGES,
    "saved_image_transformation": _IMAGES,
    "score_svd_recommender": "recommenders rank items per user from stored tables; not an ONNX graph of one row",
    "score_wide_and_deep_recommender": "recommenders rank items per user from stored tables, not one row at a time",
    "join_data": _ROWS,
    "add_rows": _ROWS,
    "add_columns": _ROWS,
    "remove_duplicate_rows": _ROWS,
    "saved_dataset": "a fixed second table (a lookup) is joined in Python; ONNX graphs here take the request only",
    "saved_files": "a zip of user code for a script",
    "apply_math_operation": "not converted yet (its operations map to ONNX operators; no converter written)",
    "clip_values": "not converted yet (Clip maps to an ONNX operator; no converter written)",
    "group_data_into_bins": "not converted yet (binning maps to ONNX operators; no converter written)",
    "convert_to_indicator_values": "not converted yet (one-hot maps to ONNX operators; no converter written)",
    "principal_component_analysis": "not converted yet (a projection maps to ONNX operators; no converter written)",
    "select_columns_transform": "not converted yet (a column list; no converter written)",
}

#: Transformations (by the module that fitted them) Apply Transformation converts.
TRANSFORMATIONS = ("normalize_data", "clean_missing_data")

#: Learners whose trained models the tests export and check against Score Model; others are tried at export.
LEARNERS: dict[str, str] = {
    "two_class_boosted_decision_tree": "LightGBM via onnxmltools (thresholds kept float64)",
    "multiclass_boosted_decision_tree": "LightGBM via onnxmltools (thresholds kept float64)",
    "boosted_decision_tree_regression": "LightGBM via onnxmltools (thresholds kept float64)",
    "two_class_decision_forest": "scikit-learn random forest via skl2onnx (float32 comparisons, as scikit-learn)",
    "multiclass_decision_forest": "scikit-learn random forest via skl2onnx (float32 comparisons, as scikit-learn)",
    "two_class_logistic_regression": "scikit-learn via skl2onnx",
    "multiclass_logistic_regression": "scikit-learn via skl2onnx",
    "linear_regression": "scikit-learn via skl2onnx",
    "k_means_clustering": "scikit-learn K-Means via skl2onnx",
    "two_class_neural_network": "Tessera's PyTorch net via torch.onnx (float64)",
    "multiclass_neural_network": "Tessera's PyTorch net via torch.onnx (float64)",
    "neural_network_regression": "Tessera's PyTorch net via torch.onnx (float64)",
}


def reason(module: str) -> str:
    """Why ``module`` cannot be exported ("" when it can)."""
    if module in EXPORTABLE:
        return ""
    return NOT_EXPORTABLE.get(module, "no ONNX converter is written for it")


def supported_modules(registry: Any) -> dict[str, list[dict[str, str]]]:
    """The list the API and the front end show: exportable modules, the others with why, the tested learners."""

    def name(module: str) -> str:
        try:
            return str(registry.get(module).name)
        except Exception:  # a module this installation lacks
            return module

    return {
        "exportable": [{"module": m, "name": name(m), "how": how} for m, how in EXPORTABLE.items()],
        "not_exportable": [{"module": m, "name": name(m), "why": why} for m, why in NOT_EXPORTABLE.items()],
        "learners": [{"module": m, "name": name(m), "how": how} for m, how in LEARNERS.items()],
    }
