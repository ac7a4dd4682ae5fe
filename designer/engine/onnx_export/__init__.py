"""ONNX export: a trained model, or a whole real-time inference pipeline, as one ONNX graph. Pure: no Django.

- ``support``: which modules and models can be exported, and why the others cannot;
- ``model``: a trained model (scikit-learn via skl2onnx, LightGBM via onnxmltools, Tessera's PyTorch
  nets via torch.onnx) as an ONNX graph whose outputs are Score Model's columns;
- ``steps``: the table modules of an inference pipeline as ONNX nodes over one tensor per column;
- ``pipeline``: an inference pipeline's graph (Web Service Input ... Score Model) as one ONNX model
  with a typed, named input per request column;
- ``check``: onnxruntime's answers against Score Model's on the training rows, within 1e-5.

Every refusal is an ``ExportRefused`` naming the node (by its canvas title) and the reason.
"""

from .check import TOLERANCE, ExportMismatch, compare
from .errors import ExportRefused
from .model import export_model
from .pipeline import Exported, export_pipeline
from .support import EXPORTABLE, NOT_EXPORTABLE, supported_modules

__all__ = [
    "EXPORTABLE",
    "NOT_EXPORTABLE",
    "TOLERANCE",
    "ExportMismatch",
    "ExportRefused",
    "Exported",
    "compare",
    "export_model",
    "export_pipeline",
    "supported_modules",
]
