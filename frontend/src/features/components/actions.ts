/**
 * What the canvas does with components: open one (double-click), go back out (the breadcrumb, asking
 * about unsaved edits), ungroup one, accept a newer version or pin the node where it is.
 */
import type { QueryClient } from "@tanstack/react-query";
import { messageOf } from "../../api/errors";
import type { Module } from "../../api/types";
import { toast } from "../../app/toasts";
import { useCurrentWorkspace } from "../../app/workspaceStore";
import { moduleKey, useCatalogue } from "../canvas/catalogueStore";
import { useGraph } from "../canvas/graphStore";
import { useComponentDialogs } from "./dialogStore";
import { closeFrame, hasUnsavedEdits, openFrame, useComponentEditor } from "./editor";
import { fetchComponentVersion, refreshComponentCatalogue, ungroupComponent } from "./queries";
import { componentIdOf, isComponentEntry } from "./types";

/** The catalogue entry of a node's component at the version it uses. */
export function entryOf(module: string, version: number): Module | undefined {
  return useCatalogue.getState().modules.get(moduleKey(module, version));
}

/** The newest version of a component node's component, when the catalogue knows it. */
export function latestVersionOf(module: string): number | undefined {
  const entry = useCatalogue.getState().latest.get(module);
  if (!entry) return undefined;
  return isComponentEntry(entry) ? Math.max(entry.component.latest_version, entry.version) : entry.version;
}

let opening = false;

/** Open component node `nodeId` of the level shown: its inner graph replaces the canvas. */
export async function openComponentNode(nodeId: string): Promise<void> {
  const node = useGraph.getState().nodes.find((n) => n.id === nodeId);
  const id = node ? componentIdOf(node.data.module) : null;
  if (!node || id === null || opening) return;
  opening = true;
  try {
    const version = await fetchComponentVersion(id, node.data.version);
    const title = entryOf(node.data.module, node.data.version)?.name ?? `Component #${id}`;
    if (version.document.kind !== "graph") {
      toast.info(`${title} is a script component: its code is edited with “tessera component push” or the REST API, not on the canvas.`);
      return;
    }
    openFrame({ nodeId, title, component: id, version: node.data.version, openedVersion: node.data.version, document: version.document });
  } catch (error) {
    toast.error(messageOf(error));
  } finally {
    opening = false;
  }
}

/**
 * Go back to `depth` open levels (0: the pipeline), one level at a time. A level with unsaved edits
 * stops there and asks (save as a version, or discard); the dialog calls this again once answered.
 */
export async function leaveTo(depth: number, client: QueryClient, discard = false): Promise<void> {
  let dropping = discard;
  while (useComponentEditor.getState().frames.length > depth) {
    if (hasUnsavedEdits() && !dropping) {
      useComponentDialogs.getState().show({ kind: "leave", depth });
      return;
    }
    dropping = false;
    const moved = closeFrame();
    if (moved) {
      // The node now uses the version saved inside: load it into the catalogue first, so its card has ports.
      const workspace = useCurrentWorkspace.getState().current;
      if (workspace !== undefined) await refreshComponentCatalogue(client, workspace).catch(() => undefined);
      useGraph.getState().updateNodeData(moved.nodeId, { version: moved.version });
    }
  }
}

/** Replace component node `nodeId` by its inner nodes (the server rewires the edges). */
export async function ungroupNode(nodeId: string): Promise<void> {
  const workspace = useCurrentWorkspace.getState().current;
  if (workspace === undefined || useGraph.getState().readOnly) return;
  const before = new Set(useGraph.getState().nodes.map((n) => n.id));
  try {
    const document = await ungroupComponent(workspace, useGraph.getState().document(), nodeId);
    const fresh = document.nodes.map((n) => n.id).filter((id) => !before.has(id));
    useGraph.getState().replaceDocument(document, fresh);
  } catch (error) {
    toast.error(messageOf(error));
  }
}

/** Move a linked component node to `version` (keeping the exposed parameters that still exist). */
export function acceptVersion(nodeId: string, version: number): void {
  const node = useGraph.getState().nodes.find((n) => n.id === nodeId);
  if (!node) return;
  const next = entryOf(node.data.module, version);
  const known = new Set(Object.keys(((next?.params_schema as { properties?: Record<string, unknown> } | undefined)?.properties) ?? {}));
  const params = Object.fromEntries(Object.entries(node.data.params).filter(([name]) => !next || known.has(name)));
  useGraph.getState().updateNodeData(nodeId, { version, params, link: "latest" });
}

/** Keep the node on the version it uses: no more "update available". */
export function pinNode(nodeId: string): void {
  useGraph.getState().updateNodeData(nodeId, { link: "pinned" });
}

/** Follow the component again (an update is offered when there is one). */
export function linkNode(nodeId: string): void {
  useGraph.getState().updateNodeData(nodeId, { link: "latest" });
}
