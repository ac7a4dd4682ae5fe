/**
 * Pipeline parameters in the document (designer/engine/parameters.py), pure: declarations, the
 * `{"$param": name}` bindings of node fields, the type a field suggests, and values checked the way
 * the server checks them, so a dialog can say what is wrong before anything is sent.
 */
import type { PipelineDocument, Problem } from "../../api/types";
import type { FieldSpec } from "../params/schema";

export const PARAMETER_TYPES = ["string", "integer", "number", "boolean", "dataset", "json"] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export const TYPE_LABELS: Record<ParameterType, string> = {
  string: "Text",
  integer: "Whole number",
  number: "Number",
  boolean: "True / false",
  dataset: "Dataset",
  json: "JSON",
};

/** One declaration as the document holds it; no `default` means a value is required at submit. */
export interface ParameterSpec {
  type: ParameterType;
  default?: unknown;
  description: string;
}

export type Declarations = Record<string, ParameterSpec>;

export const REF = "$param";
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** The parameter a field value refers to (`{"$param": name}`), else undefined. */
export function referenceOf(value: unknown): string | undefined {
  if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  const name = (value as Record<string, unknown>)[REF];
  return keys.length === 1 && typeof name === "string" ? name : undefined;
}

export const bindingTo = (name: string) => ({ [REF]: name });

export const hasDefault = (spec: ParameterSpec): boolean => "default" in spec && spec.default !== undefined;

/** The well-formed declarations of a document, by name (anything else is validation's to report). */
export function declarationsOf(parameters: Record<string, unknown> | undefined): Declarations {
  const out: Declarations = {};
  for (const [name, raw] of Object.entries(parameters ?? {})) {
    if (!raw || typeof raw !== "object") continue;
    const r = raw as Record<string, unknown>;
    if (!PARAMETER_TYPES.includes(r.type as ParameterType)) continue;
    const spec: ParameterSpec = { type: r.type as ParameterType, description: typeof r.description === "string" ? r.description : "" };
    if ("default" in r) spec.default = r.default;
    out[name] = spec;
  }
  return out;
}

export interface Binding {
  node: string;
  field: string;
}

/** For every parameter name, the node fields bound to it, in document order. */
export function bindingsOf(nodes: readonly { id: string; params?: Record<string, unknown> }[]): Map<string, Binding[]> {
  const found = new Map<string, Binding[]>();
  for (const node of nodes) {
    for (const [field, value] of Object.entries(node.params ?? {})) {
      const name = referenceOf(value);
      if (name !== undefined) found.set(name, [...(found.get(name) ?? []), { node: node.id, field }]);
    }
  }
  return found;
}

/** The parameter type a form field asks for: its JSON type, a dataset for a dataset picker, else JSON. */
export function typeForField(field: FieldSpec): ParameterType {
  switch (field.kind) {
    case "integer":
      return "integer";
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "text":
    case "textarea":
    case "column":
      return "string";
    case "dataset":
      return "dataset";
    case "enum": {
      const options = field.options ?? [];
      if (options.every((o) => typeof o === "string")) return "string";
      if (options.every((o) => typeof o === "number" && Number.isInteger(o))) return "integer";
      if (options.every((o) => typeof o === "number")) return "number";
      return "json";
    }
    default:
      return "json";
  }
}

/** Whether a parameter of `type` can drive `field` at all (the server checks the value itself). */
export function fits(type: ParameterType, field: FieldSpec): boolean {
  const wanted = typeForField(field);
  return type === wanted || type === "json" || (type === "integer" && wanted === "number");
}

/** A valid, unused parameter name made from a field name ("random_seed" → "random_seed", then "random_seed_2"). */
export function suggestName(fieldName: string, taken: Iterable<string>): string {
  let stem = fieldName.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 58) || "parameter";
  if (!/^[A-Za-z_]/.test(stem)) stem = `p_${stem}`;
  const used = new Set(taken);
  if (!used.has(stem)) return stem;
  for (let i = 2; ; i += 1) if (!used.has(`${stem}_${i}`)) return `${stem}_${i}`;
}

/** Why `name` cannot be a new parameter's name, or undefined. */
export function nameProblem(name: string, taken: Iterable<string>): string | undefined {
  if (!name) return "Give the parameter a name.";
  if (!NAME_PATTERN.test(name)) return "Use letters, digits and _ (not starting with a digit), 64 at most.";
  if (new Set(taken).has(name)) return `There is already a parameter “${name}”.`;
  return undefined;
}

