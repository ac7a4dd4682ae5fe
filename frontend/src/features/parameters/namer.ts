/** Names of node fields as the forms show them, read from the graph and the catalogue (for problems). */
import { moduleKey, useCatalogue } from "../canvas/catalogueStore";
import { useGraph } from "../canvas/graphStore";
import { fieldsOf, type JsonSchema } from "../params/schema";
import type { FieldNamer } from "./model";

export const fieldNamer: FieldNamer = (nodeId, field) => {
  const node = useGraph.getState().nodes.find((n) => n.id === nodeId);
  const module = node ? useCatalogue.getState().modules.get(moduleKey(node.data.module, node.data.version)) : undefined;
  if (!module) return undefined;
  const title = fieldsOf(module.params_schema as JsonSchema).find((f) => f.name === field)?.title ?? field;
  return { module: module.name, field: title };
};
