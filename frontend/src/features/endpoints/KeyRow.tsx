/** One key of an endpoint (scoring or pipeline): masked, shown, copied, and the dialog that regenerates it. */
import { useState, type ReactNode } from "react";
import { messageOf } from "../../api/errors";
import { Modal } from "../../app/Modal";
import { toast } from "../../app/toasts";
import { CopyButton } from "./CopyButton";

export type KeyName = "primary" | "secondary";

export function mask(value: string): string {
  return value.length > 4 ? `${"•".repeat(Math.min(24, value.length - 4))}${value.slice(-4)}` : "••••";
}

export function KeyRow({ name, value, canEdit, onRegenerate }: { name: KeyName; value: string; canEdit: boolean; onRegenerate(): void }) {
  const [shown, setShown] = useState(false);
  const label = `${name === "primary" ? "Primary" : "Secondary"} key`;
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

/** The regenerate mutation of either kind of endpoint, as this dialog needs it. */
interface Regenerate {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  mutate(which: KeyName, options: { onSuccess(): void }): void;
}

/** Confirm, then regenerate ``which``; ``children`` says who is refused from now on. */
export function RegenerateKeyDialog({
  which,
  regenerate,
  refused,
  onClose,
  children,
}: {
  which: KeyName;
  regenerate: Regenerate;
  /** Who the toast says is refused after: "Clients", "Callers". */
  refused: string;
  onClose(): void;
  children: ReactNode;
}) {
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
                  toast.success(`New ${which} key made. ${refused} still sending the old one are refused.`);
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
      {children}
      {regenerate.isError && (
        <p className="form-error" role="alert">
          {messageOf(regenerate.error)}
        </p>
      )}
    </Modal>
  );
}
