/**
 * Pipeline parameters in the designer: promoting a field from the inspector, bound fields as chips,
 * the parameters panel, the submit dialog and what a run page shows. Every change goes through the
 * graph store, whose document the co-editing client turns into ops.
 */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ReactFlowProvider } from "@xyflow/react";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Dataset, PipelineDocument, Problem } from "../../api/types";
import { useToasts } from "../../app/toasts";
import { module, portTypes } from "../../test/fixtures";
import { mockReactFlow } from "../../test/reactflow";
import { useCatalogue } from "../canvas/catalogueStore";
import { useGraph } from "../canvas/graphStore";
import { NodePanel } from "../canvas/NodePanel";
import { useValidation } from "../canvas/validationStore";
import { declarationsOf } from "./model";
import { describeTrigger, RunParameters } from "./RunParameters";
import { SubmitDialog } from "./SubmitDialog";

const splitData = module("split_data", {
  name: "Split Data",
  params_schema: {
    properties: {
      fraction_of_rows_in_first_output_dataset: {
        default: 0.5,
        minimum: 0,
        maximum: 1,
        title: "Fraction of rows in the first output dataset",
        description: "Share of the rows that go to the first output (0 to 1).",
        type: "number",
      },
      random_seed: { default: 0, minimum: 0, title: "Random seed", type: "integer" },
      randomized_split: { default: true, title: "Randomized split", type: "boolean" },
    },
    type: "object",
  },
});
const dataset = module("dataset", {
  name: "Dataset",
  params_schema: {
    $defs: {
      DatasetRef: {
        type: "object",
        properties: {
          dataset_id: { title: "Dataset", type: "integer", "x-tessera-widget": "dataset" },
          version: { anyOf: [{ minimum: 1, type: "integer" }, { type: "null" }], default: null, title: "Version" },
        },
        required: ["dataset_id"],
      },
    },
    properties: { dataset: { $ref: "#/$defs/DatasetRef", title: "Dataset" } },
    required: ["dataset"],
    type: "object",
  },
});
const FRACTION = "fraction_of_rows_in_first_output_dataset";

function doc(parameters: Record<string, unknown> = {}, split: Record<string, unknown> = { [FRACTION]: 0.7 }): PipelineDocument {
  return {
    schema_version: 1,
    nodes: [
      { id: "data", module: "dataset", version: 1, params: { dataset: { dataset_id: 4 } } },
      { id: "split", module: "split_data", version: 1, params: split },
      { id: "again", module: "split_data", version: 1, params: {} },
    ],
    edges: [],
    parameters,
    layout: {},
  };
}

beforeAll(() => {
  mockReactFlow();
  useCatalogue.getState().setModules([splitData, dataset]);
  useCatalogue.getState().setPortTypes(portTypes);
  const table = (id: number, name: string) =>
    ({ id, name, latest_version: { kind: "table", rows: 150, columns: 5, size_bytes: 4000 } }) as unknown as Dataset;
  useCatalogue.getState().setDatasets([table(4, "Iris"), table(5, "Iris 2024")]);
});

beforeEach(() => {
  useValidation.getState().reset();
  useToasts.setState({ toasts: [] });
});

const panel = () =>
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <ReactFlowProvider>
        <NodePanel readOnly={false} />
      </ReactFlowProvider>
    </QueryClientProvider>,
  );
const field = (name: string) => document.querySelector(`[data-param="${name}"]`) as HTMLElement;
const params = (id: string): Record<string, unknown> => useGraph.getState().document().nodes.find((n) => n.id === id)?.params ?? {};

