/** Server state of endpoints: one query hook per resource, mutations refresh what they changed. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMe } from "../auth";
import { servingApi } from "./http";
import type { Endpoint, EndpointKeys, EndpointUpdate, KeyName } from "./types";

export const endpointKeys = {
  list: (workspace: number) => ["endpoints", workspace] as const,
  one: (id: number) => ["endpoint", id] as const,
  monitoring: (id: number, minutes: number) => ["endpoint-monitoring", id, minutes] as const,
  drift: (id: number, minutes: number) => ["endpoint-drift", id, minutes] as const,
};

export function useEndpoints(workspace: number | undefined) {
  return useQuery({
    queryKey: endpointKeys.list(workspace ?? 0),
    enabled: workspace !== undefined,
    queryFn: async (): Promise<Endpoint[]> => (await servingApi.listEndpoints(workspace ?? 0)).results,
  });
}

export function useEndpoint(id: number) {
  return useQuery({ queryKey: endpointKeys.one(id), queryFn: () => servingApi.getEndpoint(id) });
}

/** Totals, figures and recent calls; refreshed every 5 s while shown (and the browser tab is visible). */
export function useMonitoring(id: number, minutes: number, intervalMs = 5000) {
  return useQuery({
    queryKey: endpointKeys.monitoring(id, minutes),
    queryFn: () => servingApi.monitoring(id, minutes),
    refetchInterval: intervalMs,
    refetchIntervalInBackground: false,
    placeholderData: (previous) => previous,
  });
}

/** Drift of recent inputs against the training data: heavier to compute, so refreshed once a minute. */
export function useDrift(id: number, minutes: number) {
  return useQuery({
    queryKey: endpointKeys.drift(id, minutes),
    queryFn: () => servingApi.drift(id, minutes),
    refetchInterval: 60_000,
    refetchIntervalInBackground: false,
    placeholderData: (previous) => previous,
  });
}

export function useUpdateEndpoint(id: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: EndpointUpdate) => servingApi.updateEndpoint(id, body),
    onSuccess: (endpoint) => {
      client.setQueryData(endpointKeys.one(id), endpoint);
      void client.invalidateQueries({ queryKey: ["endpoints"] });
    },
  });
}

export function useRegenerateKey(id: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (key: KeyName) => servingApi.regenerateKey(id, key),
    onSuccess: (keys: EndpointKeys) => {
      client.setQueryData<Endpoint>(endpointKeys.one(id), (old) => (old ? { ...old, keys } : old));
    },
  });
}

export function useDeleteEndpoint() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => servingApi.deleteEndpoint(id),
    onSuccess: (_data, id) => {
      client.removeQueries({ queryKey: endpointKeys.one(id) });
      void client.invalidateQueries({ queryKey: ["endpoints"] });
      void client.invalidateQueries({ queryKey: ["models"] });
    },
  });
}

/** The signed-in user's role in a workspace, and whether it allows changing things. */
export function useRole(workspace: number | undefined) {
  const me = useMe().data;
  const membership = me?.workspaces.find((w) => w.id === workspace);
  const role = membership?.role;
  return { role, workspaceName: membership?.name, canEdit: role === "owner" || role === "editor" };
}
