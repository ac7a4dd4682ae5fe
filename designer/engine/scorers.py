"""Inference pipelines run on rows inside a worker (``ctx.score``): loaded once per document, checked every call.

A batch job scores its mini-batches with the same ``ScoringPipeline`` endpoints use, so its rows get
exactly what a request would. Loading (models read, constants computed) happens once per document
and process; the artifacts a document names are checked against the caller's workspace on every
call, before anything is loaded or reused, so a pipeline loaded for one workspace never serves
another's document.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from modules.sdk import DataTable, ModuleError, Registry, ScoringFailed

from .graph import parse_graph
from .plan import canonical_json
from .problems import GraphFormatError
from .scoring import NotServable, ScoringError, ScoringPipeline
from .store import ArtifactMissing
from .validate import ArtifactLookup, artifact_refs

#: Loaded pipelines kept per process: a worker rarely serves more than one batch job at a time.
KEEP = 4


class Scorers:
    def __init__(self, registry: Registry, read_artifact: Callable[[str], bytes], keep: int = KEEP) -> None:
        self.registry = registry
        self.read_artifact = read_artifact
        self.keep = keep
        self._loaded: OrderedDict[str, ScoringPipeline] = OrderedDict()
        self._lock = threading.Lock()

    def score(
        self, document: Mapping[str, Any], tables: Mapping[str, DataTable], owned: ArtifactLookup | None = None
    ) -> dict[str, DataTable]:
        """``document`` run on ``tables`` (one per Web Service Input name); its outputs by Web Service Output name.

        ``ModuleError`` when the document cannot run (malformed, not servable, an artifact that is gone or,
        with ``owned``, not the workspace's); ``ScoringFailed`` when a module in it fails on these rows."""
        pipeline = self.pipeline(document, owned)
        names = sorted(i.name for i in pipeline.inputs)
        if sorted(tables) != names:
            raise ModuleError(
                f"the scoring pipeline takes the inputs {', '.join(names)}, not {', '.join(sorted(tables))}"
            )
        try:
            return pipeline.score(tables)
        except ScoringError as exc:
            detail = exc.details[0] if exc.details else {}
            raise ScoringFailed(str(detail.get("message") or exc.message), column=detail.get("column")) from None

    def pipeline(self, document: Mapping[str, Any], owned: ArtifactLookup | None = None) -> ScoringPipeline:
        """The loaded pipeline of ``document``, from this process's cache when it was loaded before."""
        try:
            graph = parse_graph(dict(document))
        except GraphFormatError as exc:
            raise ModuleError(f"the scoring pipeline is not a pipeline document: {exc.problems[0].message}") from None
        if owned is not None:
            refs = artifact_refs(graph, self.registry)
            mine = owned.owned({digest for _node, _param, digest in refs})
            for node_id, param, digest in refs:
                if digest not in mine:
                    raise ModuleError(
                        f"node '{node_id}' of the scoring pipeline names artifact {digest[:12]}... in its parameter "
                        f"'{param}', which does not belong to this run's workspace"
                    )
        key = hashlib.sha256(canonical_json(dict(document)).encode()).hexdigest()
        with self._lock:
            if key in self._loaded:
                self._loaded.move_to_end(key)
                return self._loaded[key]
        try:
            loaded = ScoringPipeline.load(graph, self.registry, self.read_artifact)
        except NotServable as exc:
            raise ModuleError(f"the scoring pipeline cannot run: {exc}") from None
        except ArtifactMissing as exc:
            raise ModuleError(f"the scoring pipeline needs an artifact that is gone: {exc}") from None
        with self._lock:
            self._loaded[key] = loaded
            while len(self._loaded) > self.keep:
                self._loaded.popitem(last=False)
        return loaded
