/** Server state of pipeline endpoints: one query hook per resource; mutations refresh what they changed. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { isFinal } from "../../app/status";
import { publishedApi } from "./http";
import type { KeyName, PipelineEndpoint, PipelineEndpointDetail, PipelineEndpointUpdate, PublishedRun } from "./types";

export const publishedKeys = {
  all: ["pipeline-endpoints"] as const,
  list: (workspace: number) => ["pipeline-endpoints", "list", workspace] as const,
  one: (id: number) => ["pipeline-endpoints", "one", id] as const,
  runs: (id: number) => ["pipeline-endpoints", "runs", id] as const,
};

export function usePipelineEndpoints(workspace: number | undefined) {
  return useQuery({
    queryKey: publishedKeys.list(workspace ?? 0),
    enabled: workspace !== undefined,
    queryFn: async (): Promise<PipelineEndpoint[]> => (await publishedApi.list(workspace ?? 0)).results,
  });
}

/** One endpoint; refreshed now and then so its versions' run counts follow the runs list below them. */
export function usePipelineEndpoint(id: number, intervalMs = 10_000) {
  return useQuery({ queryKey: publishedKeys.one(id), queryFn: () => publishedApi.get(id), refetchInterval: intervalMs });
}

/** The runs an endpoint started; refreshed every few seconds while one of them is still going, and
 * every ``idleMs`` otherwise, so runs a schedule, a data trigger or a REST call starts show up unasked. */
export function useEndpointRuns(id: number, intervalMs = 3000, idleMs = 10_000) {
  return useQuery({
    queryKey: publishedKeys.runs(id),
    queryFn: async (): Promise<PublishedRun[]> => (await publishedApi.runs(id)).results,
    refetchInterval: (query) => ((query.state.data ?? []).some((r) => !isFinal(r.status)) ? intervalMs : idleMs),
  });
}

function useRefresh(id: number) {
  const client = useQueryClient();
  return (detail?: PipelineEndpointDetail) => {
    if (detail) client.setQueryData(publishedKeys.one(id), detail);
    else void client.invalidateQueries({ queryKey: publishedKeys.one(id) });
    void client.invalidateQueries({ queryKey: ["pipeline-endpoints", "list"] });
  };
}

export function useUpdateEndpoint(id: number) {
  const refresh = useRefresh(id);
  return useMutation({ mutationFn: (body: PipelineEndpointUpdate) => publishedApi.update(id, body), onSuccess: refresh });
}

export function useUnpublish(id: number) {
  const refresh = useRefresh(id);
  return useMutation({ mutationFn: (number: number) => publishedApi.unpublish(id, number), onSuccess: () => refresh() });
}

export function useRegenerateKey(id: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (key: KeyName) => publishedApi.regenerateKey(id, key),
    onSuccess: (keys) =>
      client.setQueryData<PipelineEndpointDetail>(publishedKeys.one(id), (old) => (old ? { ...old, keys } : old)),
  });
}

export function useDeleteEndpoint() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => publishedApi.remove(id),
    onSuccess: (_data, id) => {
      client.removeQueries({ queryKey: publishedKeys.one(id) });
      void client.invalidateQueries({ queryKey: ["pipeline-endpoints", "list"] });
    },
  });
}

export function useRunNow(id: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ version, parameters }: { version: number; parameters: Record<string, unknown> }) =>
      publishedApi.runNow(id, version, parameters),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: publishedKeys.runs(id) });
      void client.invalidateQueries({ queryKey: publishedKeys.one(id) });
    },
  });
}
