/**
 * The designer's Versions panel: every saved version (number, author, time, message, where it was
 * restored from), newest first. Open one read-only, see what a version changed, compare any two,
 * and (editors) restore one.
 */
import { useEffect, useState } from "react";
import { Link, useNavigate } from "react-router";
import { messageOf } from "../../api/errors";
import type { PipelineVersionSummary } from "../../api/types";
import { Modal } from "../../app/Modal";
import { formatWhen } from "../../app/status";
import { ErrorState, Loading } from "../../app/States";
import { toast } from "../../app/toasts";
import { useRole } from "../endpoints";
import { useSession } from "../canvas/sessionStore";
import { flushDraft } from "../canvas/useDraftSync";
import { loadIntoDesigner, useVersionsPanel } from "./designer";
import { VersionCompare } from "./DiffView";
import { useVersions } from "./queries";
import { RestoreDialog } from "./RestoreDialog";
import "./versions.css";

/** The toolbar button that opens and closes the panel. */
export function VersionsButton() {
  const open = useVersionsPanel((s) => s.open);
  const setOpen = useVersionsPanel((s) => s.setOpen);
  return (
    <button className={`btn${open ? " btn--on" : ""}`} onClick={() => setOpen(!open)} aria-pressed={open} aria-controls="versions-panel">
      Versions
    </button>
  );
}

/** Rendered by the designer; shows the panel while it is open, and closes it when the designer goes. */
export function VersionsPanelHost({ pipelineId, workspace }: { pipelineId: number; workspace: number }) {
  const open = useVersionsPanel((s) => s.open);
  useEffect(() => () => useVersionsPanel.getState().setOpen(false), []);
  return open ? <VersionsPanel pipelineId={pipelineId} workspace={workspace} onClose={() => useVersionsPanel.getState().setOpen(false)} /> : null;
}

interface PanelProps {
  pipelineId: number;
  workspace: number;
  onClose(): void;
}

export function VersionsPanel({ pipelineId, workspace, onClose }: PanelProps) {
  const versions = useVersions(pipelineId);
  const { canEdit } = useRole(workspace);
  const base = useSession((s) => s.baseVersion);
  const unsaved = useSession((s) => s.unsavedVersion);
  const navigate = useNavigate();
  const [picked, setPicked] = useState<number[]>([]);
  const [compare, setCompare] = useState<{ from: number; to: number } | null>(null);
  const [restoring, setRestoring] = useState<number | null>(null);
  const head = versions.data?.[0]?.number;

  const toggle = (n: number) =>
    setPicked((p) => (p.includes(n) ? p.filter((x) => x !== n) : [...p.slice(-1), n]));
  const compareTwo = (a: number, b: number) => setCompare({ from: Math.min(a, b), to: Math.max(a, b) });

  const open = async (n: number) => {
    await flushDraft();
    navigate(`/pipelines/${pipelineId}/versions/${n}`);
  };

  return (
    <aside className="versions-panel" id="versions-panel" aria-label="Versions">
      <div className="versions-panel__head">
        <h2 className="versions-panel__title">Versions</h2>
        <button className="icon-btn" aria-label="Close versions" onClick={onClose}>
          ×
        </button>
      </div>
      <div className="versions-panel__bar">
        <span className="muted">{picked.length === 2 ? `Versions ${Math.min(...picked)} and ${Math.max(...picked)} picked` : "Tick two versions to compare them"}</span>
        <button className="btn btn--sm" disabled={picked.length !== 2} onClick={() => compareTwo(picked[0] as number, picked[1] as number)}>
          Compare
        </button>
      </div>
      <div className="versions-panel__scroll">
        {versions.isPending ? (
          <Loading label="Loading versions…" />
        ) : versions.isError ? (
          <ErrorState title="Versions could not be loaded" message={messageOf(versions.error)} onRetry={() => versions.refetch()} />
        ) : (
          <ol className="version-list">
            {versions.data.map((v) => (
              <VersionItem
                key={v.number}
                v={v}
                isHead={v.number === head}
                isBase={v.number === base}
                picked={picked.includes(v.number)}
                canRestore={canEdit && v.number !== head}
                onPick={() => toggle(v.number)}
                onOpen={() => void open(v.number)}
                onChanges={() => compareTwo(v.number - 1, v.number)}
                onRestore={() => setRestoring(v.number)}
              />
            ))}
          </ol>
        )}
      </div>
      {compare && (
        <Modal title={`Version ${compare.from} → version ${compare.to}`} size="xl" onClose={() => setCompare(null)}>
          <div className="dialog-compare dialog-compare--full">
            <VersionCompare pipelineId={pipelineId} from={compare.from} to={compare.to} />
          </div>
          <Link className="link-btn" to={`/pipelines/${pipelineId}/compare?from=${compare.from}&to=${compare.to}`} onClick={() => void flushDraft()}>
            Open this comparison on its own page
          </Link>
        </Modal>
      )}
      {restoring !== null && (
        <RestoreDialog
          pipelineId={pipelineId}
          number={restoring}
          base={base ?? head ?? null}
          unsavedChanges={unsaved}
          onClose={() => setRestoring(null)}
          onRestored={(saved) => {
            loadIntoDesigner(saved.document, saved.number);
            toast.success(`Version ${restoring} restored as version ${saved.number}.`);
            setRestoring(null);
          }}
          onReload={(current) => {
            loadIntoDesigner(current.document, current.number);
            toast.info(`Loaded version ${current.number}${current.author ? ` by ${current.author}` : ""}.`);
            setRestoring(null);
          }}
        />
      )}
    </aside>
  );
}

interface ItemProps {
  v: PipelineVersionSummary;
  isHead: boolean;
  isBase: boolean;
  picked: boolean;
  canRestore: boolean;
  onPick(): void;
  onOpen(): void;
  onChanges(): void;
  onRestore(): void;
}

function VersionItem({ v, isHead, isBase, picked, canRestore, onPick, onOpen, onChanges, onRestore }: ItemProps) {
  return (
    <li className={`version-item${picked ? " version-item--picked" : ""}`} data-version={v.number}>
      <label className="version-item__pick">
        <input type="checkbox" checked={picked} onChange={onPick} aria-label={`Pick version ${v.number} to compare`} />
      </label>
      <div className="version-item__main">
        <div className="version-item__line">
          <span className="version-item__number">v{v.number}</span>
          {isHead && <span className="tag tag--head">newest</span>}
          {isBase && <span className="tag">on your canvas</span>}
          <span className="version-item__when" title={v.created_at}>
            {formatWhen(v.created_at)}
          </span>
        </div>
        <div className="version-item__meta">
          {v.author ?? "unknown"}
          {v.message ? <span className="version-item__message"> · {v.message}</span> : <span className="muted"> · no message</span>}
        </div>
        {v.restored_from !== null && <div className="version-item__restored">↺ restored from v{v.restored_from}</div>}
        <div className="version-item__actions">
          <button className="btn btn--sm btn--ghost" onClick={onOpen} aria-label={`Open version ${v.number}`}>
            Open
          </button>
          {v.number > 1 && (
            <button className="btn btn--sm btn--ghost" onClick={onChanges} aria-label={`Changes in version ${v.number}`}>
              Changes
            </button>
          )}
          {canRestore && (
            <button className="btn btn--sm btn--ghost" onClick={onRestore} aria-label={`Restore version ${v.number}`}>
              Restore
            </button>
          )}
        </div>
      </div>
    </li>
  );
}
