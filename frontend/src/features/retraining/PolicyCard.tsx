/**
 * The retraining policy form: which published pipeline retrains the endpoint, the metric that decides, the
 * margin and automatic promotion, and the drift alarm's threshold. Viewers see it read-only; the server
 * checks every field and its refusals are shown at the field they name.
 */
import { useEffect, useState } from "react";
import { ApiError, messageOf } from "../../api/errors";
import { toast } from "../../app/toasts";
import { useRemovePolicy, useSavePolicy } from "./queries";
import type { PolicyWrite, RetrainingOptions, RetrainingPolicy } from "./types";

interface Draft {
  pipeline_endpoint: string;
  dataset_parameter: string;
  metric: string;
  margin: string;
  auto_promote: boolean;
  model_name: string;
  alarm_enabled: boolean;
  drift_window_minutes: string;
  drift_min_rows: string;
  by_features: boolean;
  drift_features: string;
}

function draftOf(policy: RetrainingPolicy | null, options: RetrainingOptions): Draft {
  const usable = options.pipeline_endpoints.find((p) => !p.problem);
  return {
    pipeline_endpoint: String(policy?.pipeline_endpoint ?? usable?.id ?? ""),
    dataset_parameter: policy?.dataset_parameter ?? "",
    metric: policy?.metric ?? options.metrics[0]?.name ?? "",
    margin: String(policy?.margin ?? 0),
    auto_promote: policy?.auto_promote ?? false,
    model_name: policy?.model_name ?? "",
    alarm_enabled: policy?.alarm_enabled ?? true,
    drift_window_minutes: String(policy?.drift_window_minutes ?? 60),
    drift_min_rows: String(policy?.drift_min_rows ?? 100),
    by_features: (policy?.drift_features ?? null) !== null,
    drift_features: String(policy?.drift_features ?? 3),
  };
}

function bodyOf(d: Draft): PolicyWrite {
  return {
    pipeline_endpoint: Number(d.pipeline_endpoint),
    dataset_parameter: d.dataset_parameter,
    metric: d.metric,
    margin: Number(d.margin),
    auto_promote: d.auto_promote,
    model_name: d.model_name,
    alarm_enabled: d.alarm_enabled,
    drift_window_minutes: Number(d.drift_window_minutes),
    drift_min_rows: Number(d.drift_min_rows),
    drift_features: d.by_features ? Number(d.drift_features) : null,
  };
}

/** The server's refusal, by field ({"fields": {name: [messages]}}), and what names no field. */
function refusals(error: unknown): { fields: Record<string, string>; general: string } {
  if (!(error instanceof ApiError)) return { fields: {}, general: error ? messageOf(error) : "" };
  const body = (error.body ?? {}) as { fields?: Record<string, unknown> };
  const fields: Record<string, string> = {};
  for (const [name, messages] of Object.entries(body.fields ?? {})) {
    fields[name] = Array.isArray(messages) ? messages.map(String).join(" ") : String(messages);
  }
  return { fields, general: Object.keys(fields).length ? "" : error.message };
}

interface Props {
  endpointId: number;
  endpointName: string;
  policy: RetrainingPolicy | null;
  options: RetrainingOptions;
  canEdit: boolean;
}

