/**
 * What a node produced, shown by port type: tables as a paged grid with column statistics and charts,
 * metrics as values and evaluation charts, zips as the list of their files, models as a summary card.
 * Each view has a download link.
 */
import { useState } from "react";
import { messageOf } from "../../api/errors";
import { EmptyState, ErrorState, Loading } from "../../app/States";
import { StatsTable } from "./ColumnStats";
import { DataGrid, Pager } from "./DataGrid";
import { formatBytes, formatCount, formatNumber, formatStat } from "./format";
import { ChartPlaceholder, FigureSlot } from "./FigureSlot";
import { LoggedValues } from "./LoggedValues";
import { PlotlyFigure } from "./PlotlyFigure";
import { type OutputRef, outputUrl, useOutput, useOutputFigures, useOutputProfile, useTableCharts } from "./queries";
import { isZipContents, type EvaluatedModel, type FigureSpec, type MetricsBody } from "./types";
import { ZipFiles } from "./ZipFiles";
import "./inspector.css";

export interface OutputInspectorProps {
  runId: number;
  nodeId: string;
  port: string;
  portType: string;
}

export function OutputInspector({ runId, nodeId, port, portType }: OutputInspectorProps) {
  const ref: OutputRef = { runId, nodeId, port };
  const key = `${runId}/${nodeId}/${port}`; // a different output starts from a fresh state
  switch (portType) {
    case "table":
      return <TableOutput key={key} output={ref} />;
    case "metrics":
      return <MetricsOutput key={key} output={ref} />;
    case "zip_file":
      return <ZipOutput key={key} output={ref} />;
    default:
      return <ModelOutput key={key} output={ref} portType={portType} />;
  }
}

function DownloadLink({ output, label }: { output: OutputRef; label: string }) {
  return (
    <a className="btn btn--sm" href={outputUrl(output, "download/")} download>
      {label}
    </a>
  );
}

// -- tables ------------------------------------------------------------------------------------------

type TableTab = "rows" | "columns" | "charts";

function TableOutput({ output }: { output: OutputRef }) {
  const [tab, setTab] = useState<TableTab>("rows");
  const [offset, setOffset] = useState(0);
  const [limit, setLimit] = useState(50);
  const [column, setColumn] = useState<string | null | undefined>(undefined);
  const page = useOutput(output, offset, limit);
  const profile = useOutputProfile(output, tab === "columns");
  const charts = useTableCharts(output);
  const chartNames = Object.keys(charts.data ?? {});
  const table = page.data?.table;

  if (page.isPending) return <Loading label="Loading rows…" />;
  if (page.isError && !table) {
    return <ErrorState title="The rows could not be loaded" message={messageOf(page.error)} onRetry={() => void page.refetch()} />;
  }
  if (!table) return <EmptyState title="This output holds no table" />;

  const pick = (name: string) => {
    setColumn(name);
    setTab("columns");
  };

  return (
    <div className="inspector">
      <div className="inspector__bar">
        <span className="inspector__shape">
          {formatCount(table.total)} rows × {formatCount(table.columns.length)} columns
        </span>
        <div className="tabs" role="tablist" aria-label="View">
          <button role="tab" aria-selected={tab === "rows"} className="tab" onClick={() => setTab("rows")}>
            Rows
          </button>
          <button role="tab" aria-selected={tab === "columns"} className="tab" onClick={() => setTab("columns")}>
            Column statistics
          </button>
          {chartNames.length > 0 && (
            <button role="tab" aria-selected={tab === "charts"} className="tab" onClick={() => setTab("charts")}>
              Charts
            </button>
          )}
        </div>
        <span className="inspector__spacer" />
        <DownloadLink output={output} label="Download CSV" />
      </div>
      {tab === "charts" && charts.data ? (
        <div role="tabpanel" aria-label="Charts" className="chart-grid">
          {chartNames.map((name) => (
            <section key={name} className="card chart-card" aria-label={CHART_LABELS[name] ?? name}>
              <PlotlyFigure figure={charts.data[name] as FigureSpec} label={CHART_LABELS[name] ?? name} />
            </section>
          ))}
        </div>
      ) : tab === "rows" ? (
        <div role="tabpanel" aria-label="Rows">
          <DataGrid page={table} stale={page.isPlaceholderData} selected={column} onSelectColumn={pick} />
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
        </div>
      ) : (
        <div role="tabpanel" aria-label="Column statistics">
          {profile.isPending ? (
            <Loading label="Computing column statistics…" />
          ) : profile.isError ? (
            <ErrorState title="The statistics could not be computed" message={messageOf(profile.error)} onRetry={() => void profile.refetch()} />
          ) : (
            <StatsTable
              profile={profile.data}
              selected={column}
              onSelect={setColumn}
              detail={(name) => <OutputColumnChart output={output} column={name} />}
            />
          )}
        </div>
      )}
    </div>
  );
}

