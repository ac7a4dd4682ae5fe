/** The line drawn while connecting; over a port that refuses it, the reason is written by the cursor. */
import { getBezierPath, Position, type ConnectionLineComponentProps } from "@xyflow/react";
import { checkLive } from "./rules";

export function ConnectionLine({ fromX, fromY, toX, toY, fromPosition, toPosition, fromNode, fromHandle, toNode, toHandle, connectionStatus }: ConnectionLineComponentProps) {
  const [path] = getBezierPath({
    sourceX: fromX,
    sourceY: fromY,
    sourcePosition: fromPosition,
    targetX: toX,
    targetY: toY,
    targetPosition: toPosition ?? Position.Top,
  });
  let reason: string | null = null;
  if (connectionStatus === "invalid" && toNode && toHandle && fromHandle) {
    const forward = fromHandle.type === "source";
    const check = checkLive({
      source: forward ? fromNode.id : toNode.id,
      sourceHandle: forward ? fromHandle.id : toHandle.id,
      target: forward ? toNode.id : fromNode.id,
      targetHandle: forward ? toHandle.id : fromHandle.id,
    });
    if (!check.ok) reason = check.reason;
  }
  const cls = connectionStatus === "invalid" ? "conn-line conn-line--invalid" : connectionStatus === "valid" ? "conn-line conn-line--valid" : "conn-line";
  return (
    <g>
      <path d={path} className={cls} fill="none" />
      <circle cx={toX} cy={toY} r={4} className={cls} />
      {reason && (
        <foreignObject x={toX + 14} y={toY + 10} width={300} height={80} style={{ overflow: "visible" }}>
          <div className="conn-hint" role="alert" data-testid="connection-hint">
            {reason}
          </div>
        </foreignObject>
      )}
    </g>
  );
}
