/**
 * Challengers: every finished run of the retraining pipeline, measured against the served model on the same
 * held-out rows. The list shows the deciding metric of both; the selected one shows every metric side by
 * side and the evaluation's charts with both models drawn, and (for editors) Approve / Reject.
 */
import { useMemo, useState } from "react";
import { Link } from "react-router";
import { messageOf } from "../../api/errors";
import { Modal } from "../../app/Modal";
import { EmptyState, ErrorState, Loading } from "../../app/States";
import { formatWhen } from "../../app/status";
import { toast } from "../../app/toasts";
import { PlotlyFigure } from "../inspector/PlotlyFigure";
import { useChallenger, useChallengers, useDecide } from "./queries";
import type { Challenger, ChallengerStatus, FigureJson, RunTrigger } from "./types";

const STATUS: Record<ChallengerStatus, { label: string; tone: string }> = {
  evaluating: { label: "Evaluating", tone: "running" },
  pending: { label: "Awaiting approval", tone: "queued" },
  promoted: { label: "Promoted", tone: "completed" },
  rejected: { label: "Rejected", tone: "cancelled" },
  superseded: { label: "Superseded", tone: "skipped" },
  failed: { label: "Failed", tone: "failed" },
};
const TRIGGERS: Record<string, string> = {
  drift: "drift alarm",
  schedule: "schedule",
  data: "new data",
  rest: "REST call",
  manual: "by hand",
};
/** Values Evaluate Model reports that are settings, not measurements. */
const SETTINGS = new Set(["Threshold"]);
/** The evaluation's charts worth showing side by side, in this order, as the task has them. */
const CHARTS = ["roc", "precision_recall", "predicted_vs_actual", "residuals", "confusion_matrix"];

export function num(value: unknown, digits = 4): string {
  return typeof value === "number" && Number.isFinite(value) ? value.toFixed(digits) : "—";
}

function signed(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return `${value > 0 ? "+" : value < 0 ? "−" : "±"}${Math.abs(value).toFixed(4)}`;
}

function difference(champion: unknown, challenger: unknown): number | null {
  return typeof champion === "number" && typeof challenger === "number" ? challenger - champion : null;
}

function triggerText(c: Challenger): string {
  const kind = (c.trigger as RunTrigger | null)?.kind ?? "";
  return TRIGGERS[kind] ?? kind;
}

export function ChallengersSection({ endpointId, canEdit }: { endpointId: number; canEdit: boolean }) {
  const challengers = useChallengers(endpointId);
  const [picked, setPicked] = useState<number | null>(null);
  const list = challengers.data ?? [];
  const selected = picked ?? list.find((c) => c.status === "pending")?.id ?? list[0]?.id ?? null;
  return (
    <section className="card ep-span" aria-labelledby="rt-challengers-title">
      <h2 id="rt-challengers-title" className="card__title ep-card-title">
        Challengers <span className="muted ep-title-note">new models against the one this endpoint serves</span>
      </h2>
      {challengers.isPending ? (
        <Loading label="Loading the challengers…" />
      ) : challengers.isError ? (
        <ErrorState title="The challengers could not be loaded" message={messageOf(challengers.error)} onRetry={() => challengers.refetch()} />
      ) : list.length === 0 ? (
        <EmptyState title="No challengers yet">
          When a run of the retraining pipeline finishes (started by the drift alarm, a schedule, new data or by hand), its model is
          measured against the served one here.
        </EmptyState>
      ) : (
        <>
          <table className="table table--compact rt-list" aria-label="Challengers">
            <thead>
              <tr>
                <th>When</th>
                <th>Run</th>
                <th>Started by</th>
                <th>Status</th>
                <th>Metric</th>
                <th className="num">Champion</th>
                <th className="num">Challenger</th>
                <th className="num">Difference</th>
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <tr
                  key={c.id}
                  className={c.id === selected ? "rt-list__row rt-list__row--selected" : "rt-list__row"}
                  onClick={() => setPicked(c.id)}
                  aria-selected={c.id === selected}
                >
                  <td>{formatWhen(c.created_at)}</td>
                  <td>
                    <Link to={`/runs/${c.run}`} onClick={(e) => e.stopPropagation()}>
                      #{c.run}
                    </Link>
                  </td>
                  <td>{triggerText(c)}</td>
                  <td>
                    <span className={`pill pill--${STATUS[c.status].tone}`}>{STATUS[c.status].label}</span>
                  </td>
                  <td>{c.metric}</td>
                  <td className="num">{num(c.champion.value)}</td>
                  <td className="num">{num(c.challenger.value)}</td>
                  <td className={`num${c.wins ? " rt-better" : ""}`}>{signed(difference(c.champion.value, c.challenger.value))}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {selected !== null && <ChallengerView id={selected} endpointId={endpointId} canEdit={canEdit} />}
        </>
      )}
    </section>
  );
}

