/** Calls to the pipeline endpoint API through the generated client (session cookie, CSRF, ApiError). */
import { api, unwrap } from "../../api/client";
import type { KeyName, PipelineEndpointCreate, PipelineEndpointUpdate, PublishVersion } from "./types";

const path = (id: number) => ({ params: { path: { id } } });

export const publishedApi = {
  list: (workspace: number) =>
    unwrap(
      api.GET("/api/pipeline-endpoints/", { params: { query: { workspace, limit: 200 } } }),
      "load the pipeline endpoints",
    ),
  get: (id: number) => unwrap(api.GET("/api/pipeline-endpoints/{id}/", path(id)), "open the pipeline endpoint"),
  create: (body: PipelineEndpointCreate) =>
    unwrap(api.POST("/api/pipeline-endpoints/", { body }), "publish the pipeline"),
  update: (id: number, body: PipelineEndpointUpdate) =>
    unwrap(api.PATCH("/api/pipeline-endpoints/{id}/", { ...path(id), body }), "update the pipeline endpoint"),
  remove: (id: number) => unwrap(api.DELETE("/api/pipeline-endpoints/{id}/", path(id)), "delete the pipeline endpoint"),
  publishVersion: (id: number, body: PublishVersion) =>
    unwrap(api.POST("/api/pipeline-endpoints/{id}/versions/", { ...path(id), body }), "publish the version"),
  unpublish: (id: number, number: number) =>
    unwrap(
      api.DELETE("/api/pipeline-endpoints/{id}/versions/{number}/", { params: { path: { id, number } } }),
      `unpublish version ${number}`,
    ),
  regenerateKey: (id: number, key: KeyName) =>
    unwrap(
      api.POST("/api/pipeline-endpoints/{id}/regenerate-key/", { ...path(id), body: { key } }),
      `regenerate the ${key} key`,
    ),
  runs: (id: number) =>
    unwrap(
      api.GET("/api/pipeline-endpoints/{id}/runs/", { params: { path: { id }, query: { limit: 50 } } }),
      "load the runs",
    ),
  runNow: (id: number, version: number, parameters: Record<string, unknown>) =>
    unwrap(
      api.POST("/api/pipeline-endpoints/{id}/runs/", { ...path(id), body: { version, parameters } }),
      "start the run",
    ),
};
