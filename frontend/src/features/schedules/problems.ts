/**
 * A refusal from the schedules API, by field. Two shapes reach here: a 400 with "problems" (each naming
 * its field: cron, timezone, values, version, dataset, parameter, endpoint, run ...) and DRF's
 * {"fields": {name: [messages]}} for malformed input.
 */
import { ApiError, messageOf } from "../../api/errors";

export interface Refusal {
  detail: string;
  fields: Record<string, string>;
  codes: Record<string, string>;
}

interface Problem {
  field?: string;
  message?: string;
  code?: string;
  path?: string;
  node?: string;
}

export function refusalOf(error: unknown): Refusal {
  if (!(error instanceof ApiError)) return { detail: messageOf(error), fields: {}, codes: {} };
  const body = (error.body ?? {}) as { detail?: unknown; problems?: unknown; fields?: unknown };
  const detail = typeof body.detail === "string" ? body.detail : error.message;
  const fields: Record<string, string> = {};
  const codes: Record<string, string> = {};
  const add = (field: string, text: string) => {
    fields[field] = fields[field] ? `${fields[field]} ${text}` : text;
  };
  for (const p of (Array.isArray(body.problems) ? body.problems : []) as Problem[]) {
    const field = p.field ?? "detail";
    const where = p.node ? `${p.node}: ` : "";
    add(field, p.message ? `${where}${p.message}` : detail);
    if (p.code) codes[field] = p.code;
  }
  if (body.fields && typeof body.fields === "object") {
    for (const [name, messages] of Object.entries(body.fields as Record<string, unknown>)) {
      add(name, Array.isArray(messages) ? messages.map(String).join(" ") : String(messages));
    }
  }
  return { detail, fields, codes };
}

/** Values typed as JSON in a dialog: the object, or why it is not one. */
export function parseValues(text: string): { values?: Record<string, unknown>; error?: string } {
  if (!text.trim()) return { values: {} };
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return { values: parsed as Record<string, unknown> };
    return { error: 'Write the values as a JSON object, e.g. {"fraction": 0.3}.' };
  } catch (e) {
    return { error: `Not valid JSON: ${(e as Error).message}` };
  }
}
