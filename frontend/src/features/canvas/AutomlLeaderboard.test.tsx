import { callsTo, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// jsdom cannot draw, so plotly.js is replaced by a stand-in that records what it was asked to draw.
const plotly = vi.hoisted(() => ({
  react: vi.fn(() => Promise.resolve()),
  purge: vi.fn(),
  Plots: { resize: vi.fn() },
}));
vi.mock("plotly.js-cartesian-dist-min", () => ({ default: plotly }));

const { AutomlLeaderboard, leaderboardFigures, mergeLive } = await import("./AutomlLeaderboard");

const URL = "/api/runs/7/nodes/automl/live/";
const SEARCH = { metric: "AUC", higher_is_better: true, budget: 8 };

function trial(n: number, algorithm: string, value: number | null, elapsed: number, status = "completed") {
  return {
    trial: n,
    algorithm,
    settings: { l2_regularization_weight: 0.125 * n },
    status,
    value: status === "running" ? null : value,
    metrics: value === null ? {} : { AUC: value },
    duration_s: status === "running" ? null : 0.5 * n,
    worker: status === "running" ? "" : `host:${100 + n}`,
    error: "",
    elapsed_s: elapsed,
  };
}

function show(status: string, streamed: Record<string, unknown> = {}) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const ui = (s: string, live: Record<string, unknown>) => (
    <QueryClientProvider client={client}>
      <AutomlLeaderboard runId={7} nodeId="automl" status={s} streamed={live} />
    </QueryClientProvider>
  );
  const view = render(ui(status, streamed));
  return { ...view, update: (s: string, live: Record<string, unknown>) => view.rerender(ui(s, live)) };
}

function column(index: number): string[] {
  const rows = within(screen.getByRole("table", { name: "AutoML trials" })).getAllByRole("row").slice(1);
  return rows.map((r) => within(r).getAllByRole("cell")[index]?.textContent ?? "");
}

beforeEach(() => resetApi());
afterEach(() => vi.clearAllMocks());

describe("AutomlLeaderboard", () => {
  it("shows the trials so far, best metric first, and adds the rounds the socket brings", async () => {
    // given a search whose first round has finished before the panel opened
    route("GET", URL, {
      node: "automl",
      status: "running",
      live: { search: SEARCH, "1": trial(1, "Logistic regression", 0.91, 2), "2": trial(2, "Decision forest", 0.95, 3) },
    });

    // when the panel opens while it runs
    const view = show("running");

    // then both rows are listed, the better one first, with the summary
    await waitFor(() => expect(column(0)).toEqual(["2", "1"]));
    expect(column(1)).toEqual(["Decision forest", "Logistic regression"]);
    expect(column(2)).toEqual(["0.9500", "0.9100"]);
    expect(column(3)).toEqual(["1.0 s", "0.5 s"]);
    expect(column(4)).toEqual(["host:102", "host:101"]);
    expect(column(6)).toEqual(["l2 regularization weight=0.250", "l2 regularization weight=0.125"]);
    expect(screen.getByLabelText("AutoML summary").textContent).toBe(
      "2 of 8 trials done, best AUC 0.9500 (trial 2, Decision forest)",
    );
    expect(screen.getByText("AutoML leaderboard (live)")).toBeTruthy();

    // when the socket brings the next round: trial 3 finished, trial 4 still running
    view.update("running", { "3": trial(3, "Boosted decision tree", 0.97, 5), "4": trial(4, "Decision forest", null, 5, "running") });

    // then the new best leads, the running trial comes last, and the chart redraws with three points
    await waitFor(() => expect(column(0)).toEqual(["3", "2", "1", "4"]));
    expect(column(5)).toEqual(["completed", "completed", "completed", "running"]);
    expect(screen.getByLabelText("AutoML summary").textContent).toBe(
      "3 of 8 trials done, best AUC 0.9700 (trial 3, Boosted decision tree)",
    );
    await waitFor(() => {
      const drawn = plotly.react.mock.calls.map((c) => (c as unknown[])[1] as { name?: string; y?: number[] }[]);
      const best = drawn.map((d) => d[0]).filter((t) => t?.name === "best AUC").at(-1);
      expect(best?.y).toEqual([0.91, 0.95, 0.97]);
    });
    expect(callsTo(URL)).toHaveLength(1);
  });

  it("sorts by trial number or by the metric from the column headers", async () => {
    route("GET", URL, {
      live: { search: SEARCH, "1": trial(1, "Logistic regression", 0.91, 2), "2": trial(2, "Decision forest", 0.95, 3) },
    });
    show("running");
    await waitFor(() => expect(column(0)).toEqual(["2", "1"]));

    fireEvent.click(screen.getByRole("button", { name: "Trial" }));
    expect(column(0)).toEqual(["1", "2"]);

    fireEvent.click(screen.getByRole("button", { name: /AUC/ }));
    expect(column(0)).toEqual(["2", "1"]);
  });

  it("reads the whole leaderboard again when the node finishes", async () => {
    let live: Record<string, unknown> = { search: SEARCH, "1": trial(1, "Logistic regression", 0.91, 2) };
    route("GET", URL, () => ({ live }));
    const view = show("running");
    await waitFor(() => expect(column(0)).toEqual(["1"]));

    live = { ...live, "2": trial(2, "Decision forest", 0.95, 3) };
    view.update("completed", {});

    await waitFor(() => expect(column(0)).toEqual(["2", "1"]));
    expect(screen.getByText("AutoML leaderboard")).toBeTruthy();
    expect(callsTo(URL)).toHaveLength(2);
  });

  it("shows nothing for a reused node, whose Leaderboard output holds the trials", async () => {
    route("GET", URL, { live: {} });
    const { container } = show("completed");
    await waitFor(() => expect(callsTo(URL)).toHaveLength(1));
    expect(container.textContent).toBe("");
  });
});

describe("leaderboardFigures", () => {
  it("steps the best metric over time and keeps each algorithm's best; lower is better for errors", () => {
    const search = { metric: "Mean Absolute Error", higher_is_better: false, budget: 4 };
    const trials = [
      trial(1, "Linear regression", 3.0, 1),
      trial(2, "Decision forest", 2.0, 4),
      trial(3, "Linear regression", 2.5, 2),
      trial(4, "Decision forest", null, 6, "failed"),
    ];

    const { progress, algorithms } = leaderboardFigures(search, trials);

    expect(progress.data[0]).toMatchObject({ x: [1, 2, 4], y: [3.0, 2.5, 2.0] });
    expect(algorithms.data[0]).toMatchObject({ y: ["Decision forest", "Linear regression"], x: [2.0, 2.5] });
  });
});

describe("mergeLive", () => {
  it("never replaces a finished trial by its earlier running row", () => {
    const done = trial(1, "Decision forest", 0.9, 2);
    const running = trial(1, "Decision forest", null, 1, "running");
    expect(mergeLive({ "1": done }, { "1": running })).toEqual({ "1": done });
    expect(mergeLive({ "1": running }, { "1": done })).toEqual({ "1": done });
  });

  it("counts a pruned trial as finished", () => {
    const pruned = trial(2, "Boosted decision tree", null, 3, "pruned");
    const running = trial(2, "Boosted decision tree", null, 1, "running");
    expect(mergeLive({ "2": pruned }, { "2": running })).toEqual({ "2": pruned });
  });
});
