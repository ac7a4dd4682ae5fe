import { callsTo, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { act, render, screen, waitFor } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// jsdom cannot draw, so plotly.js is replaced by a stand-in that records what it was asked to draw.
const plotly = vi.hoisted(() => ({
  react: vi.fn(() => Promise.resolve()),
  purge: vi.fn(),
  Plots: { resize: vi.fn() },
}));
vi.mock("plotly.js-cartesian-dist-min", () => ({ default: plotly }));

const { TrainingCurve, POLL_MS } = await import("./TrainingCurve");

const URL = "/api/runs/7/nodes/train/training-curve/";

function figure(epochs: number[]) {
  return {
    data: [{ type: "scatter", name: "train", x: epochs, y: epochs.map((e) => 1 / e), xaxis: "x", yaxis: "y" }],
    layout: { title: { text: "Training curve" }, height: 380 },
  };
}

function drawnEpochs(): unknown {
  const last = plotly.react.mock.calls.at(-1) as unknown as [HTMLElement, { x: number[] }[]] | undefined;
  return last?.[1][0]?.x;
}

function show(status: string) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const ui = (s: string) => (
    <QueryClientProvider client={client}>
      <TrainingCurve runId={7} nodeId="train" status={s} />
    </QueryClientProvider>
  );
  const view = render(ui(status));
  return { ...view, setStatus: (s: string) => view.rerender(ui(s)) };
}

beforeEach(() => {
  resetApi();
  vi.useFakeTimers({ shouldAdvanceTime: true });
});
afterEach(() => {
  vi.useRealTimers();
  vi.clearAllMocks();
});

describe("TrainingCurve", () => {
  it("polls every 3 s while the node trains and redraws the curve as epochs arrive", async () => {
    // given a node that has logged one epoch so far
    let epochs = [1];
    route("GET", URL, () => ({ status: "running", figures: { training: figure(epochs) } }));

    // when its curve is shown while it runs
    show("running");

    // then the first epoch is drawn
    await waitFor(() => expect(drawnEpochs()).toEqual([1]));
    expect(screen.getByText("Training curve (live)")).toBeTruthy();
    expect(callsTo(URL)).toHaveLength(1);

    // when two more epochs are logged and 3 s pass
    epochs = [1, 2, 3];
    await act(() => vi.advanceTimersByTimeAsync(POLL_MS));

    // then the endpoint is read again and the longer curve drawn
    await waitFor(() => expect(drawnEpochs()).toEqual([1, 2, 3]));
    expect(callsTo(URL)).toHaveLength(2);
  });

  it("stops polling once the node has finished, after reading the final curve", async () => {
    route("GET", URL, () => ({ status: "running", figures: { training: figure([1]) } }));
    const { setStatus } = show("running");
    await waitFor(() => expect(drawnEpochs()).toEqual([1]));

    // when the node completes
    route("GET", URL, () => ({ status: "completed", figures: { training: figure([1, 2]) } }));
    setStatus("completed");

    // then the final curve is fetched once, and nothing more however long one waits
    await waitFor(() => expect(drawnEpochs()).toEqual([1, 2]));
    const reads = callsTo(URL).length;
    await act(() => vi.advanceTimersByTimeAsync(POLL_MS * 3));
    expect(callsTo(URL)).toHaveLength(reads);
    expect(screen.getByText("Training curve")).toBeTruthy();
  });

  it("says the curve is coming while no epoch has been logged", async () => {
    route("GET", URL, { status: "running", figures: {} });

    show("running");

    expect(await screen.findByText("The curve appears once the first epoch has finished.")).toBeTruthy();
    expect(plotly.react).not.toHaveBeenCalled();
  });

  it("asks nothing of a node that has not started", async () => {
    route("GET", URL, { status: "queued", figures: {} });

    const { container } = show("queued");
    await act(() => vi.advanceTimersByTimeAsync(POLL_MS));

    expect(callsTo(URL)).toHaveLength(0);
    expect(container.textContent).toBe("");
  });
});
