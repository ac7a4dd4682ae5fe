import { calls, callsTo, json, resetApi, route } from "./testing/fakeApi"; // first: replaces fetch before the client loads
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { figure, PROFILE, tablePage } from "./testing/fixtures";
import { fakePlotly, renderWithProviders } from "./testing/render";

const plotly = vi.hoisted(() => ({ current: null as null | ReturnType<typeof import("./testing/render").fakePlotly> }));
vi.mock("plotly.js-cartesian-dist-min", () => ({
  default: {
    react: (...args: Parameters<ReturnType<typeof fakePlotly>["react"]>) => plotly.current!.react(...args),
    purge: () => undefined,
    Plots: { resize: () => undefined },
  },
}));

const { OutputInspector } = await import("./OutputInspector");

const BASE = "/api/runs/7/nodes/score/outputs/scored_dataset/";

beforeEach(() => {
  resetApi();
  plotly.current = fakePlotly();
});

function titles(): string[] {
  return plotly.current!.drawn.map((d) => (d.layout.title as { text: string }).text);
}

describe("a table output", () => {
  beforeEach(() => {
    route("GET", BASE, (url: URL) => ({
      node: "score",
      port: "scored_dataset",
      type: "table",
      size: 1234,
      table: tablePage(Number(url.searchParams.get("offset")), Number(url.searchParams.get("limit"))),
      meta: {},
    }));
    route("GET", `${BASE}profile/`, PROFILE);
    route("GET", `${BASE}figures/`, (url: URL) =>
      url.searchParams.get("column")
        ? { figures: { column: figure(`column ${url.searchParams.get("column")}`) } }
        : json({ detail: "Some fields are invalid.", fields: { column: ["name the column"] } }, 400),
    );
  });

  it("offers no Charts tab for an ordinary table", async () => {
    renderWithProviders(<OutputInspector runId={7} nodeId="score" port="scored_dataset" portType="table" />);

    expect(await screen.findByText("Rows 1–50 of 120")).toBeInTheDocument();
    await waitFor(() => expect(callsTo(`${BASE}figures/`)).toHaveLength(1));
    expect(screen.queryByRole("tab", { name: "Charts" })).not.toBeInTheDocument();
  });

  it("draws the charts of a sweep table in a Charts tab", async () => {
    route("GET", `${BASE}figures/`, (url: URL) =>
      url.searchParams.get("column") ? { figures: {} } : { figures: { sweep_by_trial: figure("AUC by trial", "scatter") } },
    );
    renderWithProviders(<OutputInspector runId={7} nodeId="score" port="scored_dataset" portType="table" />);

    await userEvent.click(await screen.findByRole("tab", { name: "Charts" }));

    expect(await screen.findByRole("region", { name: "Sweep: metric by trial" })).toBeInTheDocument();
    await waitFor(() => expect(titles()).toEqual(["AUC by trial"]));
  });

  it("pages through the rows", async () => {
    renderWithProviders(<OutputInspector runId={7} nodeId="score" port="scored_dataset" portType="table" />);

    expect(await screen.findByText("Rows 1–50 of 120")).toBeInTheDocument();
    expect(screen.getByText("120 rows × 3 columns")).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Next page" }));

    expect(await screen.findByText("Rows 51–100 of 120")).toBeInTheDocument();
    const firstCell = within(screen.getAllByRole("row")[1]!).getAllByRole("cell")[1];
    expect(firstCell).toHaveTextContent("70");
    expect(callsTo(BASE).map((c) => c.url.search)).toEqual(["?offset=0&limit=50", "?offset=50&limit=50"]);
  });

  it("links the download of the whole table as CSV", async () => {
    renderWithProviders(<OutputInspector runId={7} nodeId="score" port="scored_dataset" portType="table" />);

    expect(await screen.findByRole("link", { name: "Download CSV" })).toHaveAttribute("href", `${BASE}download/`);
  });

  it("shows column statistics and draws the picked column", async () => {
    renderWithProviders(<OutputInspector runId={7} nodeId="score" port="scored_dataset" portType="table" />);
    await userEvent.click(await screen.findByRole("tab", { name: "Column statistics" }));

    // the first column is drawn at once
    expect(await screen.findByRole("rowheader", { name: "income" })).toBeInTheDocument();
    await waitFor(() => expect(titles()).toEqual(["column age"]));

    // picking another draws that one
    await userEvent.click(screen.getByRole("button", { name: /city/ }));
    await waitFor(() => expect(titles()).toEqual(["column age", "column city"]));
    expect(callsTo(`${BASE}figures/`).map((c) => c.url.searchParams.get("column"))).toEqual([null, "age", "city"]);
    expect(callsTo(`${BASE}profile/`)).toHaveLength(1);
  });

  it("opens a column's statistics from its header in the grid", async () => {
    renderWithProviders(<OutputInspector runId={7} nodeId="score" port="scored_dataset" portType="table" />);

    await userEvent.click(await screen.findByRole("button", { name: /^income/ }));

    expect(await screen.findByRole("tab", { name: "Column statistics" })).toHaveAttribute("aria-selected", "true");
    await waitFor(() => expect(titles()).toEqual(["column income"]));
  });

  it("says why a column cannot be drawn", async () => {
    route("GET", `${BASE}figures/`, () => json({ detail: "Some fields are invalid.", fields: { column: ["no column 'x'"] } }, 400));
    renderWithProviders(<OutputInspector runId={7} nodeId="score" port="scored_dataset" portType="table" />);
    await userEvent.click(await screen.findByRole("tab", { name: "Column statistics" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("column: no column 'x'");
  });
});

describe("an evaluation output", () => {
  const URL_ = "/api/runs/7/nodes/evaluate/outputs/evaluation_results/";

  it("shows the metric values and one chart per figure", async () => {
    route("GET", URL_, {
      type: "metrics",
      size: 10,
      metrics: { task: "binary", values: { Accuracy: 0.96491, AUC: 0.99, Threshold: 0.5 }, detail: { rows: 171 } },
    });
    route("GET", `${URL_}figures/`, {
      figures: { roc: figure("ROC", "scatter"), precision_recall: figure("PR", "scatter"), confusion_matrix: figure("CM", "heatmap") },
    });

    renderWithProviders(<OutputInspector runId={7} nodeId="evaluate" port="evaluation_results" portType="metrics" />);

    expect(await screen.findByText("Two-class classification · 171 scored rows")).toBeInTheDocument();
    const accuracy = screen.getByRole("rowheader", { name: "Accuracy" }).closest("tr")!;
    expect(within(accuracy).getByRole("cell")).toHaveTextContent("0.9649");
    expect(await screen.findByRole("region", { name: "ROC curve" })).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Precision-recall curve" })).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Confusion matrix" })).toBeInTheDocument();
    await waitFor(() => expect(titles().sort()).toEqual(["CM", "PR", "ROC"]));
    expect(callsTo(`${URL_}figures/`)[0]!.url.search).toBe("");
  });

  it("puts a compared model's values beside the first, each headed by its learner", async () => {
    route("GET", URL_, {
      type: "metrics",
      size: 10,
      metrics: {
        task: "regression",
        values: { "Mean Absolute Error": 41.2 },
        detail: { rows: 133, compare: { values: { "Mean Absolute Error": 43.75 } } },
      },
      models: [
        { input: "scored_dataset", label: "Linear Regression", learner_node: "linear" },
        { input: "scored_dataset_to_compare", label: "Decision Forest Regression", learner_node: "forest" },
      ],
    });
    route("GET", `${URL_}figures/`, { figures: {} });

    renderWithProviders(<OutputInspector runId={7} nodeId="evaluate" port="evaluation_results" portType="metrics" />);

    const row = (await screen.findByRole("rowheader", { name: "Mean Absolute Error" })).closest("tr")!;
    expect(within(row).getAllByRole("cell").map((c) => c.textContent)).toEqual(["41.2", "43.75"]);
    expect(screen.getAllByRole("columnheader").map((h) => h.textContent)).toEqual(["Metric", "Linear Regression", "Decision Forest Regression"]);
  });
});

