/**
 * Which tab the node panel shows, and a request to put the cursor in a node's comment: so the canvas's
 * context menu can open "Outputs + logs" or the comment field of the node it was opened on.
 */
import { create } from "zustand";

export type PanelTab = "params" | "outputs";

interface PanelState {
  tab: PanelTab;
  /** The node whose comment field should take the focus once it is shown; cleared by the field. */
  focusComment: string | null;
  setTab(tab: PanelTab): void;
  editComment(node: string): void;
  commentFocused(): void;
}

export const usePanel = create<PanelState>((set) => ({
  tab: "params",
  focusComment: null,
  setTab: (tab) => set({ tab }),
  editComment: (node) => set({ tab: "params", focusComment: node }),
  commentFocused: () => set({ focusComment: null }),
}));