function OutputColumnChart({ output, column }: { output: OutputRef; column: string }) {
  const figures = useOutputFigures(output, column);
  return <FigureSlot query={figures} pick={(f) => f.column} label={`Distribution of ${column}`} />;
}

// -- metrics -----------------------------------------------------------------------------------------

const CHART_LABELS: Record<string, string> = {
  roc: "ROC curve",
  precision_recall: "Precision-recall curve",
  confusion_matrix: "Confusion matrix",
  threshold: "Metrics by threshold",
  predicted_vs_actual: "Predicted vs actual",
  residuals: "Residuals",
  sweep_by_trial: "Sweep: metric by trial",
  feature_scores: "Feature scores",
  clusters: "Clusters",
  lift: "Lift",
  training: "Training curve",
};

/** A chart of a script's Logged values: "metric:loss" is the loss by step, "image:x" the Plotly figure x. */
function chartLabel(name: string): string {
  if (name.startsWith("metric:")) return `${name.slice(7)} by step`;
  if (name.startsWith("image:")) return name.slice(6);
  return CHART_LABELS[name] ?? name;
}

const TASKS: Record<string, string> = {
  binary: "Two-class classification",
  multiclass: "Multiclass classification",
  regression: "Regression",
  logged: "Logged by the script",
};

function MetricsOutput({ output }: { output: OutputRef }) {
  const body = useOutput(output);
  const figures = useOutputFigures(output, null);
  if (body.isPending) return <Loading label="Loading metrics…" />;
  if (body.isError) {
    return <ErrorState title="The metrics could not be loaded" message={messageOf(body.error)} onRetry={() => void body.refetch()} />;
  }
  const metrics = body.data.metrics;
  if (!metrics) return <EmptyState title="This output holds no metrics" />;
  const names = Object.keys(figures.data ?? {});

  return (
    <div className="inspector">
      <div className="inspector__bar">
        <span className="inspector__shape">
          {TASKS[metrics.task] ?? "Metrics"}
          {typeof metrics.detail.rows === "number" && ` · ${formatCount(metrics.detail.rows)} scored rows`}
        </span>
        <span className="inspector__spacer" />
        <DownloadLink output={output} label="Download JSON" />
      </div>
      {metrics.task === "logged" && Object.keys(metrics.values).length === 0 && !Object.keys(metrics.detail.tables ?? {}).length && !Object.keys(metrics.detail.images ?? {}).length ? (
        <EmptyState title="The script logged nothing">Call tessera.log_metric, log_table or log_image in the script to see values here.</EmptyState>
      ) : (
        <MetricsTable metrics={metrics} models={body.data.models} />
      )}
      {metrics.task === "logged" && <LoggedValues detail={metrics.detail} />}
      {figures.isPending ? (
        <ChartPlaceholder label="Preparing the charts…" />
      ) : figures.isError ? (
        <ErrorState title="The charts could not be made" message={messageOf(figures.error)} onRetry={() => void figures.refetch()} />
      ) : names.length === 0 ? null : (
        <div className="chart-grid">
          {names.map((name) => (
            <section key={name} className="card chart-card" aria-label={chartLabel(name)}>
              <PlotlyFigure figure={figures.data[name] as FigureSpec} label={chartLabel(name)} />
            </section>
          ))}
        </div>
      )}
    </div>
  );
}

/** The metrics, one column per model (both models side by side when Evaluate Model compared two), each
 * headed by its learner's name when the server named it. */
