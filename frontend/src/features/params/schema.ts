/**
 * Reading a module's parameter schema (pydantic's JSON Schema) into form fields. Nothing here knows
 * any module: the widget comes from the JSON type, `enum`, `const`, and the `x-tessera-widget` hint.
 */

export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  "x-tessera-widget"?: string;
  "x-tessera-port"?: string;
  [key: string]: unknown;
}

export type FieldKind =
  | "integer"
  | "number"
  | "boolean"
  | "enum"
  | "const"
  | "text"
  | "textarea"
  | "column"
  | "columns"
  | "dataset"
  | "environment"
  | "object"
  | "list"
  | "json";

export interface FieldSpec {
  name: string;
  /** Path from the params root, for matching server problems (e.g. "dataset.dataset_id"). */
  path: string;
  kind: FieldKind;
  title: string;
  description?: string;
  required: boolean;
  nullable: boolean;
  default?: unknown;
  hasDefault: boolean;
  schema: JsonSchema;
  options?: unknown[];
  port?: string;
  children?: FieldSpec[];
}

/** Follow local `$ref`s ("#/$defs/Name") and merge a single-entry `allOf`. */
export function resolve(root: JsonSchema, schema: JsonSchema): JsonSchema {
  let current = schema;
  for (let i = 0; i < 10 && current.$ref; i += 1) {
    const { $ref, ...rest } = current;
    const target = lookup(root, $ref);
    current = { ...target, ...rest };
  }
  if (current.allOf && current.allOf.length === 1 && current.allOf[0]) {
    const { allOf, ...rest } = current;
    current = { ...resolve(root, allOf[0] as JsonSchema), ...rest };
  }
  return current;
}

function lookup(root: JsonSchema, ref: string): JsonSchema {
  if (!ref.startsWith("#/")) return {};
  let node: unknown = root;
  for (const part of ref.slice(2).split("/")) {
    if (!node || typeof node !== "object") return {};
    node = (node as Record<string, unknown>)[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return (node as JsonSchema) ?? {};
}

/** `anyOf: [X, {type: null}]` is pydantic's Optional[X]: the field X, nullable. */
function unwrapNullable(root: JsonSchema, schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) {
    const real = variants.filter((v) => v.type !== "null");
    const nullable = real.length < variants.length;
    if (real.length === 1 && real[0]) {
      const { anyOf: _a, oneOf: _o, ...rest } = schema;
      return { schema: { ...resolve(root, real[0]), ...rest }, nullable };
    }
    return { schema, nullable };
  }
  if (Array.isArray(schema.type) && schema.type.includes("null")) {
    const types = schema.type.filter((t) => t !== "null");
    return { schema: { ...schema, type: types.length === 1 ? types[0] : types }, nullable: true };
  }
  return { schema, nullable: false };
}

function kindOf(schema: JsonSchema): FieldKind {
  const widget = schema["x-tessera-widget"];
  if (widget === "column" || widget === "columns" || widget === "dataset" || widget === "textarea" || widget === "environment") return widget;
  if (schema.const !== undefined) return "const";
  if (schema.enum) return "enum";
  switch (schema.type) {
    case "integer":
      return "integer";
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "string":
      return "text";
    case "object":
      return schema.properties ? "object" : "json";
    case "array": {
      const itemType = schema.items?.type;
      return itemType === "string" || itemType === "number" || itemType === "integer" ? "list" : "json";
    }
    default:
      return "json";
  }
}

export function humanize(name: string): string {
  const words = name.replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function fieldOf(root: JsonSchema, name: string, raw: JsonSchema, required: boolean, prefix: string): FieldSpec {
  const { schema, nullable } = unwrapNullable(root, resolve(root, raw));
  const kind = kindOf(schema);
  const path = prefix ? `${prefix}.${name}` : name;
  const spec: FieldSpec = {
    name,
    path,
    kind,
    title: schema.title && schema.title !== "Params" ? schema.title : humanize(name),
    required,
    nullable,
    hasDefault: "default" in schema,
    default: schema.default,
    schema,
  };
  if (schema.description) spec.description = schema.description;
  if (schema.enum) spec.options = schema.enum;
  const port = schema["x-tessera-port"];
  if (typeof port === "string") spec.port = port;
  if (kind === "object") {
    spec.children = fieldsOf(root, schema, path);
    // An object whose only job is to wrap a dataset reference is shown as one dataset picker.
    const datasetChild = spec.children.find((c) => c.kind === "dataset");
    if (datasetChild) spec.kind = "dataset";
  }
  return spec;
}

/** The form fields of a params schema (or of a nested object schema), in declaration order. */
export function fieldsOf(root: JsonSchema, schema: JsonSchema = root, prefix = ""): FieldSpec[] {
  const resolved = resolve(root, schema);
  const required = new Set(resolved.required ?? []);
  return Object.entries(resolved.properties ?? {}).map(([name, prop]) =>
    fieldOf(root, name, prop, required.has(name), prefix),
  );
}

/** The top-level parameter, if any, that holds a dataset reference (for datasets dragged from the palette). */
export function datasetParam(root: JsonSchema): FieldSpec | undefined {
  return fieldsOf(root).find((f) => f.kind === "dataset");
}

export type DatasetKind = "table" | "file";

/**
 * The kind of dataset a module's dataset parameter reads: "file" (a zip) when the parameter says so
 * (`x-tessera-dataset-kind`, as File Dataset's does), otherwise "table". Undefined without one.
 */
export function datasetKindOf(root: JsonSchema): DatasetKind | undefined {
  const field = datasetParam(root);
  if (!field) return undefined;
  return field.schema["x-tessera-dataset-kind"] === "file" ? "file" : "table";
}

/** The params a dataset node starts with, built from the schema's own field names. */
export function datasetParams(root: JsonSchema, datasetId: number): Record<string, unknown> | undefined {
  const field = datasetParam(root);
  if (!field) return undefined;
  if (field.children) {
    const idField = field.children.find((c) => c.kind === "dataset");
    if (!idField) return undefined;
    return { [field.name]: { [idField.name]: datasetId } };
  }
  return { [field.name]: datasetId };
}

/** The dataset id a node's params point at, wherever the schema puts it. */
export function datasetIdOf(root: JsonSchema, params: Record<string, unknown>): number | undefined {
  const field = datasetParam(root);
  if (!field) return undefined;
  const value = params[field.name];
  if (field.children) {
    const idField = field.children.find((c) => c.kind === "dataset");
    if (idField && value && typeof value === "object") {
      const id = (value as Record<string, unknown>)[idField.name];
      return typeof id === "number" ? id : undefined;
    }
    return undefined;
  }
  return typeof value === "number" ? value : undefined;
}

/** Names of the enum values a nested schema allows (e.g. the column rule's ops and types). */
export function enumAt(root: JsonSchema, schema: JsonSchema, path: string[]): string[] {
  let node: JsonSchema | undefined = resolve(root, schema);
  for (const part of path) {
    if (!node) return [];
    const resolvedNode: JsonSchema = resolve(root, node);
    node = part === "[]" ? resolvedNode.items : resolvedNode.properties?.[part];
    if (node) node = unwrapNullable(root, resolve(root, node)).schema;
  }
  return (node?.enum ?? []).map(String);
}
