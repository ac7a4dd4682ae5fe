/**
 * Save the canvas as a named version. A stale save (someone saved since this draft was based)
 * is refused by the server; the dialog then explains and offers the two ways out.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { ApiError, messageOf } from "../../api/errors";
import type { PipelineDocument, PipelineVersion } from "../../api/types";
import { Modal } from "../../app/Modal";
import { toast } from "../../app/toasts";
import { useGraph } from "./graphStore";
import { useSession } from "./sessionStore";
import { flushDraft, pipelineDocument } from "./useDraftSync";
import { useValidation } from "./validationStore";
import { VersionCompare } from "../versions/DiffView";
import { StaleVersionError } from "../versions/staleVersion";


/** POST a version based on the session's base version; 409 becomes StaleVersionError. */
export async function saveVersion(pipelineId: number, message: string, base: number | null): Promise<number> {
  const document = pipelineDocument();
  try {
    const saved = await unwrap(
      api.POST("/api/pipelines/{id}/versions/", {
        params: { path: { id: pipelineId } },
        body: { document, message, ...(base !== null ? { base_version: base } : {}) },
      }),
      "save the version",
    );
    useSession.getState().markVersionSaved(saved.number);
    useValidation.getState().setProblems(saved.validation.problems);
    return saved.number;
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) {
      const body = error.body as { detail?: string; current_version?: PipelineVersion };
      if (body.current_version) throw new StaleVersionError(body.detail ?? error.message, body.current_version);
    }
    throw error;
  }
}

interface Props {
  pipelineId: number;
  onClose(): void;
  /** Set when a submit ran into a stale base version. */
  initialConflict?: StaleVersionError | null;
}

export function SaveVersionDialog({ pipelineId, onClose, initialConflict = null }: Props) {
  const client = useQueryClient();
  const base = useSession((s) => s.baseVersion);
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<StaleVersionError | null>(initialConflict);
  const [reviewing, setReviewing] = useState(false);

  async function save(baseVersion: number | null) {
    setBusy(true);
    setError(null);
    try {
      await flushDraft();
      const number = await saveVersion(pipelineId, message.trim(), baseVersion);
      toast.success(`Saved as version ${number}.`);
      client.invalidateQueries({ queryKey: ["pipeline", pipelineId] });
      client.invalidateQueries({ queryKey: ["pipelines"] });
      onClose();
    } catch (e) {
      if (e instanceof StaleVersionError) setConflict(e);
      else setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  function loadTheirs() {
    if (!conflict) return;
    useGraph.getState().load(conflict.current.document as PipelineDocument);
    useSession.getState().markVersionSaved(conflict.current.number);
    toast.info(`Loaded version ${conflict.current.number}. Your changes were discarded.`);
    onClose();
  }

  if (conflict) {
    const v = conflict.current;
    return (
      <Modal
        title="Someone saved a newer version"
        onClose={onClose}
        size={reviewing ? "xl" : "md"}
        footer={
          <>
            {base !== null && (
              <button className="btn" onClick={() => setReviewing((r) => !r)} aria-pressed={reviewing}>
                {reviewing ? "Hide differences" : "Review differences"}
              </button>
            )}
            <button className="btn" onClick={loadTheirs} disabled={busy}>
              Load version {v.number} (discard mine)
            </button>
            <button className="btn btn--primary" onClick={() => save(v.number)} disabled={busy}>
              Save mine as version {v.number + 1}
            </button>
          </>
        }
      >
        <p>
          Your canvas is based on version {base ?? "?"}, but version {v.number} was saved
          {v.author ? ` by ${v.author}` : ""} {v.message ? `(“${v.message}”)` : ""} since.
        </p>
        <p className="muted">
          Saving yours on top keeps their version in the history; loading theirs replaces what is on your canvas.
        </p>
        {reviewing && base !== null && <div className="dialog-compare"><VersionCompare pipelineId={pipelineId} from={base} to={v.number} /></div>}
        {error && <p className="form-error">{error}</p>}
      </Modal>
    );
  }

  return (
    <Modal
      title="Save a version"
      onClose={onClose}
      size="sm"
      footer={
        <>
          <button className="btn" onClick={onClose}>
            Cancel
          </button>
          <button className="btn btn--primary" onClick={() => save(base)} disabled={busy}>
            {busy ? "Saving…" : "Save version"}
          </button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save(base);
        }}
      >
        <label className="field">
          <span className="field__label">What changed?</span>
          <input
            className="input"
            value={message}
            maxLength={500}
            placeholder="e.g. Stratified split, stronger regularization"
            onChange={(e) => setMessage(e.target.value)}
          />
        </label>
        <p className="muted">
          Your edits are already kept as a draft. A version is a named, permanent snapshot that runs and teammates can
          refer to.
        </p>
        {error && <p className="form-error">{error}</p>}
      </form>
    </Modal>
  );
}
