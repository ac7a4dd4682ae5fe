/**
 * Import an exported pipeline file into a workspace. The server's report is shown as it is: refused
 * with every problem listed (nothing created), or created with the problems still to fix.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, messageOf } from "../../api/errors";
import { Modal } from "../../app/Modal";
import { NewPipelineReport } from "./NewPipelineReport";
import { ProblemList } from "./Problems";
import { importPipeline, useEditorWorkspaces } from "./queries";
import "./pipelines-io.css";

const MAX_BYTES = 2 * 1024 * 1024;

export function ImportDialog({ workspace, onClose }: { workspace: number; onClose(): void }) {
  const client = useQueryClient();
  const targets = useEditorWorkspaces();
  const [picked, setTarget] = useState<number | undefined>(undefined);
  const target = picked ?? (targets.find((w) => w.id === workspace) ?? targets[0])?.id;
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState("");
  const upload = useMutation({
    mutationFn: () => importPipeline(target as number, file as File, name),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["pipelines"] }),
  });
  const tooLarge = file !== null && file.size > MAX_BYTES;

  if (upload.data) {
    return (
      <Modal title="Pipeline imported" size="md" onClose={onClose}>
        <NewPipelineReport created={upload.data} verb="Imported" />
      </Modal>
    );
  }

  const refused = upload.error instanceof ApiError && upload.error.status === 400 ? upload.error : null;
  const ready = target !== undefined && file !== null && !tooLarge && !upload.isPending;
  return (
    <Modal
      title="Import a pipeline"
      size={refused ? "md" : "sm"}
      onClose={onClose}
      footer={
        <>
          <button className="btn" onClick={onClose}>
            Cancel
          </button>
          <button className="btn btn--primary" disabled={!ready} onClick={() => upload.mutate()}>
            {upload.isPending ? "Importing…" : "Import"}
          </button>
        </>
      }
    >
      <form
        className="io-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (ready) upload.mutate();
        }}
      >
        <label className="field">
          <span className="field__label">Export file</span>
          <input
            className="input"
            type="file"
            accept=".json,application/json"
            aria-label="Export file"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              upload.reset();
            }}
          />
          <span className="field__help">A .tessera.json file from Export (or a bare pipeline document), at most 2 MB.</span>
          {tooLarge && <span className="field__error">This file is larger than 2 MB.</span>}
        </label>
        <label className="field">
          <span className="field__label">Into workspace</span>
          <select className="input" value={target} onChange={(e) => setTarget(Number(e.target.value))}>
            {targets.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">Name (optional)</span>
          <input className="input" value={name} maxLength={200} placeholder="Default: the name in the file" onChange={(e) => setName(e.target.value)} />
        </label>
      </form>
      {refused ? (
        <div className="io-report io-report--refused" role="alert" data-testid="io-refused">
          <p className="io-report__title">Refused: nothing was imported.</p>
          <p>{typeof (refused.body as { detail?: unknown })?.detail === "string" ? (refused.body as { detail: string }).detail : refused.message}</p>
          {refused.problems.length > 0 && <ProblemList problems={refused.problems} label="Why it was refused" />}
        </div>
      ) : (
        upload.isError && <p className="form-error" role="alert">{messageOf(upload.error)}</p>
      )}
    </Modal>
  );
}
