/** The script-component form's values → the spec the server checks, and the server's 400 → errors per field path. */

export const PARAM_TYPES = ["integer", "number", "string", "boolean", "choice", "column"] as const;

export interface PortRow {
  name: string;
}

export interface InputRow extends PortRow {
  optional: boolean;
}

export interface ParamRow {
  name: string;
  type: (typeof PARAM_TYPES)[number];
  /** As typed; converted to the parameter's type when the spec is built. */
  default: string;
  description: string;
  /** For `choice`: comma-separated. */
  choices: string;
  /** For `column`: the input whose columns it picks from. */
  input: string;
}

export interface ScriptForm {
  name: string;
  category: string;
  description: string;
  script: string;
  inputs: InputRow[];
  outputs: PortRow[];
  parameters: ParamRow[];
}

/** A typed default; text that is not a number stays text, so the server names the parameter's default. */
function typedDefault(p: ParamRow): unknown {
  const text = p.default.trim();
  switch (p.type) {
    case "integer":
    case "number":
      return text !== "" && Number.isFinite(Number(text)) ? Number(text) : p.default;
    case "boolean":
      return text === "true";
    default:
      return p.default;
  }
}

export function scriptSpec(form: ScriptForm): Record<string, unknown> {
  return {
    category: form.category.trim(),
    description: form.description.trim(),
    inputs: form.inputs.map((p) => ({ name: p.name.trim(), type: "table", optional: p.optional, description: "" })),
    outputs: form.outputs.map((p) => ({ name: p.name.trim(), type: "table", description: "" })),
    parameters: form.parameters.map((p) => {
      const out: Record<string, unknown> = { name: p.name.trim(), type: p.type, description: p.description.trim() };
      // An empty column or choice default means "none given"; every other type sends what was typed.
      if (!((p.type === "column" || p.type === "choice") && p.default === "")) out.default = typedDefault(p);
      if (p.type === "choice") out.choices = p.choices.split(",").map((c) => c.trim()).filter(Boolean);
      if (p.type === "column") out.input = p.input.trim();
      return out;
    }),
  };
}

/**
 * `{path: [messages]}` from a 400 body: DRF's `fields` (`name`, `description`...) and the engine's
 * `problems` (`path`: `spec.inputs[0].type`, `script`...); a `document.` prefix is dropped.
 */
export function fieldErrors(body: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const add = (path: string, message: string) => {
    const key = path.replace(/^document\./, "");
    (out[key] ??= []).push(message);
  };
  if (body && typeof body === "object") {
    const { fields, problems } = body as { fields?: unknown; problems?: unknown };
    if (fields && typeof fields === "object") {
      for (const [name, messages] of Object.entries(fields as Record<string, unknown>)) {
        for (const m of Array.isArray(messages) ? messages : [messages]) add(name, String(m));
      }
    }
    if (Array.isArray(problems)) {
      for (const p of problems as { path?: unknown; message?: unknown }[]) {
        add(typeof p.path === "string" && p.path ? p.path : "", String(p.message ?? ""));
      }
    }
  }
  return out;
}
