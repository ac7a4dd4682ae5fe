/**
 * Run now: start the chosen version with values typed here (each filled with the default a caller would
 * get). The server checks them; a refusal is shown against the parameter it names.
 */
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { ApiError, messageOf } from "../../api/errors";
import type { Problem } from "../../api/types";
import { toast } from "../../app/toasts";
import { TYPE_LABELS, parameterProblemText, problemsByParameter, typeProblem, type ParameterType } from "../parameters/model";
import { ValueInput } from "../parameters/ValueInput";
import { useRunNow } from "./queries";
import type { PublishedVersion } from "./types";

const defaultsOf = (version: PublishedVersion) =>
  Object.fromEntries(version.parameters.filter((p) => p.default !== undefined).map((p) => [p.name, structuredClone(p.default)]));

export function RunNowSection({ endpointId, version }: { endpointId: number; version: PublishedVersion }) {
  const [values, setValues] = useState<Record<string, unknown>>(() => defaultsOf(version));
  const [inputErrors, setInputErrors] = useState<Record<string, string | undefined>>({});
  const [problems, setProblems] = useState<Problem[]>([]);
  const [started, setStarted] = useState<number | null>(null);
  const runNow = useRunNow(endpointId);
  useEffect(() => {
    setValues(defaultsOf(version));
    setProblems([]);
    setInputErrors({});
  }, [version]);

  const byParameter = problemsByParameter(problems);
  const localError = (name: string, type: string): string | undefined =>
    inputErrors[name] ?? (values[name] === undefined ? undefined : typeProblem(type as ParameterType, values[name]));
  const missing = version.parameters.filter((p) => p.required && values[p.name] === undefined).map((p) => p.name);
  const blocked = missing.length > 0 || version.parameters.some((p) => localError(p.name, p.type));

  function start() {
    setProblems([]);
    const given = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
    runNow.mutate(
      { version: version.number, parameters: given },
      {
        onSuccess: (run) => {
          setStarted(run.id);
          toast.success(`Run #${run.id} started.`);
        },
        onError: (error) => setProblems(error instanceof ApiError && error.problems.length ? error.problems : [{ code: "", message: messageOf(error) } as Problem]),
      },
    );
  }

  return (
    <section className="card pe-run-now" aria-labelledby="pe-run-now">
      <h2 id="pe-run-now" className="card__title ep-card-title">
        Run now <span className="muted ep-title-note">version {version.number}</span>
      </h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!blocked) start();
        }}
      >
        {version.parameters.length === 0 && <p className="muted ep-help">No parameters: the run uses the pipeline as it is.</p>}
        {version.parameters.map((p) => {
          const id = `pe-run-${p.name}`;
          const error = localError(p.name, p.type) ?? byParameter.get(p.name)?.map((x) => parameterProblemText(x, p.name)).join(" ");
          return (
            <div key={p.name} className={`field${error ? " field--invalid" : ""}`}>
              <label className="field__label" htmlFor={id}>
                {p.name} <span className="muted">· {TYPE_LABELS[p.type as ParameterType] ?? p.type}</span>
                {p.required && <span className="field__required"> *</span>}
              </label>
              <ValueInput
                id={id}
                label={p.name}
                type={p.type as ParameterType}
                value={values[p.name]}
                invalid={Boolean(error)}
                describedBy={error ? `${id}-error` : undefined}
                onChange={(value) => setValues((old) => ({ ...old, [p.name]: value }))}
                onError={(message) => setInputErrors((old) => ({ ...old, [p.name]: message }))}
              />
              {error ? (
                <p className="field__error" id={`${id}-error`}>
                  {error}
                </p>
              ) : (
                p.description && <p className="field__help">{p.description}</p>
              )}
            </div>
          );
        })}
        {(byParameter.get("") ?? []).map((p) => (
          <p key={p.message} className="form-error" role="alert">
            {p.message}
          </p>
        ))}
        <div className="pe-run-now__actions">
          <span className="muted">
            {started !== null ? (
              <>
                Started <Link to={`/runs/${started}`}>run #{started}</Link>.
              </>
            ) : missing.length ? (
              `A value is needed for ${missing.join(", ")}.`
            ) : (
              "Runs on the workers like any run, and appears under Runs."
            )}
          </span>
          <button type="submit" className="btn btn--primary" disabled={blocked || runNow.isPending} data-testid="pe-run-now">
            {runNow.isPending ? "Starting…" : "Run now"}
          </button>
        </div>
      </form>
    </section>
  );
}
