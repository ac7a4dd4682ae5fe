/** An endpoint as GET /api/endpoints/{id}/ answers it, and the people who look at it. */
import type { Endpoint, Monitoring } from "../types";

export const EDITOR_ME = {
  id: 1,
  username: "olivia",
  workspaces: [{ id: 3, name: "Team", role: "editor" }],
};

export const VIEWER_ME = {
  id: 2,
  username: "victor",
  workspaces: [{ id: 3, name: "Team", role: "viewer" }],
};

export const PRIMARY = "pk_live_9f3c2a7e51b04d8f";
export const SECONDARY = "sk_live_0b7d4e9a22c81f36";

export function endpointFixture(partial: Partial<Endpoint> = {}): Endpoint {
  return {
    id: 7,
    workspace: 3,
    name: "cancer-risk",
    description: "Scores biopsy measurements",
    status: "live",
    pipeline: 12,
    pipeline_name: "Breast cancer — real-time inference",
    pipeline_version: 2,
    created_by: "olivia",
    created_at: "2026-11-20T10:00:00Z",
    updated_at: "2026-11-21T10:00:00Z",
    scoring_url: "http://tessera.test/api/v1/service/cancer-risk/score",
    invocations_url: "http://tessera.test/api/v1/service/cancer-risk/invocations",
    swagger_url: "http://tessera.test/api/v1/service/cancer-risk/swagger.json",
    inputs: [
      {
        name: "WebServiceInput0",
        columns: [
          { name: "radius_mean", type: "float" },
          { name: "texture_mean", type: "float" },
          { name: "site", type: "string" },
        ],
      },
    ],
    outputs: ["WebServiceOutput0"],
    example: {
      Inputs: { WebServiceInput0: [{ radius_mean: 17.99, texture_mean: 10.38, site: "O'Hare" }] },
      GlobalParameters: {},
    },
    keys: { primary: PRIMARY, secondary: SECONDARY },
    ...partial,
  };
}

export function figureJson(title: string) {
  return { data: [{ type: "scatter", x: [1, 2], y: [3, 4] }], layout: { title: { text: title }, height: 300 } };
}

export const MONITORING: Monitoring = {
  window: { minutes: 60 },
  totals: {
    requests: 1250,
    errors: 25,
    rows: 4800,
    rows_dropped: 7,
    calls_with_dropped_rows: 3,
    calls_with_warnings: 12,
    errors_by_kind: { schema_mismatch: 18, overloaded: 5, internal: 2 },
    p50_ms: 12.4,
    p95_ms: 48.2,
    p99_ms: 131.9,
    total_p50_ms: 30.5,
    total_p95_ms: 210.0,
    total_p99_ms: 480.3,
  },
  series: [
    { t: "2026-11-23T10:00:00Z", requests: 20, errors: 1, p50_ms: 12, p95_ms: 40, p99_ms: 90, total_p50_ms: 30, total_p95_ms: 200, total_p99_ms: 470 },
  ],
  figures: { traffic: figureJson("traffic"), latency: figureJson("latency") },
  recent: [
    { at: "2026-11-23T10:00:00Z", status: 200, latency_ms: 11.2, total_ms: 35.8, rows: 3, error_kind: "", format: "azure", dropped_rows: 1, warning_count: 2 },
    { at: "2026-11-23T09:59:00Z", status: 400, latency_ms: 4.1, total_ms: null, rows: 0, error_kind: "schema_mismatch", format: "mlflow-split", dropped_rows: 0, warning_count: 0 },
  ],
};

export const DRIFT = {
  window: { minutes: 60, since: "2026-11-23T09:00:00Z", until: "2026-11-23T10:00:00Z" },
  inputs: [
    {
      name: "WebServiceInput0",
      features: [
        { column: "radius_mean", kind: "numeric", test: "Kolmogorov-Smirnov", statistic: 0.61, p_value: 0.00002, distance: 0.74, drifted: true, baseline_rows: 569, recent_rows: 40, note: "" },
        { column: "texture_mean", kind: "numeric", test: "Kolmogorov-Smirnov", statistic: 0.1, p_value: 0.41, distance: 0.08, drifted: false, baseline_rows: 569, recent_rows: 40, note: "" },
        { column: "site", kind: "categorical", test: "Chi-squared", statistic: 0.3, p_value: 0.52, distance: 0.05, drifted: false, baseline_rows: 569, recent_rows: 40, note: "" },
      ],
      measured: 3,
      drifted: 1,
      dataset_drifted: false,
      recent_rows: 40,
      baseline_rows: 569,
      figure: figureJson("drift"),
    },
  ],
};
