/** The panel of a component node: open it, ungroup it, and which version it follows. */
import { useGraph } from "../canvas/graphStore";
import { linkNode, openComponentNode, pinNode, ungroupNode } from "./actions";
import { useLatestVersion } from "./ComponentCard";
import { useComponentDialogs } from "./dialogStore";

export function ComponentPanelActions({ nodeId, readOnly }: { nodeId: string; readOnly: boolean }) {
  const data = useGraph((s) => s.nodes.find((n) => n.id === nodeId)?.data);
  const latest = useLatestVersion(data?.module ?? "");
  const show = useComponentDialogs((s) => s.show);
  if (!data) return null;
  const pinned = data.link === "pinned";
  const behind = latest !== undefined && latest > data.version;
  return (
    <div className="panel__section cpanel" data-testid="component-panel">
      <p className="cpanel__version">
        Version {data.version}
        {pinned ? ", pinned" : behind ? `; version ${latest} is available` : ", the latest"}
      </p>
      <div className="panel__actions">
        <button className="btn btn--sm" onClick={() => void openComponentNode(nodeId)}>
          Open component
        </button>
        {!readOnly && behind && !pinned && (
          <button className="btn btn--sm" onClick={() => show({ kind: "update", nodeId })}>
            Review update…
          </button>
        )}
        {!readOnly && (
          <button className="btn btn--sm btn--ghost" onClick={() => (pinned ? linkNode(nodeId) : pinNode(nodeId))}>
            {pinned ? "Follow the latest" : "Pin this version"}
          </button>
        )}
        {!readOnly && (
          <button className="btn btn--sm btn--ghost" onClick={() => void ungroupNode(nodeId)}>
            Ungroup
          </button>
        )}
      </div>
    </div>
  );
}