describe("promoting a field from the inspector", () => {
  it("adds a parameter named, typed and filled from the field, and shows the field as a chip", async () => {
    useGraph.getState().load(doc());
    useGraph.getState().selectOnly(["split"]);
    panel();

    await userEvent.click(screen.getByRole("button", { name: "Pipeline parameter actions for Fraction of rows in the first output dataset" }));
    await userEvent.click(screen.getByRole("menuitem", { name: "Add to pipeline parameter" }));
    const dialog = screen.getByRole("dialog", { name: "Add to pipeline parameter" });

    expect(within(dialog).getByLabelText("Name")).toHaveValue(FRACTION);
    expect(within(dialog).getByLabelText("Type")).toHaveValue("number");
    expect(within(dialog).getByLabelText("Default value")).toHaveValue("0.7");
    expect(within(dialog).getByLabelText("Description")).toHaveValue("Share of the rows that go to the first output (0 to 1).");

    await userEvent.clear(within(dialog).getByLabelText("Name"));
    await userEvent.type(within(dialog).getByLabelText("Name"), "fraction");
    await userEvent.click(within(dialog).getByRole("button", { name: "Add and bind" }));

    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(useGraph.getState().parameters).toEqual({
      fraction: { type: "number", default: 0.7, description: "Share of the rows that go to the first output (0 to 1)." },
    });
    expect(params("split")[FRACTION]).toEqual({ $param: "fraction" });
    const chip = within(field(FRACTION)).getByTestId("bound-chip");
    expect(chip).toHaveTextContent("fraction= 0.7");
    expect(within(field(FRACTION)).queryByRole("textbox")).not.toBeInTheDocument();
  });

  it("refuses a default the field would refuse, and a name already taken, before anything changes", async () => {
    useGraph.getState().load(doc({ seed: { type: "integer", default: 1, description: "" } }));
    useGraph.getState().selectOnly(["split"]);
    panel();
    await userEvent.click(screen.getByRole("button", { name: /actions for Fraction/ }));
    await userEvent.click(screen.getByRole("menuitem", { name: "Add to pipeline parameter" }));
    const dialog = screen.getByRole("dialog");
    const value = within(dialog).getByLabelText("Default value");

    await userEvent.clear(value);
    await userEvent.type(value, "1.5");
    await userEvent.clear(within(dialog).getByLabelText("Name"));
    await userEvent.type(within(dialog).getByLabelText("Name"), "seed");
    await userEvent.click(within(dialog).getByRole("button", { name: "Add and bind" }));

    expect(within(dialog).getByText("Must be at most 1.")).toBeInTheDocument();
    expect(within(dialog).getByText("There is already a parameter “seed”.")).toBeInTheDocument();
    expect(Object.keys(useGraph.getState().parameters)).toEqual(["seed"]);
    expect(params("split")[FRACTION]).toBe(0.7);
  });

  it("binds to an existing parameter of a fitting type, and Unbind gives the field the parameter's default", async () => {
    useGraph.getState().load(
      doc({ rate: { type: "number", default: 0.25, description: "" }, label: { type: "string", default: "y", description: "" } }),
    );
    useGraph.getState().selectOnly(["again"]);
    panel();
    await userEvent.click(screen.getByRole("button", { name: /actions for Fraction/ }));

    expect(screen.getByRole("menuitem", { name: /label/ })).toBeDisabled(); // text cannot drive a number
    await userEvent.click(screen.getByRole("menuitem", { name: /rate/ }));
    expect(params("again")[FRACTION]).toEqual({ $param: "rate" });

    await userEvent.click(within(field(FRACTION)).getByRole("button", { name: "Unbind from rate" }));
    expect(params("again")[FRACTION]).toBe(0.25);
    expect(within(field(FRACTION)).getByRole("textbox")).toHaveValue("0.25");

    useGraph.getState().undo();
    expect(params("again")[FRACTION]).toEqual({ $param: "rate" }); // each step undoes on its own
  });

  it("binds a Dataset node's dataset to a dataset parameter", async () => {
    useGraph.getState().load(doc({ training_data: { type: "dataset", default: { dataset_id: 5, version: null }, description: "" } }));
    useGraph.getState().selectOnly(["data"]);
    panel();
    await userEvent.click(screen.getByRole("button", { name: "Pipeline parameter actions for Dataset" }));
    await userEvent.click(screen.getByRole("menuitem", { name: /training_data/ }));

    expect(params("data")).toEqual({ dataset: { $param: "training_data" } });
    expect(within(field("dataset")).getByTestId("bound-chip")).toHaveTextContent("= Iris 2024 (latest)");
  });

  it("shows a bound field read-only to a viewer, with no actions", async () => {
    useGraph.getState().load(doc({ fraction: { type: "number", default: 0.6, description: "" } }, { [FRACTION]: { $param: "fraction" } }), {
      readOnly: true,
    });
    useGraph.getState().selectOnly(["split"]);
    render(
      <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
        <ReactFlowProvider>
          <NodePanel readOnly />
        </ReactFlowProvider>
      </QueryClientProvider>,
    );
    await userEvent.click(screen.getByRole("tab", { name: "Parameters" }));
    expect(within(field(FRACTION)).getByTestId("bound-chip")).toHaveTextContent("fraction= 0.6");
    expect(screen.queryByRole("button", { name: /Unbind/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Pipeline parameter actions/ })).not.toBeInTheDocument();
  });
});

