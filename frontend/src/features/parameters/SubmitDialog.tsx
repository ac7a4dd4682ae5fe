/**
 * Submitting a pipeline that has parameters: one input per parameter, filled with its default. The
 * values are checked on the server before the run is submitted (the page does that and hands the
 * problems back); each problem is shown against the parameter it names, the rest underneath.
 */
import { useEffect, useState } from "react";
import type { Problem } from "../../api/types";
import { Modal } from "../../app/Modal";
import { useCatalogue } from "../canvas/catalogueStore";
import {
  formatParameterValue,
  hasDefault,
  parameterProblemText,
  problemsByParameter,
  TYPE_LABELS,
  typeProblem,
  type Declarations,
} from "./model";
import { fieldNamer } from "./namer";
import { ValueInput } from "./ValueInput";
import "./parameters.css";

interface Props {
  parameters: Declarations;
  /** What the server said about the last values tried. */
  problems: readonly Problem[];
  busy: boolean;
  onCancel(): void;
  onSubmit(values: Record<string, unknown>): void;
}

export function SubmitDialog({ parameters, problems, busy, onCancel, onSubmit }: Props) {
  const names = Object.keys(parameters).sort();
  const [values, setValues] = useState<Record<string, unknown>>(() =>
    Object.fromEntries(names.flatMap((n) => (hasDefault(parameters[n]!) ? [[n, structuredClone(parameters[n]!.default)]] : []))),
  );
  const [inputErrors, setInputErrors] = useState<Record<string, string | undefined>>({});
  const [tried, setTried] = useState(false);
  // A value changed since the server's answer: its problems no longer apply.
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => setEdited(new Set()), [problems]);
  const datasets = useCatalogue((s) => s.datasets);
  const datasetName = (id: number) => datasets.get(id)?.name;
  const server = problemsByParameter(problems);
  const general = server.get("") ?? [];

  const localError = (name: string): string | undefined => {
    const spec = parameters[name]!;
    if (inputErrors[name]) return inputErrors[name];
    const value = values[name];
    if (value === undefined) return hasDefault(spec) || !tried ? undefined : "A value is needed: this parameter has no default.";
    return typeProblem(spec.type, value);
  };
  const blocked = names.some((n) => localError(n) !== undefined || (values[n] === undefined && !hasDefault(parameters[n]!)));

  function submit() {
    setTried(true);
    if (blocked) return;
    onSubmit(Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)));
  }

  return (
    <Modal
      title="Submit with parameters"
      onClose={onCancel}
      size="md"
      footer={
        <>
          <button className="btn" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button className="btn btn--primary" onClick={submit} disabled={busy} data-testid="submit-run">
            {busy ? "Submitting…" : "Submit"}
          </button>
        </>
      }
    >
      <form
        className="psubmit"
        data-testid="submit-dialog"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <p className="muted">
          This run uses these values; the pipeline keeps its defaults. Values are checked against every field they drive
          before anything runs.
        </p>
        {names.map((name) => {
          const spec = parameters[name]!;
          const mine = localError(name);
          const theirs = edited.has(name) ? [] : (server.get(name) ?? []).map((p) => parameterProblemText(p, name, fieldNamer));
          const errors = mine ? [mine] : theirs;
          const id = `submit-${name}`;
          return (
            <div key={name} className={`field psubmit__row${errors.length ? " field--invalid" : ""}`} data-parameter={name}>
              <label className="field__label" htmlFor={id}>
                <code>{name}</code> <span className="type-badge">{TYPE_LABELS[spec.type]}</span>
                {!hasDefault(spec) && <span className="field__required" aria-label="required"> *</span>}
              </label>
              <ValueInput
                type={spec.type}
                id={id}
                label={name}
                value={values[name]}
                invalid={errors.length > 0}
                describedBy={errors.length ? `${id}-error` : undefined}
                placeholder={hasDefault(spec) ? `default: ${formatParameterValue(spec.default, datasetName)}` : undefined}
                onError={(error) => setInputErrors((e) => ({ ...e, [name]: error }))}
                onChange={(value) => {
                  setValues((v) => ({ ...v, [name]: value }));
                  setEdited((e) => new Set(e).add(name));
                }}
              />
              {errors.map((e, i) => (
                <p key={i} className="field__error" id={i === 0 ? `${id}-error` : undefined}>
                  {e}
                </p>
              ))}
              {spec.description && <p className="field__help">{spec.description}</p>}
            </div>
          );
        })}
        {general.length > 0 && (
          <ul className="problems" aria-label="Other problems">
            {general.map((p, i) => (
              <li key={i} className="problem">
                <span className="problem__icon" aria-hidden>
                  ⚠
                </span>
                <span>{p.message}</span>
              </li>
            ))}
          </ul>
        )}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </form>
    </Modal>
  );
}