/** Why `value` is not of `type` (the server's type check, in the words a form uses), or undefined. */
export function typeProblem(type: ParameterType, value: unknown): string | undefined {
  switch (type) {
    case "string":
      return typeof value === "string" ? undefined : "Enter text.";
    case "integer":
      return typeof value === "number" && Number.isInteger(value) ? undefined : "Enter a whole number.";
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? undefined : "Enter a number.";
    case "boolean":
      return typeof value === "boolean" ? undefined : "Choose true or false.";
    case "dataset": {
      const v = value as { dataset_id?: unknown; version?: unknown } | null;
      if (!v || typeof v !== "object" || typeof v.dataset_id !== "number") return "Pick a dataset.";
      if (v.version !== undefined && v.version !== null && !(typeof v.version === "number" && Number.isInteger(v.version) && v.version >= 1)) {
        return "The version must be a whole number from 1, or empty for the latest.";
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** A value shown compactly: text quoted, datasets by name when known, the rest as JSON. */
export function formatParameterValue(value: unknown, datasetName?: (id: number) => string | undefined): string {
  if (value === undefined) return "—";
  if (typeof value === "string") return `“${value}”`;
  const ds = value as { dataset_id?: unknown; version?: unknown } | null;
  if (ds && typeof ds === "object" && typeof ds.dataset_id === "number") {
    const name = datasetName?.(ds.dataset_id) ?? `dataset #${ds.dataset_id}`;
    return `${name} (${typeof ds.version === "number" ? `v${ds.version}` : "latest"})`;
  }
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** The parameter a problem is about: `values.<name>`, `parameters.<name>` or `parameters.<name>.<field>`. */
export function parameterOfProblem(problem: Pick<Problem, "path">): string | undefined {
  const m = problem.path?.match(/^(?:values|parameters)\.([A-Za-z_][A-Za-z0-9_]*)(?:\.|$)/);
  return m?.[1];
}

/** Problems grouped by the parameter they name; the rest under "". */
export function problemsByParameter(problems: readonly Problem[]): Map<string, Problem[]> {
  const out = new Map<string, Problem[]>();
  for (const p of problems) {
    const key = parameterOfProblem(p) ?? "";
    out.set(key, [...(out.get(key) ?? []), p]);
  }
  return out;
}

/** The module and field title of a node field, for wording problems ("Split Data", "Fraction of rows…"). */
export type FieldNamer = (node: string, field: string) => { module: string; field: string } | undefined;

/**
 * A parameter's problem without the "Pipeline parameter 'x'" the row already says; a value that does
 * not fit a field it drives names that field by its title and module, with the field's own reason.
 */
export function parameterProblemText(
  problem: Pick<Problem, "message"> & Partial<Pick<Problem, "code" | "node" | "param">>,
  name: string,
  namer?: FieldNamer,
): string {
  const named = problem.code === "invalid_param" && problem.node && problem.param ? namer?.(problem.node, problem.param) : undefined;
  const reason = problem.message.match(/ is invalid: (.+)$/)?.[1];
  if (named && reason) return `Does not fit “${named.field}” of ${named.module}: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`;
  const text = problem.message
    .replace(new RegExp(`^Pipeline parameter '${name}'(?: \\(= [^)]*\\))?:?\\s*`), "")
    .replace(/^the default /, "The default ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The document after removing a parameter, as the server applies `remove_parameter`: every field it
 * drove keeps its default. Undefined when it has no default and still drives a field (refused).
 */
export function withoutParameter(doc: PipelineDocument, name: string): PipelineDocument | undefined {
  const spec = declarationsOf(doc.parameters)[name];
  const bound = bindingsOf(doc.nodes).get(name) ?? [];
  if (bound.length && (!spec || !hasDefault(spec))) return undefined;
  const parameters = { ...(doc.parameters ?? {}) };
  delete parameters[name];
  return {
    ...doc,
    parameters,
    nodes: doc.nodes.map((n) => {
      const params = n.params ?? {};
      if (!Object.values(params).some((v) => referenceOf(v) === name)) return n;
      const next: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(params)) next[k] = referenceOf(v) === name ? structuredClone(spec?.default) : v;
      return { ...n, params: next };
    }),
  };
}
