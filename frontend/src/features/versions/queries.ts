/** Versions of a pipeline on the wire: the list, one version, the diff between two, and restoring one. */
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { ApiError } from "../../api/errors";
import type { components } from "../../api/generated/schema";
import type { PipelineVersion, PipelineVersionSummary, SavedVersion } from "../../api/types";
import { StaleVersionError } from "./staleVersion";

type S = components["schemas"];
export type PipelineDiff = S["PipelineDiff"];
export type VersionDiff = S["PipelineVersionDiff"];
export type ValueChange = S["DiffValueChange"];
export type DiffEdge = S["DiffEdge"];

export const versionKeys = {
  list: (pipeline: number) => ["pipeline-versions", pipeline] as const,
  diff: (pipeline: number, from: number, to: number) => ["pipeline-diff", pipeline, from, to] as const,
};

export function useVersions(pipelineId: number, enabled = true) {
  return useQuery({
    queryKey: versionKeys.list(pipelineId),
    enabled,
    queryFn: async (): Promise<PipelineVersionSummary[]> => {
      const page = await unwrap(
        api.GET("/api/pipelines/{id}/versions/", { params: { path: { id: pipelineId }, query: { limit: 500 } } }),
        "load the versions",
      );
      return page.results;
    },
  });
}

/** What changed from version `from` to version `to` (both saved, hence immutable: cached for good). */
export function useVersionDiff(pipelineId: number, from: number | undefined, to: number | undefined) {
  return useQuery({
    queryKey: versionKeys.diff(pipelineId, from ?? 0, to ?? 0),
    enabled: from !== undefined && to !== undefined && from > 0 && to > 0,
    staleTime: Infinity,
    queryFn: (): Promise<VersionDiff> =>
      unwrap(
        api.GET("/api/pipelines/{id}/diff/", {
          params: { path: { id: pipelineId }, query: { from: from ?? 0, to: to ?? 0 } },
        }),
        "compare the versions",
      ),
  });
}

/** Make version `number` the new head, based on the head `base` we saw; 409 becomes StaleVersionError. */
export async function restoreVersion(pipelineId: number, number: number, base: number | null): Promise<SavedVersion> {
  try {
    return await unwrap(
      api.POST("/api/pipelines/{id}/versions/{number}/restore/", {
        params: { path: { id: pipelineId, number } },
        body: { message: "", ...(base !== null ? { base_version: base } : {}) },
      }),
      `restore version ${number}`,
    );
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) {
      const body = error.body as { detail?: string; current_version?: PipelineVersion };
      if (body.current_version) throw new StaleVersionError(body.detail ?? error.message, body.current_version);
    }
    throw error;
  }
}
