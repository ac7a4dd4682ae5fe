import { callsTo, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { render, screen, waitFor, within } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// jsdom cannot draw, so plotly.js is replaced by a stand-in that records what it was asked to draw.
const plotly = vi.hoisted(() => ({
  react: vi.fn(() => Promise.resolve()),
  purge: vi.fn(),
  Plots: { resize: vi.fn() },
}));
vi.mock("plotly.js-cartesian-dist-min", () => ({ default: plotly }));

const { LoggedLive } = await import("./LoggedLive");
const { mergeLogged, readLogged, comparisonFigure } = await import("./logged");

const URL = "/api/runs/7/nodes/script/live/";

function chunk(name: string, index: number, points: [number, number][]) {
  return { [`log:metric:${name}:${index}`]: { kind: "metric", name, chunk: index, points } };
}

function show(status: string, streamed: Record<string, unknown> = {}) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const ui = (s: string, live: Record<string, unknown>) => (
    <QueryClientProvider client={client}>
      <LoggedLive runId={7} nodeId="script" status={s} streamed={live} />
    </QueryClientProvider>
  );
  const view = render(ui(status, streamed));
  return { ...view, update: (s: string, live: Record<string, unknown>) => view.rerender(ui(s, live)) };
}

/** The y values of the last chart plotly was asked to draw for ``name``. */
function drawn(name: string): unknown[] {
  const calls = plotly.react.mock.calls as unknown as [HTMLElement, { name: string; y: unknown[] }[]][];
  const last = [...calls].reverse().find(([, data]) => data[0]?.name === name);
  return last ? last[1][0]!.y : [];
}

beforeEach(() => resetApi());
afterEach(() => vi.clearAllMocks());

describe("LoggedLive", () => {
  it("draws a metric logged over steps and grows its line as the socket brings points", async () => {
    // given a script that had logged two steps of its loss when the panel opened
    route("GET", URL, { node: "script", status: "running", live: chunk("loss", 0, [[0, 1], [1, 0.5]]) });

    // when the panel opens while it runs
    const view = show("running");

    // then the latest value is listed and the loss is drawn by step
    await waitFor(() => expect(drawn("loss")).toEqual([1, 0.5]));
    expect(screen.getByText("Logged values (live)")).toBeTruthy();
    const row = screen.getByRole("row", { name: /loss/ });
    expect(within(row).getAllByRole("cell").map((c) => c.textContent)).toEqual(["0.5000", "1"]);

    // when the socket brings the chunk with a third point, and a metric logged once
    const streamed = { ...chunk("loss", 0, [[0, 1], [1, 0.5], [2, 0.25]]), ...chunk("accuracy", 0, [[0, 0.9]]) };
    view.update("running", streamed);

    // then the line has three points; a single value is listed but not drawn
    await waitFor(() => expect(drawn("loss")).toEqual([1, 0.5, 0.25]));
    // and the panel rendering again with the same records does not redraw the chart
    const draws = plotly.react.mock.calls.length;
    view.update("running", streamed);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(plotly.react.mock.calls.length).toBe(draws);
    expect(screen.getByRole("row", { name: /accuracy/ })).toBeTruthy();
    expect(drawn("accuracy")).toEqual([]);
    expect(callsTo(URL)).toHaveLength(1);
  });

  it("shows nothing for a node whose script logged nothing, and says what the output holds", async () => {
    route("GET", URL, { node: "script", status: "completed", live: {} });
    const { container } = show("completed");
    await waitFor(() => expect(callsTo(URL)).toHaveLength(1));
    expect(container.textContent).toBe("");
  });

  it("lists logged tables and images by name once finished", async () => {
    route("GET", URL, {
      node: "script",
      status: "completed",
      live: {
        "log:table:head": { kind: "table", name: "head", columns: ["a"], rows: [[1]], total: 12 },
        "log:image:roc": { kind: "image", name: "roc", format: "png", bytes: 2048 },
      },
    });
    show("completed");
    await waitFor(() => expect(screen.getByText(/table head \(12 rows\) · image roc/)).toBeTruthy());
    expect(screen.getByText("Logged values")).toBeTruthy();
  });
});

describe("logged records", () => {
  it("join chunks in step order and keep the fuller of a fetched and a streamed chunk", () => {
    const fetched = { ...chunk("loss", 0, [[0, 3], [1, 2], [2, 1]]), ...chunk("loss", 1, [[200, 0.5]]) };
    const merged = mergeLogged(fetched, chunk("loss", 0, [[0, 3]])); // an older event arriving late
    expect(readLogged(merged).metrics.loss).toEqual([[0, 3], [1, 2], [2, 1], [200, 0.5]]);
    expect(readLogged({ other: { kind: "metric" } }).metrics).toEqual({});
  });

  it("overlays two runs' points, leaving out a run that did not log the metric", () => {
    const both = comparisonFigure("loss", { id: 1, points: [[0, 1], [1, 0.5]] }, { id: 2, points: [[0, 2]] });
    expect(both.data.map((t) => [t.name, t.y])).toEqual([["Run #1", [1, 0.5]], ["Run #2", [2]]]);
    const one = comparisonFigure("loss", { id: 1, points: null }, { id: 2, points: [[0, 2]] });
    expect(one.data.map((t) => t.name)).toEqual(["Run #2"]);
  });
});
