/**
 * The run a reopened pipeline shows: its latest run (of any version), attached to the canvas so the
 * nodes keep their statuses and the Outputs tab its results, as Azure keeps them on the draft. The
 * toolbar says which run it is and how old, since it may be of an older version than the draft.
 */
import { create } from "zustand";
import { formatWhen } from "../../app/status";
import { useRunStatus } from "./runStore";

export interface LastRun {
  id: number;
  version: number;
  /** When it finished, or was submitted while it has not. */
  at: string;
}

interface LastRunState {
  last: LastRun | null;
  set(last: LastRun): void;
  clear(): void;
}

export const useLastRun = create<LastRunState>((set) => ({
  last: null,
  set: (last) => set({ last }),
  clear: () => set({ last: null }),
}));

/** "(version 3), 5 min ago" beside the run chip while the canvas shows the run found on opening. */
export function LastRunNote() {
  const last = useLastRun((s) => s.last);
  const shown = useRunStatus((s) => s.run?.id);
  if (!last || last.id !== shown) return null;
  return (
    <span className="runchip__when" data-testid="last-run" title={new Date(last.at).toLocaleString()}>
      (version {last.version}), {formatWhen(last.at)}
    </span>
  );
}

/** Whether the run chip shows the run found on opening (its link then reads "Last run #12"). */
export function useIsLastRun(runId: number | undefined): boolean {
  return useLastRun((s) => s.last !== null && s.last.id === runId);
}
