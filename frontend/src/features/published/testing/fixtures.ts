/** A pipeline endpoint as GET /api/pipeline-endpoints/{id}/ answers it, its runs, and who looks at it. */
import type { PipelineEndpoint, PipelineEndpointDetail, PublishedParameter, PublishedRun, PublishedVersion } from "../types";

export { EDITOR_ME, VIEWER_ME } from "../../endpoints/testing/fixtures";

export const PRIMARY = "pe_primary_3c2a7e51b04d8f9f";
export const SECONDARY = "pe_secondary_7d4e9a22c81f360b";

export const PARAMETERS: PublishedParameter[] = [
  {
    name: "training_data",
    type: "dataset",
    required: false,
    default: { dataset_id: 4, version: null },
    document_default: { dataset_id: 4, version: null },
    description: "Rows to train on.",
    bindings: [{ node: "data", field: "dataset", module: "dataset", module_name: "Dataset", field_title: "Dataset" }],
    schema: { type: "object" },
  },
  {
    name: "fraction",
    type: "number",
    required: false,
    default: 0.25,
    document_default: 0.7,
    description: "Share of rows used for training.",
    bindings: [
      {
        node: "split",
        field: "fraction_of_rows_in_first_output_dataset",
        module: "split_data",
        module_name: "Split Data",
        field_title: "Fraction of rows in the first output dataset",
      },
    ],
    schema: { type: "number", minimum: 0, maximum: 1 },
  },
  {
    name: "label",
    type: "string",
    required: false,
    default: "diagnosis",
    document_default: "diagnosis",
    description: "",
    bindings: [],
    schema: { type: "string" },
  },
];

export function versionFixture(partial: Partial<PublishedVersion> = {}): PublishedVersion {
  return {
    number: 1,
    pipeline_version: 3,
    pipeline_version_message: "first cut",
    defaults: { fraction: 0.25 },
    from_run: 41,
    published_by: "olivia",
    published_at: "2026-12-01T10:00:00Z",
    is_default: true,
    runs: 2,
    parameters: PARAMETERS,
    runs_url: "http://tessera.test/pipeline-endpoints/nightly/versions/1/runs",
    ...partial,
  };
}

export function endpointFixture(partial: Partial<PipelineEndpointDetail> = {}): PipelineEndpointDetail {
  return {
    id: 5,
    workspace: 3,
    name: "nightly",
    description: "Retrains every night",
    pipeline: 12,
    pipeline_name: "Breast cancer training",
    default_version: 1,
    default_pipeline_version: 3,
    version_count: 2,
    last_run: { id: 90, status: "completed", kind: "rest", created_at: "2026-12-02T10:00:00Z" },
    created_by: "olivia",
    created_at: "2026-12-01T10:00:00Z",
    updated_at: "2026-12-01T11:00:00Z",
    runs_url: "http://tessera.test/pipeline-endpoints/nightly/runs",
    swagger_url: "http://tessera.test/pipeline-endpoints/nightly/swagger.json",
    keys: { primary: PRIMARY, secondary: SECONDARY },
    versions: [
      versionFixture(),
      versionFixture({
        number: 2,
        pipeline_version: 4,
        pipeline_version_message: "more trees",
        defaults: {},
        from_run: null,
        is_default: false,
        runs: 0,
        runs_url: "http://tessera.test/pipeline-endpoints/nightly/versions/2/runs",
        parameters: PARAMETERS.map((p) => (p.name === "fraction" ? { ...p, default: 0.7 } : p)),
      }),
    ],
    ...partial,
  };
}

export function listFixture(partial: Partial<PipelineEndpoint> = {}): PipelineEndpoint {
  const { versions: _versions, ...rest } = endpointFixture();
  return { ...rest, ...partial };
}

export function runFixture(partial: Partial<PublishedRun> = {}): PublishedRun {
  return {
    id: 90,
    kind: "rest",
    status: "completed",
    error: "",
    version: 1,
    pipeline_version: 3,
    parameters: { training_data: { dataset_id: 17, version: 2 }, fraction: 0.25, label: "diagnosis" },
    trigger: { kind: "rest", endpoint: 5, endpoint_name: "nightly", version: 1, uploads: ["training_data"] },
    created_by: null,
    created_at: "2026-12-02T10:00:00Z",
    started_at: "2026-12-02T10:00:00Z",
    finished_at: "2026-12-02T10:00:09Z",
    elapsed: 9.2,
    ...partial,
  };
}
