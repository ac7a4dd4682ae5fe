/**
 * The baseline of bench/canvas.py: the same nodes and edges as the benchmark's pipeline (graph.json,
 * written by the benchmark), drawn by a bare React Flow as default nodes, controlled the way the
 * React Flow docs show (useNodesState / useEdgesState), with the designer's zoom range and fit.
 */
import { ReactFlow, useEdgesState, useNodesState, type Edge, type Node } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useEffect } from "react";
import { createRoot } from "react-dom/client";

function Baseline() {
  const [nodes, setNodes, onNodesChange] = useNodesState<Node>([]);
  const [edges, setEdges, onEdgesChange] = useEdgesState<Edge>([]);
  useEffect(() => {
    void fetch("graph.json")
      .then((r) => r.json())
      .then((g: { nodes: Node[]; edges: Edge[] }) => {
        setNodes(g.nodes);
        setEdges(g.edges);
      });
  }, [setNodes, setEdges]);
  if (!nodes.length) return null;
  return (
    <ReactFlow
      nodes={nodes}
      edges={edges}
      onNodesChange={onNodesChange}
      onEdgesChange={onEdgesChange}
      minZoom={0.1}
      maxZoom={2}
      fitView
      fitViewOptions={{ padding: 0.2, maxZoom: 1.1 }}
    />
  );
}

const root = document.getElementById("root");
if (root) createRoot(root).render(<Baseline />);
