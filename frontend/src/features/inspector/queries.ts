/**
 * Server state of the inspector and the dataset profile. Outputs and dataset versions are immutable
 * (content-addressed), so what was fetched once never goes stale.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { nodeUrlPath } from "../../api/nodePath";
import type { FigureSpec, OutputBody, TablePage, TableProfile } from "./types";

export interface OutputRef {
  runId: number;
  nodeId: string;
  port: string;
}

export const inspectorKeys = {
  output: (o: OutputRef, offset: number, limit: number) => ["output", o.runId, o.nodeId, o.port, offset, limit] as const,
  profile: (o: OutputRef) => ["output-profile", o.runId, o.nodeId, o.port] as const,
  figures: (o: OutputRef, column: string | null) => ["output-figures", o.runId, o.nodeId, o.port, column] as const,
  datasetFigure: (id: number, version: number, column: string) => ["dataset-figure", id, version, column] as const,
  datasetPreview: (id: number, version: number, offset: number, limit: number) =>
    ["dataset-preview", id, version, offset, limit] as const,
};

function outputPath(o: OutputRef) {
  return { id: String(o.runId), node_id: o.nodeId, port: o.port };
}

export function outputUrl(o: OutputRef, suffix = ""): string {
  const node = nodeUrlPath(o.nodeId);
  return `/api/runs/${o.runId}/nodes/${node}/outputs/${encodeURIComponent(o.port)}/${suffix}`;
}

/** The output itself: a page of rows for a table, the values for metrics, a summary for a model. */
export function useOutput(o: OutputRef, offset = 0, limit = 50) {
  return useQuery({
    queryKey: inspectorKeys.output(o, offset, limit),
    staleTime: Infinity,
    placeholderData: keepPreviousData, // paging keeps the previous page on screen until the next arrives
    queryFn: async () =>
      (await unwrap(
        api.GET("/api/runs/{id}/nodes/{node_id}/outputs/{port}/", {
          params: { path: outputPath(o), query: { offset, limit } },
        }),
        "load the output",
      )) as unknown as OutputBody,
  });
}

export function useOutputProfile(o: OutputRef, enabled = true) {
  return useQuery({
    queryKey: inspectorKeys.profile(o),
    enabled,
    staleTime: Infinity,
    queryFn: async () =>
      (await unwrap(
        api.GET("/api/runs/{id}/nodes/{node_id}/outputs/{port}/profile/", { params: { path: outputPath(o) } }),
        "profile the output",
      )) as unknown as TableProfile,
  });
}

/** Figures by name: ``{column}`` for a table column, the evaluation charts for a metrics output. */
export function useOutputFigures(o: OutputRef, column: string | null, enabled = true) {
  return useQuery({
    queryKey: inspectorKeys.figures(o, column),
    enabled,
    staleTime: Infinity,
    queryFn: async () => {
      const body = await unwrap(
        api.GET("/api/runs/{id}/nodes/{node_id}/outputs/{port}/figures/", {
          params: { path: { id: o.runId, node_id: o.nodeId, port: o.port }, query: column ? { column } : {} },
        }),
        column ? `draw column “${column}”` : "draw the charts",
      );
      return body.figures as unknown as Record<string, FigureSpec>;
    },
  });
}

/** The charts a table of a known kind has (a sweep, feature scores, clusters); empty for an ordinary table. */
export function useTableCharts(o: OutputRef) {
  return useQuery({
    queryKey: inspectorKeys.figures(o, null),
    staleTime: Infinity,
    queryFn: async () => {
      const { data, response } = await api.GET("/api/runs/{id}/nodes/{node_id}/outputs/{port}/figures/", {
        params: { path: { id: o.runId, node_id: o.nodeId, port: o.port }, query: {} },
      });
      if (response.status === 400 || !data) return {} as Record<string, FigureSpec>; // an ordinary table
      return data.figures as unknown as Record<string, FigureSpec>;
    },
  });
}

export function useDatasetFigure(datasetId: number, version: number, column: string | null) {
  return useQuery({
    queryKey: inspectorKeys.datasetFigure(datasetId, version, column ?? ""),
    enabled: column !== null,
    staleTime: Infinity,
    queryFn: async () => {
      const body = await unwrap(
        api.GET("/api/datasets/{id}/versions/{number}/figures/", {
          params: { path: { id: datasetId, number: version }, query: { column: column ?? "" } },
        }),
        `draw column “${column}”`,
      );
      return (body.figures as unknown as Record<string, FigureSpec>).column;
    },
  });
}

export function useDatasetPreview(datasetId: number, version: number, offset: number, limit: number) {
  return useQuery({
    queryKey: inspectorKeys.datasetPreview(datasetId, version, offset, limit),
    staleTime: Infinity,
    placeholderData: keepPreviousData,
    queryFn: async () =>
      (await unwrap(
        api.GET("/api/datasets/{id}/versions/{number}/preview/", {
          params: { path: { id: datasetId, number: version }, query: { offset, limit } },
        }),
        "load the rows",
      )) as unknown as TablePage,
  });
}