export function PolicyCard({ endpointId, endpointName, policy, options, canEdit }: Props) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(policy, options));
  const save = useSavePolicy(endpointId);
  const remove = useRemovePolicy(endpointId);
  useEffect(() => setDraft(draftOf(policy, options)), [policy, options]);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const { fields, general } = refusals(save.error);
  const chosen = options.pipeline_endpoints.find((p) => String(p.id) === draft.pipeline_endpoint);
  const metric = options.metrics.find((m) => m.name === draft.metric);
  const disabled = !canEdit || save.isPending;
  const error = (name: string) =>
    fields[name] ? (
      <p className="field__error" id={`rt-${name}-error`}>
        {fields[name]}
      </p>
    ) : null;
  const invalid = (name: string) => (fields[name] ? { "aria-invalid": true, "aria-describedby": `rt-${name}-error` } : {});

  const submit = () =>
    save.mutate(bodyOf(draft), {
      onSuccess: () => toast.success(policy ? "Retraining policy saved." : `Retraining policy set for “${endpointName}”.`),
    });

  return (
    <section className="card rt-policy" aria-labelledby="rt-policy-title">
      <h2 id="rt-policy-title" className="card__title ep-card-title">
        Retraining policy {!policy && <span className="muted ep-title-note">not set</span>}
      </h2>
      {options.problem && (
        <div className="callout callout--error" role="alert">
          {options.problem}
        </div>
      )}
      <form
        className="rt-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label className="field">
          <span className="field__label">Retraining pipeline</span>
          <select
            aria-label="Retraining pipeline"
            className="input"
            value={draft.pipeline_endpoint}
            disabled={disabled}
            onChange={(e) => set("pipeline_endpoint", e.target.value)}
            {...invalid("pipeline_endpoint")}
          >
            {options.pipeline_endpoints.length === 0 && <option value="">No published pipelines in this workspace</option>}
            {options.pipeline_endpoints.map((p) => (
              <option key={p.id} value={p.id} disabled={Boolean(p.problem)} title={p.problem || undefined}>
                {p.name}
                {p.problem ? " (cannot retrain)" : ""}
              </option>
            ))}
          </select>
          {error("pipeline_endpoint") ?? (
            <p className="field__help">A published pipeline, parameterized on its training dataset, that trains, scores and evaluates.</p>
          )}
        </label>
        {chosen && chosen.dataset_parameters.length > 1 && (
          <label className="field">
            <span className="field__label">Training dataset parameter</span>
            <select aria-label="Training dataset parameter" className="input" value={draft.dataset_parameter} disabled={disabled} onChange={(e) => set("dataset_parameter", e.target.value)}>
              <option value="">Choose…</option>
              {chosen.dataset_parameters.map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
            {error("dataset_parameter")}
          </label>
        )}
        <div className="rt-row">
          <label className="field">
            <span className="field__label">Deciding metric</span>
            <select aria-label="Deciding metric" className="input" value={draft.metric} disabled={disabled} onChange={(e) => set("metric", e.target.value)} {...invalid("metric")}>
              {options.metrics.map((m) => (
                <option key={m.name} value={m.name}>
                  {m.name} ({m.higher_is_better ? "higher" : "lower"} is better)
                </option>
              ))}
            </select>
            {error("metric")}
          </label>
          <label className="field rt-narrow">
            <span className="field__label">Margin</span>
            <input
              aria-label="Margin"
              className="input"
              type="number"
              min={0}
              step="0.005"
              value={draft.margin}
              disabled={disabled}
              onChange={(e) => set("margin", e.target.value)}
              {...invalid("margin")}
            />
            {error("margin")}
          </label>
        </div>
        <p className="field__help rt-tight">
          A challenger wins when its {draft.metric || "metric"} is {metric?.higher_is_better === false ? "lower" : "higher"} than the served
          model’s by at least the margin, on the same held-out rows.
        </p>
        <label className="rt-check">
          <input
            type="checkbox"
            checked={draft.auto_promote}
            disabled={disabled || (!options.auto_promote_allowed && !draft.auto_promote)}
            onChange={(e) => set("auto_promote", e.target.checked)}
          />
          Promote a winning challenger automatically
        </label>
        {error("auto_promote") ??
          (!options.auto_promote_allowed && (
            <p className="field__help rt-tight">
              The operator has not allowed automatic promotion (TESSERA_RETRAINING_AUTO_PROMOTE): an editor approves each challenger.
            </p>
          ))}
        <label className="field">
          <span className="field__label">Register promoted models as</span>
          <input
            aria-label="Register promoted models as"
            className="input"
            value={draft.model_name}
            placeholder={endpointName}
            maxLength={200}
            disabled={disabled}
            onChange={(e) => set("model_name", e.target.value)}
          />
        </label>

        <h3 className="ep-subtitle">Drift alarm</h3>
        <label className="rt-check">
          <input type="checkbox" checked={draft.alarm_enabled} disabled={disabled} onChange={(e) => set("alarm_enabled", e.target.checked)} />
          Start a retraining run when recent requests drift
        </label>
        <div className="rt-row" aria-disabled={!draft.alarm_enabled}>
          <label className="field">
            <span className="field__label">Fire when</span>
            <select
              aria-label="Fire when"
              className="input"
              value={draft.by_features ? "features" : "input"}
              disabled={disabled || !draft.alarm_enabled}
              onChange={(e) => set("by_features", e.target.value === "features")}
            >
              <option value="input">the input drifts (half its features)</option>
              <option value="features">a number of features drift</option>
            </select>
          </label>
          {draft.by_features && (
            <label className="field rt-narrow">
              <span className="field__label">Features</span>
              <input
                aria-label="Features"
                className="input"
                type="number"
                min={1}
                value={draft.drift_features}
                disabled={disabled || !draft.alarm_enabled}
                onChange={(e) => set("drift_features", e.target.value)}
                {...invalid("drift_features")}
              />
              {error("drift_features")}
            </label>
          )}
        </div>
        <div className="rt-row">
          <label className="field">
            <span className="field__label">Over the last (minutes)</span>
            <input
              aria-label="Over the last (minutes)"
              className="input"
              type="number"
              min={1}
              max={10080}
              value={draft.drift_window_minutes}
              disabled={disabled || !draft.alarm_enabled}
              onChange={(e) => set("drift_window_minutes", e.target.value)}
              {...invalid("drift_window_minutes")}
            />
            {error("drift_window_minutes")}
          </label>
          <label className="field">
            <span className="field__label">With at least (rows)</span>
            <input
              aria-label="With at least (rows)"
              className="input"
              type="number"
              min={1}
              value={draft.drift_min_rows}
              disabled={disabled || !draft.alarm_enabled}
              onChange={(e) => set("drift_min_rows", e.target.value)}
              {...invalid("drift_min_rows")}
            />
            {error("drift_min_rows")}
          </label>
        </div>
        {(general || fields.values) && (
          <div className="callout callout--error" role="alert">
            <div className="callout__title">The policy was not saved</div>
            {general || fields.values}
          </div>
        )}
        {canEdit && (
          <div className="rt-actions">
            {policy && (
              <button
                type="button"
                className="btn btn--danger-ghost"
                disabled={remove.isPending}
                onClick={() => remove.mutate(undefined, { onSuccess: () => toast.success("Retraining policy removed.") })}
              >
                Remove policy
              </button>
            )}
            <button type="submit" className="btn btn--primary" disabled={save.isPending || !draft.pipeline_endpoint || !draft.metric}>
              {save.isPending ? "Saving…" : policy ? "Save policy" : "Set policy"}
            </button>
          </div>
        )}
      </form>
    </section>
  );
}
