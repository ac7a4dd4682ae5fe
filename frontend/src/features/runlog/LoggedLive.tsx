/**
 * The node panel's view of what a script logs (`tessera.log_metric`, `log_table`, `log_image`): each metric's
 * latest value and, once it has two steps, its line chart, growing while the script runs. The records so far
 * are read once from `/api/runs/<id>/nodes/<node>/live/` (and again when the node finishes); the run's
 * socket brings each new one (`NodeRunState.live`). Tables and images are in the Logged values output.
 */
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { api, unwrap } from "../../api/client";
import { messageOf } from "../../api/errors";
import { PlotlyFigure } from "../inspector/PlotlyFigure";
import { hasLogged, mergeLogged, metricFigure, readLogged, SERIES } from "./logged";
import "./runlog.css";

/** Modules whose scripts can log (script components are placed as script_component nodes). */
export const LOGGING_MODULES = new Set(["execute_python_script", "script_component"]);
const SHOWN = new Set(["running", "completed", "failed", "cancelled"]);

interface Props {
  runId: number;
  nodeId: string;
  status: string;
  /** The records the socket brought since it attached. */
  streamed: Record<string, unknown>;
}

export function LoggedLive({ runId, nodeId, status, streamed }: Props) {
  const shown = SHOWN.has(status);
  const fetched = useQuery({
    queryKey: ["logged-live", runId, nodeId, status === "running" ? "running" : "done"],
    enabled: shown,
    queryFn: async () =>
      unwrap(
        api.GET("/api/runs/{id}/nodes/{node_id}/live/", { params: { path: { id: String(runId), node_id: nodeId } } }),
        "read what the script logged",
      ) as Promise<{ live?: Record<string, unknown> }>,
  });
  const live = useMemo(() => mergeLogged(fetched.data?.live ?? {}, streamed), [fetched.data, streamed]);
  const logged = useMemo(() => readLogged(live), [live]);
  // One figure object per change of the records: PlotlyFigure redraws whenever it gets a new one.
  const figures = useMemo(() => {
    const names = Object.keys(logged.metrics);
    return names
      .filter((name) => (logged.metrics[name]?.length ?? 0) > 1)
      .map((name) => ({ name, figure: metricFigure(name, logged.metrics[name] ?? [], SERIES[names.indexOf(name) % SERIES.length]) }));
  }, [logged]);
  if (!shown) return null;
  if (fetched.isError) {
    return (
      <div className="panel__section" aria-label="Logged values">
        <h3 className="panel__label">Logged values</h3>
        <p className="muted" role="alert">
          {messageOf(fetched.error)}
        </p>
      </div>
    );
  }
  if (!hasLogged(live)) return null;
  const running = status === "running";
  const names = Object.keys(logged.metrics);
  return (
    <div className="panel__section logged" aria-label="Logged values" data-testid="logged-values">
      <h3 className="panel__label">Logged values{running ? " (live)" : ""}</h3>
      {names.length > 0 && (
        <table className="metrics logged__latest">
          <thead>
            <tr>
              <th scope="col">Metric</th>
              <th scope="col" className="num">
                Latest
              </th>
              <th scope="col" className="num">
                Step
              </th>
            </tr>
          </thead>
          <tbody>
            {names.map((name) => {
              const points = logged.metrics[name] ?? [];
              const last = points[points.length - 1];
              return (
                <tr key={name} data-metric={name}>
                  <th scope="row">{name}</th>
                  <td className="num">{last ? formatValue(last[1]) : "—"}</td>
                  <td className="num">{last ? last[0] : "—"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {figures.map(({ name, figure }) => (
        <section key={name} className="logged__chart" aria-label={`${name} by step`}>
          <PlotlyFigure figure={figure} label={`${name} by step`} height={240} />
        </section>
      ))}
      {(logged.tables.length > 0 || logged.images.length > 0) && (
        <p className="muted logged__more">
          {[
            ...logged.tables.map((t) => `table ${t.name} (${t.total} rows)`),
            ...logged.images.map((i) => `${i.format === "plotly" ? "figure" : "image"} ${i.name}`),
          ].join(" · ")}
          {running ? " — open the Logged values output once the node has finished." : " — in the Logged values output."}
        </p>
      )}
    </div>
  );
}

function formatValue(v: number): string {
  return Number.isInteger(v) ? v.toLocaleString() : Math.abs(v) >= 1000 || Math.abs(v) < 0.001 ? v.toPrecision(4) : v.toFixed(4);
}
