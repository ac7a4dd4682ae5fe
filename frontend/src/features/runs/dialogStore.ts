/** Which output viewer or log is open over the canvas. */
import { create } from "zustand";

export interface InspectTarget {
  runId: number;
  nodeId: string;
  port: string;
  portType: string;
  title: string;
}
export interface LogTarget {
  runId: number;
  nodeId: string;
  title: string;
}

interface DialogState {
  inspect: InspectTarget | null;
  log: LogTarget | null;
  openInspector(target: InspectTarget): void;
  openLog(target: LogTarget): void;
  close(): void;
}

export const useRunDialogs = create<DialogState>((set) => ({
  inspect: null,
  log: null,
  openInspector: (inspect) => set({ inspect, log: null }),
  openLog: (log) => set({ log, inspect: null }),
  close: () => set({ inspect: null, log: null }),
}));
