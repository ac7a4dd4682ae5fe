/** Server state of retraining: one query hook per resource; decisions refresh the endpoint they redeploy. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { retrainingApi } from "./http";
import type { PolicyWrite } from "./types";

export const retrainingKeys = {
  policy: (endpoint: number) => ["retraining-policy", endpoint] as const,
  options: (endpoint: number) => ["retraining-options", endpoint] as const,
  challengers: (endpoint: number) => ["challengers", endpoint] as const,
  challenger: (id: number) => ["challenger", id] as const,
};

/** The policy and its alarm's state; refreshed every 15 s (the alarm is checked in the background). */
export function usePolicy(endpoint: number) {
  return useQuery({
    queryKey: retrainingKeys.policy(endpoint),
    queryFn: () => retrainingApi.policy(endpoint),
    refetchInterval: 15_000,
    refetchIntervalInBackground: false,
  });
}

export function useOptions(endpoint: number) {
  return useQuery({ queryKey: retrainingKeys.options(endpoint), queryFn: () => retrainingApi.options(endpoint) });
}

/** Challengers, newest first; refreshed every 10 s while shown, as evaluations finish on the workers. */
export function useChallengers(endpoint: number) {
  return useQuery({
    queryKey: retrainingKeys.challengers(endpoint),
    queryFn: async () => (await retrainingApi.challengers(endpoint)).results,
    refetchInterval: 10_000,
    refetchIntervalInBackground: false,
  });
}

export function useChallenger(id: number | null) {
  return useQuery({
    queryKey: retrainingKeys.challenger(id ?? 0),
    queryFn: () => retrainingApi.challenger(id ?? 0),
    enabled: id !== null,
  });
}

export function useSavePolicy(endpoint: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: PolicyWrite) => retrainingApi.savePolicy(endpoint, body),
    onSuccess: (policy) => client.setQueryData(retrainingKeys.policy(endpoint), policy),
  });
}

export function useRemovePolicy(endpoint: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => retrainingApi.removePolicy(endpoint),
    onSuccess: () => client.setQueryData(retrainingKeys.policy(endpoint), null),
  });
}

export function useDecide(endpoint: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, approve, note }: { id: number; approve: boolean; note: string }) =>
      approve ? retrainingApi.approve(id, note) : retrainingApi.reject(id, note),
    onSettled: (_data, _error, { id }) => {
      void client.invalidateQueries({ queryKey: retrainingKeys.challengers(endpoint) });
      void client.invalidateQueries({ queryKey: retrainingKeys.challenger(id) });
      void client.invalidateQueries({ queryKey: retrainingKeys.policy(endpoint) });
      void client.invalidateQueries({ queryKey: ["endpoint", endpoint] }); // a promotion redeploys it
      void client.invalidateQueries({ queryKey: ["models"] });
    },
  });
}