function ChallengerView({ id, endpointId, canEdit }: { id: number; endpointId: number; canEdit: boolean }) {
  const detail = useChallenger(id);
  const [deciding, setDeciding] = useState<"approve" | "reject" | null>(null);
  const figures = useMemo(() => {
    const all = (detail.data?.figures ?? {}) as Record<string, FigureJson | undefined>;
    return CHARTS.filter((name) => Array.isArray(all[name]?.data)).slice(0, 2).map((name) => ({ name, figure: all[name] as FigureJson }));
  }, [detail.data]);
  if (detail.isPending) return <Loading label="Loading the challenger…" />;
  if (detail.isError) return <ErrorState title="The challenger could not be loaded" message={messageOf(detail.error)} onRetry={() => detail.refetch()} />;
  const c = detail.data;
  const names = [...new Set([...Object.keys(c.champion.metrics), ...Object.keys(c.challenger.metrics)])].filter(
    (n) => !SETTINGS.has(n) && (typeof c.champion.metrics[n] === "number" || typeof c.challenger.metrics[n] === "number"),
  );
  return (
    <div className="rt-detail" data-testid="challenger-detail">
      <div className="rt-detail__head">
        <div>
          <h3 className="rt-detail__title">
            Challenger from run <Link to={`/runs/${c.run}`}>#{c.run}</Link>{" "}
            <span className={`pill pill--${STATUS[c.status].tone}`}>{STATUS[c.status].label}</span>
          </h3>
          <p className="muted rt-detail__sub">
            {c.status === "evaluating" && "Both models are being scored on the run’s held-out rows on the workers."}
            {c.status === "failed" && c.error}
            {c.status === "superseded" && (c.error || "The endpoint was redeployed since; this comparison is stale.")}
            {c.status === "pending" &&
              (c.wins
                ? `Wins on ${c.metric} by ${num(c.improvement)} (margin ${c.margin}).`
                : `Does not win on ${c.metric} by the margin of ${c.margin}.`)}
            {c.status === "promoted" &&
              `${c.automatic ? "Promoted automatically" : `Approved by ${c.decided_by ?? "someone"}`} ${formatWhen(c.decided_at)}: ` +
                `registered as ${c.registered_model ? `${c.registered_model.name} v${c.registered_model.version}` : "a model"}, ` +
                `served as version ${c.deployed_version ?? "?"} of the endpoint's pipeline.`}
            {c.status === "rejected" && `Rejected by ${c.decided_by ?? "someone"} ${formatWhen(c.decided_at)}; the served model stays.`}
            {c.note && c.status !== "promoted" && <> {c.note}</>}
          </p>
        </div>
        {canEdit && c.status === "pending" && (
          <div className="rt-actions">
            <button className="btn" onClick={() => setDeciding("reject")}>
              Reject
            </button>
            <button className="btn btn--primary" onClick={() => setDeciding("approve")}>
              Approve and deploy
            </button>
          </div>
        )}
      </div>
      {names.length > 0 && (
        <div className="rt-compare">
          <table className="table table--compact rt-metrics" aria-label="Metrics of both models">
            <thead>
              <tr>
                <th>Metric (same held-out rows)</th>
                <th className="num">Champion (served)</th>
                <th className="num">Challenger</th>
                <th className="num">Difference</th>
              </tr>
            </thead>
            <tbody>
              {names.map((n) => {
                const a = c.champion.metrics[n];
                const b = c.challenger.metrics[n];
                const diff = difference(a, b);
                return (
                  <tr key={n} className={n === c.metric ? "rt-metrics__deciding" : undefined}>
                    <td>
                      {n}
                      {n === c.metric && <span className="rt-badge">deciding</span>}
                    </td>
                    <td className="num">{num(a)}</td>
                    <td className="num">{num(b)}</td>
                    <td className="num">{signed(diff)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <div className="rt-figures">
            {figures.map(({ name, figure }) => (
              <div className="ep-figure" key={name}>
                <PlotlyFigure figure={figure} label={`${name} of challenger ${c.id}`} height={320} />
              </div>
            ))}
          </div>
        </div>
      )}
      {deciding && <DecisionDialog challenger={c} approve={deciding === "approve"} endpointId={endpointId} onClose={() => setDeciding(null)} />}
    </div>
  );
}

function DecisionDialog({ challenger, approve, endpointId, onClose }: { challenger: Challenger; approve: boolean; endpointId: number; onClose(): void }) {
  const decide = useDecide(endpointId);
  const [note, setNote] = useState("");
  return (
    <Modal
      title={approve ? `Approve the challenger from run #${challenger.run}?` : `Reject the challenger from run #${challenger.run}?`}
      onClose={onClose}
      size="sm"
      footer={
        <>
          <button className="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            className={approve ? "btn btn--primary" : "btn btn--danger"}
            disabled={decide.isPending}
            onClick={() =>
              decide.mutate(
                { id: challenger.id, approve, note },
                {
                  onSuccess: () => {
                    toast.success(approve ? "Challenger promoted: the endpoint now serves it." : "Challenger rejected; the served model stays.");
                    onClose();
                  },
                },
              )
            }
          >
            {decide.isPending ? "Working…" : approve ? "Approve and deploy" : "Reject"}
          </button>
        </>
      }
    >
      <p>
        {approve
          ? "Its model is registered, the inference pipeline is derived from its run and the endpoint is redeployed to it. Callers keep being served throughout."
          : "The endpoint keeps serving its model; the challenger stays here as a record."}
      </p>
      <label className="field">
        <span className="field__label">Note (optional)</span>
        <input className="input" value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} />
      </label>
      {decide.isError && (
        <p className="form-error" role="alert">
          {messageOf(decide.error)}
        </p>
      )}
    </Modal>
  );
}
