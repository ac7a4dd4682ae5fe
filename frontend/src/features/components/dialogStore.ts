/** Which component dialog is open (one at a time), so the canvas menu, the cards and the breadcrumb can open them. */
import { create } from "zustand";

export type ComponentDialog =
  | { kind: "create"; nodeIds: string[] }
  | { kind: "update"; nodeId: string }
  | { kind: "save"; thenLeave?: number }
  | { kind: "leave"; depth: number }
  | { kind: "script" };

interface DialogState {
  open: ComponentDialog | null;
  show(dialog: ComponentDialog): void;
  close(): void;
}

export const useComponentDialogs = create<DialogState>((set) => ({
  open: null,
  show(dialog) {
    set({ open: dialog });
  },
  close() {
    set({ open: null });
  },
}));
