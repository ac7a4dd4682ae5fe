/** Calls to the schedules API through the generated client (session cookie, CSRF, ApiError). */
import { api, unwrap } from "../../api/client";
import type { DataTriggerInput, ScheduleInput, ScheduleRunInput, Timing } from "./types";

const path = (id: number) => ({ params: { path: { id } } });

export const schedulesApi = {
  list: (endpoint: number) =>
    unwrap(
      api.GET("/api/pipeline-endpoints/{id}/schedules/", { params: { path: { id: endpoint }, query: { limit: 200 } } }),
      "load the schedules",
    ),
  create: (endpoint: number, body: ScheduleInput) =>
    unwrap(api.POST("/api/pipeline-endpoints/{id}/schedules/", { ...path(endpoint), body }), "create the schedule"),
  update: (id: number, body: Partial<ScheduleInput>) =>
    unwrap(api.PATCH("/api/schedules/{id}/", { ...path(id), body }), "change the schedule"),
  remove: (id: number) => unwrap(api.DELETE("/api/schedules/{id}/", path(id)), "delete the schedule"),
  pause: (id: number) => unwrap(api.POST("/api/schedules/{id}/pause/", path(id)), "pause the schedule"),
  resume: (id: number) => unwrap(api.POST("/api/schedules/{id}/resume/", path(id)), "resume the schedule"),
  preview: (body: Timing) => unwrap(api.POST("/api/schedules/preview/", { body }), "preview the timing"),
  scheduleRun: (run: number, body: ScheduleRunInput) =>
    unwrap(api.POST("/api/runs/{id}/schedule/", { ...path(run), body }), "schedule the run"),
  triggers: (endpoint: number) =>
    unwrap(
      api.GET("/api/pipeline-endpoints/{id}/data-triggers/", { params: { path: { id: endpoint }, query: { limit: 200 } } }),
      "load the data triggers",
    ),
  createTrigger: (endpoint: number, body: DataTriggerInput) =>
    unwrap(api.POST("/api/pipeline-endpoints/{id}/data-triggers/", { ...path(endpoint), body }), "create the trigger"),
  updateTrigger: (id: number, body: Partial<DataTriggerInput>) =>
    unwrap(api.PATCH("/api/data-triggers/{id}/", { ...path(id), body }), "change the trigger"),
  removeTrigger: (id: number) => unwrap(api.DELETE("/api/data-triggers/{id}/", path(id)), "delete the trigger"),
  pauseTrigger: (id: number) => unwrap(api.POST("/api/data-triggers/{id}/pause/", path(id)), "pause the trigger"),
  resumeTrigger: (id: number) => unwrap(api.POST("/api/data-triggers/{id}/resume/", path(id)), "resume the trigger"),
};
