/** Calls to the retraining API through the generated client: failures become ApiError with a readable message. */
import { api, unwrap } from "../../api/client";
import { ApiError } from "../../api/errors";
import type { PolicyWrite, RetrainingPolicy } from "./types";

const path = (id: number) => ({ params: { path: { id } } });

export const retrainingApi = {
  /** The endpoint's policy, or null when it has none (404). */
  policy: async (endpoint: number): Promise<RetrainingPolicy | null> => {
    try {
      return await unwrap(api.GET("/api/endpoints/{id}/retraining/", path(endpoint)), "load the retraining policy");
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  },
  savePolicy: (endpoint: number, body: PolicyWrite) =>
    unwrap(api.PUT("/api/endpoints/{id}/retraining/", { ...path(endpoint), body }), "save the retraining policy"),
  removePolicy: (endpoint: number) =>
    unwrap(api.DELETE("/api/endpoints/{id}/retraining/", path(endpoint)), "remove the retraining policy"),
  options: (endpoint: number) =>
    unwrap(api.GET("/api/endpoints/{id}/retraining/options/", path(endpoint)), "load the retraining choices"),
  challengers: (endpoint: number) =>
    unwrap(
      api.GET("/api/endpoints/{id}/challengers/", { params: { path: { id: endpoint }, query: { limit: 50 } } }),
      "load the challengers",
    ),
  challenger: (id: number) => unwrap(api.GET("/api/challengers/{id}/", path(id)), "load the challenger"),
  approve: (id: number, note: string) =>
    unwrap(api.POST("/api/challengers/{id}/approve/", { ...path(id), body: { note } }), "approve the challenger"),
  reject: (id: number, note: string) =>
    unwrap(api.POST("/api/challengers/{id}/reject/", { ...path(id), body: { note } }), "reject the challenger"),
};
