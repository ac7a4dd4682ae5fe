/**
 * Live co-editing as the page sees it: whether it is on, who you are, who else is here and what
 * they have selected, and the last applied sequence number. The client writes it; views read it.
 */
import { create } from "zustand";
import type { Person } from "./protocol";

/**
 * idle: not started. connecting: waiting for the first snapshot. live: the canvas follows the shared
 * draft (also while reconnecting). off: no live connection could be made; the page falls back to
 * saving the draft itself.
 */
export type CollabMode = "idle" | "connecting" | "live" | "off";

export interface Teammate extends Person {
  nodes: string[];
}

interface CollabState {
  mode: CollabMode;
  connected: boolean;
  you: Person | null;
  canEdit: boolean;
  seq: number;
  /** Everyone else here, by user id. */
  people: Record<number, Teammate>;
  /** Own ops sent and not yet acknowledged. */
  pending: number;
  reset(mode?: CollabMode): void;
}

const initial = { mode: "idle" as CollabMode, connected: false, you: null, canEdit: true, seq: 0, people: {}, pending: 0 };

export const useCollab = create<CollabState>((set) => ({
  ...initial,
  reset(mode = "idle") {
    set({ ...initial, mode });
  },
}));
