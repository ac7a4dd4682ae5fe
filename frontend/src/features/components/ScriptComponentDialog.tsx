/**
 * "New script component…" from the palette: a Python `run(inputs, params)` plus its spec (category, table
 * ports, typed parameters with defaults), created with POST /api/components/ ({kind: "script"}). The server
 * checks the spec; its problems are shown at the field they name (`spec.inputs[0].type`, `name`, ...).
 */
import { useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { ApiError, messageOf } from "../../api/errors";
import { Modal } from "../../app/Modal";
import { toast } from "../../app/toasts";
import { useCurrentWorkspace } from "../../app/workspaceStore";
import { useComponentDialogs } from "./dialogStore";
import { createScriptComponent, refreshComponentCatalogue, componentKeys } from "./queries";
import { fieldErrors, scriptSpec, PARAM_TYPES, type ParamRow, type PortRow, type ScriptForm } from "./script";

export const EXAMPLE_SCRIPT = `def run(inputs, params):
    """inputs: {input name: pandas DataFrame, or None for an optional input not connected}.
    params: {parameter name: value}, defaults filled in.
    Return {output name: DataFrame}, or one DataFrame when there is one output."""
    df = inputs["dataset"]
    return {"result": df.head(params.get("rows", 10))}
`;

const MAX_PORTS = 4;

/** The palette's "New script component…" entry. */
export function openNewScriptComponent(): void {
  useComponentDialogs.getState().show({ kind: "script" });
}

export function ScriptComponentDialog({ onClose }: { onClose(): void }) {
  const client = useQueryClient();
  const workspace = useCurrentWorkspace((s) => s.current);
  const [form, setForm] = useState<ScriptForm>({
    name: "",
    category: "Custom",
    description: "",
    script: EXAMPLE_SCRIPT,
    inputs: [{ name: "dataset", optional: false }],
    outputs: [{ name: "result" }],
    parameters: [],
  });
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<ScriptForm>) => setForm((f) => ({ ...f, ...patch }));
  const at = (path: string) => errors[path];

  const create = async () => {
    if (workspace === undefined || !form.name.trim()) return;
    setBusy(true);
    setErrors({});
    setGeneral(null);
    try {
      const body = await createScriptComponent({
        workspace,
        name: form.name.trim(),
        description: form.description.trim(),
        message: "Created from the palette",
        document: { kind: "script", script: form.script, spec: scriptSpec(form) },
      });
      await client.invalidateQueries({ queryKey: componentKeys.catalogue(workspace) });
      await refreshComponentCatalogue(client, workspace).catch(() => undefined);
      toast.success(`Script component “${body.name}” created; it is in the palette under ${form.category.trim() || "its category"}.`);
      onClose();
    } catch (e) {
      const placed = e instanceof ApiError ? fieldErrors(e.body) : {};
      setErrors(placed);
      const unplaced = Object.keys(placed).filter((k) => !shownAt(k, form));
      setGeneral(
        !Object.keys(placed).length
          ? messageOf(e)
          : unplaced.length
            ? unplaced.map((k) => placed[k]?.join(" ")).join(" ")
            : "The server refused the component: fix the fields marked in red.",
      );
    } finally {
      setBusy(false);
    }
  };

  const updatePort = <T extends PortRow>(list: T[], i: number, patch: Partial<T>) => list.map((p, j) => (j === i ? { ...p, ...patch } : p));
  const updateParam = (i: number, patch: Partial<ParamRow>) => set({ parameters: form.parameters.map((p, j) => (j === i ? { ...p, ...patch } : p)) });

  return (
    <Modal
      title="New script component"
      onClose={onClose}
      size="xl"
      footer={
        <>
          <button className="btn" onClick={onClose}>
            Cancel
          </button>
          <button className="btn btn--primary" onClick={() => void create()} disabled={busy || !form.name.trim() || workspace === undefined}>
            {busy ? "Creating…" : "Create"}
          </button>
        </>
      }
    >
      <form
        className="sdialog"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <div className="sdialog__head">
          <Field label="Name" errors={at("name")}>
            <input className="input" value={form.name} maxLength={200} placeholder="e.g. Top rows" aria-label="Name" onChange={(e) => set({ name: e.target.value })} />
          </Field>
          <Field label="Category" errors={at("spec.category")}>
            <input className="input" value={form.category} maxLength={200} aria-label="Category" onChange={(e) => set({ category: e.target.value })} />
          </Field>
          <Field label="Description" errors={at("spec.description") ?? at("description")}>
            <input className="input" value={form.description} maxLength={1000} placeholder="What it does" aria-label="Description" onChange={(e) => set({ description: e.target.value })} />
          </Field>
        </div>
        <div className="sdialog__body">
          <Field label="Script" errors={at("script")} className="sdialog__script">
            <textarea
              className="input input--mono sdialog__code"
              value={form.script}
              spellCheck={false}
              aria-label="Script"
              onChange={(e) => set({ script: e.target.value })}
            />
            <span className="muted sdialog__hint">
              Runs in the same sandbox as Execute Python Script. Each input and output is a table (a pandas DataFrame).
            </span>
          </Field>
          <div className="sdialog__side">
            <section className="cdialog__section" aria-label="Inputs">
              <h3 className="cdialog__title">
                Inputs <span className="cdialog__count">{form.inputs.length}</span>
                <button type="button" className="btn btn--sm sdialog__add" disabled={form.inputs.length >= MAX_PORTS} onClick={() => set({ inputs: [...form.inputs, { name: `input_${form.inputs.length + 1}`, optional: false }] })}>
                  + Input
                </button>
              </h3>
              <PathError errors={at("spec.inputs")} />
              {form.inputs.map((p, i) => (
                <div key={i} data-testid="script-input">
                  <div className="sdialog__port">
                    <input className="input input--sm input--mono" value={p.name} aria-label={`Input ${i + 1} name`} onChange={(e) => set({ inputs: updatePort(form.inputs, i, { name: e.target.value }) })} />
                    <span className="sdialog__type">table</span>
                    <label className="sdialog__check">
                      <input type="checkbox" checked={p.optional} onChange={(e) => set({ inputs: updatePort(form.inputs, i, { optional: e.target.checked }) })} /> optional
                    </label>
                    <button type="button" className="icon-btn" aria-label={`Remove input ${i + 1}`} onClick={() => set({ inputs: form.inputs.filter((_, j) => j !== i) })}>
                      ×
                    </button>
                  </div>
                  <PathError errors={prefixed(errors, `spec.inputs[${i}]`)} />
                </div>
              ))}
            </section>
            <section className="cdialog__section" aria-label="Outputs">
              <h3 className="cdialog__title">
                Outputs <span className="cdialog__count">{form.outputs.length}</span>
                <button type="button" className="btn btn--sm sdialog__add" disabled={form.outputs.length >= MAX_PORTS} onClick={() => set({ outputs: [...form.outputs, { name: `output_${form.outputs.length + 1}` }] })}>
                  + Output
                </button>
              </h3>
              <PathError errors={at("spec.outputs")} />
              {form.outputs.map((p, i) => (
                <div key={i} data-testid="script-output">
                  <div className="sdialog__port">
                    <input className="input input--sm input--mono" value={p.name} aria-label={`Output ${i + 1} name`} onChange={(e) => set({ outputs: updatePort(form.outputs, i, { name: e.target.value }) })} />
                    <span className="sdialog__type">table</span>
                    <span />
                    <button type="button" className="icon-btn" aria-label={`Remove output ${i + 1}`} onClick={() => set({ outputs: form.outputs.filter((_, j) => j !== i) })}>
                      ×
                    </button>
                  </div>
                  <PathError errors={prefixed(errors, `spec.outputs[${i}]`)} />
                </div>
              ))}
            </section>
          </div>
        </div>
        <section className="cdialog__section" aria-label="Parameters">
          <h3 className="cdialog__title">
            Parameters <span className="cdialog__count">{form.parameters.length}</span>
            <button
              type="button"
              className="btn btn--sm sdialog__add"
              onClick={() => set({ parameters: [...form.parameters, { name: form.parameters.length ? `param_${form.parameters.length + 1}` : "rows", type: "integer", default: "10", description: "", choices: "", input: "" }] })}
            >
              + Parameter
            </button>
          </h3>
          <PathError errors={at("spec.parameters")} />
          {form.parameters.length === 0 && <p className="muted">None. Parameters appear in the node's form; `run` gets their values in `params`.</p>}
          {form.parameters.map((p, i) => (
            <div key={i} data-testid="script-parameter">
              <div className="sdialog__param">
                <input className="input input--sm input--mono" value={p.name} aria-label={`Parameter ${i + 1} name`} onChange={(e) => updateParam(i, { name: e.target.value })} />
                <select className="input input--sm" value={p.type} aria-label={`Parameter ${i + 1} type`} onChange={(e) => updateParam(i, { type: e.target.value as ParamRow["type"], default: e.target.value === "boolean" ? "false" : "" })}>
                  {PARAM_TYPES.map((t) => (
                    <option key={t} value={t}>
                      {t}
                    </option>
                  ))}
                </select>
                {p.type === "boolean" ? (
                  <select className="input input--sm" value={p.default} aria-label={`Parameter ${i + 1} default`} onChange={(e) => updateParam(i, { default: e.target.value })}>
                    <option value="false">false</option>
                    <option value="true">true</option>
                  </select>
                ) : (
                  <input className="input input--sm input--mono" value={p.default} placeholder="default" aria-label={`Parameter ${i + 1} default`} onChange={(e) => updateParam(i, { default: e.target.value })} />
                )}
                {p.type === "choice" ? (
                  <input className="input input--sm" value={p.choices} placeholder="choices, comma-separated" aria-label={`Parameter ${i + 1} choices`} onChange={(e) => updateParam(i, { choices: e.target.value })} />
                ) : p.type === "column" ? (
                  <input className="input input--sm input--mono" value={p.input} placeholder="input it picks from" aria-label={`Parameter ${i + 1} input`} onChange={(e) => updateParam(i, { input: e.target.value })} />
                ) : null}
                <input className={`input input--sm${p.type === "choice" || p.type === "column" ? "" : " sdialog__wide"}`} value={p.description} placeholder="description" aria-label={`Parameter ${i + 1} description`} onChange={(e) => updateParam(i, { description: e.target.value })} />
                <button type="button" className="icon-btn" aria-label={`Remove parameter ${i + 1}`} onClick={() => set({ parameters: form.parameters.filter((_, j) => j !== i) })}>
                  ×
                </button>
              </div>
              <PathError errors={prefixed(errors, `spec.parameters[${i}]`)} />
            </div>
          ))}
        </section>
        {general && (
          <p className="form-error" role="alert">
            {general}
          </p>
        )}
      </form>
    </Modal>
  );
}

function Field({ label, errors, className, children }: { label: string; errors?: string[]; className?: string; children: ReactNode }) {
  return (
    <label className={`field${className ? ` ${className}` : ""}`}>
      <span className="field__label">{label}</span>
      {children}
      <PathError errors={errors} />
    </label>
  );
}

function PathError({ errors }: { errors?: string[] }) {
  if (!errors?.length) return null;
  return (
    <span className="form-error sdialog__error" data-testid="field-error">
      {errors.join(" ")}
    </span>
  );
}

/** The messages of every path under `prefix` (`spec.inputs[0]`, `spec.inputs[0].type`, ...). */
function prefixed(errors: Record<string, string[]>, prefix: string): string[] | undefined {
  const found = Object.entries(errors)
    .filter(([k]) => k === prefix || k.startsWith(`${prefix}.`))
    .flatMap(([, v]) => v);
  return found.length ? found : undefined;
}

const FIXED = new Set(["name", "description", "script", "spec.category", "spec.description", "spec.inputs", "spec.outputs", "spec.parameters"]);

/** Whether the dialog shows the errors of `path` at a field (otherwise they go in the general alert). */
function shownAt(path: string, form: ScriptForm): boolean {
  if (FIXED.has(path)) return true;
  const m = /^spec\.(inputs|outputs|parameters)\[(\d+)\]/.exec(path);
  return Boolean(m && Number(m[2]) < form[m[1] as "inputs" | "outputs" | "parameters"].length);
}
