/**
 * Draws one server-built Plotly figure. plotly.js is imported on first use, so no other bundle carries it:
 * its cartesian bundle (~1.5 MB; scatter, bar and heatmap are the traces the server draws, see
 * designer/engine/figures.py), not the full 4.6 MB one. Until it has drawn, a placeholder holds the space.
 */
import { useEffect, useRef, useState } from "react";
import { messageOf } from "../../api/errors";
import type { FigureSpec } from "./types";

interface PlotlyApi {
  react(root: HTMLElement, data: unknown[], layout: Record<string, unknown>, config: Record<string, unknown>): Promise<unknown>;
  purge(root: HTMLElement): void;
  Plots?: { resize(root: HTMLElement): unknown };
}

let loading: Promise<PlotlyApi> | null = null;

/** plotly.js, imported once; a failed import is forgotten so the next chart tries again. */
export function loadPlotly(): Promise<PlotlyApi> {
  loading ??= import("plotly.js-cartesian-dist-min").then(
    (mod: { default?: PlotlyApi } & PlotlyApi) => mod.default ?? mod,
    (error: unknown) => {
      loading = null;
      throw error;
    },
  );
  return loading;
}

const CONFIG = {
  responsive: true,
  displaylogo: false,
  modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
};

interface Props {
  figure: FigureSpec;
  /** What the chart shows, for screen readers and the exported file name. */
  label: string;
  height?: number;
}

export function PlotlyFigure({ figure, label, height }: Props) {
  const root = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<{ status: "loading" | "ready" | "error"; message?: string }>({
    status: "loading",
  });
  const layoutHeight = typeof figure.layout.height === "number" ? figure.layout.height : 380;
  const size = height ?? layoutHeight;

  useEffect(() => {
    const el = root.current;
    if (!el) return;
    let cancelled = false;
    loadPlotly()
      .then((Plotly) => {
        if (cancelled) return undefined;
        // Plotly writes into the objects it is given; the query cache keeps its own copy untouched.
        const layout = { ...structuredClone(figure.layout), height: size };
        const config = { ...CONFIG, toImageButtonOptions: { filename: label.replace(/[^\w.-]+/g, "_") } };
        return Plotly.react(el, structuredClone(figure.data), layout, config);
      })
      .then(() => !cancelled && setState({ status: "ready" }))
      .catch((error: unknown) => !cancelled && setState({ status: "error", message: messageOf(error) }));
    return () => {
      cancelled = true;
    };
  }, [figure, label, size]);

  // Follow the panel's width (a resized drawer, a collapsed sidebar), not only the window's.
  useEffect(() => {
    const el = root.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => {
      if (state.status === "ready") void loadPlotly().then((Plotly) => Plotly.Plots?.resize(el));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [state.status]);

  useEffect(() => {
    const el = root.current;
    return () => {
      if (el && loading) void loading.then((Plotly) => Plotly.purge(el)).catch(() => undefined);
    };
  }, []);

  return (
    <figure className="plot" style={{ minHeight: size }} aria-label={label} aria-busy={state.status === "loading"}>
      <div ref={root} className="plot__canvas" data-testid="plot-canvas" />
      {state.status !== "ready" && (
        <div className="plot__placeholder" role={state.status === "error" ? "alert" : "status"}>
          {state.status === "loading" ? (
            <>
              <span className="spinner" aria-hidden /> Drawing the chart…
            </>
          ) : (
            <>The chart could not be drawn: {state.message}</>
          )}
        </div>
      )}
    </figure>
  );
}
