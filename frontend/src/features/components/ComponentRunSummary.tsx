/**
 * The panel's "Outputs + logs" tab for a closed component node in a run: the aggregate status and each
 * inner node's, with a way in (opening the component shows their outputs and logs like any node's).
 */
import { useMemo } from "react";
import { StatusPill } from "../../app/StatusPill";
import { useRunStatus } from "../runs/runStore";
import { openComponentNode } from "./actions";
import { aggregate, innerRuns } from "./status";
import { moduleKey, useCatalogue } from "../canvas/catalogueStore";
import { useGraph } from "../canvas/graphStore";
import { useComponentVersion } from "./queries";
import { componentIdOf } from "./types";

/** `nodeId` is the component node's full id (`outer/inner` when it is itself inside a component). */
export function ComponentRunSummary({ nodeId }: { nodeId: string }) {
  const nodes = useRunStatus((s) => s.nodes);
  const total = useMemo(() => aggregate(nodes, nodeId), [nodes, nodeId]);
  const inner = useMemo(() => innerRuns(nodes, nodeId), [nodes, nodeId]);
  const local = nodeId.split("/").at(-1) as string;
  // The inner nodes by their modules' names, from the version the node ran.
  const data = useGraph((s) => s.nodes.find((n) => n.id === local)?.data);
  const id = data ? componentIdOf(data.module) : null;
  const version = useComponentVersion(id ?? 0, data?.version ?? 0);
  const modules = useCatalogue((s) => s.modules);
  const nameOf = (inner: string) => {
    const doc = version.data?.document;
    const node = doc?.kind === "graph" ? doc.graph.nodes.find((n) => n.id === inner.split("/")[0]) : undefined;
    const module = node ? modules.get(moduleKey(node.module, node.version)) : undefined;
    return module && !inner.includes("/") ? module.name : inner;
  };
  if (!total) {
    return (
      <div className="panel__section">
        <p className="muted">Nothing to show yet: the component's modules have not run.</p>
      </div>
    );
  }
  return (
    <div className="panel__section" data-testid="component-run-summary">
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <StatusPill status={total.status} progress={total.progress} />
        </dd>
        <dt>Modules</dt>
        <dd>
          {total.done} of {total.total} done
        </dd>
      </dl>
      <ul className="crun">
        {inner.map(([innerId, run]) => (
          <li key={innerId} className="crun__row">
            <span className="crun__id" title={innerId}>
              {nameOf(innerId.slice(nodeId.length + 1))}
            </span>
            <StatusPill status={run.status} progress={run.progress} />
          </li>
        ))}
      </ul>
      <button className="btn btn--sm" onClick={() => void openComponentNode(local)}>
        Open the component to see outputs and logs
      </button>
    </div>
  );
}
