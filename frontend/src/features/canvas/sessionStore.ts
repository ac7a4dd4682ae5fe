/**
 * The editing session of one pipeline: which saved version the canvas is based on, whether the
 * draft has changes not yet saved as a version, and how the autosave is doing.
 */
import { create } from "zustand";

export type SaveState = "idle" | "dirty" | "saving" | "saved" | "error";

interface SessionState {
  pipelineId: number | null;
  baseVersion: number | null;
  /** Changes that are not in a saved version yet (they are in the draft). */
  unsavedVersion: boolean;
  save: SaveState;
  savedAt: number | null;
  saveError: string | null;
  start(pipelineId: number, baseVersion: number | null, unsavedVersion: boolean): void;
  markVersionSaved(version: number): void;
  markEdited(): void;
  setSave(save: SaveState, error?: string | null): void;
}

export const useSession = create<SessionState>((set) => ({
  pipelineId: null,
  baseVersion: null,
  unsavedVersion: false,
  save: "idle",
  savedAt: null,
  saveError: null,
  start(pipelineId, baseVersion, unsavedVersion) {
    set({ pipelineId, baseVersion, unsavedVersion, save: "idle", savedAt: null, saveError: null });
  },
  markVersionSaved(version) {
    set({ baseVersion: version, unsavedVersion: false });
  },
  markEdited() {
    set({ unsavedVersion: true, save: "dirty" });
  },
  setSave(save, error = null) {
    set(save === "saved" ? { save, saveError: null, savedAt: Date.now() } : { save, saveError: error });
  },
}));