describe("the pipeline parameters panel", () => {
  const declared = {
    fraction: { type: "number", default: 0.7, description: "Train share" },
    seed: { type: "integer", description: "" },
  };

  it("lists each parameter with its type, default, description and the fields it drives", () => {
    useGraph.getState().load(doc(declared, { [FRACTION]: { $param: "fraction" }, random_seed: { $param: "seed" } }));
    panel();
    const region = screen.getByRole("region", { name: "Pipeline parameters" });
    const fraction = within(region).getByText("fraction").closest("li") as HTMLElement;
    const seed = within(region).getByText("seed").closest("li") as HTMLElement;

    expect(within(region).getByRole("heading")).toHaveTextContent("Pipeline parameters (2)");
    expect(within(fraction).getByLabelText("Default of fraction")).toHaveValue("0.7");
    expect(within(fraction).getByLabelText("Description")).toHaveValue("Train share");
    expect(within(fraction).getByRole("button", { name: "Split Data › Fraction of rows in the first output dataset" })).toBeInTheDocument();
    expect(seed).toHaveTextContent("Whole number");
    expect(seed).toHaveTextContent("None: asked for at submit");
  });

  it("edits a default in one undo step while typing, and shows the server's problem against the parameter", async () => {
    useGraph.getState().load(doc(declared, { [FRACTION]: { $param: "fraction" } }));
    const problem = {
      code: "invalid_param",
      message: "Pipeline parameter 'fraction' (= 1.5) does not fit a field it drives: Node 'split' (Split Data): must be at most 1",
      node: "split",
      port: null,
      param: FRACTION,
      column: null,
      path: "parameters.fraction",
    } as Problem;
    useValidation.getState().setProblems([problem]);
    panel();
    const input = screen.getByLabelText("Default of fraction");

    await userEvent.clear(input);
    await userEvent.type(input, "1.5");

    expect(declarationsOf(useGraph.getState().parameters).fraction!.default).toBe(1.5);
    expect(screen.getByRole("list", { name: "Problems with fraction" })).toHaveTextContent("Does not fit a field it drives");
    useGraph.getState().undo();
    expect(declarationsOf(useGraph.getState().parameters).fraction!.default).toBe(0.7);
  });

  it("removes a parameter, leaving its default in the fields it drove; a required one in use stays, with a reason", async () => {
    useGraph.getState().load(doc(declared, { [FRACTION]: { $param: "fraction" }, random_seed: { $param: "seed" } }));
    panel();

    await userEvent.click(screen.getByRole("button", { name: "Remove parameter fraction" }));
    await userEvent.click(screen.getByRole("button", { name: "Remove parameter seed" }));

    expect(Object.keys(useGraph.getState().parameters)).toEqual(["seed"]);
    expect(params("split")).toEqual({ [FRACTION]: 0.7, random_seed: { $param: "seed" } });
    expect(useToasts.getState().toasts.map((t) => t.text)).toEqual([
      "“seed” has no default to leave in the fields it drives: give it a default or unbind them first.",
    ]);
  });
});

