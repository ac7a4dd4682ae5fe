import { describe, expect, it } from "vitest";
import type { Run } from "../../api/types";
import { metricColumns } from "./RunsTable";

type Main = Run["main_metrics"][number];

const main = (input: string, label: string, metric: string, value: number | null): Main => ({
  node: "evaluate",
  port: "evaluation_results",
  input,
  label,
  learner_node: null,
  task: metric === "AUC" ? "binary" : "regression",
  metric,
  value,
});

const run = (id: number, metrics: Record<string, number>, mains: Main[]) =>
  ({ id, metrics, main_metrics: mains }) as unknown as Run;

describe("the runs table's metric columns", () => {
  it("start with R² for a regression, named by the learner, then the model's other metrics", () => {
    const runs = [
      run(
        1,
        { "Mean Absolute Error": 4.1, "Relative Squared Error": 0.3, "Root Mean Squared Error": 5.2, "Relative Absolute Error": 0.4, "Coefficient of Determination": 0.7 },
        [main("scored_dataset", "Linear Regression", "Coefficient of Determination", 0.7)],
      ),
    ];

    const columns = metricColumns(runs);

    expect(columns.map((c) => [c.title, c.model ?? null])).toEqual([
      ["R²", "Linear Regression"],
      ["Mean Absolute Error", null],
      ["Relative Squared Error", null],
      ["Root Mean Squared Error", null],
    ]);
    expect(columns[0]!.value(runs[0]!)).toBe(0.7);
  });

  it("show the main metric of both models side by side when Evaluate Model compared two", () => {
    const runs = [
      run(2, { AUC: 0.99, Accuracy: 0.95 }, [
        main("scored_dataset", "Two-Class Logistic Regression", "AUC", 0.99),
        main("scored_dataset_to_compare", "Two-Class Averaged Perceptron", "AUC", 0.97),
      ]),
      run(1, {}, []),
    ];

    const columns = metricColumns(runs);

    expect(columns.map((c) => [c.title, c.model])).toEqual([
      ["AUC", "Two-Class Logistic Regression"],
      ["AUC", "Two-Class Averaged Perceptron"],
    ]);
    expect(columns.map((c) => c.value(runs[0]!))).toEqual([0.99, 0.97]);
    expect(columns.map((c) => c.value(runs[1]!))).toEqual([undefined, undefined]);
  });
});