export function MetricsTable({ metrics, models }: { metrics: MetricsBody; models?: readonly EvaluatedModel[] }) {
  const compare = metrics.detail.compare as { values?: Record<string, unknown> } | undefined;
  const other = compare?.values;
  const first = models?.[0]?.label ?? (other ? "Left input" : "Value");
  const second = models?.[1]?.label ?? "Right input";
  return (
    <table className="metrics" data-testid="evaluation-metrics">
      <thead>
        <tr>
          <th scope="col">Metric</th>
          <th scope="col" className="num">
            {first}
          </th>
          {other && (
            <th scope="col" className="num">
              {second}
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {ordered(metrics.values).map(([name, value]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td className="num">{metricText(value)}</td>
            {other && <td className="num">{metricText(other[name])}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The order Evaluate Model documents (the stored JSON has its keys sorted); unknown names keep theirs, last. */
const METRIC_ORDER = [
  "Accuracy",
  "Precision",
  "Recall",
  "F1 Score",
  "AUC",
  "Threshold",
  "Mean Absolute Error",
  "Root Mean Squared Error",
  "Relative Absolute Error",
  "Relative Squared Error",
  "Coefficient of Determination",
  "Overall Accuracy",
  "Micro-averaged Precision",
  "Macro-averaged Precision",
  "Micro-averaged Recall",
  "Macro-averaged Recall",
];

function ordered(values: Record<string, unknown>): [string, unknown][] {
  const rank = (name: string) => {
    const i = METRIC_ORDER.indexOf(name);
    return i === -1 ? METRIC_ORDER.length : i;
  };
  return Object.entries(values).sort(([a], [b]) => rank(a) - rank(b));
}

function metricText(value: unknown): string {
  if (value === null || value === undefined) return "n/a";
  return typeof value === "number" ? formatNumber(value) : formatStat(value);
}

// -- zips ---------------------------------------------------------------------------------------------

function ZipOutput({ output }: { output: OutputRef }) {
  const body = useOutput(output);
  if (body.isPending) return <Loading label="Reading the zip…" />;
  if (body.isError) {
    return <ErrorState title="The zip could not be read" message={messageOf(body.error)} onRetry={() => void body.refetch()} />;
  }
  const summary = body.data.summary;
  return (
    <div className="inspector">
      <div className="inspector__bar">
        <span className="inspector__shape">Zip file · {formatBytes(body.data.size)}</span>
        <span className="inspector__spacer" />
        <DownloadLink output={output} label="Download zip" />
      </div>
      {isZipContents(summary) ? (
        <ZipFiles contents={summary} />
      ) : (
        <EmptyState title="The list of files is not available">Download the zip to see what it holds.</EmptyState>
      )}
    </div>
  );
}

// -- models and transformations ----------------------------------------------------------------------

const SUMMARY_LABELS: [string, string][] = [
  ["name", "Name"],
  ["learner", "Learner"],
  ["estimator", "Estimator"],
  ["task", "Task"],
  ["label_column", "Label column"],
  ["kind", "Transformation"],
];

function ModelOutput({ output, portType }: { output: OutputRef; portType: string }) {
  const body = useOutput(output);
  const charts = useTableCharts(output); // a trained network's training curve; other models have none
  if (body.isPending) return <Loading label="Loading the summary…" />;
  if (body.isError) {
    return <ErrorState title="The summary could not be loaded" message={messageOf(body.error)} onRetry={() => void body.refetch()} />;
  }
  const summary = body.data.summary ?? {};
  const features = Array.isArray(summary.feature_columns) ? (summary.feature_columns as string[]) : [];
  const classes = Array.isArray(summary.classes) ? (summary.classes as unknown[]) : [];
  const parameters = (summary.parameters ?? {}) as Record<string, string>;
  const spec = summary.spec as Record<string, unknown> | undefined;
  return (
    <div className="inspector">
      <div className="inspector__bar">
        <span className="inspector__shape">
          {portType.replace(/_/g, " ")} · {formatBytes(body.data.size)}
        </span>
        <span className="inspector__spacer" />
        <DownloadLink output={output} label="Download" />
      </div>
      {charts.data?.training && (
        <section className="card chart-card" aria-label="Training curve">
          <PlotlyFigure figure={charts.data.training as FigureSpec} label="Training curve" />
        </section>
      )}
      <section className="card summary-card" aria-label="Summary">
        <dl className="summary">
          {SUMMARY_LABELS.filter(([k]) => summary[k] !== undefined && summary[k] !== "").map(([k, label]) => (
            <div key={k} className="summary__row">
              <dt>{label}</dt>
              <dd>{TASKS[String(summary[k])] ?? formatStat(summary[k])}</dd>
            </div>
          ))}
          {classes.length > 0 && (
            <div className="summary__row">
              <dt>Classes</dt>
              <dd>{classes.map((c) => formatStat(c)).join(", ")}</dd>
            </div>
          )}
          {features.length > 0 && (
            <div className="summary__row">
              <dt>Features ({features.length})</dt>
              <dd className="chips">
                {features.map((f) => (
                  <span key={f} className="chip">
                    {f}
                  </span>
                ))}
              </dd>
            </div>
          )}
        </dl>
        {Object.keys(parameters).length > 0 && (
          <details className="summary__params">
            <summary>Parameters ({Object.keys(parameters).length})</summary>
            <table className="metrics">
              <tbody>
                {Object.entries(parameters).map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    <td>
                      <code>{v}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        )}
        {spec && (
          <details className="summary__params">
            <summary>Specification</summary>
            <pre className="summary__spec">{JSON.stringify(spec, null, 2)}</pre>
          </details>
        )}
      </section>
    </div>
  );
}
