/** Clone a pipeline version into a new pipeline, here or in another workspace where you are an editor. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { messageOf } from "../../api/errors";
import { Modal } from "../../app/Modal";
import { NewPipelineReport } from "./NewPipelineReport";
import { clonePipeline, useEditorWorkspaces } from "./queries";
import "./pipelines-io.css";

interface Props {
  pipeline: { id: number; name: string; workspace: number };
  /** The version to copy; the newest when absent. */
  version?: number | null;
  onClose(): void;
}

export function CloneDialog({ pipeline, version, onClose }: Props) {
  const client = useQueryClient();
  const targets = useEditorWorkspaces();
  const [name, setName] = useState(`${pipeline.name} (copy)`);
  const [picked, setWorkspace] = useState<number | undefined>(undefined);
  // Until one is picked: this workspace when the user may edit it, else the first they may.
  const workspace = picked ?? (targets.find((w) => w.id === pipeline.workspace) ?? targets[0])?.id;
  const clone = useMutation({
    mutationFn: () =>
      clonePipeline(pipeline.id, { workspace: workspace as number, name: name.trim(), ...(version ? { version } : {}) }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["pipelines"] }),
  });

  if (clone.data) {
    return (
      <Modal title="Pipeline cloned" size="md" onClose={onClose}>
        <NewPipelineReport created={clone.data} verb="Cloned" />
      </Modal>
    );
  }
  const ready = workspace !== undefined && name.trim().length > 0 && !clone.isPending;
  return (
    <Modal
      title={`Clone “${pipeline.name}”`}
      size="sm"
      onClose={onClose}
      footer={
        <>
          <button className="btn" onClick={onClose}>
            Cancel
          </button>
          <button className="btn btn--primary" disabled={!ready} onClick={() => clone.mutate()}>
            {clone.isPending ? "Cloning…" : "Clone"}
          </button>
        </>
      }
    >
      {targets.length === 0 ? (
        <p role="alert">You can clone only into a workspace where you are an editor, and you are not an editor in any. Ask a workspace owner.</p>
      ) : (
        <form
          className="io-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (ready) clone.mutate();
          }}
        >
          <label className="field">
            <span className="field__label">Name</span>
            <input className="input" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
          </label>
          <label className="field">
            <span className="field__label">Into workspace</span>
            <select className="input" value={workspace} onChange={(e) => setWorkspace(Number(e.target.value))}>
              {targets.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.name}
                  {w.id === pipeline.workspace ? " (this workspace)" : ""}
                </option>
              ))}
            </select>
            <span className="field__help">Only workspaces where you are an editor are listed.</span>
          </label>
          <p className="muted">
            Copies {version ? `version ${version}` : "the newest version"}; the new pipeline starts its own history. Datasets
            of another workspace have to be picked again there.
          </p>
          {clone.isError && <p className="form-error">{messageOf(clone.error)}</p>}
        </form>
      )}
    </Modal>
  );
}
