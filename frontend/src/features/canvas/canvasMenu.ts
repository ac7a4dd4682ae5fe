/**
 * What the canvas's context menu offers for a module, a connection or the empty canvas. Each item calls
 * the action that already exists elsewhere (the panel's tabs and comment field, the run dialogs' log,
 * the store's copy/delete/regenerate, the designer's submit), so the menu is a shortcut, not a second
 * implementation.
 */
import type { ReactFlowInstance } from "@xyflow/react";
import { hasOutputs, isFinal } from "../../app/status";
import { useRunDialogs } from "../runs/dialogStore";
import { useRunStatus } from "../runs/runStore";
import { arrangeAll, copySelected, hasClipboard, pasteClipboard } from "./actions";
import { moduleKey, useCatalogue } from "./catalogueStore";
import type { MenuItem } from "./ContextMenu";
import { useGraph } from "./graphStore";
import { usePanel } from "./panelStore";
import { useValidation } from "./validationStore";
import { componentMenuItems } from "../components/menu";
import { scopedId, useScope } from "../components/scopeStore";

export type MenuTarget = { kind: "node"; id: string } | { kind: "edge"; id: string } | { kind: "pane" };

export interface MenuContext {
  readOnly: boolean;
  /** Submit a run that re-runs this node and everything downstream of it (the designer's submit). */
  runFrom?(nodeId: string): void;
  flow?: Pick<ReactFlowInstance, "fitView">;
}

/** The node and every node downstream of it. */
export function downstreamOf(nodeId: string): string[] {
  const { edges } = useGraph.getState();
  const seen = new Set([nodeId]);
  const todo = [nodeId];
  while (todo.length) {
    const current = todo.pop() as string;
    for (const e of edges) {
      if (e.source === current && !seen.has(e.target)) {
        seen.add(e.target);
        todo.push(e.target);
      }
    }
  }
  return [...seen];
}

function titleOf(nodeId: string): string {
  const node = useGraph.getState().nodes.find((n) => n.id === nodeId);
  if (!node) return nodeId;
  return useCatalogue.getState().modules.get(moduleKey(node.data.module, node.data.version))?.name ?? node.data.module;
}

function nodeItems(nodeId: string, ctx: MenuContext): MenuItem[] {
  const graph = useGraph.getState();
  const node = graph.nodes.find((n) => n.id === nodeId);
  if (!node) return [];
  const selected = graph.nodes.filter((n) => n.selected).length;
  const many = selected > 1 ? ` ${selected} modules` : "";
  const runs = useRunStatus.getState();
  // Inside an open component, runs name the node `outer/inner`.
  const frames = useScope.getState().frames;
  const runNodeId = scopedId(frames, nodeId);
  const run = runs.nodes[runNodeId];
  const runId = runs.run?.id;
  const running = runs.run !== null && !isFinal(runs.run.status);
  const problems = useValidation.getState().problems.length;
  const title = titleOf(nodeId);
  let runBlocked: string | undefined;
  if (ctx.readOnly || !ctx.runFrom) runBlocked = "Only an editor can submit runs.";
  else if (frames.length) runBlocked = "Go back to the pipeline to run from a module.";
  else if (problems) runBlocked = "Fix the problems marked on the canvas first.";
  else if (running) runBlocked = "A run is in progress. Wait for it, or cancel it.";
  const noRun = "Available once this module has run.";
  return [
    {
      label: "Run from here",
      hint: runBlocked ?? "Submit a run that re-runs this module and every module after it (the rest is reused)",
      disabled: Boolean(runBlocked),
      onSelect: () => ctx.runFrom?.(nodeId),
    },
    {
      label: "Regenerate output",
      checked: node.data.regenerate,
      hint: "Re-run this module on every run, even when its cached output would be reused",
      disabled: ctx.readOnly,
      onSelect: () => useGraph.getState().updateNodeData(nodeId, { regenerate: !node.data.regenerate }),
    },
    ...componentMenuItems(nodeId, ctx.readOnly),
    { label: `Copy${many}`, shortcut: "Ctrl+C", separated: true, onSelect: () => void copySelected() },
    {
      label: `Delete${many}`,
      shortcut: "Delete",
      danger: true,
      disabled: ctx.readOnly,
      onSelect: () => useGraph.getState().removeSelected(),
    },
    {
      label: node.data.comment ? "Edit comment" : "Add comment",
      disabled: ctx.readOnly,
      onSelect: () => {
        useGraph.getState().selectOnly([nodeId]);
        usePanel.getState().editComment(nodeId);
      },
    },
    {
      label: "View outputs",
      separated: true,
      disabled: !run || runId === undefined || !hasOutputs(run.status),
      hint: run && hasOutputs(run.status) ? "Show this module's outputs in the panel" : noRun,
      onSelect: () => {
        useGraph.getState().selectOnly([nodeId]);
        usePanel.getState().setTab("outputs");
      },
    },
    {
      label: "View log",
      disabled: !run || runId === undefined,
      hint: run ? undefined : noRun,
      onSelect: () => runId !== undefined && useRunDialogs.getState().openLog({ runId, nodeId: runNodeId, title: `Log of ${title}` }),
    },
  ];
}

export function menuItems(target: MenuTarget, ctx: MenuContext): MenuItem[] {
  if (target.kind === "node") return nodeItems(target.id, ctx);
  if (target.kind === "edge") {
    return [
      {
        label: "Delete connection",
        shortcut: "Delete",
        danger: true,
        disabled: ctx.readOnly,
        onSelect: () => useGraph.getState().removeEdge(target.id),
      },
    ];
  }
  const empty = useGraph.getState().nodes.length === 0;
  return [
    {
      label: "Paste",
      shortcut: "Ctrl+V",
      disabled: ctx.readOnly || !hasClipboard(),
      hint: hasClipboard() ? undefined : "Copy modules first",
      onSelect: () => void pasteClipboard(),
    },
    {
      label: "Arrange",
      shortcut: "Shift+L",
      disabled: ctx.readOnly || empty,
      hint: "Lay the pipeline out top to bottom so that no module covers another",
      onSelect: () => void arrangeAll(ctx.flow),
    },
    { label: "Select all", shortcut: "Ctrl+A", disabled: empty, onSelect: () => useGraph.getState().selectAll() },
  ];
}

export const menuLabel = (target: MenuTarget): string =>
  target.kind === "node" ? `Module ${titleOf(target.id)}` : target.kind === "edge" ? "Connection" : "Canvas";
