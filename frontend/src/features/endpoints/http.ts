/**
 * Calls to the serving API through the generated client (src/api/client.ts): session cookie, CSRF on
 * unsafe methods, failures turned into ApiError with a readable message.
 */
import { api, unwrap } from "../../api/client";
import type { Drift, EndpointCreate, EndpointUpdate, KeyName } from "./types";

const path = (id: number) => ({ params: { path: { id } } });

export const servingApi = {
  listEndpoints: (workspace: number) =>
    unwrap(api.GET("/api/endpoints/", { params: { query: { workspace, limit: 200 } } }), "load the endpoints"),
  getEndpoint: (id: number) => unwrap(api.GET("/api/endpoints/{id}/", path(id)), "open the endpoint"),
  createEndpoint: (body: EndpointCreate) => unwrap(api.POST("/api/endpoints/", { body }), "deploy the endpoint"),
  updateEndpoint: (id: number, body: EndpointUpdate) =>
    unwrap(api.PATCH("/api/endpoints/{id}/", { ...path(id), body }), "update the endpoint"),
  deleteEndpoint: (id: number) => unwrap(api.DELETE("/api/endpoints/{id}/", path(id)), "delete the endpoint"),
  regenerateKey: (id: number, key: KeyName) =>
    unwrap(api.POST("/api/endpoints/{id}/regenerate-key/", { ...path(id), body: { key } }), `regenerate the ${key} key`),
  monitoring: (id: number, minutes: number) =>
    unwrap(
      api.GET("/api/endpoints/{id}/monitoring/", { params: { path: { id }, query: { minutes } } }),
      "load the monitoring data",
    ),
  drift: async (id: number, minutes: number): Promise<Drift> =>
    (await unwrap(
      api.GET("/api/endpoints/{id}/drift/", { params: { path: { id }, query: { minutes } } }),
      "load the drift analysis",
    )) as unknown as Drift,
  createInferencePipeline: (runId: number, name?: string) =>
    unwrap(
      api.POST("/api/runs/{id}/inference-pipeline/", { ...path(runId), body: { name: name ?? "" } }),
      "create the inference pipeline",
    ),
  createBatchInferencePipeline: (runId: number, name?: string) =>
    unwrap(
      api.POST("/api/runs/{id}/batch-inference-pipeline/", { ...path(runId), body: { name: name ?? "", dataset_name: "" } }),
      "create the batch inference pipeline",
    ),
  listModels: (workspace: number) =>
    unwrap(api.GET("/api/models/", { params: { query: { workspace, limit: 200 } } }), "load the models"),
  deleteModel: (id: number) => unwrap(api.DELETE("/api/models/{id}/", path(id)), "delete the model"),
};
