/** Keys: two per endpoint, either one regenerable (the other keeps clients working meanwhile). */
import { useState } from "react";
import { messageOf } from "../../api/errors";
import { Modal } from "../../app/Modal";
import { toast } from "../../app/toasts";
import { CopyButton } from "./CopyButton";
import { useRegenerateKey } from "./queries";
import type { Endpoint, KeyName } from "./types";

export function KeysTab({ endpoint, canEdit, role }: { endpoint: Endpoint; canEdit: boolean; role: string | undefined }) {
  const [confirm, setConfirm] = useState<KeyName | null>(null);
  if (!endpoint.keys) {
    return (
      <section className="card">
        <p className="muted">
          Keys are shown to editors and owners of the workspace{role ? `; you are a ${role}` : ""}. Ask one of them for a
          key to call this endpoint.
        </p>
      </section>
    );
  }
  return (
    <section className="card" aria-labelledby="ep-keys">
      <h2 id="ep-keys" className="card__title ep-card-title">
        Authentication keys
      </h2>
      <p className="muted ep-help">
        Send either key as <code>Authorization: Bearer &lt;key&gt;</code>. To rotate without downtime: move clients to
        the secondary key, regenerate the primary, move them back.
      </p>
      <KeyRow name="primary" value={endpoint.keys.primary} canEdit={canEdit} onRegenerate={() => setConfirm("primary")} />
      <KeyRow name="secondary" value={endpoint.keys.secondary} canEdit={canEdit} onRegenerate={() => setConfirm("secondary")} />
      {confirm && <RegenerateDialog endpoint={endpoint} which={confirm} onClose={() => setConfirm(null)} />}
    </section>
  );
}

function mask(value: string): string {
  return value.length > 4 ? `${"•".repeat(Math.min(24, value.length - 4))}${value.slice(-4)}` : "••••";
}

function KeyRow({ name, value, canEdit, onRegenerate }: { name: KeyName; value: string; canEdit: boolean; onRegenerate(): void }) {
  const [shown, setShown] = useState(false);
  const label = `${name[0]!.toUpperCase()}${name.slice(1)} key`;
  return (
    <div className="ep-url" data-testid={`key-${name}`}>
      <div className="ep-url__label">{label}</div>
      <div className="ep-url__row">
        <code className="ep-url__value ep-key" aria-label={label}>
          {shown ? value : mask(value)}
        </code>
        <button className="btn btn--sm" onClick={() => setShown((s) => !s)} aria-pressed={shown} aria-label={`${shown ? "Hide" : "Show"} ${name} key`}>
          {shown ? "Hide" : "Show"}
        </button>
        <CopyButton text={value} what={`${name} key`} />
        {canEdit && (
          <button className="btn btn--sm btn--danger-ghost" onClick={onRegenerate}>
            Regenerate
          </button>
        )}
      </div>
    </div>
  );
}

function RegenerateDialog({ endpoint, which, onClose }: { endpoint: Endpoint; which: KeyName; onClose(): void }) {
  const regenerate = useRegenerateKey(endpoint.id);
  return (
    <Modal
      title={`Regenerate the ${which} key?`}
      onClose={onClose}
      size="sm"
      footer={
        <>
          <button className="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            className="btn btn--danger"
            disabled={regenerate.isPending}
            onClick={() =>
              regenerate.mutate(which, {
                onSuccess: () => {
                  toast.success(`New ${which} key made. Clients still sending the old one are refused.`);
                  onClose();
                },
              })
            }
          >
            {regenerate.isPending ? "Regenerating…" : `Regenerate ${which} key`}
          </button>
        </>
      }
    >
      <p>
        Every client calling <strong>{endpoint.name}</strong> with the current {which} key is refused from now on. The{" "}
        {which === "primary" ? "secondary" : "primary"} key keeps working.
      </p>
      {regenerate.isError && (
        <p className="form-error" role="alert">
          {messageOf(regenerate.error)}
        </p>
      )}
    </Modal>
  );
}
