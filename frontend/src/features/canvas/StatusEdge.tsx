/** An edge that animates while data flows into a running node; selected edges get a delete button. */
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from "@xyflow/react";
import { memo } from "react";
import { useRunStatus } from "../runs/runStore";
import { useGraph } from "./graphStore";

function StatusEdgeView({ id, target, source, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, selected, markerEnd }: EdgeProps) {
  const flowing = useRunStatus((s) => s.nodes[target]?.status === "running");
  const done = useRunStatus((s) => {
    const st = s.nodes[source]?.status;
    return st === "completed" || st === "reused";
  });
  const readOnly = useGraph((s) => s.readOnly);
  const removeEdge = useGraph((s) => s.removeEdge);
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  const cls = ["edge", flowing ? "edge--flowing" : "", done ? "edge--done" : "", selected ? "edge--selected" : ""].join(" ");
  return (
    <>
      <BaseEdge id={id} path={path} className={cls} markerEnd={markerEnd} interactionWidth={16} />
      {selected && !readOnly && (
        <EdgeLabelRenderer>
          <button
            type="button"
            className="edge__delete nodrag nopan"
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            aria-label="Delete connection"
            title="Delete connection (Del)"
            onClick={() => removeEdge(id)}
          >
            ×
          </button>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const StatusEdge = memo(StatusEdgeView);
