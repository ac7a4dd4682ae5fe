/** Server state: one query hook per resource, keyed so that mutations can refresh exactly what changed. */
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import type { ComputeTarget, Dataset, Module, Pipeline, PortType, Run } from "./types";

export const keys = {
  me: ["me"] as const,
  modules: ["modules"] as const,
  portTypes: ["port-types"] as const,
  computeTargets: ["compute-targets"] as const,
  datasets: (workspace: number) => ["datasets", workspace] as const,
  pipelines: (workspace: number) => ["pipelines", workspace] as const,
  pipeline: (id: number) => ["pipeline", id] as const,
  draft: (id: number) => ["draft", id] as const,
  version: (id: number, number: number) => ["pipeline-version", id, number] as const,
  runs: (filter: { workspace?: number; pipeline?: number }) => ["runs", filter] as const,
  run: (id: number) => ["run", id] as const,
};

export function useModules() {
  return useQuery({
    queryKey: keys.modules,
    // Every version the server can run: a pipeline saved with an older one renders with that version's
    // ports and form (the palette and new nodes take each module's latest).
    queryFn: (): Promise<Module[]> =>
      unwrap(api.GET("/api/modules/", { params: { query: { versions: "all" } } }), "load the module catalogue"),
    staleTime: Infinity,
  });
}

/** The operator's compute targets, the default first: what a node's "Compute" choice offers. */
export function useComputeTargets() {
  return useQuery({
    queryKey: keys.computeTargets,
    queryFn: (): Promise<ComputeTarget[]> => unwrap(api.GET("/api/compute-targets/"), "load the compute targets"),
    staleTime: Infinity,
  });
}

export function usePortTypes() {
  return useQuery({
    queryKey: keys.portTypes,
    queryFn: (): Promise<PortType[]> => unwrap(api.GET("/api/port-types/"), "load the port types"),
    staleTime: Infinity,
  });
}

export function useDatasets(workspace: number | undefined) {
  return useQuery({
    queryKey: keys.datasets(workspace ?? 0),
    enabled: workspace !== undefined,
    queryFn: async (): Promise<Dataset[]> => {
      const page = await unwrap(
        api.GET("/api/datasets/", { params: { query: { workspace, limit: 500 } } }),
        "load the datasets",
      );
      return page.results;
    },
  });
}

export function usePipelines(workspace: number | undefined) {
  return useQuery({
    queryKey: keys.pipelines(workspace ?? 0),
    enabled: workspace !== undefined,
    queryFn: async (): Promise<Pipeline[]> => {
      const page = await unwrap(
        api.GET("/api/pipelines/", { params: { query: { workspace, limit: 500 } } }),
        "load the pipelines",
      );
      return page.results;
    },
  });
}

export function usePipeline(id: number) {
  return useQuery({
    queryKey: keys.pipeline(id),
    queryFn: () =>
      unwrap(api.GET("/api/pipelines/{id}/", { params: { path: { id } } }), "open the pipeline"),
  });
}

export function useRuns(filter: { workspace?: number; pipeline?: number }, limit = 50, live = false) {
  return useQuery({
    queryKey: [...keys.runs(filter), limit],
    enabled: filter.workspace !== undefined || filter.pipeline !== undefined,
    queryFn: async (): Promise<Run[]> => {
      const page = await unwrap(
        api.GET("/api/runs/", { params: { query: { ...filter, limit } } }),
        "load the runs",
      );
      return page.results;
    },
    // While something is still running, refresh the list now and then.
    refetchInterval: (query) =>
      live || query.state.data?.some((r) => r.status === "running" || r.status === "queued") ? 3000 : false,
  });
}

export function useRun(id: number) {
  return useQuery({
    queryKey: keys.run(id),
    queryFn: () => unwrap(api.GET("/api/runs/{id}/", { params: { path: { id: String(id) } } }), "open the run"),
  });
}

export function usePipelineVersion(id: number | undefined, number: number | undefined) {
  return useQuery({
    queryKey: keys.version(id ?? 0, number ?? 0),
    enabled: id !== undefined && number !== undefined,
    staleTime: Infinity, // versions are immutable
    queryFn: () =>
      unwrap(
        api.GET("/api/pipelines/{id}/versions/{number}/", {
          params: { path: { id: id ?? 0, number: number ?? 0 } },
        }),
        "load the pipeline version",
      ),
  });
}
