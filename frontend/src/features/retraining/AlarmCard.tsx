/**
 * The drift alarm's state as the last background check left it: what it measured per input, and, once it
 * fired, which features drifted and the retraining run it started.
 */
import { Link } from "react-router";
import { formatWhen } from "../../app/status";
import type { AlarmDetail, AlarmState, RetrainingPolicy } from "./types";

const STATES: Record<AlarmState, { label: string; tone: string; text: string }> = {
  unchecked: { label: "Waiting for a check", tone: "pending", text: "The alarm is checked in the background every minute or so." },
  off: { label: "Off", tone: "skipped", text: "The drift alarm is switched off; schedules and new data can still retrain." },
  ok: { label: "No drift", tone: "completed", text: "Recent requests look like the training data." },
  not_enough_data: { label: "Not enough data", tone: "queued", text: "Too few recent rows to judge drift." },
  drifted: { label: "Drift alarm", tone: "failed", text: "Recent requests drifted: a retraining run was started." },
  retraining: { label: "Retraining", tone: "running", text: "A retraining run or its challenger is not decided yet; the alarm waits." },
  error: { label: "Error", tone: "failed", text: "The alarm could not measure drift or start the run." },
};

function num(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  if (value !== 0 && Math.abs(value) < 0.001) return value.toExponential(1);
  return value.toFixed(3);
}

export function AlarmCard({ policy }: { policy: RetrainingPolicy }) {
  const { alarm } = policy;
  const state = STATES[alarm.state];
  const detail = (alarm.detail ?? {}) as AlarmDetail;
  const fired = detail.alarm;
  return (
    <section className="card rt-alarm" aria-labelledby="rt-alarm-title">
      <h2 id="rt-alarm-title" className="card__title ep-card-title">
        Drift alarm{" "}
        <span className={`pill pill--${state.tone}`} data-testid="alarm-state">
          {state.label}
        </span>
      </h2>
      <p className="ep-help">{state.text}</p>
      <dl className="ep-facts">
        <dt>Threshold</dt>
        <dd>
          {policy.drift_features ? `${policy.drift_features} drifted features` : "the input drifts (half its features)"}, over the last{" "}
          {policy.drift_window_minutes} min with at least {policy.drift_min_rows} rows
        </dd>
        <dt>Last checked</dt>
        <dd>{formatWhen(alarm.checked_at)}</dd>
        <dt>Last fired</dt>
        <dd>{alarm.fired_at ? formatWhen(alarm.fired_at) : "never"}</dd>
        {detail.run !== undefined && (
          <>
            <dt>Started</dt>
            <dd>
              <Link to={`/runs/${detail.run}`}>run #{detail.run}</Link>
            </dd>
          </>
        )}
      </dl>
      {(detail.error || detail.errors?.length) && (
        <div className="callout callout--error" role="alert">
          {detail.error ?? detail.errors?.join(" ")}
        </div>
      )}
      {detail.inputs && detail.inputs.length > 0 && (
        <table className="table table--compact rt-alarm__inputs" aria-label="Drift at the last check">
          <thead>
            <tr>
              <th>Input</th>
              <th className="num">Recent rows</th>
              <th className="num">Drifted features</th>
              <th>Verdict</th>
            </tr>
          </thead>
          <tbody>
            {detail.inputs.map((i) => (
              <tr key={i.input}>
                <td>
                  <code>{i.input}</code>
                </td>
                <td className="num">{i.recent_rows}</td>
                <td className="num">
                  {i.drifted} of {i.measured}
                </td>
                <td>{i.fired ? <span className="ep-error-kind">over the threshold</span> : <span className="muted">under</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {fired && fired.features.length > 0 && (
        <>
          <h3 className="ep-subtitle">Features that drifted when it fired</h3>
          <table className="table table--compact" aria-label="Drifted features">
            <thead>
              <tr>
                <th>Feature</th>
                <th>Test</th>
                <th className="num">Statistic</th>
                <th className="num">p-value</th>
                <th className="num">Distance</th>
              </tr>
            </thead>
            <tbody>
              {fired.features.slice(0, 12).map((f) => (
                <tr key={f.column}>
                  <td>
                    <code>{f.column}</code>
                  </td>
                  <td>{f.test}</td>
                  <td className="num">{num(f.statistic)}</td>
                  <td className="num">{num(f.p_value)}</td>
                  <td className="num">{num(f.distance)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {fired.features.length > 12 && <p className="muted rt-more">and {fired.features.length - 12} more</p>}
        </>
      )}
    </section>
  );
}