describe("submitting with parameters", () => {
  const declarations = declarationsOf({
    fraction: { type: "number", default: 0.7, description: "Train share" },
    seed: { type: "integer", description: "" },
    training_data: { type: "dataset", default: { dataset_id: 4, version: null }, description: "" },
  });

  it("fills each input with its default and will not send without a required value", async () => {
    const onSubmit = vi.fn();
    render(<SubmitDialog parameters={declarations} problems={[]} busy={false} onCancel={() => undefined} onSubmit={onSubmit} />);

    expect(screen.getByLabelText("fraction")).toHaveValue("0.7");
    expect(screen.getByLabelText("training_data")).toHaveValue("4");
    await userEvent.click(screen.getByRole("button", { name: "Submit" }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByText("A value is needed: this parameter has no default.")).toBeInTheDocument();

    await userEvent.type(screen.getByLabelText("seed"), "7");
    await userEvent.clear(screen.getByLabelText("fraction"));
    await userEvent.type(screen.getByLabelText("fraction"), "0.25");
    await userEvent.click(screen.getByRole("button", { name: "Submit" }));
    expect(onSubmit).toHaveBeenCalledWith({ fraction: 0.25, seed: 7, training_data: { dataset_id: 4, version: null } });
  });

  it("shows what the server refused against the parameter it names, until that value changes", async () => {
    useGraph.getState().load(doc());
    const problems = [
      {
        code: "invalid_param",
        message:
          "Pipeline parameter 'fraction' (= 1.5) does not fit a field it drives: Node 'split' (Split Data): " +
          "parameter 'fraction_of_rows_in_first_output_dataset' is invalid: Input should be less than or equal to 1",
        node: "split",
        port: null,
        param: FRACTION,
        column: null,
        path: "parameters.fraction",
      },
      { code: "missing_input", message: "Node 'x' needs an input.", node: "x", port: "dataset", param: null, column: null, path: null },
    ] as Problem[];
    render(<SubmitDialog parameters={declarations} problems={problems} busy={false} onCancel={() => undefined} onSubmit={() => undefined} />);
    const row = screen.getByLabelText("fraction").closest("[data-parameter]") as HTMLElement;

    expect(row).toHaveTextContent(
      "Does not fit “Fraction of rows in the first output dataset” of Split Data: input should be less than or equal to 1",
    );
    expect(screen.getByLabelText("fraction")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByRole("list", { name: "Other problems" })).toHaveTextContent("Node 'x' needs an input.");

    await userEvent.type(screen.getByLabelText("fraction"), "0");
    expect(row).not.toHaveTextContent("Does not fit");
  });
});

describe("what a run was started with", () => {
  it("says why it ran, in words", () => {
    expect(describeTrigger({ kind: "manual" }).label).toBe("Manual");
    expect(describeTrigger({}).label).toBe("Manual");
    expect(describeTrigger({ kind: "rest", endpoint: 3, endpoint_name: "churn", version: 2 }).label).toBe("Published endpoint churn (v2)");
    expect(describeTrigger({ kind: "schedule", schedule_name: "nightly", endpoint_name: "churn", version: 1 }).label).toBe(
      "Schedule · nightly → churn (v1)",
    );
    expect(describeTrigger({ kind: "data", endpoint_name: "churn" }).label).toBe("New data → churn");
    expect(describeTrigger({ kind: "drift" }).label).toBe("Drift alarm");
    expect(describeTrigger({ kind: "manual", endpoint_name: "churn", version: 3 }).label).toBe("Manual · published pipeline churn (v3)");
  });

  it("lists the value every parameter took", () => {
    render(
      <RunParameters
        values={{ fraction: 0.25, training_data: { dataset_id: 4, version: 2 }, label: "y" }}
        trigger={{ kind: "rest", endpoint_name: "churn", dataset_version: 7 }}
      />,
    );
    const values = screen.getByLabelText("Parameter values");
    expect(values).toHaveTextContent("fraction0.25");
    expect(values).toHaveTextContent("training_dataIris (v2)");
    expect(values).toHaveTextContent("label“y”");
    expect(screen.getByTestId("run-trigger")).toHaveTextContent("Published endpoint churn");
    expect(screen.getByTestId("run-trigger")).toHaveAttribute("title", "endpoint name: churn\ndataset version: 7");
  });
});
