/**
 * "Schedules & triggers" on a pipeline endpoint's page: its schedules with their next fire time, state and
 * last ticks (ran, skipped or failed to start, and why), and its data triggers with their dataset and the
 * versions they ran for. Editors create, change, pause and delete; viewers read.
 */
import { useState } from "react";
import { Link } from "react-router";
import { messageOf } from "../../api/errors";
import { formatWhen } from "../../app/status";
import { EmptyState, ErrorState, Loading } from "../../app/States";
import { toast } from "../../app/toasts";
import { useRole } from "../endpoints";
import { usePipelineEndpoint } from "../published/queries";
import { schedulesApi } from "./http";
import { useScheduleAction, useSchedules, useTriggers } from "./queries";
import { ScheduleDialog } from "./ScheduleDialog";
import { formatIn } from "./TimingFields";
import { TriggerDialog } from "./TriggerDialog";
import type { DataTrigger, Schedule, ScheduleTick, TriggerFiring } from "./types";
import "./schedules.css";

type Dialog = { kind: "schedule"; schedule?: Schedule } | { kind: "trigger" } | null;

export function SchedulesSection({ endpointId }: { endpointId: number }) {
  const endpoint = usePipelineEndpoint(endpointId);
  const { canEdit } = useRole(endpoint.data?.workspace);
  const schedules = useSchedules(endpointId);
  const triggers = useTriggers(endpointId);
  const [dialog, setDialog] = useState<Dialog>(null);
  const act = useScheduleAction(endpointId, (run: () => Promise<unknown>) => run());
  const perform = (run: () => Promise<unknown>, done: string) =>
    act.mutate(run, { onSuccess: () => toast.success(done), onError: (e) => toast.error(messageOf(e)) });
  const versions = endpoint.data?.versions ?? [];

  return (
    <section className="card schedules" aria-labelledby="pe-schedules" data-testid="schedules-section">
      <div className="schedules__head">
        <h2 id="pe-schedules" className="card__title ep-card-title">
          Schedules &amp; triggers
        </h2>
        {canEdit && (
          <div className="schedules__actions">
            <button className="btn" onClick={() => setDialog({ kind: "schedule" })}>
              New schedule
            </button>
            <button className="btn" onClick={() => setDialog({ kind: "trigger" })} disabled={!endpoint.data}>
              New data trigger
            </button>
          </div>
        )}
      </div>

      <h3 className="schedules__sub">Schedules</h3>
      {schedules.isPending ? (
        <Loading label="Loading schedules…" />
      ) : schedules.isError ? (
        <ErrorState title="The schedules could not be loaded" message={messageOf(schedules.error)} onRetry={() => schedules.refetch()} />
      ) : schedules.data.length === 0 ? (
        <EmptyState title="No schedule">Run this pipeline at set times: a cron expression or an interval, in a time zone.</EmptyState>
      ) : (
        <div className="schedules__scroll">
          <table className="table table--compact" data-testid="schedules">
          <thead>
            <tr>
              <th>Schedule</th>
              <th>When</th>
              <th>Next fire</th>
              <th>Last ticks</th>
              {canEdit && <th aria-label="Actions" />}
            </tr>
          </thead>
          <tbody>
            {schedules.data.map((s) => (
              <tr key={s.id} data-testid={`schedule-${s.id}`} className={s.paused ? "schedules__row--paused" : undefined}>
                <td>
                  <div className="schedules__name">{s.name || `Schedule ${s.id}`}</div>
                  <div className="muted small" title={s.missed === "skip" ? "Skips missed runs" : "Runs the latest missed tick once"}>
                    {s.version ? `v${s.version}` : "default version"} · ≤{s.max_concurrent} at once
                  </div>
                </td>
                <td>
                  <div>{s.description}</div>
                  <div className="muted small">
                    {s.cron ? <code>{s.cron}</code> : null} {s.timezone}
                  </div>
                </td>
                <td data-testid={`schedule-${s.id}-next`}>
                  {s.paused ? (
                    <span className="schedules__paused">Paused</span>
                  ) : s.next_fire_at ? (
                    <span title={s.next_fires.map((t) => formatIn(t, s.timezone)).join("\n")}>{formatIn(s.next_fire_at, s.timezone)}</span>
                  ) : (
                    <span className="muted">Ended</span>
                  )}
                  {s.running > 0 && <div className="muted small">{s.running} running</div>}
                </td>
                <td>
                  <TickList ticks={s.last_ticks} zone={s.timezone} />
                </td>
                {canEdit && (
                  <td className="schedules__actions-cell">
                    <div className="schedules__row-actions">
                    {s.paused ? (
                      <button className="btn btn--small" onClick={() => perform(() => schedulesApi.resume(s.id), "Schedule resumed.")}>
                        Resume
                      </button>
                    ) : (
                      <button className="btn btn--small" onClick={() => perform(() => schedulesApi.pause(s.id), "Schedule paused.")}>
                        Pause
                      </button>
                    )}
                    <button className="btn btn--small" onClick={() => setDialog({ kind: "schedule", schedule: s })}>
                      Edit
                    </button>
                    <button
                      className="btn btn--small btn--danger-ghost"
                      onClick={() => window.confirm("Delete this schedule? The runs it started stay.") && perform(() => schedulesApi.remove(s.id), "Schedule deleted.")}
                    >
                      Delete
                    </button>
                    </div>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}

      <h3 className="schedules__sub">Data triggers</h3>
      {triggers.isPending ? (
        <Loading label="Loading data triggers…" />
      ) : triggers.isError ? (
        <ErrorState title="The data triggers could not be loaded" message={messageOf(triggers.error)} onRetry={() => triggers.refetch()} />
      ) : triggers.data.length === 0 ? (
        <EmptyState title="No data trigger">Run this pipeline whenever a dataset gets a new version (an upload, an Import Data refresh).</EmptyState>
      ) : (
        <div className="schedules__scroll">
          <table className="table table--compact" data-testid="data-triggers">
          <thead>
            <tr>
              <th>When a new version of</th>
              <th>Goes to</th>
              <th>State</th>
              <th>Last versions</th>
              {canEdit && <th aria-label="Actions" />}
            </tr>
          </thead>
          <tbody>
            {triggers.data.map((t) => (
              <TriggerRow key={t.id} trigger={t} canEdit={canEdit} perform={perform} />
            ))}
          </tbody>
        </table>
        </div>
      )}

      {dialog?.kind === "schedule" && (
        <ScheduleDialog endpointId={endpointId} versions={versions.map((v) => v.number)} schedule={dialog.schedule} onClose={() => setDialog(null)} />
      )}
      {dialog?.kind === "trigger" && endpoint.data && (
        <TriggerDialog
          endpointId={endpointId}
          workspace={endpoint.data.workspace}
          versions={versions}
          defaultVersion={endpoint.data.default_version}
          onClose={() => setDialog(null)}
        />
      )}
    </section>
  );
}

function TriggerRow({
  trigger: t,
  canEdit,
  perform,
}: {
  trigger: DataTrigger;
  canEdit: boolean;
  perform(run: () => Promise<unknown>, done: string): void;
}) {
  return (
    <tr data-testid={`trigger-${t.id}`} className={t.paused ? "schedules__row--paused" : undefined}>
      <td>
        <div className="schedules__name">{t.dataset_name}</div>
        {t.name && <div className="muted small">{t.name}</div>}
      </td>
      <td>
        <code>{t.parameter}</code> <span className="muted small">{t.version ? `v${t.version}` : "default version"}</span>
      </td>
      <td>{t.paused ? <span className="schedules__paused">Paused</span> : "Active"}</td>
      <td>
        <FiringList firings={t.last_firings} />
      </td>
      {canEdit && (
        <td className="schedules__actions-cell">
          <div className="schedules__row-actions">
          {t.paused ? (
            <button className="btn btn--small" onClick={() => perform(() => schedulesApi.resumeTrigger(t.id), "Trigger resumed.")}>
              Resume
            </button>
          ) : (
            <button className="btn btn--small" onClick={() => perform(() => schedulesApi.pauseTrigger(t.id), "Trigger paused.")}>
              Pause
            </button>
          )}
          <button
            className="btn btn--small btn--danger-ghost"
            onClick={() => window.confirm("Delete this trigger? The runs it started stay.") && perform(() => schedulesApi.removeTrigger(t.id), "Trigger deleted.")}
          >
            Delete
          </button>
          </div>
        </td>
      )}
    </tr>
  );
}

function Outcome({ outcome, run, reason, label }: { outcome: string; run: number | null; reason: string; label: string }) {
  return (
    <li className={`tick tick--${outcome}`} title={reason ? `${label}: ${reason}` : label}>
      <span className="tick__when">{label}</span>{" "}
      {outcome === "ran" && run ? (
        <Link to={`/runs/${run}`}>run #{run}</Link>
      ) : (
        <span className="tick__why">{outcome === "skipped" ? "skipped" : "failed"}: {short(reason)}</span>
      )}
    </li>
  );
}

/** The gist of why a tick did not run (the whole sentence is in the row's tooltip). */
function short(reason: string): string {
  const text = reason.replace(/^(skipped|could not start): /, "");
  const running = /^(\d+) runs? of this schedule still running/.exec(text);
  if (running) return `${running[1]} still running`;
  if (text.startsWith("missed:")) return "missed";
  if (text === "the schedule is paused" || text === "the trigger is paused") return "paused";
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function TickList({ ticks, zone }: { ticks: ScheduleTick[]; zone?: string }) {
  if (!ticks.length) return <span className="muted">Not fired yet</span>;
  return (
    <ul className="ticks">
      {ticks.slice(0, 3).map((t) => (
        <Outcome key={t.id} outcome={t.outcome} run={t.run ?? null} reason={t.reason ?? ""} label={formatIn(t.tick, zone)} />
      ))}
    </ul>
  );
}

function FiringList({ firings }: { firings: TriggerFiring[] }) {
  if (!firings.length) return <span className="muted">No new version yet</span>;
  return (
    <ul className="ticks">
      {firings.slice(0, 3).map((f) => (
        <Outcome key={f.id} outcome={f.outcome} run={f.run ?? null} reason={f.reason ?? ""} label={`v${f.dataset_version} · ${formatWhen(f.created_at)}`} />
      ))}
    </ul>
  );
}
