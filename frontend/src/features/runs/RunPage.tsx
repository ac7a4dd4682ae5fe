/**
 * One run, read-only on the canvas: the version it ran, why it ran and with which parameter values,
 * node statuses (live while it runs), outputs and logs one click away, and Clone to continue from it
 * in a new draft.
 */
import { ReactFlowProvider } from "@xyflow/react";
import { useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import { messageOf } from "../../api/errors";
import { usePipelineVersion, useRun } from "../../api/queries";
import type { PipelineDocument } from "../../api/types";
import { formatWhen, isFinal, statusStyle } from "../../app/status";
import { ErrorState, Loading } from "../../app/States";
import { useCurrentWorkspace } from "../../app/workspaceStore";
import { Canvas, NodePanel, useCatalogueSync, useGraph, useValidation, useValidationSync } from "../canvas";
import { useRole } from "../endpoints";
import { RunParameters } from "../parameters";
import { ProvenanceStrip } from "../runlog";
import { ExportCodeButton } from "../pipelines-io";
import { PublishRunButton } from "../published";
import { ScheduleRunButton } from "../schedules";
import { attachRun, useCancelRun } from "./actions";
import { useCloneRun } from "./clone";
import { CreateInferenceButton } from "./inference";
import { RunClock } from "./RunClock";
import { RunDialogs } from "./RunDialogs";
import { metricColumns } from "./RunsTable";
import { useRunStatus } from "./runStore";
import { useRunSocket } from "./useRunSocket";
import { ComponentBreadcrumb, ComponentDialogs, resetEditor } from "../components";
import "../canvas/canvas.css";
import "./runs.css";

export function RunPage() {
  const runId = Number(useParams().runId);
  return (
    <ReactFlowProvider>
      <RunView key={runId} runId={runId} />
    </ReactFlowProvider>
  );
}

function RunView({ runId }: { runId: number }) {
  const run = useRun(runId);
  const version = usePipelineVersion(run.data?.pipeline, run.data?.version);
  const { modules, portTypes } = useCatalogueSync(run.data?.workspace);
  const setWorkspace = useCurrentWorkspace((s) => s.setCurrent);
  const [ready, setReady] = useState(false);
  const live = useRunStatus((s) => (s.run?.id === runId ? s.run : null));
  const clone = useCloneRun();
  const cancel = useCancelRun();
  const { canEdit } = useRole(run.data?.workspace);

  useEffect(() => {
    if (run.data?.workspace) setWorkspace(run.data.workspace);
  }, [run.data?.workspace, setWorkspace]);

  useEffect(() => {
    if (!version.data || !run.data || ready) return;
    useValidation.getState().reset();
    useGraph.getState().load(version.data.document as PipelineDocument, { readOnly: true });
    attachRun(run.data);
    setReady(true);
  }, [version.data, run.data, ready]);

  useEffect(
    () => () => {
      resetEditor();
      useRunStatus.getState().clear();
    },
    [],
  );
  useValidationSync(run.data?.pipeline ?? 0, ready && run.data !== undefined);
  useRunSocket(ready && live && !isFinal(live.status) ? runId : null);

  if (run.isError) return <ErrorState title="This run cannot be opened" message={messageOf(run.error)} onRetry={() => run.refetch()} />;
  if (version.isError) return <ErrorState title="The pipeline version of this run cannot be loaded" message={messageOf(version.error)} />;
  if (!ready || !run.data || !modules.data || !portTypes.data) return <Loading label="Opening the run…" />;

  const r = run.data;
  const status = live?.status ?? r.status ?? "queued";
  const metrics = metricColumns([r], 6); // each model's main metric, named by its learner, first

  return (
    <div className="designer designer--readonly">
      <div className="toolbar" role="toolbar" aria-label="Run">
        <div className="toolbar__where">
          <Link to={`/pipelines/${r.pipeline}/runs`} className="toolbar__crumb">
            {r.pipeline_name}
          </Link>
          <span className="toolbar__sep" aria-hidden>
            /
          </span>
          <span className="toolbar__title">
            Run #{r.id} <span className="muted">· version {r.version} · {formatWhen(r.created_at)} by {r.created_by ?? "—"}</span>
          </span>
          <span className="readonly-badge">Read-only</span>
        </div>
        <span className="toolbar__spacer" />
        <div className={`runchip runchip--${status}`} data-testid="run-chip" data-status={status}>
          <span className={`pill__dot${isFinal(status) ? "" : " pill__dot--live"}`} aria-hidden />
          <span className="runchip__status">{statusStyle(status).label}</span>
          <RunClock />
        </div>
        {!isFinal(status) && (
          <button className="btn btn--danger-ghost" onClick={() => cancel.mutate(r.id)}>
            Cancel run
          </button>
        )}
        <Link className="btn" to={`/pipelines/${r.pipeline}`}>
          Open pipeline
        </Link>
        <ExportCodeButton target={{ run: r.id }} />
        {status === "completed" && canEdit && (
          <CreateInferenceButton runId={r.id} onSelectNode={(node) => useGraph.getState().selectOnly([node])} />
        )}
        {status === "completed" && canEdit && (
          <CreateInferenceButton kind="batch" runId={r.id} onSelectNode={(node) => useGraph.getState().selectOnly([node])} />
        )}
        <PublishRunButton
          canEdit={canEdit && status === "completed"}
          workspace={r.workspace}
          pipelineId={r.pipeline}
          pipelineName={r.pipeline_name}
          version={r.version}
          run={{ id: r.id, parameterValues: (r.parameter_values ?? {}) as Record<string, unknown> }}
        />
        <ScheduleRunButton
          canEdit={canEdit && status === "completed"}
          runId={r.id}
          workspace={r.workspace}
          parameterValues={(r.parameter_values ?? {}) as Record<string, unknown>}
        />
        <button className="btn btn--primary" onClick={() => clone.mutate(r)} disabled={clone.isPending}>
          Clone into new draft
        </button>
      </div>
      {(metrics.length > 0 || (r.error && status === "failed")) && (
        <div className="run-summary">
          {r.error && status === "failed" && (
            <span className="run-summary__error" role="alert">
              {r.error}
            </span>
          )}
          {metrics.length > 0 && (
            <dl className="metrics-strip" aria-label="Key metrics">
              {metrics.map((m) => {
                const v = m.value(r);
                return (
                  <div key={m.key} title={m.model ? `${m.full} of ${m.model}` : m.full}>
                    <dt>
                      {m.title}
                      {m.model && <span className="metrics-strip__model"> · {m.model}</span>}
                    </dt>
                    <dd>{typeof v === "number" ? (Number.isInteger(v) ? v : v.toFixed(3)) : v === null || v === undefined ? "—" : String(v)}</dd>
                  </div>
                );
              })}
            </dl>
          )}
        </div>
      )}
      <RunParameters values={r.parameter_values} trigger={r.trigger} />
      <ProvenanceStrip provenance={r.provenance} />
      <div className="designer__body designer__body--no-palette">
        <main className="designer__canvas" aria-label="Canvas">
          <ComponentBreadcrumb pipelineName={`Run #${r.id}`} />
          <Canvas readOnly />
        </main>
        <NodePanel readOnly />
      </div>
      <RunDialogs />
      <ComponentDialogs />
    </div>
  );
}
