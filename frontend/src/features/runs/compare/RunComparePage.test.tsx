import { callsTo, json, resetApi, route } from "../../inspector/testing/fakeApi"; // first: replaces fetch
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { modules } from "../../../test/fixtures";
import { mockReactFlow } from "../../../test/reactflow";
import type { Run } from "../../../api/types";
import { renderWithProviders } from "../../inspector/testing/render";
import { DIFF, NEW_DOC, OLD_DOC, versionDetail } from "../../versions/testing";
import { CompareRunsBar } from "./CompareRunsBar";
import { metricDirection, verdict } from "./metrics";
import { RunComparePage } from "./RunComparePage";

const run = (id: number, version: number, status: Run["status"] = "completed") => ({
  id,
  workspace: 3,
  pipeline: 12,
  pipeline_name: "Breast cancer",
  version,
  status,
  created_by: "olivia",
  created_at: "2026-11-20T10:00:00Z",
  elapsed: 5,
  metrics: {},
  main_metrics: [],
  error: "",
});

const metric = (name: string, a: number | null, b: number | null, node = "evaluate", model = "scored_dataset", learner = "Two-Class Logistic Regression") => ({
  node,
  port: "evaluation_results",
  module: "evaluate_model",
  model,
  learner,
  metric: name,
  a,
  b,
  delta: a !== null && b !== null ? b - a : null,
});

beforeAll(() => mockReactFlow());
beforeEach(() => {
  resetApi();
  route("GET", "/api/modules/", () => json(modules));
  route("GET", "/api/runs/compare/", {
    a: { run: run(7, 3), version: versionDetail(12, 3, OLD_DOC) },
    b: { run: run(9, 4), version: versionDetail(12, 4, NEW_DOC) },
    same_pipeline: true,
    diff: DIFF,
    metrics: [
      metric("AUC", 0.91, 0.95),
      metric("Accuracy", 0.9, 0.88),
      metric("Average log loss", 0.3, 0.25),
      metric("Root Mean Squared Error", 1.5, 1.9),
      metric("Threshold", 0.5, 0.5),
      metric("F1 Score", null, 0.8),
    ],
  });
});

describe("comparing two runs", () => {
  it("puts the metric differences (a, b, delta) next to the design diff, coloured better or worse", async () => {
    renderWithProviders(<RunComparePage />, { route: "/runs/compare?a=7&b=9", path: "/runs/compare" });

    const table = await screen.findByTestId("metric-table");
    const row = (name: string) => table.querySelector(`tr[data-metric="${name}"]`) as HTMLElement;
    expect(row("AUC")).toHaveTextContent("AUC ↑0.91000.9500+0.0400");
    expect(row("AUC").getAttribute("data-verdict")).toBe("better");
    expect(within(row("AUC")).getByText(/\+0\.0400/)).toHaveClass("delta--better");
    expect(row("Accuracy").getAttribute("data-verdict")).toBe("worse");
    expect(row("Accuracy")).toHaveTextContent("−0.0200");
    expect(row("Average log loss").getAttribute("data-verdict")).toBe("better"); // lower is better
    expect(row("Root Mean Squared Error").getAttribute("data-verdict")).toBe("worse");
    expect(row("Threshold").getAttribute("data-verdict")).toBe("same");
    expect(row("F1 Score")).toHaveTextContent("F1 Score ↑—0.8000—");
    expect(row("F1 Score").getAttribute("data-verdict")).toBe("unknown");

    expect(screen.getByText("Design: version 3 → version 4")).toBeInTheDocument();
    expect(await screen.findByTestId("diff-list")).toHaveTextContent("fraction: 0.5 → 0.7");
    expect(screen.getByRole("link", { name: /Run #7/ })).toHaveAttribute("href", "/runs/7");
    const call = callsTo("/api/runs/compare/")[0]!;
    expect([call.url.searchParams.get("a"), call.url.searchParams.get("b")]).toEqual(["7", "9"]);
  });

  it("puts the two models of one Evaluate Model side by side, each under its learner", async () => {
    const second = (name: string, a: number, b: number) => metric(name, a, b, "evaluate", "scored_dataset_to_compare", "Two-Class Averaged Perceptron");
    route("GET", "/api/runs/compare/", {
      a: { run: run(7, 3), version: versionDetail(12, 3, OLD_DOC) },
      b: { run: run(9, 4), version: versionDetail(12, 4, NEW_DOC) },
      same_pipeline: true,
      diff: DIFF,
      metrics: [metric("AUC", 0.95, 0.95), metric("Accuracy", 0.9, 0.9), second("AUC", 0.93, 0.81), second("Accuracy", 0.88, 0.8)],
    });

    renderWithProviders(<RunComparePage />, { route: "/runs/compare?a=7&b=9", path: "/runs/compare" });

    const table = await screen.findByTestId("metric-table");
    expect([...table.querySelectorAll("th[data-model]")].map((th) => th.textContent)).toEqual([
      "Two-Class Logistic Regression",
      "Two-Class Averaged Perceptron",
    ]);
    const auc = table.querySelector('tr[data-metric="AUC"]') as HTMLElement;
    expect(auc).toHaveTextContent("AUC ↑0.95000.95000" + "0.93000.8100−0.1200");
    expect(auc.querySelector('td[data-model="scored_dataset"]')!.getAttribute("data-verdict")).toBe("same");
    expect(auc.querySelector('td[data-model="scored_dataset_to_compare"]')!.getAttribute("data-verdict")).toBe("worse");
    expect(table.querySelectorAll("tbody tr")).toHaveLength(2);
  });

  it("is reached by picking two runs above a pipeline's runs", async () => {
    renderWithProviders(
      <>
        <CompareRunsBar runs={[run(9, 4), run(8, 4, "failed"), run(7, 3)]} />
      </>,
    );
    expect(screen.getByRole("combobox", { name: "Run a" })).toHaveValue("8");
    expect(screen.getByRole("combobox", { name: "Run b" })).toHaveValue("9");
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Run a" }), "7");
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Run b" }), "7");
    expect(screen.getByRole("button", { name: "Compare" })).toBeDisabled();
  });
});

describe("metric direction", () => {
  it("knows which way is better for the usual metrics", () => {
    for (const name of ["AUC", "Accuracy", "Overall Accuracy", "Precision", "Micro-averaged Recall", "F1 Score", "F-score", "Coefficient of Determination", "r2"]) {
      expect([name, metricDirection(name)]).toEqual([name, "higher"]);
    }
    for (const name of ["Mean Absolute Error", "MAE", "Root Mean Squared Error", "rmse", "Average log loss", "log_loss"]) {
      expect([name, metricDirection(name)]).toEqual([name, "lower"]);
    }
    expect(metricDirection("Threshold")).toBeNull();
    expect(verdict("Threshold", 0.1)).toBe("unknown");
    expect(verdict("MAE", -0.2)).toBe("better");
  });
});
