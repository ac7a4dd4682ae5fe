/**
 * "Update available" on a linked component node: what changed between the version it uses and the
 * newest (GET /api/components/<id>/diff/), then Accept (the node moves to the newest version) or Pin
 * (it stays where it is and stops offering updates).
 */
import { Modal } from "../../app/Modal";
import { ErrorState, Loading } from "../../app/States";
import { messageOf } from "../../api/errors";
import { useGraph } from "../canvas/graphStore";
import { DiffList } from "../versions";
import type { PipelineDiff } from "../versions/queries";
import { acceptVersion, entryOf, latestVersionOf, pinNode } from "./actions";
import { useComponentDiff, useComponentVersion } from "./queries";
import { componentIdOf, type ComponentDocument } from "./types";

const graphOf = (doc: ComponentDocument | undefined) => (doc?.kind === "graph" ? doc.graph : undefined);

interface Props {
  nodeId: string;
  onClose(): void;
}

interface InterfaceChange {
  kind: string;
  name: string;
  change: string;
}

/** The interface changes in a diff, whatever their grouping: ports and parameters added, removed, changed. */
export function interfaceChanges(diff: unknown): InterfaceChange[] {
  const body = (diff && typeof diff === "object" ? (diff as Record<string, unknown>).interface : null) as Record<string, unknown> | null;
  if (!body || typeof body !== "object") return [];
  const out: InterfaceChange[] = [];
  for (const [kind, changes] of Object.entries(body)) {
    if (!changes || typeof changes !== "object") continue;
    for (const [change, items] of Object.entries(changes as Record<string, unknown>)) {
      if (!Array.isArray(items)) continue;
      for (const item of items) {
        const name = typeof item === "string" ? item : item && typeof item === "object" ? String((item as { name?: unknown }).name ?? JSON.stringify(item)) : String(item);
        out.push({ kind: kind.replace(/s$/, ""), name, change });
      }
    }
  }
  return out;
}

/** The inner graph's diff, in the pipeline diff's shape, wherever the body keeps it. */
export function graphDiffOf(diff: unknown): PipelineDiff | null {
  if (!diff || typeof diff !== "object") return null;
  const body = diff as Record<string, unknown>;
  for (const candidate of [body.graph, body.diff, body]) {
    if (candidate && typeof candidate === "object" && "semantic" in candidate && "summary" in candidate) return candidate as PipelineDiff;
  }
  return null;
}

export function UpdateDialog({ nodeId, onClose }: Props) {
  const node = useGraph((s) => s.nodes.find((n) => n.id === nodeId));
  const id = node ? componentIdOf(node.data.module) : null;
  const latest = node ? latestVersionOf(node.data.module) : undefined;
  const from = node?.data.version ?? 0;
  const diff = useComponentDiff(id ?? 0, from, latest ?? 0);
  // Both versions' inner graphs, so the diff names inner nodes by their modules, not their ids.
  const before = useComponentVersion(id ?? 0, from);
  const after = useComponentVersion(id ?? 0, latest ?? 0);
  if (!node || id === null || latest === undefined) return null;
  const name = entryOf(node.data.module, latest)?.name ?? `Component #${id}`;
  const graph = graphDiffOf(diff.data);
  const ports = interfaceChanges(diff.data);

  return (
    <Modal
      title={`${name}: version ${latest} is available`}
      onClose={onClose}
      size="lg"
      footer={
        <>
          <button className="btn" onClick={onClose}>
            Later
          </button>
          <button
            className="btn"
            title={`Keep version ${from} on this node and stop offering updates`}
            onClick={() => {
              pinNode(nodeId);
              onClose();
            }}
          >
            Pin to version {from}
          </button>
          <button
            className="btn btn--primary"
            onClick={() => {
              acceptVersion(nodeId, latest);
              onClose();
            }}
          >
            Accept version {latest}
          </button>
        </>
      }
    >
      <p className="muted">
        This node uses version {from} and follows the component. What changed from version {from} to {latest}:
      </p>
      {diff.isPending && <Loading label="Comparing the versions…" />}
      {diff.isError && <ErrorState title="The versions could not be compared" message={messageOf(diff.error)} />}
      {diff.data !== undefined && (
        <div className="cupdate" data-testid="component-diff">
          {ports.length > 0 && (
            <section className="cupdate__interface" aria-label="Interface changes">
              <h3 className="panel__label">Ports and parameters</h3>
              <ul>
                {ports.map((c, i) => (
                  <li key={i}>
                    <span className={`cupdate__change cupdate__change--${c.change}`}>{c.change}</span> {c.kind} <code>{c.name}</code>
                  </li>
                ))}
              </ul>
            </section>
          )}
          {graph ? (
            <DiffList diff={graph} oldDoc={graphOf(before.data?.document)} newDoc={graphOf(after.data?.document)} />
          ) : (
            ports.length === 0 && <p>No change the canvas can show.</p>
          )}
        </div>
      )}
    </Modal>
  );
}
