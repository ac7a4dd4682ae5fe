/**
 * Create an environment, or save a new version of one: requirement lines (one package a line, pinned or
 * ranged) and the base. The server checks every line; a refused one is shown under the lines, naming
 * its number and text, and nothing is saved.
 */
import { useState, type FormEvent } from "react";
import { ApiError, messageOf } from "../../api/errors";
import { linesOf, type Base } from "./api";

export interface EnvironmentFormValues {
  name: string;
  base: Base;
  requirements: string[];
  message: string;
}

export interface EnvironmentFormProps {
  /** Creating asks for a name; a new version keeps the environment's. */
  mode: "create" | "version";
  initial?: Partial<EnvironmentFormValues>;
  onSubmit(values: EnvironmentFormValues): Promise<unknown>;
  onCancel?(): void;
}

/** The server's messages for one field of a 400 (`{fields: {requirements: [...]}}`). */
function fieldErrors(error: unknown, field: string): string[] {
  if (!(error instanceof ApiError) || !error.body || typeof error.body !== "object") return [];
  const fields = (error.body as { fields?: Record<string, unknown> }).fields;
  const found = fields?.[field];
  return Array.isArray(found) ? found.map(String) : [];
}

export function EnvironmentForm({ mode, initial, onSubmit, onCancel }: EnvironmentFormProps) {
  const [name, setName] = useState(initial?.name ?? "");
  const [base, setBase] = useState<Base>(initial?.base ?? "worker");
  const [text, setText] = useState((initial?.requirements ?? []).join("\n"));
  const [message, setMessage] = useState(initial?.message ?? "");
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);

  const lineErrors = fieldErrors(error, "requirements");
  const nameErrors = fieldErrors(error, "name");
  const other = error && !lineErrors.length && !nameErrors.length ? messageOf(error) : "";

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaving(true);
    setError(null);
    try {
      await onSubmit({ name: name.trim(), base, requirements: linesOf(text), message });
    } catch (cause) {
      setError(cause);
    } finally {
      setSaving(false);
    }
  }

  return (
    <form className="env-form" onSubmit={submit} aria-label={mode === "create" ? "New environment" : "New version"}>
      {mode === "create" && (
        <div className="field">
          <label className="field__label" htmlFor="env-name">
            Name
          </label>
          <input id="env-name" className="input" value={name} required maxLength={100} onChange={(e) => setName(e.target.value)} aria-invalid={nameErrors.length > 0} />
          {nameErrors.map((m) => (
            <p key={m} className="field__error" role="alert">
              {m}
            </p>
          ))}
        </div>
      )}
      <div className="field">
        <label className="field__label" htmlFor="env-lines">
          Requirement lines
        </label>
        <textarea
          id="env-lines"
          className="input env-form__lines"
          rows={8}
          spellCheck={false}
          placeholder={"tabulate==0.9.0\nscipy>=1.13,<2"}
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-invalid={lineErrors.length > 0}
          aria-describedby="env-lines-help"
        />
        <p id="env-lines-help" className="field__help">
          One package of the package index a line, pinned or ranged. URLs, local paths, <code>-e</code> and pip options are refused. Wheels only: nothing a package ships runs while it installs.
        </p>
        {lineErrors.map((m) => (
          <p key={m} className="field__error" role="alert">
            {m}
          </p>
        ))}
      </div>
      <div className="field">
        <label className="field__label" htmlFor="env-base">
          Base
        </label>
        <select id="env-base" className="input" value={base} onChange={(e) => setBase(e.target.value as Base)}>
          <option value="worker">The worker's own packages (pandas, numpy, scikit-learn, …) below these</option>
          <option value="none">Nothing but these lines (they must include pandas and pyarrow)</option>
        </select>
      </div>
      <div className="field">
        <label className="field__label" htmlFor="env-message">
          Message
        </label>
        <input id="env-message" className="input" value={message} maxLength={500} onChange={(e) => setMessage(e.target.value)} placeholder="What changed" />
      </div>
      {other && (
        <p className="field__error" role="alert">
          {other}
        </p>
      )}
      <div className="env-form__actions">
        {onCancel && (
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" className="btn btn--primary" disabled={saving}>
          {saving ? "Saving…" : mode === "create" ? "Create environment" : "Save new version"}
        </button>
      </div>
    </form>
  );
}
