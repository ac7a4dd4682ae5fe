/**
 * One saved version, read-only on the canvas: who saved it and why, each module's parameters one
 * click away, compare it with another version, and (editors) restore it as the newest.
 */
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { messageOf } from "../../api/errors";
import { usePipeline, usePipelineVersion } from "../../api/queries";
import type { PipelineDocument } from "../../api/types";
import { formatWhen } from "../../app/status";
import { ErrorState, Loading } from "../../app/States";
import { toast } from "../../app/toasts";
import { useRole } from "../endpoints";
import { DiffCanvas } from "./DiffCanvas";
import { formatValue, paramTitle } from "./diffModel";
import { nodeLabel, useModuleIndex } from "./modules";
import { useVersions } from "./queries";
import { RestoreDialog } from "./RestoreDialog";
import "../canvas/canvas.css";
import "./versions.css";

export function VersionPage() {
  const params = useParams();
  const pipelineId = Number(params.pipelineId);
  const number = Number(params.number);
  const pipeline = usePipeline(pipelineId);
  const version = usePipelineVersion(pipelineId, number);
  const versions = useVersions(pipelineId);
  const { canEdit } = useRole(pipeline.data?.workspace);
  const navigate = useNavigate();
  const [selected, setSelected] = useState<string | null>(null);
  const [restoring, setRestoring] = useState(false);

  const error = pipeline.error ?? version.error;
  if (error) return <ErrorState title="This version cannot be opened" message={messageOf(error)} />;
  if (!pipeline.data || !version.data) return <Loading label={`Opening version ${number}…`} />;
  const p = pipeline.data;
  const v = version.data;
  const doc = v.document as PipelineDocument;
  const head = p.head.number;
  const others = (versions.data ?? []).filter((o) => o.number !== number);

  return (
    <div className="designer designer--readonly" data-testid="version-page">
      <div className="toolbar" role="toolbar" aria-label="Version">
        <div className="toolbar__where">
          <Link to={`/pipelines/${pipelineId}`} className="toolbar__crumb">
            {p.name}
          </Link>
          <span className="toolbar__sep" aria-hidden>
            /
          </span>
          <span className="toolbar__title">
            Version {v.number}{" "}
            <span className="muted">
              · {formatWhen(v.created_at)} by {v.author ?? "unknown"}
              {v.message ? ` · “${v.message}”` : ""}
              {v.restored_from !== null ? ` · restored from v${v.restored_from}` : ""}
            </span>
          </span>
          <span className="readonly-badge">{v.number === head ? "Newest · read-only" : "Read-only"}</span>
        </div>
        <span className="toolbar__spacer" />
        {others.length > 0 && (
          <label className="toolbar__select">
            <span className="muted">Compare with</span>
            <select
              className="input input--sm"
              aria-label="Compare with version"
              value=""
              onChange={(e) => {
                const other = Number(e.target.value);
                if (other) navigate(`/pipelines/${pipelineId}/compare?from=${Math.min(other, number)}&to=${Math.max(other, number)}`);
              }}
            >
              <option value="">version…</option>
              {others.map((o) => (
                <option key={o.number} value={o.number}>
                  v{o.number}
                  {o.message ? ` · ${o.message.slice(0, 40)}` : ""}
                </option>
              ))}
            </select>
          </label>
        )}
        <Link className="btn" to={`/pipelines/${pipelineId}`}>
          Open in designer
        </Link>
        {canEdit && v.number !== head && (
          <button className="btn btn--primary" onClick={() => setRestoring(true)}>
            Restore this version
          </button>
        )}
      </div>
      <div className="designer__body designer__body--no-palette">
        <main className="designer__canvas" aria-label="Canvas">
          <DiffCanvas document={doc} selected={selected} onSelect={setSelected} label={`Version ${v.number}`} />
        </main>
        <NodeParams doc={doc} nodeId={selected} />
      </div>
      {restoring && (
        <RestoreDialog
          pipelineId={pipelineId}
          number={v.number}
          base={head}
          onClose={() => setRestoring(false)}
          onRestored={(saved) => {
            toast.success(`Version ${v.number} restored as version ${saved.number}.`);
            navigate(`/pipelines/${pipelineId}`);
          }}
          onReload={(current) => {
            setRestoring(false);
            void pipeline.refetch();
            navigate(`/pipelines/${pipelineId}/versions/${current.number}`);
          }}
        />
      )}
    </div>
  );
}

/** The side panel: the picked module's parameters, or how to pick one. */
function NodeParams({ doc, nodeId }: { doc: PipelineDocument; nodeId: string | null }) {
  const index = useModuleIndex();
  const node = nodeId ? doc.nodes.find((n) => n.id === nodeId) : undefined;
  if (!node) {
    return (
      <aside className="panel" aria-label="Module">
        <div className="panel__section">
          <div className="panel__label">This version</div>
          <p>
            {doc.nodes.length} module{doc.nodes.length === 1 ? "" : "s"}, {doc.edges.length} connection{doc.edges.length === 1 ? "" : "s"}.
          </p>
          <p className="muted">Click a module to see its parameters as they were saved in this version.</p>
        </div>
      </aside>
    );
  }
  const { name, module } = nodeLabel(index, node.id, [doc]);
  const entries = Object.entries(node.params ?? {});
  return (
    <aside className="panel" aria-label="Module">
      <div className="panel__head">
        <div className="panel__head-text">
          <div className="panel__title">{name}</div>
          <div className="panel__subtitle">
            {node.id} · {node.module} v{node.version}
          </div>
        </div>
      </div>
      <div className="panel__scroll">
        <div className="panel__section">
          <div className="panel__label">Parameters</div>
          {entries.length === 0 ? (
            <p className="muted">No parameters set (the module's defaults apply).</p>
          ) : (
            <dl className="param-list">
              {entries.map(([k, value]) => (
                <div key={k}>
                  <dt title={k}>{paramTitle(module, k)}</dt>
                  <dd>
                    <code>{formatValue(value, 200)}</code>
                  </dd>
                </div>
              ))}
            </dl>
          )}
          {node.regenerate && <p className="muted">Regenerate output: on (never reused from an earlier run).</p>}
        </div>
      </div>
    </aside>
  );
}
