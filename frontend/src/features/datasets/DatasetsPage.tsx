/**
 * The datasets of the current workspace (the one picked in the top bar): a list to pick from, an upload
 * button for editors, and the picked dataset's profile. Routes: /datasets, /datasets/:id and
 * /datasets/:id/versions/:n.
 */
import { useCallback, useMemo, useState } from "react";
import { NavLink, Route, Routes, useNavigate, useParams } from "react-router";
import { messageOf } from "../../api/errors";
import { useDatasets } from "../../api/queries";
import type { Dataset } from "../../api/types";
import { EmptyState, ErrorState, Loading } from "../../app/States";
import { toast } from "../../app/toasts";
import { useCurrentWorkspace } from "../../app/workspaceStore";
import { useMe } from "../auth";
import { DatasetView } from "./DatasetView";
import { Registrations } from "./Registrations";
import { datasetShape } from "./shape";
import { ago } from "./time";
import { UploadDataset } from "./UploadDataset";
import "../inspector/inspector.css";
import "./datasets.css";

export function DatasetsPage() {
  return (
    <Routes>
      <Route index element={<DatasetsLayout />} />
      <Route path=":datasetId" element={<DatasetsLayout />} />
      <Route path=":datasetId/versions/:version" element={<DatasetsLayout />} />
    </Routes>
  );
}

function positive(text: string | undefined): number | undefined {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function DatasetsLayout() {
  const params = useParams();
  const navigate = useNavigate();
  const me = useMe().data;
  const current = useCurrentWorkspace((s) => s.current);
  const workspaces = me?.workspaces ?? [];
  const workspace = workspaces.find((w) => w.id === current) ?? workspaces[0];
  const datasets = useDatasets(workspace?.id);
  const [filter, setFilter] = useState("");
  const [uploading, setUploading] = useState(false);
  const closeUpload = useCallback(() => setUploading(false), []); // stable: the dialog refocuses when it changes
  const selectedId = positive(params.datasetId);
  const version = positive(params.version);
  const canUpload = workspace?.role === "owner" || workspace?.role === "editor";

  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const all = datasets.data ?? [];
    return needle ? all.filter((d) => `${d.name} ${d.description}`.toLowerCase().includes(needle)) : all;
  }, [datasets.data, filter]);

  if (!workspace) {
    return (
      <div className="page">
        <EmptyState title="You are not a member of any workspace yet">
          Datasets live in a workspace; ask a workspace owner to add you.
        </EmptyState>
      </div>
    );
  }

  const uploaded = (dataset: Dataset) => {
    setUploading(false);
    toast.success(`“${dataset.name}” was uploaded.`);
    navigate(`/datasets/${dataset.id}`);
  };

  return (
    <div className="page datasets-page">
      <header className="datasets-page__header">
        <div>
          <h1>Datasets</h1>
          <p className="muted">
            Tables and zip files in <strong>{workspace.name}</strong>; every upload is kept as an immutable version.
          </p>
        </div>
        <button
          className="btn btn--primary"
          onClick={() => setUploading(true)}
          disabled={!canUpload}
          title={canUpload ? undefined : `You are a ${workspace.role} in ${workspace.name}; uploading needs the editor role.`}
        >
          Upload dataset
        </button>
      </header>
      <div className="datasets-page__body">
        <aside className="dataset-list card" aria-label="Datasets">
          <Registrations workspace={workspace.id} canDismiss={canUpload} />
          <input
            type="search"
            className="input input--sm dataset-list__filter"
            placeholder="Filter by name"
            aria-label="Filter datasets by name"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
          {datasets.isPending ? (
            <Loading label="Loading datasets…" />
          ) : datasets.isError ? (
            <ErrorState title="The datasets could not be loaded" message={messageOf(datasets.error)} onRetry={() => void datasets.refetch()} />
          ) : shown.length === 0 ? (
            <EmptyState title={filter ? "No dataset matches" : "No datasets yet"}>
              {filter ? "Try another name." : canUpload ? "Upload a CSV file (or a .zip of files) to get started." : "An editor can upload one."}
            </EmptyState>
          ) : (
            <ul className="dataset-list__items">
              {shown.map((d) => (
                <li key={d.id}>
                  <NavLink
                    to={`/datasets/${d.id}`}
                    className={() => `dataset-list__item${d.id === selectedId ? " is-active" : ""}`}
                    aria-current={d.id === selectedId ? "page" : undefined}
                  >
                    <span className="dataset-list__name">{d.name}</span>
                    <span className="dataset-list__meta">
                      {datasetShape(d)} · v{d.latest_version.version} · {ago(d.latest_version.created_at)}
                    </span>
                  </NavLink>
                </li>
              ))}
            </ul>
          )}
        </aside>
        <main className="datasets-page__detail">
          {selectedId !== undefined ? (
            <DatasetView key={selectedId} datasetId={selectedId} version={version} />
          ) : (
            <EmptyState title="Pick a dataset">
              A table's columns are profiled: type, missing values, distinct values, statistics and a chart of each.
              A zip's files are listed with their sizes.
            </EmptyState>
          )}
        </main>
      </div>
      {uploading && (
        <UploadDataset
          workspace={workspace.id}
          workspaceName={workspace.name}
          onClose={closeUpload}
          onUploaded={uploaded}
        />
      )}
    </div>
  );
}
