/**
 * Save the component open on the canvas as a new version: asks what changed. A version saved by someone
 * else since this one was opened (409) is said plainly, with what can be done; nothing is lost here.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, messageOf } from "../../api/errors";
import { Modal } from "../../app/Modal";
import { toast } from "../../app/toasts";
import { useCurrentWorkspace } from "../../app/workspaceStore";
import { currentComponentDocument, markSaved, useComponentEditor } from "./editor";
import { refreshComponentCatalogue, saveComponentVersion } from "./queries";

interface Props {
  onClose(): void;
  /** Called once saved (going back out after "Save and go back"). */
  onSaved?(): void;
}

/** What a 409 says, in words: the newest version's number (the server attaches it) and what to do. */
export function staleMessage(error: ApiError, title: string, base: number): string {
  const body = error.body as { current_version?: { number?: unknown; message?: unknown } } | null;
  const current = body?.current_version;
  const since = typeof current?.number === "number" ? `version ${current.number}` : "a newer version";
  const what = typeof current?.message === "string" && current.message ? ` (“${current.message}”)` : "";
  return (
    `Someone saved ${since}${what} of ${title} since you opened version ${base}, so yours was not saved. ` +
    "Your edits are still on the canvas: note them, go back, accept the update on the node, open it again and redo them."
  );
}

export function SaveComponentDialog({ onClose, onSaved }: Props) {
  const client = useQueryClient();
  const top = useComponentEditor((s) => s.frames.at(-1));
  const workspace = useCurrentWorkspace((s) => s.current);
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!top) return null;

  const save = async () => {
    const document = currentComponentDocument();
    if (!document) return;
    setBusy(true);
    setError(null);
    try {
      const saved = await saveComponentVersion(top.component, document, message.trim() || "Edited on the canvas", top.version);
      markSaved(saved.number, document);
      if (workspace !== undefined) await refreshComponentCatalogue(client, workspace).catch(() => undefined);
      toast.success(saved.created ? `${top.title}: version ${saved.number} saved.` : `${top.title}: nothing changed, still version ${saved.number}.`);
      onClose();
      onSaved?.();
    } catch (e) {
      setError(e instanceof ApiError && e.status === 409 ? staleMessage(e, top.title, top.version) : messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      title={`Save ${top.title} as a new version`}
      onClose={onClose}
      size="sm"
      footer={
        <>
          <button className="btn" onClick={onClose}>
            Cancel
          </button>
          <button className="btn btn--primary" onClick={() => void save()} disabled={busy}>
            {busy ? "Saving…" : "Save version"}
          </button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <label className="field">
          <span className="field__label">What changed?</span>
          <input
            className="input"
            value={message}
            maxLength={500}
            placeholder="e.g. Impute with the median"
            aria-label="Version message"
            onChange={(e) => setMessage(e.target.value)}
          />
        </label>
        <p className="muted">
          Based on version {top.version}. Pipelines that follow this component are offered the new version; pinned
          ones keep theirs. This node moves to it when you go back.
        </p>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </form>
    </Modal>
  );
}
