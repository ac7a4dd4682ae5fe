/** Keys: two per endpoint, either one regenerable (the other keeps clients working meanwhile). */
import { useState } from "react";
import { KeyRow, RegenerateKeyDialog } from "./KeyRow";
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

function RegenerateDialog({ endpoint, which, onClose }: { endpoint: Endpoint; which: KeyName; onClose(): void }) {
  const regenerate = useRegenerateKey(endpoint.id);
  return (
    <RegenerateKeyDialog which={which} regenerate={regenerate} refused="Clients" onClose={onClose}>
      <p>
        Every client calling <strong>{endpoint.name}</strong> with the current {which} key is refused from now on. The{" "}
        {which === "primary" ? "secondary" : "primary"} key keeps working.
      </p>
    </RegenerateKeyDialog>
  );
}
