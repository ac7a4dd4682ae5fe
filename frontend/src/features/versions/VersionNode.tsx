/**
 * A module on a read-only version canvas: name, category, one handle per port (so edges land where
 * they do in the designer) and, when comparing, a mark: added (green), changed (amber), removed (ghost).
 */
import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { Module } from "../../api/types";
import { categoryColour, initials } from "../palette/group";
import { paramTitle, type NodeMark } from "./diffModel";

export interface VersionNodeData extends Record<string, unknown> {
  module: string;
  version: number;
  info?: Module;
  mark?: NodeMark;
  changedParams?: string[];
  comment?: string;
}

export type VersionFlowNode = Node<VersionNodeData, "version">;

export const VERSION_NODE_WIDTH = 232;

const MARK_LABEL: Record<NodeMark, string> = { added: "Added", changed: "Changed", removed: "Removed" };

function VersionNodeView({ id, data, selected }: NodeProps<VersionFlowNode>) {
  const m = data.info;
  const classes = ["vnode"];
  if (data.mark) classes.push(`vnode--${data.mark}`);
  if (selected) classes.push("vnode--selected");
  return (
    <div
      className={classes.join(" ")}
      style={{ width: VERSION_NODE_WIDTH, ["--node-accent" as string]: m ? categoryColour(m.category) : "#98a2b3" }}
      data-testid="version-node"
      data-node-id={id}
      data-mark={data.mark ?? "same"}
    >
      <Ports ports={m?.inputs ?? []} kind="in" />
      <div className="vnode__body">
        <span className="vnode__icon" aria-hidden>
          {initials(m?.name ?? data.module)}
        </span>
        <div className="vnode__text">
          <div className="vnode__title" title={`${m?.name ?? data.module} (${id})`}>
            {m?.name ?? data.module}
          </div>
          <div className="vnode__sub">{id}</div>
        </div>
        {data.mark && <span className={`vnode__badge vnode__badge--${data.mark}`}>{MARK_LABEL[data.mark]}</span>}
      </div>
      {data.mark === "changed" && data.changedParams && data.changedParams.length > 0 && (
        <div className="vnode__changes" title={data.changedParams.map((p) => paramTitle(m, p)).join("\n")}>
          {data.changedParams.map((p) => paramTitle(m, p)).join(", ")}
        </div>
      )}
      <Ports ports={m?.outputs ?? []} kind="out" />
      {data.comment && <div className="vnode__comment">{data.comment}</div>}
    </div>
  );
}

function Ports({ ports, kind }: { ports: Module["inputs"]; kind: "in" | "out" }) {
  return (
    <>
      {ports.map((p, i) => (
        <Handle
          key={p.name}
          id={p.name}
          type={kind === "in" ? "target" : "source"}
          position={kind === "in" ? Position.Top : Position.Bottom}
          className={`port port--${kind} port-type--${p.type}`}
          style={{ left: `${((i + 0.5) / ports.length) * 100}%` }}
          isConnectable={false}
          title={p.label}
        />
      ))}
    </>
  );
}

export const VersionNode = memo(VersionNodeView);
/** Defined once at module level so React Flow never remounts the nodes. */
export const versionNodeTypes = { version: VersionNode };
