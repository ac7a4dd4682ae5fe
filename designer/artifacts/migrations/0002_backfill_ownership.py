"""Backfill: the artifacts each workspace already had when ownership started to be recorded.

Trusted, because Tessera itself wrote them from the workspace's own work: dataset versions, the outputs
of its runs (node runs and cache entries), and its registered models. Not trusted, because they only
echo a digest that a pipeline document named before documents were checked: the outputs of nodes that
load an artifact by digest (the Saved ... modules), a model registered from such a node, and endpoint
pins. A legitimate one of those is owned anyway through the run that produced the artifact.

Drift baselines were written straight to the store when an inference pipeline was derived, and only a
document names them: each belongs to the workspace whose document named it first (the derived
pipeline's version 1); a document elsewhere can only have copied it later.
"""

from django.db import migrations

#: Modules whose outputs echo the artifact a parameter names (as of this migration).
ECHO_MODULES = (
    "saved_trained_model",
    "saved_dataset",
    "saved_transformation",
    "saved_files",
    "saved_image_model",
    "saved_image_transformation",
)
BASELINE_MODULE = "web_service_input"
BATCH = 2000


class _Rows:
    def __init__(self, model):
        self.model = model
        self.seen = set()
        self.pending = []

    def add(self, workspace_id, digest, source):
        if not isinstance(digest, str) or len(digest) != 64 or (workspace_id, digest) in self.seen:
            return
        self.seen.add((workspace_id, digest))
        self.pending.append(self.model(workspace_id=workspace_id, digest=digest, source=source))
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self):
        self.model.objects.bulk_create(self.pending, ignore_conflicts=True)
        self.pending = []


def _digests(outputs):
    return [record.get("digest") for record in (outputs or {}).values() if isinstance(record, dict)]


def _baselines(document):
    nodes = document.get("nodes", []) if isinstance(document, dict) else []
    for node in nodes:
        if isinstance(node, dict) and node.get("module") == BASELINE_MODULE:
            value = (node.get("params") or {}).get("baseline")
            if value:
                yield value


def backfill(apps, schema_editor):
    rows = _Rows(apps.get_model("artifacts", "ArtifactOwnership"))
    DatasetVersion = apps.get_model("datasets", "DatasetVersion")
    NodeRun = apps.get_model("runs", "NodeRun")
    CacheEntry = apps.get_model("runs", "CacheEntry")
    RegisteredModel = apps.get_model("registry", "RegisteredModel")
    PipelineVersion = apps.get_model("pipelines", "PipelineVersion")
    Endpoint = apps.get_model("endpoints", "Endpoint")

    for workspace_id, digest in DatasetVersion.objects.values_list("dataset__workspace_id", "digest").iterator():
        rows.add(workspace_id, digest, "dataset")

    node_runs = NodeRun.objects.exclude(module_id__in=ECHO_MODULES).exclude(outputs={})
    for workspace_id, outputs in node_runs.values_list("run__workspace_id", "outputs").iterator():
        for digest in _digests(outputs):
            rows.add(workspace_id, digest, "run")
    entries = CacheEntry.objects.exclude(module_id__in=ECHO_MODULES)
    for workspace_id, outputs in entries.values_list("workspace_id", "outputs").iterator():
        for digest in _digests(outputs):
            rows.add(workspace_id, digest, "run")

    models = RegisteredModel.objects.values_list("workspace_id", "artifact", "run_id", "node_id")
    for workspace_id, digest, run_id, node_id in models.iterator():
        if run_id is not None:
            module = NodeRun.objects.filter(run_id=run_id, node_id=node_id).values_list("module_id", flat=True).first()
            if module in ECHO_MODULES:
                continue
        rows.add(workspace_id, digest, "model")

    first: dict = {}  # baseline digest -> (when, workspace) of the first document naming it
    documents = [
        PipelineVersion.objects.values_list("created_at", "pipeline__workspace_id", "document"),
        Endpoint.objects.values_list("created_at", "workspace_id", "document"),
    ]
    for query in documents:
        for created_at, workspace_id, document in query.iterator():
            for digest in _baselines(document):
                if digest not in first or created_at < first[digest][0]:
                    first[digest] = (created_at, workspace_id)
    for digest, (_when, workspace_id) in first.items():
        rows.add(workspace_id, digest, "baseline")
    rows.flush()


class Migration(migrations.Migration):
    dependencies = [
        ("artifacts", "0001_initial"),
        ("datasets", "0002_version_kind"),
        ("runs", "0004_node_dispatch"),
        ("registry", "0002_classes"),
        ("pipelines", "0002_version_restored_from"),
        ("endpoints", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