describe("a model output", () => {
  it("summarises the model and links its download", async () => {
    route("GET", "/api/runs/7/nodes/train/outputs/trained_model/", {
      type: "trained_model",
      size: 4096,
      summary: {
        task: "binary",
        learner: "two_class_logistic_regression",
        estimator: "Pipeline",
        label_column: "diagnosis",
        feature_columns: ["mean_radius", "mean_texture"],
        classes: ["benign", "malignant"],
        parameters: { memory: "None", verbose: "False" },
      },
    });

    renderWithProviders(<OutputInspector runId={7} nodeId="train" port="trained_model" portType="trained_model" />);

    expect(await screen.findByText("Two-class classification")).toBeInTheDocument();
    expect(screen.getByText("diagnosis")).toBeInTheDocument();
    expect(screen.getByText("benign, malignant")).toBeInTheDocument();
    expect(screen.getByText("Features (2)")).toBeInTheDocument();
    expect(screen.getByText("Parameters (2)")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Download" })).toHaveAttribute(
      "href",
      "/api/runs/7/nodes/train/outputs/trained_model/download/",
    );
    // a tabular model has no charts: the one figures request answers 400 and nothing is drawn
    await waitFor(() => expect(calls.filter((c) => c.url.pathname.includes("figures"))).toHaveLength(1));
    expect(screen.queryByRole("region", { name: "Training curve" })).not.toBeInTheDocument();
  });

  it("draws a trained network's training curve", async () => {
    route("GET", "/api/runs/7/nodes/train/outputs/trained_image_model/", {
      type: "trained_image_model",
      size: 4096,
      summary: { task: "multiclass" },
    });
    route("GET", "/api/runs/7/nodes/train/outputs/trained_image_model/figures/", {
      figures: { training: figure("Training curve · best epoch 3", "scatter") },
    });

    renderWithProviders(
      <OutputInspector runId={7} nodeId="train" port="trained_image_model" portType="trained_image_model" />,
    );

    expect(await screen.findByRole("region", { name: "Training curve" })).toBeInTheDocument();
    await waitFor(() => expect(titles()).toEqual(["Training curve · best epoch 3"]));
  });
});

