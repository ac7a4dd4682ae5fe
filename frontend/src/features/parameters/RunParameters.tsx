/**
 * What a run was started with: why it ran (Run.trigger: by hand, a published pipeline's endpoint,
 * a schedule, new data or a drift alarm) and the value every pipeline parameter took.
 */
import { useCatalogue } from "../canvas/catalogueStore";
import { formatParameterValue } from "./model";
import "./parameters.css";

export interface TriggerText {
  kind: string;
  label: string;
  /** Details as "key: value" lines, for the tooltip. */
  detail: string[];
}

const KINDS: Record<string, string> = {
  manual: "Manual",
  rest: "Published endpoint",
  schedule: "Schedule",
  data: "New data",
  drift: "Drift alarm",
  retraining: "Retraining",
};

const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/** A run's trigger in words: "Manual", "Published endpoint churn-scoring (v2)", "Schedule nightly"... */
export function describeTrigger(trigger: unknown): TriggerText {
  const t = trigger && typeof trigger === "object" ? (trigger as Record<string, unknown>) : {};
  const kind = typeof t.kind === "string" && t.kind ? t.kind : "manual";
  let label = KINDS[kind] ?? kind.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
  const endpoint = typeof t.endpoint_name === "string" ? t.endpoint_name : undefined;
  const version = typeof t.version === "number" ? ` (v${t.version})` : "";
  const named = [t.schedule_name, t.dataset_name, t.name].find((v) => typeof v === "string") as string | undefined;
  if (kind === "manual" && endpoint) label = `Manual · published pipeline ${endpoint}${version}`;
  else if (kind === "rest" && endpoint) label = `${label} ${endpoint}${version}`;
  else if (named) label = `${label} · ${named}${endpoint ? ` → ${endpoint}${version}` : ""}`;
  else if (endpoint) label = `${label} → ${endpoint}${version}`;
  const detail = Object.entries(t)
    .filter(([k]) => k !== "kind")
    .map(([k, v]) => `${k.replace(/_/g, " ")}: ${text(v)}`);
  return { kind, label, detail };
}

interface Props {
  values: unknown;
  trigger: unknown;
}

export function RunParameters({ values, trigger }: Props) {
  const datasets = useCatalogue((s) => s.datasets);
  const entries = Object.entries(values && typeof values === "object" ? (values as Record<string, unknown>) : {}).sort(
    ([a], [b]) => a.localeCompare(b),
  );
  const why = describeTrigger(trigger);
  return (
    <div className="run-params" data-testid="run-parameters">
      <span className="run-params__trigger" data-testid="run-trigger" data-kind={why.kind} title={why.detail.join("\n") || undefined}>
        <span className="run-params__key">Trigger</span> {why.label}
      </span>
      {entries.length > 0 && (
        <span className="run-params__group">
          <span className="run-params__key">Parameters</span>
          <dl className="run-params__values" aria-label="Parameter values">
            {entries.map(([name, value]) => (
              <div key={name} data-parameter={name}>
                <dt>{name}</dt>
                <dd>{formatParameterValue(value, (id) => datasets.get(id)?.name)}</dd>
              </div>
            ))}
          </dl>
        </span>
      )}
    </div>
  );
}
