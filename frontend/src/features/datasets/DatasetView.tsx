/**
 * One dataset: its versions, and for the chosen version the column profile with charts, or a page of
 * rows; for a file dataset (a zip), the list of its files.
 */
import { useState } from "react";
import { useNavigate } from "react-router";
import { messageOf } from "../../api/errors";
import { ErrorState, Loading } from "../../app/States";
import { StatsTable } from "../inspector/ColumnStats";
import { DataGrid, Pager } from "../inspector/DataGrid";
import { FigureSlot } from "../inspector/FigureSlot";
import { formatBytes, formatCount } from "../inspector/format";
import { useDatasetFigure, useDatasetPreview } from "../inspector/queries";
import { isZipContents } from "../inspector/types";
import { ZipFiles } from "../inspector/ZipFiles";
import { useDataset, useDatasetVersion } from "./queries";
import { ago } from "./time";

type Tab = "profile" | "rows";

export function DatasetView({ datasetId, version }: { datasetId: number; version?: number }) {
  const dataset = useDataset(datasetId);
  const navigate = useNavigate();
  const latest = dataset.data?.latest_version.version;
  const shown = version ?? latest;
  const detail = useDatasetVersion(datasetId, shown);
  const [tab, setTab] = useState<Tab>("profile");
  const [column, setColumn] = useState<string | null | undefined>(undefined);

  if (dataset.isPending) return <Loading label="Opening the dataset…" />;
  if (dataset.isError) {
    return <ErrorState title="The dataset could not be opened" message={messageOf(dataset.error)} onRetry={() => void dataset.refetch()} />;
  }
  const d = dataset.data;
  const summary = d.versions.find((v) => v.version === shown);
  const isFile = summary?.kind === "file";

  return (
    <article className="dataset" aria-label={d.name}>
      <header className="dataset__header">
        <div className="dataset__title">
          <h2>{d.name}</h2>
          {d.description && <p className="dataset__description">{d.description}</p>}
        </div>
        <label className="dataset__version">
          <span>Version</span>
          <select
            className="input input--sm"
            value={shown}
            onChange={(e) => {
              setColumn(undefined);
              navigate(`/datasets/${d.id}/versions/${e.target.value}`);
            }}
          >
            {[...d.versions].reverse().map((v) => (
              <option key={v.version} value={v.version}>
                {v.version}
                {v.version === latest ? " (latest)" : ""}
              </option>
            ))}
          </select>
        </label>
        {shown !== undefined && (
          <a className="btn btn--sm" href={`/api/datasets/${d.id}/versions/${shown}/download/`} download>
            {isFile ? "Download zip" : "Download CSV"}
          </a>
        )}
      </header>
      {summary && (
        <p className="dataset__facts">
          {isFile ? (
            <>
              <strong>Zip file</strong> (a file dataset) ·{" "}
            </>
          ) : (
            <>
              <strong>{formatCount(summary.rows)}</strong> rows · <strong>{formatCount(summary.columns)}</strong> columns ·{" "}
            </>
          )}
          {formatBytes(summary.size_bytes)} · from <span className="mono">{summary.source_name}</span>
          {summary.created_by ? ` by ${summary.created_by}` : ""}, <time dateTime={summary.created_at}>{ago(summary.created_at)}</time>
        </p>
      )}
      {version !== undefined && !summary && (
        <ErrorState title={`There is no version ${version}`} message={`“${d.name}” has versions 1 to ${latest ?? 1}.`} />
      )}
      {summary && isFile && (
        <section aria-label="Files">
          {detail.isPending ? (
            <Loading label="Loading the list of files…" />
          ) : detail.isError ? (
            <ErrorState title="The list of files could not be loaded" message={messageOf(detail.error)} onRetry={() => void detail.refetch()} />
          ) : isZipContents(detail.data.profile) ? (
            <ZipFiles contents={detail.data.profile} />
          ) : null}
        </section>
      )}
      {summary && !isFile && (
        <>
          <div className="tabs" role="tablist" aria-label="View">
            <button role="tab" className="tab" aria-selected={tab === "profile"} onClick={() => setTab("profile")}>
              Profile
            </button>
            <button role="tab" className="tab" aria-selected={tab === "rows"} onClick={() => setTab("rows")}>
              Rows
            </button>
          </div>
          {tab === "profile" ? (
            <div role="tabpanel" aria-label="Profile">
              {detail.isPending ? (
                <Loading label="Loading the profile…" />
              ) : detail.isError ? (
                <ErrorState title="The profile could not be loaded" message={messageOf(detail.error)} onRetry={() => void detail.refetch()} />
              ) : isZipContents(detail.data.profile) ? null : (
                <StatsTable
                  profile={detail.data.profile}
                  selected={column}
                  onSelect={setColumn}
                  detail={(name) => <DatasetColumnChart datasetId={d.id} version={summary.version} column={name} />}
                />
              )}
            </div>
          ) : (
            <div role="tabpanel" aria-label="Rows">
              <DatasetRows
                datasetId={d.id}
                version={summary.version}
                onSelectColumn={(name) => {
                  setColumn(name);
                  setTab("profile");
                }}
              />
            </div>
          )}
        </>
      )}
    </article>
  );
}

function DatasetColumnChart({ datasetId, version, column }: { datasetId: number; version: number; column: string }) {
  const figure = useDatasetFigure(datasetId, version, column);
  return <FigureSlot query={figure} pick={(f) => f} label={`Distribution of ${column}`} />;
}

function DatasetRows({
  datasetId,
  version,
  onSelectColumn,
}: {
  datasetId: number;
  version: number;
  onSelectColumn: (name: string) => void;
}) {
  const [offset, setOffset] = useState(0);
  const [limit, setLimit] = useState(50);
  const page = useDatasetPreview(datasetId, version, offset, limit);
  if (page.isPending) return <Loading label="Loading rows…" />;
  if (page.isError && !page.data) {
    return <ErrorState title="The rows could not be loaded" message={messageOf(page.error)} onRetry={() => void page.refetch()} />;
  }
  const table = page.data;
  return (
    <>
      <DataGrid page={table} stale={page.isPlaceholderData} onSelectColumn={onSelectColumn} />
      <Pager
        total={table.total}
        offset={offset}
        limit={limit}
        onOffset={setOffset}
        onLimit={(n) => {
          setLimit(n);
          setOffset(0);
        }}
      />
    </>
  );
}
