/**
 * A pipeline version on a read-only canvas of its own (its own React Flow store, so it can sit
 * beside or inside the designer). Given a diff, it marks what changed: added nodes green, changed
 * amber, removed ones as ghosts where they stood; added edges green, removed ones dashed red.
 */
import { Background, BackgroundVariant, Controls, ReactFlow, ReactFlowProvider, useReactFlow } from "@xyflow/react";
import { useEffect, useMemo } from "react";
import type { PipelineDocument } from "../../api/types";
import { buildDiffFlow } from "./diffFlow";
import { useModuleIndex } from "./modules";
import type { PipelineDiff } from "./queries";
import { versionNodeTypes, type VersionFlowNode } from "./VersionNode";

interface Props {
  /** The version shown (the newer one when comparing). */
  document: PipelineDocument;
  /** The older version: where removed nodes stood. */
  oldDocument?: PipelineDocument;
  diff?: PipelineDiff;
  /** The selected node (clicking one selects it). */
  selected?: string | null;
  /** A node to bring into view: a new object each time, so asking twice pans twice. */
  focus?: { id: string } | null;
  onSelect?(id: string | null): void;
  label?: string;
}

const FIT = { padding: 0.2, maxZoom: 1 } as const;

export function DiffCanvas(props: Props) {
  return (
    <ReactFlowProvider>
      <DiffFlow {...props} />
    </ReactFlowProvider>
  );
}

function DiffFlow({ document, oldDocument, diff, selected, focus, onSelect, label = "Version canvas" }: Props) {
  const index = useModuleIndex();
  const flow = useReactFlow();

  const { nodes, edges } = useMemo(() => buildDiffFlow({ document, oldDocument, diff, index, focus: selected }), [document, oldDocument, diff, index, selected]);

  useEffect(() => {
    if (!focus) return;
    const timer = setTimeout(() => void flow.fitView({ nodes: [{ id: focus.id }], maxZoom: 1.1, duration: 300 }), 0);
    return () => clearTimeout(timer);
  }, [focus, flow]);

  return (
    <div className="diff-canvas" aria-label={label} role="group">
      <ReactFlow<VersionFlowNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={versionNodeTypes}
        nodesDraggable={false}
        nodesConnectable={false}
        edgesFocusable={false}
        elementsSelectable={Boolean(onSelect)}
        onNodeClick={onSelect ? (_, n) => onSelect(n.id) : undefined}
        onPaneClick={onSelect ? () => onSelect(null) : undefined}
        deleteKeyCode={null}
        minZoom={0.1}
        maxZoom={2}
        fitView
        fitViewOptions={FIT}
      >
        <Background variant={BackgroundVariant.Dots} gap={18} size={1.2} color="#c9d0db" />
        <Controls showInteractive={false} position="bottom-left" />
      </ReactFlow>
      {!nodes.length && <div className="diff-canvas__empty">This version has no modules.</div>}
      {diff && diff.summary.semantic && (
        <div className="diff-legend" aria-label="Legend">
          <span className="diff-legend__item diff-legend__item--added">Added</span>
          <span className="diff-legend__item diff-legend__item--changed">Changed</span>
          <span className="diff-legend__item diff-legend__item--removed">Removed</span>
        </div>
      )}
    </div>
  );
}
