/**
 * Column selections as the server reads them: start with none or all columns, then apply
 * include/exclude rules by name or by type. A plain list of names means "include these".
 */
import type { ColumnSchema } from "../../api/types";

export interface ColumnRule {
  op: "include" | "exclude";
  names: string[];
  types: string[];
}

export interface ColumnSelection {
  start: "none" | "all";
  rules: ColumnRule[];
}

export function toSelection(value: unknown, fallback?: unknown): ColumnSelection {
  const v = value ?? fallback;
  if (Array.isArray(v)) return { start: "none", rules: [{ op: "include", names: v.map(String), types: [] }] };
  if (v && typeof v === "object") {
    const obj = v as { start?: unknown; rules?: unknown };
    const rules = Array.isArray(obj.rules) ? obj.rules : [];
    return {
      start: obj.start === "all" ? "all" : "none",
      rules: rules.map((r) => {
        const rule = (r ?? {}) as { op?: unknown; names?: unknown; types?: unknown };
        return {
          op: rule.op === "exclude" ? "exclude" : "include",
          names: Array.isArray(rule.names) ? rule.names.map(String) : [],
          types: Array.isArray(rule.types) ? rule.types.map(String) : [],
        };
      }),
    };
  }
  return { start: "none", rules: [] };
}

function typeMatches(selector: string, type: string): boolean {
  switch (selector) {
    case "all":
      return true;
    case "numeric":
      return type === "integer" || type === "number";
    case "categorical":
      return type === "category";
    default:
      return selector === type;
  }
}

/** The columns a selection picks out of `columns`, in table order. */
export function applySelection(selection: ColumnSelection, columns: readonly ColumnSchema[]): string[] {
  const chosen = new Set(selection.start === "all" ? columns.map((c) => c.name) : []);
  for (const rule of selection.rules) {
    const names = new Set(rule.names);
    for (const c of columns) {
      if (names.has(c.name) || rule.types.some((t) => typeMatches(t, c.type))) {
        if (rule.op === "include") chosen.add(c.name);
        else chosen.delete(c.name);
      }
    }
  }
  return columns.filter((c) => chosen.has(c.name)).map((c) => c.name);
}

/** Names in the rules that the table reaching the port does not have. */
export function unknownNames(selection: ColumnSelection, columns: readonly ColumnSchema[]): string[] {
  const known = new Set(columns.map((c) => c.name));
  return [...new Set(selection.rules.flatMap((r) => r.names))].filter((n) => !known.has(n));
}

/** "By name" is the simple mode: no rules by type, at most one rule. */
export function isByName(selection: ColumnSelection): boolean {
  if (selection.rules.length > 1) return false;
  const rule = selection.rules[0];
  if (!rule) return true;
  if (rule.types.length) return false;
  return (selection.start === "none" && rule.op === "include") || (selection.start === "all" && rule.op === "exclude");
}
