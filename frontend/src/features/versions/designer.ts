/** The few things the versions feature does to the designer's canvas: open panel state, load a version. */
import { create } from "zustand";
import type { PipelineDocument } from "../../api/types";
import { useGraph } from "../canvas/graphStore";
import { useSession } from "../canvas/sessionStore";

interface PanelState {
  open: boolean;
  setOpen(open: boolean): void;
}

export const useVersionsPanel = create<PanelState>((set) => ({
  open: false,
  setOpen: (open) => set({ open }),
}));

/** Put a saved version on the designer's canvas as its new base (what a restore or a reload does). */
export function loadIntoDesigner(document: unknown, number: number): void {
  useGraph.getState().load(document as PipelineDocument);
  useSession.getState().markVersionSaved(number);
}
