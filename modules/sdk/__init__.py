"""The module SDK: ports, parameters, values, the Module base class and the registry. No Django."""

from .context import LocalContext, RunContext, threads_of
from .errors import Cancelled, InvalidModule, ModuleError, ScoringFailed, UnknownModule
from .module import CATEGORIES, Module, RemovedRows
from .params import (
    DIGEST,
    ColumnRule,
    ColumnSelection,
    DatasetRef,
    ParamModel,
    artifact_digest,
    artifact_params,
    column,
    column_params,
    columns,
    dataset_kind,
    pipeline_document,
    pipeline_params,
)
from .partitioned import PartitionedTable
from .ports import PORT_TYPES, In, MetricsPort, Out, PortType, Table, TrainedModel, Transformation, UntrainedModel
from .registry import Registry, check_module, default_registry, params_errors
from .schema import Column, TableSchema, column_dtypes, dtype_of
from .stored import StoredTable, TableSink, TableStore
from .values import DataTable, FittedModel, FittedTransform, Learner, Metrics

__all__ = [
    "CATEGORIES",
    "DIGEST",
    "PORT_TYPES",
    "Cancelled",
    "Column",
    "ColumnRule",
    "ColumnSelection",
    "DataTable",
    "DatasetRef",
    "FittedModel",
    "FittedTransform",
    "In",
    "InvalidModule",
    "Learner",
    "LocalContext",
    "Metrics",
    "MetricsPort",
    "Module",
    "ModuleError",
    "Out",
    "ParamModel",
    "PartitionedTable",
    "PortType",
    "Registry",
    "RemovedRows",
    "RunContext",
    "ScoringFailed",
    "StoredTable",
    "Table",
    "TableSchema",
    "TableSink",
    "TableStore",
    "TrainedModel",
    "Transformation",
    "UnknownModule",
    "UntrainedModel",
    "artifact_digest",
    "artifact_params",
    "check_module",
    "column",
    "column_params",
    "columns",
    "dataset_kind",
    "default_registry",
    "column_dtypes",
    "dtype_of",
    "params_errors",
    "pipeline_document",
    "pipeline_params",
    "threads_of",
]