describe("a zip output", () => {
  const ZIP = "/api/runs/7/nodes/code/outputs/files/";

  it("lists the files in the zip with their sizes and links its download", async () => {
    route("GET", ZIP, {
      node: "code",
      port: "files",
      type: "zip_file",
      size: 2048,
      summary: {
        files: 2,
        bytes: 1536,
        members: [
          { name: "helpers.py", size: 512 },
          { name: "geometry/shapes.py", size: 1024 },
        ],
      },
    });

    renderWithProviders(<OutputInspector runId={7} nodeId="code" port="files" portType="zip_file" />);

    const table = await screen.findByRole("table", { name: "Files in the zip" });
    expect(within(table).getByText("2 files, 1.5 KB unpacked")).toBeInTheDocument();
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((r) => r.textContent)).toEqual(["helpers.py512 B", "geometry/shapes.py1.0 KB"]);
    expect(screen.getByText("Zip file · 2.0 KB")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Download zip" })).toHaveAttribute("href", `${ZIP}download/`);
    expect(callsTo(`${ZIP}figures/`)).toHaveLength(0);
  });

  it("says when the server sent no list of files", async () => {
    route("GET", ZIP, { node: "code", port: "files", type: "zip_file", size: 2048, summary: {} });

    renderWithProviders(<OutputInspector runId={7} nodeId="code" port="files" portType="zip_file" />);

    expect(await screen.findByText("The list of files is not available")).toBeInTheDocument();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
  });

  it("says how many files were left out of a long list", async () => {
    const members = Array.from({ length: 3 }, (_, i) => ({ name: `img/${i}.png`, size: 10 }));
    route("GET", ZIP, { type: "zip_file", size: 99, summary: { files: 1500, bytes: 15000, members } });

    renderWithProviders(<OutputInspector runId={7} nodeId="code" port="files" portType="zip_file" />);

    expect(await screen.findByText("1,500 files, 15 KB unpacked (the first 3 listed)")).toBeInTheDocument();
  });
});
