/**
 * The designer's command bar: where you are, whether your edits are saved, undo/redo, save a
 * version, the problems that block submitting (always visible), submit, and the live run.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { messageOf } from "../../api/errors";
import { useMe } from "../auth";
import { DeployButton, isServable } from "../endpoints";
import { PublishButton } from "../published/PublishDialog";
import { isFinal, statusStyle } from "../../app/status";
import { toast } from "../../app/toasts";
import { Presence } from "../collab";
import { LastRunNote, useIsLastRun } from "../runs/lastRun";
import { RunClock } from "../runs/RunClock";
import { useRunStatus } from "../runs/runStore";
import { ArrangeButton } from "./ArrangeButton";
import { useGraph } from "./graphStore";
import { fitClasses, useToolbarFit } from "./toolbarFit";
import { useSession } from "./sessionStore";
import { useValidation } from "./validationStore";
import { DesignerShareButtons } from "../pipelines-io";
import { VersionsButton } from "../versions";

interface Props {
  pipelineId: number;
  name: string;
  workspace: number;
  submitting: boolean;
  onSubmit(): void;
  onSave(): void;
  onCancelRun(runId: number): void;
  onOpenRuns(): void;
}

export function DesignerToolbar({ pipelineId, name, workspace, submitting, onSubmit, onSave, onCancelRun, onOpenRuns }: Props) {
  const me = useMe().data;
  const workspaceName = me?.workspaces.find((w) => w.id === workspace)?.name ?? "Workspace";
  const canUndo = useGraph((s) => s.past.length > 0);
  const canRedo = useGraph((s) => s.future.length > 0);
  const undo = useGraph((s) => s.undo);
  const redo = useGraph((s) => s.redo);
  const empty = useGraph((s) => s.nodes.length === 0);
  const selectOnly = useGraph((s) => s.selectOnly);
  const problems = useValidation((s) => s.problems.length);
  const checked = useValidation((s) => s.checked);
  const validating = useValidation((s) => s.pending);
  const validationError = useValidation((s) => s.error);
  const run = useRunStatus((s) => s.run);
  const role = me?.workspaces.find((w) => w.id === workspace)?.role;
  const servable = useGraph((s) => isServable(s.nodes.map((n) => n.data.module)));
  const baseVersion = useSession((s) => s.baseVersion);
  const unsavedVersion = useSession((s) => s.unsavedVersion);
  const running = run !== null && !isFinal(run.status);
  const lastRun = useIsLastRun(run?.id);
  const bar = useRef<HTMLDivElement>(null);
  const fit = useToolbarFit(bar);

  let blocked: string | null = null;
  if (empty) blocked = "Add modules to the canvas first.";
  else if (problems) blocked = `${problems} problem${problems === 1 ? "" : "s"} to fix before submitting — they are marked on the canvas.`;
  else if (!checked) blocked = "Checking the pipeline…";
  else if (running) blocked = "A run is in progress. Wait for it, or cancel it.";

  return (
    <div className={`toolbar${fitClasses(fit)}`} role="toolbar" aria-label="Pipeline" ref={bar}>
      <div className="toolbar__where">
        <Link to={`/w/${workspace}`} className="toolbar__crumb">
          {workspaceName}
        </Link>
        <span className="toolbar__sep" aria-hidden>
          /
        </span>
        <PipelineName pipelineId={pipelineId} name={name} />
        <SaveIndicator />
      </div>
      <div className="toolbar__group">
        <button className="icon-btn" onClick={undo} disabled={!canUndo} title="Undo (Ctrl+Z)" aria-label="Undo">
          ↶
        </button>
        <button className="icon-btn" onClick={redo} disabled={!canRedo} title="Redo (Ctrl+Shift+Z)" aria-label="Redo">
          ↷
        </button>
      </div>
      <ArrangeButton />
      <span className="toolbar__spacer" />
      <Presence />
      {run && (
        <div className={`runchip runchip--${run.status}`} data-testid="run-chip" data-run-id={run.id} data-status={run.status}>
          <span className={`pill__dot${running ? " pill__dot--live" : ""}`} aria-hidden />
          <Link to={`/runs/${run.id}`} className="runchip__id">
            {lastRun ? "Last run" : "Run"} #{run.id}
          </Link>
          <LastRunNote />
          <span className="runchip__status">{statusStyle(run.status).label}</span>
          <RunClock />
          {running && (
            <button className="btn btn--sm btn--danger-ghost" onClick={() => onCancelRun(run.id)}>
              Cancel
            </button>
          )}
        </div>
      )}
      <div
        className={`checks${problems ? " checks--bad" : ""}`}
        data-testid="checks"
        aria-live="polite"
        role={problems ? "button" : undefined}
        tabIndex={problems ? 0 : undefined}
        title={problems ? `${problems} problem${problems === 1 ? "" : "s"} to fix before submitting: click to list them` : undefined}
        onClick={problems ? () => selectOnly([]) : undefined}
      >
        {validationError ? (
          <span title={validationError}>⚠ Could not check the pipeline</span>
        ) : validating && !checked ? (
          <span>Checking…</span>
        ) : problems ? (
          <span>
            ⚠ {problems} problem{problems === 1 ? "" : "s"}
            <span className="checks__more"> to fix before submitting</span>
          </span>
        ) : checked && !empty && !running ? (
          <span className="checks__ok">✓ Ready to submit</span>
        ) : null}
      </div>
      <VersionsButton />
      <DesignerShareButtons pipelineId={pipelineId} name={name} workspace={workspace} version={unsavedVersion ? null : baseVersion} />
      <button className="btn" onClick={onOpenRuns}>
        Runs
      </button>
      <button className="btn" onClick={onSave} disabled={empty}>
        Save version
      </button>
      <PublishButton
        canEdit={role === "owner" || role === "editor"}
        workspace={workspace}
        pipelineId={pipelineId}
        pipelineName={name}
        version={baseVersion}
        unsaved={unsavedVersion}
      />
      <DeployButton
        servable={servable}
        canEdit={role === "owner" || role === "editor"}
        pipelineId={pipelineId}
        pipelineName={name}
        workspace={workspace}
        version={baseVersion}
        unsaved={unsavedVersion}
      />
      <button
        className="btn btn--primary"
        onClick={onSubmit}
        disabled={Boolean(blocked) || submitting}
        title={blocked ?? "Run the pipeline (reuses cached results where nothing changed)"}
        data-testid="submit"
      >
        {submitting ? "Submitting…" : "Submit"}
      </button>
    </div>
  );
}

function SaveIndicator() {
  const save = useSession((s) => s.save);
  const error = useSession((s) => s.saveError);
  const base = useSession((s) => s.baseVersion);
  const unsaved = useSession((s) => s.unsavedVersion);
  const text =
    save === "saving" || save === "dirty"
      ? "Saving draft…"
      : save === "error"
        ? "Draft not saved"
        : unsaved
          ? `Draft saved · based on v${base ?? "?"}`
          : `Version ${base ?? "?"}`;
  return (
    <span className={`save-state save-state--${save}`} title={error ?? "Every edit is kept as a draft automatically; Save version names a snapshot."} data-testid="save-state">
      {text}
      {save === "error" && error ? ` — ${error}` : ""}
    </span>
  );
}

function PipelineName({ pipelineId, name }: { pipelineId: number; name: string }) {
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(name);
  if (!editing) {
    return (
      <button className="toolbar__name" title="Rename" onClick={() => { setValue(name); setEditing(true); }}>
        {name}
      </button>
    );
  }
  const commit = async () => {
    setEditing(false);
    const next = value.trim();
    if (!next || next === name) return;
    try {
      await unwrap(api.PATCH("/api/pipelines/{id}/", { params: { path: { id: pipelineId } }, body: { name: next } }), "rename the pipeline");
      client.invalidateQueries({ queryKey: ["pipeline", pipelineId] });
      client.invalidateQueries({ queryKey: ["pipelines"] });
    } catch (e) {
      toast.error(messageOf(e));
    }
  };
  return (
    <input
      className="input input--sm toolbar__name-input"
      autoFocus
      aria-label="Pipeline name"
      value={value}
      onChange={(e) => setValue(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === "Enter") void commit();
        if (e.key === "Escape") setEditing(false);
      }}
    />
  );
}
