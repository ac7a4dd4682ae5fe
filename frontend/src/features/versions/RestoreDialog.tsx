/**
 * Restore an older version as the new head. When someone saved meanwhile (409), say who and what,
 * and offer to compare their version with the one we started from, reload theirs, or restore on top.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { messageOf } from "../../api/errors";
import type { PipelineVersion, SavedVersion } from "../../api/types";
import { Modal } from "../../app/Modal";
import { formatWhen } from "../../app/status";
import { StaleVersionError } from "./staleVersion";
import { VersionCompare } from "./DiffView";
import { restoreVersion } from "./queries";

interface Props {
  pipelineId: number;
  number: number;
  /** The head version the user is working from (null: do not check). */
  base: number | null;
  /** The canvas has edits not saved as a version; restoring replaces them. */
  unsavedChanges?: boolean;
  onClose(): void;
  onRestored(saved: SavedVersion): void;
  /** Load the newer head someone else saved (after a 409). */
  onReload(current: PipelineVersion): void;
}

export function RestoreDialog({ pipelineId, number, base, unsavedChanges = false, onClose, onRestored, onReload }: Props) {
  const client = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<StaleVersionError | null>(null);
  const [comparing, setComparing] = useState(false);

  async function restore(on: number | null) {
    setBusy(true);
    setError(null);
    try {
      const saved = await restoreVersion(pipelineId, number, on);
      void client.invalidateQueries({ queryKey: ["pipeline-versions", pipelineId] });
      void client.invalidateQueries({ queryKey: ["pipeline", pipelineId] });
      void client.invalidateQueries({ queryKey: ["pipelines"] });
      onRestored(saved);
    } catch (e) {
      if (e instanceof StaleVersionError) {
        setConflict(e);
        void client.invalidateQueries({ queryKey: ["pipeline-versions", pipelineId] });
      } else setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  if (conflict) {
    const head = conflict.current;
    return (
      <Modal
        title="Someone saved a newer version"
        size={comparing ? "xl" : "md"}
        onClose={onClose}
        footer={
          <>
            <button className="btn" onClick={() => setComparing((c) => !c)} aria-pressed={comparing}>
              {comparing ? "Hide differences" : `Compare version ${base ?? "?"} with ${head.number}`}
            </button>
            <span className="modal__footer-spacer" />
            <button className="btn" onClick={() => onReload(head)} disabled={busy}>
              Reload version {head.number}
            </button>
            <button className="btn btn--primary" onClick={() => restore(head.number)} disabled={busy}>
              Restore version {number} on top of {head.number}
            </button>
          </>
        }
      >
        <p role="alert">
          Version {head.number} was saved{head.author ? ` by ${head.author}` : ""} {formatWhen(head.created_at)}
          {head.message ? ` (“${head.message}”)` : ""} after version {base ?? "?"}, the one you are working from.
        </p>
        <p className="muted">Restoring now would hide their change behind version {number}. Look at what they changed, load their version, or restore anyway: history keeps every version.</p>
        {comparing && base !== null && (
          <div className="dialog-compare">
            <VersionCompare pipelineId={pipelineId} from={base} to={head.number} />
          </div>
        )}
        {error && <p className="form-error">{error}</p>}
      </Modal>
    );
  }

  return (
    <Modal
      title={`Restore version ${number}?`}
      size="sm"
      onClose={onClose}
      footer={
        <>
          <button className="btn" onClick={onClose}>
            Cancel
          </button>
          <button className="btn btn--primary" onClick={() => restore(base)} disabled={busy}>
            {busy ? "Restoring…" : `Restore version ${number}`}
          </button>
        </>
      }
    >
      <p>
        Version {number}'s design becomes the newest version{base !== null ? ` (${base + 1})` : ""}. Nothing is deleted: every version stays in the history.
      </p>
      {unsavedChanges && <p className="callout callout--warning">Your canvas has edits that are not saved as a version; restoring replaces them.</p>}
      {error && <p className="form-error">{error}</p>}
    </Modal>
  );
}
