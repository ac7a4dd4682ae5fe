/**
 * A node id in a URL. Inside components, node ids are paths (`prep/clean`, nested `a/b/c`); the server's
 * node-level run URLs take them as paths, so each segment is URL-encoded and the slashes stay.
 */
export function nodeUrlPath(nodeId: string): string {
  return nodeId.split("/").map(encodeURIComponent).join("/");
}

/** The path parameters that carry a node id, in the generated client's URL templates. */
export const NODE_PATH_PARAMS: ReadonlySet<string> = new Set(["node_id", "node"]);
