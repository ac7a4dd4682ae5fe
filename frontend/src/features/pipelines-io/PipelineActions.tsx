/** The Clone, Export and Import entry points, for the pipelines list and the designer's toolbar. */
import { useState } from "react";
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

/** Clone, Export and Export as code in the designer: the version on the canvas (when saved), else the newest. */
export function DesignerShareButtons({ pipelineId, name, workspace, version }: { pipelineId: number; name: string; workspace: number; version: number | null }) {
  return (
    <>
      <CloneExport pipeline={{ id: pipelineId, name, workspace }} version={version} />
      <ExportCodeButton target={{ pipeline: pipelineId, version }} />
    </>
  );
}

function CloneExport({ pipeline, version, small = false }: { pipeline: Pick<Pipeline, "id" | "name" | "workspace">; version?: number | null; small?: boolean }) {
  const [cloning, setCloning] = useState(false);
  const canClone = useEditorWorkspaces().length > 0;
  const size = small ? " btn--sm btn--ghost" : "";
  const which = version ? `version ${version}` : "the newest version";
  return (
    <>
      <button
        className={`btn${size}`}
        onClick={() => setCloning(true)}
        disabled={!canClone}
        title={canClone ? `Copy ${which} into a new pipeline` : "You are not an editor in any workspace"}
        aria-label={`Clone ${pipeline.name}`}
      >
        Clone
      </button>
      <a className={`btn${size}`} href={exportUrl(pipeline.id, version)} download title={`Download ${which} as a JSON file`} aria-label={`Export ${pipeline.name}`}>
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
