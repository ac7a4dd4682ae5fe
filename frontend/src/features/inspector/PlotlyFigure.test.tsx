import { render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { FigureSpec } from "./types";

// jsdom cannot draw, so plotly.js is the one thing replaced: a stand-in whose drawing we hold back.
const plotly = vi.hoisted(() => {
  let release: () => void = () => undefined;
  return {
    react: vi.fn(() => new Promise<void>((resolve) => (release = resolve))),
    purge: vi.fn(),
    Plots: { resize: vi.fn() },
    finish: () => release(),
  };
});
vi.mock("plotly.js-cartesian-dist-min", () => ({ default: plotly }));

const { PlotlyFigure } = await import("./PlotlyFigure");

const figure: FigureSpec = {
  data: [{ type: "bar", x: [1, 2], y: [3, 4] }],
  layout: { title: { text: "age" }, height: 380, autosize: true },
};

afterEach(() => vi.clearAllMocks());

describe("PlotlyFigure", () => {
  it("shows a placeholder of the figure's height, then draws the figure", async () => {
    // when the chart is rendered
    const { container } = render(<PlotlyFigure figure={figure} label="Distribution of age" />);

    // then a placeholder holds its place while plotly.js loads and draws
    expect(screen.getByRole("status")).toHaveTextContent("Drawing the chart…");
    expect(container.querySelector("figure")).toHaveStyle({ minHeight: "380px" });
    await waitFor(() => expect(plotly.react).toHaveBeenCalledTimes(1));
    expect(screen.getByRole("status")).toBeInTheDocument(); // still drawing

    // when plotly.js has drawn
    plotly.finish();

    // then the placeholder is gone and the server's figure was drawn as it came, into the canvas element
    await waitFor(() => expect(screen.queryByRole("status")).not.toBeInTheDocument());
    const [element, data, layout, config] = plotly.react.mock.calls[0] as unknown as [
      HTMLElement,
      unknown[],
      Record<string, unknown>,
      Record<string, unknown>,
    ];
    expect(element).toBe(screen.getByTestId("plot-canvas"));
    expect(data).toEqual(figure.data);
    expect(layout).toEqual({ ...figure.layout, height: 380 });
    expect(config).toMatchObject({ responsive: true, displaylogo: false });
    expect(screen.getByRole("figure", { name: "Distribution of age" })).toHaveAttribute("aria-busy", "false");
  });

  it("hands plotly.js copies, so the cached figure is never changed by drawing", async () => {
    render(<PlotlyFigure figure={figure} label="age" height={300} />);
    await waitFor(() => expect(plotly.react).toHaveBeenCalled());

    const [, data, layout] = plotly.react.mock.calls[0] as unknown as [HTMLElement, unknown[], object];
    expect(data).not.toBe(figure.data);
    expect(layout).toEqual({ ...figure.layout, height: 300 });
    expect(figure.layout.height).toBe(380);
    plotly.finish();
    await waitFor(() => expect(screen.queryByRole("status")).not.toBeInTheDocument());
  });

  it("says why when the chart cannot be drawn", async () => {
    plotly.react.mockImplementationOnce(() => Promise.reject(new Error("WebGL is not available")));

    render(<PlotlyFigure figure={figure} label="age" />);

    expect(await screen.findByRole("alert")).toHaveTextContent("The chart could not be drawn: WebGL is not available");
  });
});
