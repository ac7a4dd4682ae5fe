/** Server state of schedules and triggers; refreshed every few seconds while shown (next fire, last ticks). */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { schedulesApi } from "./http";
import type { DataTrigger, Preview, Schedule, Timing } from "./types";

export const scheduleKeys = {
  schedules: (endpoint: number) => ["schedules", endpoint] as const,
  triggers: (endpoint: number) => ["data-triggers", endpoint] as const,
  preview: (timing: Timing) => ["schedule-preview", timing] as const,
};

export function useSchedules(endpoint: number, intervalMs = 5000) {
  return useQuery({
    queryKey: scheduleKeys.schedules(endpoint),
    queryFn: async (): Promise<Schedule[]> => (await schedulesApi.list(endpoint)).results,
    refetchInterval: intervalMs,
    refetchIntervalInBackground: false,
  });
}

export function useTriggers(endpoint: number, intervalMs = 5000) {
  return useQuery({
    queryKey: scheduleKeys.triggers(endpoint),
    queryFn: async (): Promise<DataTrigger[]> => (await schedulesApi.triggers(endpoint)).results,
    refetchInterval: intervalMs,
    refetchIntervalInBackground: false,
  });
}

/** Mutations that refresh the endpoint's schedules, triggers and runs when they succeed. */
export function useScheduleAction<A>(endpoint: number, action: (arg: A) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: action,
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: scheduleKeys.schedules(endpoint) });
      void client.invalidateQueries({ queryKey: scheduleKeys.triggers(endpoint) });
      void client.invalidateQueries({ queryKey: ["pipeline-endpoints"] });
    },
  });
}

/** The server's reading of a timing (words, next three fire times, or what is wrong), 300 ms after typing stops. */
export function usePreview(timing: Timing) {
  const [settled, setSettled] = useState(timing);
  const key = JSON.stringify(timing);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(JSON.parse(key) as Timing), 300);
    return () => clearTimeout(timer);
  }, [key]);
  return useQuery({
    queryKey: scheduleKeys.preview(settled),
    queryFn: (): Promise<Preview> => schedulesApi.preview(settled),
    enabled: Boolean(settled.cron) || Boolean(settled.interval_seconds),
    placeholderData: (previous) => previous,
    staleTime: 30_000,
  });
}
