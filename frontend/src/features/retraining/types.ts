/**
 * Retraining types: the generated OpenAPI schema's, under friendly names, plus the shapes it leaves open
 * (the alarm's last check, a run's trigger), written out here.
 */
import type { components } from "../../api/generated/schema";

type S = components["schemas"];
export type RetrainingPolicy = S["RetrainingPolicy"];
export type PolicyWrite = S["RetrainingPolicyWriteRequest"];
export type RetrainingOptions = S["RetrainingOptions"];
export type OfferedPipelineEndpoint = S["OfferedPipelineEndpoint"];
export type RetrainingMetric = S["RetrainingMetric"];
export type Challenger = S["Challenger"];
export type ChallengerDetail = S["ChallengerDetail"];
export type ChallengerStatus = S["ChallengerStatusEnum"];
export type AlarmState = S["RetrainingAlarmStateEnum"];

/** One drifted feature as the alarm recorded it. */
export interface AlarmFeature {
  column: string;
  test: string;
  statistic: number | null;
  p_value: number | null;
  distance: number | null;
}

/** Per Web Service Input: what the last check measured. */
export interface AlarmInput {
  input: string;
  recent_rows: number;
  measured: number;
  drifted: number;
  dataset_drifted: boolean;
  fired: boolean;
  features: AlarmFeature[];
}

/** RetrainingPolicy.alarm.detail (free-form in the schema). */
export interface AlarmDetail {
  since?: string;
  until?: string;
  window_minutes?: number;
  min_rows?: number;
  threshold?: string;
  inputs?: AlarmInput[];
  errors?: string[];
  note?: string;
  alarm?: { input: string; drifted: number; measured: number; recent_rows: number; features: AlarmFeature[] };
  run?: number;
  error?: string;
}

/** Challenger.trigger: why the retraining run ran (the run's own record). */
export interface RunTrigger {
  kind?: string;
  alarm?: { input?: string; drifted?: number; measured?: number };
}

/** A Plotly figure as the server builds it. */
export interface FigureJson {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}
