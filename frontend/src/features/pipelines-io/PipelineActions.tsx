/** The Clone, Export and Import entry points, for the pipelines list and the designer's toolbar. */
import { useId, useRef, useState } from "react";
import { useDismiss } from "../../app/useDismiss";
import type { Pipeline } from "../../api/types";
import { CloneDialog } from "./CloneDialog";
import { ExportCodeButton } from "./ExportCodeButton";
import { ImportDialog } from "./ImportDialog";
import { exportUrl, useEditorWorkspaces } from "./queries";
import "./pipelines-io.css";

/** Clone and Export on one row of the pipelines list. */
export function PipelineRowActions({ pipeline }: { pipeline: Pick<Pipeline, "id" | "name" | "workspace"> }) {
  return <CloneExport pipeline={pipeline} small />;
}

/**
 * Clone, Export and Export as code in the designer, under one "Share" menu (the toolbar has no room for
 * three more buttons beside a live run and the problems): the version on the canvas (when saved), else the
 * newest. The items stay mounted while the menu is closed, so a dialog or a download one of them started
 * goes on after the menu closes.
 */
export function DesignerShareButtons({ pipelineId, name, workspace, version }: { pipelineId: number; name: string; workspace: number; version: number | null }) {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const ref = useRef<HTMLDivElement>(null);
  useDismiss(open, setOpen, ref);
  return (
    <div className="share-menu" ref={ref}>
      <button
        type="button"
        className="btn"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={menuId}
        title="Clone into a new pipeline, or export as JSON or as code"
        onClick={() => setOpen(!open)}
      >
        Share <span aria-hidden>▾</span>
      </button>
      <div className="share-menu__items" role="menu" id={menuId} aria-label="Share" hidden={!open} onClick={() => setOpen(false)}>
        <CloneExport pipeline={{ id: pipelineId, name, workspace }} version={version} menu />
        <ExportCodeButton target={{ pipeline: pipelineId, version }} menu />
      </div>
    </div>
  );
}

function CloneExport({
  pipeline,
  version,
  small = false,
  menu = false,
}: {
  pipeline: Pick<Pipeline, "id" | "name" | "workspace">;
  version?: number | null;
  small?: boolean;
  menu?: boolean;
}) {
  const [cloning, setCloning] = useState(false);
  const canClone = useEditorWorkspaces().length > 0;
  const size = menu ? " share-menu__item" : small ? " btn--sm btn--ghost" : "";
  const role = menu ? "menuitem" : undefined;
  const which = version ? `version ${version}` : "the newest version";
  return (
    <>
      <button
        className={`btn${size}`}
        role={role}
        onClick={() => setCloning(true)}
        disabled={!canClone}
        title={canClone ? `Copy ${which} into a new pipeline` : "You are not an editor in any workspace"}
        aria-label={`Clone ${pipeline.name}`}
      >
        Clone
      </button>
      <a className={`btn${size}`} role={role} href={exportUrl(pipeline.id, version)} download title={`Download ${which} as a JSON file`} aria-label={`Export ${pipeline.name}`}>
        Export
      </a>
      {cloning && <CloneDialog pipeline={pipeline} version={version} onClose={() => setCloning(false)} />}
    </>
  );
}

/** Import, for editors of the workspace (the server refuses viewers anyway). */
export function ImportButton({ workspace, canEdit }: { workspace: number; canEdit: boolean }) {
  const [open, setOpen] = useState(false);
  if (!canEdit) return null;
  return (
    <>
      <button className="btn" onClick={() => setOpen(true)}>
        Import…
      </button>
      {open && <ImportDialog workspace={workspace} onClose={() => setOpen(false)} />}
    </>
  );
}
