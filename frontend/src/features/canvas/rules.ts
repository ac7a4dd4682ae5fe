/** The connection rule wired to the live stores, for React Flow's isValidConnection and the hints. */
import type { Connection, Edge } from "@xyflow/react";
import { checkConnection, type ConnectionCheck, type ConnectionLike } from "./connection";
import { findModule, useCatalogue } from "./catalogueStore";
import { useGraph } from "./graphStore";

export function checkLive(conn: ConnectionLike): ConnectionCheck {
  const { nodes, edges } = useGraph.getState();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return checkConnection(conn, {
    moduleOf: (id) => {
      const node = byId.get(id);
      return node ? findModule(node.data.module, node.data.version) : undefined;
    },
    portTypes: useCatalogue.getState().portTypes,
    edges,
  });
}

export function isValidConnection(conn: Connection | Edge): boolean {
  return checkLive(conn).ok;
}
