/**
 * Serving types: the generated OpenAPI schema's (src/api/generated), under friendly names, plus the
 * shapes its document leaves open (`example`, `figures`, derivation problems), written out here.
 */
import type { components } from "../../api/generated/schema";

type S = components["schemas"];
export type Endpoint = S["Endpoint"];
export type EndpointInput = S["EndpointInput"];
export type InputColumn = S["InputColumn"];
export type EndpointKeys = S["Keys"];
export type EndpointCreate = S["EndpointCreateRequest"];
export type EndpointUpdate = S["PatchedEndpointUpdateRequest"];
export type KeyName = S["KeyEnum"];
export type Monitoring = S["Monitoring"];
export type MonitoringTotals = S["Totals"];
export type MonitoringPoint = S["Point"];
export type MonitoringCall = S["Call"];
export type InferencePipelineResult = S["DerivedInferencePipeline"];
export type RegisteredModel = S["RegisteredModel"];

/** What POST <scoring_url> takes (Endpoint.example has this shape): rows per Web Service Input. */
export interface AzureRequestBody {
  Inputs: Record<string, Record<string, unknown>[]>;
  GlobalParameters?: Record<string, unknown>;
}

/** Monitoring.figures.traffic / .latency: Plotly figure JSON built by the server. */
export interface PlotlyFigureJson {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

/** One item of a 422 `problems` list (CannotDerive types them as free-form objects). */
export interface DerivationProblem {
  code?: string;
  message?: string;
  node?: string | null;
  field?: string;
}

/**
 * GET /api/endpoints/{id}/drift/?minutes= (the schema types it as a free-form object): per Web Service
 * Input, each feature of the recent sampled rows tested against the training baseline.
 */
export interface DriftFeature {
  column: string;
  kind: string;
  test: string;
  statistic: number | null;
  p_value: number | null;
  distance: number | null;
  drifted: boolean;
  baseline_rows: number;
  recent_rows: number;
  note: string;
}

export interface DriftInput {
  name: string;
  /** Set instead of the results when the input cannot be tested (no training baseline). */
  error?: string;
  /** Set instead of the results when drift is not measured for this input (image inputs). */
  note?: string;
  features?: DriftFeature[];
  measured?: number;
  drifted?: number;
  dataset_drifted?: boolean;
  recent_rows?: number;
  baseline_rows?: number;
  figure?: PlotlyFigureJson;
}

export interface Drift {
  window: { minutes: number; since: string; until: string };
  inputs: DriftInput[];
}
