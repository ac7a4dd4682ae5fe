/** Friendly names for the generated OpenAPI types, plus the two contracts the schema leaves open. */
import type { components } from "./generated/schema";

type S = components["schemas"];
export type Me = S["Me"];
export type MyWorkspace = S["MyWorkspace"];
export type Workspace = S["Workspace"];
export type Dataset = S["Dataset"];
export type Module = S["Module"];
export type Port = S["Port"];
export type PortType = S["PortType"];
export type ColumnParam = S["ColumnParam"];
export type Pipeline = S["Pipeline"];
export type PipelineDetail = S["PipelineDetail"];
export type PipelineVersion = S["PipelineVersion"];
export type PipelineVersionSummary = S["PipelineVersionSummary"];
export type Draft = S["Draft"];
export type SavedVersion = S["SavedVersion"];
export type Problem = S["Problem"];
export type ValidationResult = S["ValidationResult"];
export type ColumnSchema = S["ColumnSchema"];
export type Run = S["Run"];
export type RunDetail = S["RunDetail"];
export type NodeRun = S["NodeRun"];
export type RunStatus = S["RunStatusEnum"];
export type NodeStatus = S["NodeRunStatusEnum"];
export type ComputeTarget = S["ComputeTarget"];
export type NodeCompute = S["NodeCompute"];

/** A table schema as schema inference reports it for one output port. */
export interface TableSchema {
  columns: ColumnSchema[];
  meta: Record<string, unknown>;
}

/**
 * The pipeline document (GET /api/pipelines/json-schema/). The OpenAPI schema types it as "any",
 * so its shape is written out here, field for field.
 */
export interface DocNode {
  id: string;
  module: string;
  version: number;
  params?: Record<string, unknown>;
  regenerate?: boolean;
  /** Component nodes only: "latest" (the default) follows the component, "pinned" keeps `version`. */
  link?: "latest" | "pinned";
  /** The compute target it runs on (GET /api/compute-targets/); absent: the default. Not part of its cache key. */
  compute?: string | null;
}
export interface PortRef {
  node: string;
  port: string;
}
export interface DocEdge {
  source: PortRef;
  target: PortRef;
}
export interface DocLayout {
  x?: number;
  y?: number;
  comment?: string;
  colour?: string;
}
export interface PipelineDocument {
  schema_version?: number;
  nodes: DocNode[];
  edges: DocEdge[];
  parameters?: Record<string, unknown>;
  layout?: Record<string, DocLayout>;
}

export const NODE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
