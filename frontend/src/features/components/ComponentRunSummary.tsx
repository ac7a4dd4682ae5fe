/**
 * The panel's "Outputs + logs" tab for a closed component node in a run: the aggregate status and each
 * inner node's, with a way in (opening the component shows their outputs and logs like any node's).
 */
import { useMemo } from "react";
import { StatusPill } from "../../app/StatusPill";
import { useRunStatus } from "../runs/runStore";
import { openComponentNode } from "./actions";
import { aggregate, innerRuns } from "./status";

/** `nodeId` is the component node's full id (`outer/inner` when it is itself inside a component). */
export function ComponentRunSummary({ nodeId }: { nodeId: string }) {
  const nodes = useRunStatus((s) => s.nodes);
  const total = useMemo(() => aggregate(nodes, nodeId), [nodes, nodeId]);
  const inner = useMemo(() => innerRuns(nodes, nodeId), [nodes, nodeId]);
  const local = nodeId.split("/").at(-1) as string;
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
        {inner.map(([id, run]) => (
          <li key={id} className="crun__row">
            <code className="crun__id">{id.slice(nodeId.length + 1)}</code>
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
