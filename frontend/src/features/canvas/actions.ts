/**
 * What the canvas's keyboard shortcuts, context menu and toolbar share: the clipboard (copy, paste),
 * Arrange (auto-layout, loaded on first use), and the list of shortcuts the help dialog shows.
 */
import type { ReactFlowInstance } from "@xyflow/react";
import { toast } from "../../app/toasts";
import { moduleKey, useCatalogue } from "./catalogueStore";
import type { DesignerEdge, DesignerNode } from "./document";
import { useGraph, type Clipboard } from "./graphStore";

let clipboard: Clipboard | null = null;

export const hasClipboard = () => clipboard !== null;

/** Copy the selected nodes (with the edges between them); false when nothing is selected. */
export function copySelected(): boolean {
  const copied = useGraph.getState().copySelection();
  if (!copied) return false;
  clipboard = copied;
  toast.info(`Copied ${copied.nodes.length} module${copied.nodes.length === 1 ? "" : "s"}.`);
  return true;
}

/** Paste what was copied, clear of everything on the canvas (graphStore.paste); false when there is nothing. */
export function pasteClipboard(): boolean {
  if (!clipboard || useGraph.getState().readOnly) return false;
  useGraph.getState().paste(clipboard);
  return true;
}

/** Forget the clipboard (tests). */
export function clearClipboard(): void {
  clipboard = null;
}

const FIT = { padding: 0.2, maxZoom: 1.1, duration: 200 } as const;

/**
 * Lay the whole pipeline out with elkjs (arrange.ts) as one undoable edit: the new positions go through
 * the same store action as a drag, so they are autosaved and sent to co-editors as ordinary moves.
 */
export async function arrangeAll(flow?: Pick<ReactFlowInstance, "fitView">): Promise<void> {
  const graph = useGraph.getState();
  if (graph.readOnly || !graph.nodes.length) return;
  const { arrange } = await import("./arrange");
  const modules = useCatalogue.getState().modules;
  const moduleOf = (n: DesignerNode) => modules.get(moduleKey(n.data.module, n.data.version));
  const { nodes, edges } = useGraph.getState(); // as they are now: someone may have edited while ELK loaded
  const positions = await arrange(nodes, edges as DesignerEdge[], moduleOf);
  useGraph.getState().moveNodes(positions);
  // After React Flow has the new positions: fit the arranged drawing.
  requestAnimationFrame(() => void flow?.fitView(FIT));
}

export interface Shortcut {
  keys: string[];
  does: string;
}

/** Every shortcut the canvas knows, as the help dialog (`?`) lists them. */
export const SHORTCUTS: Shortcut[] = [
  { keys: ["?"], does: "Show this list of shortcuts" },
  { keys: ["Delete"], does: "Delete the selected modules and connections (Backspace too)" },
  { keys: ["Ctrl", "Z"], does: "Undo" },
  { keys: ["Ctrl", "Shift", "Z"], does: "Redo (Ctrl+Y too)" },
  { keys: ["Ctrl", "C"], does: "Copy the selected modules" },
  { keys: ["Ctrl", "V"], does: "Paste the copied modules, clear of the others" },
  { keys: ["Ctrl", "A"], does: "Select every module" },
  { keys: ["Shift", "L"], does: "Arrange: lay the pipeline out top to bottom" },
  { keys: ["Shift", "F10"], does: "Open the context menu of the selected module (the Menu key too)" },
  { keys: ["Ctrl", "click"], does: "Add a module to the selection" },
  { keys: ["Shift", "drag"], does: "Select the modules in a box" },
  { keys: ["Right-click"], does: "Context menu of a module, a connection or the canvas" },
  { keys: ["Escape"], does: "Close a menu or dialog" },
];
