/** React Flow's node and edge types, defined once at module level so React Flow never remounts them. */
import type { EdgeTypes, NodeTypes } from "@xyflow/react";
import { ModuleNode } from "./ModuleNode";
import { StatusEdge } from "./StatusEdge";

export const nodeTypes: NodeTypes = { module: ModuleNode };
export const edgeTypes: EdgeTypes = { status: StatusEdge };
