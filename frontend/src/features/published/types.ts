/**
 * Published pipelines' types: the generated OpenAPI schema's (src/api/generated), under friendly names,
 * plus what the key holders' API answers (it is outside the session API, so not in the schema).
 */
import type { components } from "../../api/generated/schema";

type S = components["schemas"];
export type PipelineEndpoint = S["PipelineEndpoint"];
export type PipelineEndpointDetail = S["PipelineEndpointDetail"];
export type PublishedVersion = S["PublishedVersion"];
export type PublishedParameter = S["PublishedParameter"];
export type PublishedRun = S["PublishedRun"];
export type PipelineEndpointCreate = S["PipelineEndpointCreateRequest"];
export type PipelineEndpointUpdate = S["PatchedPipelineEndpointUpdateRequest"];
export type PublishVersion = S["PublishVersionRequest"];
export type PipelineEndpointKeys = S["PipelineEndpointKeys"];
export type TriggerKind = S["PublishedRunKindEnum"];
export type KeyName = "primary" | "secondary";

/** What a trigger (POST <runs_url>) answers, 202. */
export interface StartedRun {
  id: number;
  status: string;
  endpoint: string;
  version: number;
  pipeline_version: number;
  parameters: Record<string, unknown>;
  urls: { status: string; websocket: string };
}
