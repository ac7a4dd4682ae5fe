/** Checks a value against its field's schema, with messages written for the person typing. */
import type { ColumnSchema, Problem } from "../../api/types";
import { toSelection, unknownNames } from "./columns";
import { fieldsOf, type FieldSpec, type JsonSchema } from "./schema";

const fmt = (n: number) => String(n);

export function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

export function checkValue(field: FieldSpec, value: unknown, columns?: readonly ColumnSchema[] | null): string | undefined {
  const s = field.schema;
  if (isEmpty(value)) {
    if (field.required && !field.hasDefault && !field.nullable) {
      return field.kind === "column" ? "Pick a column: this parameter is required." : "This parameter is required.";
    }
    return undefined;
  }
  switch (field.kind) {
    case "integer":
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value)) return "Enter a number.";
      if (field.kind === "integer" && !Number.isInteger(value)) return "Enter a whole number.";
      if (s.minimum !== undefined && value < s.minimum) return `Must be at least ${fmt(s.minimum)}.`;
      if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum) return `Must be greater than ${fmt(s.exclusiveMinimum)}.`;
      if (s.maximum !== undefined && value > s.maximum) return `Must be at most ${fmt(s.maximum)}.`;
      if (s.exclusiveMaximum !== undefined && value >= s.exclusiveMaximum) return `Must be less than ${fmt(s.exclusiveMaximum)}.`;
      return undefined;
    }
    case "enum":
      return field.options?.some((o) => o === value) ? undefined : "Pick one of the listed values.";
    case "text":
    case "textarea": {
      if (typeof value !== "string") return "Enter text.";
      if (s.minLength !== undefined && value.length < s.minLength) {
        return s.minLength === 1 ? "This can't be empty." : `Enter at least ${s.minLength} characters.`;
      }
      if (s.maxLength !== undefined && value.length > s.maxLength) return `Keep it to ${s.maxLength} characters or fewer.`;
      if (s.pattern && !new RegExp(s.pattern).test(value)) return "This value does not have the expected format.";
      return undefined;
    }
    case "column":
      if (columns && typeof value === "string" && !columns.some((c) => c.name === value)) {
        return `There is no column “${value}” in the table reaching this port.`;
      }
      return undefined;
    case "columns": {
      if (!columns) return undefined;
      const missing = unknownNames(toSelection(value), columns);
      if (missing.length) {
        return `Not in the table reaching this port: ${missing.map((m) => `“${m}”`).join(", ")}.`;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The server's message without the "Node 'x' (Module):" prefix the field already implies. */
export function shortMessage(problem: Pick<Problem, "message">): string {
  return withoutNodePrefix(problem.message);
}

/** "Node 'boom' (Fail (test)) failed: x" → "X": the card or field already says which node. */
export function withoutNodePrefix(message: string): string {
  const text = message.replace(/^Node '[^']*' \((?:[^()]|\([^()]*\))*\)(?: failed)?:\s*/, "");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The server's message for a person: without the node prefix, and with parameter names replaced by
 * the titles the form shows (“Label column” rather than 'label_column').
 */
export function problemText(problem: Problem, schema?: JsonSchema): string {
  let text = shortMessage(problem);
  if (schema) {
    const titles = new Map(fieldsOf(schema).map((f) => [f.name, f.title]));
    text = text.replace(/[Pp]arameter '([A-Za-z0-9_]+)'/g, (whole, name: string) => {
      const title = titles.get(name);
      return title ? `“${title}”` : whole;
    });
    text = text.charAt(0).toUpperCase() + text.slice(1);
  }
  return text;
}

/** Server problems that belong to the field at `path` (e.g. "label_column" or "dataset.dataset_id"). */
export function problemsFor(problems: readonly Problem[], field: FieldSpec): Problem[] {
  return problems.filter((p) => {
    if (p.path) {
      const m = p.path.match(/\.params\.(.+)$/);
      if (m?.[1]) return m[1] === field.path || m[1].startsWith(`${field.path}.`) || m[1].startsWith(`${field.path}[`);
    }
    return Boolean(p.param) && (p.param === field.path || p.param === field.name) && !field.path.includes(".");
  });
}
