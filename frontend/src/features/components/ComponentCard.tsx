/**
 * What a component node's card adds to a module card: the aggregate run status of its inner nodes
 * (it has no run of its own: the planner expands it), and the version line, "v3 · linked" with an
 * "Update available" badge when the component has a newer version, or "v3 · pinned".
 */
import { useMemo } from "react";
import { useRunStatus, type NodeRunState } from "../runs/runStore";
import { useComponentEditor } from "./editor";
import { useCatalogue } from "../canvas/catalogueStore";
import { useComponentDialogs } from "./dialogStore";
import { aggregate } from "./status";
import { useScopedId } from "./scopeStore";
import { isComponentEntry } from "./types";

/** The card's status for component node `nodeId` of the level shown: its own, else its inner nodes' together. */
export function useComponentRun(nodeId: string, enabled: boolean): Pick<NodeRunState, "status" | "progress"> | undefined {
  const full = useScopedId(nodeId);
  // One string per card, so an event about another node re-renders nothing here.
  const key = useRunStatus((s) => {
    if (!enabled) return "";
    const a = aggregate(s.nodes, full);
    return a ? `${a.status}|${a.progress.toFixed(2)}` : "";
  });
  if (!key) return undefined;
  const [status, progress] = key.split("|") as [NodeRunState["status"], string];
  return { status, progress: Number(progress) };
}

/** The newest version of a component, as the catalogue says. */
export function useLatestVersion(module: string): number | undefined {
  return useCatalogue((s) => {
    const entry = s.latest.get(module);
    if (!entry) return undefined;
    return isComponentEntry(entry) ? Math.max(entry.component.latest_version, entry.version) : entry.version;
  });
}

interface Props {
  nodeId: string;
  module: string;
  version: number;
  link: "latest" | "pinned" | undefined;
  kind: "graph" | "script" | undefined;
}

export function ComponentVersionLine({ version, link, kind }: Pick<Props, "version" | "link" | "kind">) {
  const pinned = link === "pinned";
  const what = kind === "script" ? "Script component" : "Component";
  return (
    <div className="mnode__sub cnode__line">
      <span className="cnode__version" title={pinned ? `Pinned to version ${version}` : `Version ${version}, following the latest`}>
        {what} · v{version}
        {pinned ? " · pinned" : ""}
      </span>
    </div>
  );
}

/**
 * "Update v4" on the card's corner of a linked component node behind the latest version: on the corner,
 * not in the status line, so a problem or a run status never hides it. Opens the diff (Accept / Pin).
 */
export function ComponentUpdateBadge({ nodeId, module, version, link }: Omit<Props, "kind">) {
  const latest = useLatestVersion(module);
  const show = useComponentDialogs((s) => s.show);
  if (link === "pinned" || latest === undefined || latest <= version) return null;
  return (
    <button
      type="button"
      className="cnode__update nodrag"
      data-testid="component-update"
      title={`Version ${latest} is available: see what changed`}
      onClick={(e) => {
        e.stopPropagation();
        show({ kind: "update", nodeId });
      }}
    >
      Update v{latest}
    </button>
  );
}

/**
 * Inside an open component: the inner ports that are the component's own (an input fed from outside,
 * an output used outside), by port name → the component port's name. Empty at the pipeline level.
 */
export function useComponentPorts(nodeId: string, kind: "in" | "out"): Readonly<Record<string, string>> {
  const top = useComponentEditor((s) => s.frames.at(-1));
  return useMemo(() => {
    if (!top) return NONE;
    const found: Record<string, string> = {};
    if (kind === "in") {
      for (const i of top.document.inputs) for (const t of i.targets) if (t.node === nodeId) found[t.port] = i.name;
    } else {
      for (const o of top.document.outputs) if (o.source.node === nodeId) found[o.source.port] = o.name;
    }
    return Object.keys(found).length ? found : NONE;
  }, [top, nodeId, kind]);
}

const NONE: Readonly<Record<string, string>> = Object.freeze({});
