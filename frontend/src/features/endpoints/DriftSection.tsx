/**
 * Data drift on the Monitoring tab: for each Web Service Input, whether the rows sent recently still look
 * like the training data (per feature: the test, its distance and p-value), with the server's figure.
 */
import { useMemo } from "react";
import { messageOf } from "../../api/errors";
import { EmptyState, ErrorState, Loading } from "../../app/States";
import { PlotlyFigure } from "../inspector/PlotlyFigure";
import { useDrift } from "./queries";
import type { DriftFeature, DriftInput } from "./types";

function num(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  if (value !== 0 && Math.abs(value) < 0.001) return value.toExponential(1);
  return value.toFixed(digits);
}

export function DriftSection({ endpointId, endpointName, minutes }: { endpointId: number; endpointName: string; minutes: number }) {
  const drift = useDrift(endpointId, minutes);
  return (
    <section className="card" aria-labelledby="ep-drift">
      <h2 id="ep-drift" className="card__title ep-card-title">
        Data drift <span className="muted ep-title-note">recent requests against the training data</span>
      </h2>
      {drift.isPending ? (
        <Loading label="Comparing recent inputs with the training data…" />
      ) : drift.isError ? (
        <ErrorState title="Drift could not be computed" message={messageOf(drift.error)} onRetry={() => drift.refetch()} />
      ) : drift.data.inputs.length === 0 ? (
        <EmptyState title="This endpoint has no inputs to compare" />
      ) : (
        drift.data.inputs.map((input) => <DriftInputView key={input.name} input={input} label={`Drift of ${endpointName} ${input.name}`} />)
      )}
    </section>
  );
}

function DriftInputView({ input, label }: { input: DriftInput; label: string }) {
  const figure = useMemo(() => (input.figure && Array.isArray(input.figure.data) ? input.figure : undefined), [input.figure]);
  if (input.error || input.note) {
    return (
      <p className="muted" data-testid={`drift-${input.name}`}>
        <code>{input.name}</code>: {input.error ?? input.note}
      </p>
    );
  }
  const features = input.features ?? [];
  if (!input.recent_rows) {
    return (
      <EmptyState title={`No sampled requests to ${input.name} in this window`}>
        Drift is measured on the rows of recent calls; send some from the Test tab or a client.
      </EmptyState>
    );
  }
  return (
    <div className="ep-drift" data-testid={`drift-${input.name}`}>
      <div className={`ep-verdict${input.dataset_drifted ? " ep-verdict--bad" : ""}`} role="status">
        <strong>{input.dataset_drifted ? "Drift detected" : "No dataset drift"}</strong> in <code>{input.name}</code>:{" "}
        {input.drifted ?? 0} of {input.measured ?? features.length} features drifted ({input.recent_rows} recent rows against{" "}
        {input.baseline_rows ?? "—"} training rows; the dataset counts as drifted when half its features do).
      </div>
      <div className="ep-drift__body">
        {figure && (
          <div className="ep-figure ep-drift__figure">
            <PlotlyFigure figure={figure} label={label} />
          </div>
        )}
        <div className="ep-drift__table">
          <table className="table table--compact" aria-label={`Drift by feature of ${input.name}`}>
            <thead>
              <tr>
                <th>Feature</th>
                <th>Test</th>
                <th className="num">Distance</th>
                <th className="num">p-value</th>
                <th>Drifted</th>
              </tr>
            </thead>
            <tbody>
              {features.map((f: DriftFeature) => (
                <tr key={f.column}>
                  <td>
                    <code>{f.column}</code>
                    {f.note && <div className="muted ep-row-desc">{f.note}</div>}
                  </td>
                  <td>{f.test}</td>
                  <td className="num">{num(f.distance)}</td>
                  <td className="num">{num(f.p_value)}</td>
                  <td>{f.drifted ? <span className="ep-error-kind">yes</span> : <span className="muted">no</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  );
}
