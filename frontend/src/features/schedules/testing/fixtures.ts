/** A schedule and a data trigger as the API answers them, for component tests. */
import type { DataTrigger, Schedule } from "../types";

export function scheduleFixture(partial: Partial<Schedule> = {}): Schedule {
  return {
    id: 7,
    endpoint: 5,
    endpoint_name: "nightly",
    name: "Weekday mornings",
    cron: "0 6 * * 1-5",
    interval_seconds: null,
    timezone: "UTC",
    start_at: null,
    end_at: null,
    paused: false,
    max_concurrent: 1,
    missed: "run_once",
    values: { fraction: 0.3 },
    version: null,
    description: "At 06:00, Monday through Friday",
    next_fires: ["2026-12-07T06:00:00Z", "2026-12-08T06:00:00Z", "2026-12-09T06:00:00Z"],
    next_fire_at: "2026-12-07T06:00:00Z",
    running: 0,
    last_ticks: [
      { id: 2, tick: "2026-12-04T06:00:00Z", outcome: "skipped", run: null, run_status: null, reason: "skipped: 1 run of this schedule still running (max concurrent runs: 1)", created_at: "2026-12-04T06:00:01Z" },
      { id: 1, tick: "2026-12-03T06:00:00Z", outcome: "ran", run: 88, run_status: "completed", reason: "", created_at: "2026-12-03T06:00:01Z" },
    ],
    created_by: "olivia",
    created_at: "2026-12-01T10:00:00Z",
    updated_at: "2026-12-01T10:00:00Z",
    ...partial,
  };
}

export function triggerFixture(partial: Partial<DataTrigger> = {}): DataTrigger {
  return {
    id: 3,
    endpoint: 5,
    endpoint_name: "nightly",
    name: "",
    dataset: 4,
    dataset_name: "Biopsies",
    parameter: "training_data",
    values: {},
    version: null,
    paused: false,
    last_firings: [
      { id: 9, dataset_version: 6, outcome: "ran", run: 95, run_status: "running", reason: "", created_at: "2026-12-05T09:00:00Z" },
    ],
    created_by: "olivia",
    created_at: "2026-12-01T10:00:00Z",
    updated_at: "2026-12-01T10:00:00Z",
    ...partial,
  };
}

export const page = <T,>(results: T[]) => ({ count: results.length, next: null, previous: null, results });
