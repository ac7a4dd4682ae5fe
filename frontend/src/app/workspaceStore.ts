/** Which workspace the user is looking at; remembered across reloads. */
import { create } from "zustand";

const KEY = "tessera.workspace";

function initial(): number | undefined {
  try {
    const raw = localStorage.getItem(KEY);
    const n = raw ? Number(raw) : NaN;
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

interface WorkspaceState {
  current: number | undefined;
  setCurrent(id: number): void;
}

export const useCurrentWorkspace = create<WorkspaceState>((set, get) => ({
  current: initial(),
  setCurrent(id) {
    if (get().current === id) return;
    try {
      localStorage.setItem(KEY, String(id));
    } catch {
      /* private mode: remember for this tab only */
    }
    set({ current: id });
  },
}));
