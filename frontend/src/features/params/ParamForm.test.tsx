import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import type { ColumnSchema, Problem } from "../../api/types";
import { ParamForm, type ParamFormProps } from "./ParamForm";
import type { JsonSchema } from "./schema";

// Parameter schemas as the catalogue serves them (pydantic JSON Schema), trimmed to what is tested.
const splitData: JsonSchema = {
  additionalProperties: false,
  properties: {
    splitting_mode: { const: "Split Rows", default: "Split Rows", title: "Splitting mode", type: "string" },
    fraction_of_rows_in_first_output_dataset: { default: 0.5, maximum: 1, minimum: 0, title: "Fraction of rows in the first output dataset", type: "number" },
    randomized_split: { default: true, title: "Randomized split", type: "boolean" },
    random_seed: { default: 0, minimum: 0, title: "Random seed", type: "integer" },
    stratification_key_column: {
      anyOf: [{ type: "string" }, { type: "null" }],
      default: null,
      title: "Stratification key column",
      "x-tessera-port": "dataset",
      "x-tessera-widget": "column",
    },
  },
  title: "Params",
  type: "object",
};

const trainModel: JsonSchema = {
  properties: {
    label_column: { title: "Label column", type: "string", "x-tessera-port": "dataset", "x-tessera-widget": "column" },
  },
  required: ["label_column"],
  title: "Params",
  type: "object",
};

const normalize: JsonSchema = {
  $defs: {
    ColumnRule: {
      properties: {
        op: { default: "include", enum: ["include", "exclude"], type: "string" },
        names: { items: { type: "string" }, type: "array" },
        types: { items: { enum: ["numeric", "integer", "string", "categorical", "boolean", "datetime", "all"], type: "string" }, type: "array" },
      },
      type: "object",
    },
    ColumnSelection: {
      properties: {
        start: { default: "none", enum: ["none", "all"], type: "string" },
        rules: { items: { $ref: "#/$defs/ColumnRule" }, type: "array" },
      },
      type: "object",
    },
  },
  properties: {
    transformation_method: { default: "ZScore", enum: ["ZScore", "MinMax", "Logistic", "LogNormal", "Tanh"], title: "Transformation method", type: "string" },
    learning_rate: { default: 0.1, exclusiveMinimum: 0, title: "Learning rate", type: "number" },
    columns: {
      $ref: "#/$defs/ColumnSelection",
      default: { start: "all", rules: [] },
      title: "Columns to transform",
      "x-tessera-port": "dataset",
      "x-tessera-widget": "columns",
    },
  },
  type: "object",
};

const datasetModule: JsonSchema = {
  $defs: {
    DatasetRef: {
      properties: {
        dataset_id: { title: "Dataset", type: "integer", "x-tessera-widget": "dataset" },
        version: { anyOf: [{ minimum: 1, type: "integer" }, { type: "null" }], default: null, title: "Version" },
      },
      required: ["dataset_id"],
      type: "object",
    },
  },
  properties: { dataset: { $ref: "#/$defs/DatasetRef", title: "Dataset" } },
  required: ["dataset"],
  type: "object",
};

const columns: ColumnSchema[] = [
  { name: "radius", type: "number" },
  { name: "texture", type: "number" },
  { name: "patient_id", type: "integer" },
  { name: "diagnosis", type: "string" },
];

/** The form as the panel uses it: values held by the parent, every change recorded. */
function Harness(props: Omit<ParamFormProps, "values" | "onChange"> & { initial?: Record<string, unknown>; spy: (name: string, value: unknown) => void }) {
  const { initial = {}, spy, ...rest } = props;
  const [values, setValues] = useState<Record<string, unknown>>(initial);
  return (
    <ParamForm
      {...rest}
      values={values}
      onChange={(name, value) => {
        spy(name, value);
        setValues((v) => {
          const next = { ...v };
          if (value === undefined) delete next[name];
          else next[name] = value;
          return next;
        });
      }}
    />
  );
}

function fieldOf(label: string | RegExp): HTMLElement {
  const el = screen.getByLabelText(label).closest(".field");
  if (!(el instanceof HTMLElement)) throw new Error(`no field for ${label}`);
  return el;
}

describe("the parameter form", () => {
  it("shows numbers with their defaults and flags values outside the limits at the field", async () => {
    const spy = vi.fn();
    render(<Harness schema={splitData} spy={spy} />);
    const fraction = screen.getByLabelText("Fraction of rows in the first output dataset");
    expect(fraction).toHaveValue("0.5");
    expect(within(fieldOf("Fraction of rows in the first output dataset")).getByText("0 – 1")).toBeInTheDocument();

    await userEvent.clear(fraction);
    await userEvent.type(fraction, "1.5");
    expect(fraction).toHaveAttribute("aria-invalid", "true");
    expect(within(fieldOf("Fraction of rows in the first output dataset")).getByText("Must be at most 1.")).toBeInTheDocument();
    expect(spy).toHaveBeenLastCalledWith("fraction_of_rows_in_first_output_dataset", 1.5);

    await userEvent.clear(fraction);
    await userEvent.type(fraction, "0.7");
    expect(fraction).not.toHaveAttribute("aria-invalid");
    expect(screen.queryByText("Must be at most 1.")).not.toBeInTheDocument();
    expect(spy).toHaveBeenLastCalledWith("fraction_of_rows_in_first_output_dataset", 0.7);
  });

  it("flags a negative seed, a fraction for an integer, and an exclusive minimum", async () => {
    const spy = vi.fn();
    render(<Harness schema={{ ...splitData, properties: { ...splitData.properties, ...normalize.properties } }} spy={spy} />);
    const seed = screen.getByLabelText("Random seed");
    await userEvent.clear(seed);
    await userEvent.type(seed, "-3");
    expect(within(fieldOf("Random seed")).getByText("Must be at least 0.")).toBeInTheDocument();

    await userEvent.clear(seed);
    await userEvent.type(seed, "2.5");
    expect(within(fieldOf("Random seed")).getByText("Enter a whole number.")).toBeInTheDocument();
    expect(spy).not.toHaveBeenCalledWith("random_seed", 2.5);

    const rate = screen.getByLabelText("Learning rate");
    await userEvent.clear(rate);
    await userEvent.type(rate, "0");
    expect(within(fieldOf("Learning rate")).getByText("Must be greater than 0.")).toBeInTheDocument();
  });

  it("renders an enum as a select and a boolean as a checkbox", async () => {
    const spy = vi.fn();
    render(<Harness schema={{ ...normalize, properties: { ...normalize.properties, randomized_split: splitData.properties?.randomized_split as JsonSchema } }} spy={spy} />);
    const method = screen.getByLabelText("Transformation method");
    expect(method.tagName).toBe("SELECT");
    expect(within(method).getAllByRole("option").map((o) => o.textContent)).toEqual(["ZScore", "MinMax", "Logistic", "LogNormal", "Tanh"]);
    expect(method).toHaveValue("ZScore");
    await userEvent.selectOptions(method, "MinMax");
    expect(spy).toHaveBeenLastCalledWith("transformation_method", "MinMax");

    const box = screen.getByRole("checkbox", { name: "Randomized split" });
    expect(box).toBeChecked();
    await userEvent.click(box);
    expect(spy).toHaveBeenLastCalledWith("randomized_split", false);
    expect(box).not.toBeChecked();
  });

  it("shows a constant as read-only text", () => {
    render(<Harness schema={splitData} spy={vi.fn()} />);
    const mode = screen.getByLabelText("Splitting mode");
    expect(mode).toHaveValue("Split Rows");
    expect(mode).toBeDisabled();
  });

  it("lists the columns reaching the port in the single-column picker", async () => {
    const spy = vi.fn();
    render(<Harness schema={trainModel} spy={spy} columnsFor={(port) => (port === "dataset" ? columns : undefined)} />);
    const picker = screen.getByLabelText(/Label column/);
    expect(within(picker).getAllByRole("option").map((o) => o.getAttribute("value"))).toEqual(["", "radius", "texture", "patient_id", "diagnosis"]);
    await userEvent.selectOptions(picker, "diagnosis");
    expect(spy).toHaveBeenLastCalledWith("label_column", "diagnosis");
    expect(picker).not.toHaveAttribute("aria-invalid");
  });

  it("flags a required column left empty, and a column that does not reach the port", () => {
    const { unmount } = render(<Harness schema={trainModel} spy={vi.fn()} columnsFor={() => columns} />);
    expect(screen.getByLabelText(/Label column/)).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByText("Pick a column: this parameter is required.")).toBeInTheDocument();
    unmount();

    render(<Harness schema={trainModel} spy={vi.fn()} columnsFor={() => columns} initial={{ label_column: "outcome" }} />);
    expect(screen.getByLabelText(/Label column/)).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByText("There is no column “outcome” in the table reaching this port.")).toBeInTheDocument();
  });

  it("without known columns, asks to connect the input and takes a typed name", async () => {
    const spy = vi.fn();
    render(<Harness schema={trainModel} spy={spy} />);
    expect(screen.getByText(/Connect the “dataset” input to pick from its columns/)).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText(/Label column/), "y");
    expect(spy).toHaveBeenLastCalledWith("label_column", "y");
  });

  it("pins the server's problem on the field it names", () => {
    const problem: Problem = {
      code: "invalid_param",
      message: "Node 'train' (Train Model): parameter 'label_column' must name a column of the input.",
      node: "train",
      port: null,
      param: "label_column",
      column: "label_column",
      path: "nodes[3].params.label_column",
    };
    render(<Harness schema={trainModel} spy={vi.fn()} initial={{ label_column: "diagnosis" }} problems={[problem]} />);
    expect(within(fieldOf(/Label column/)).getByText("“Label column” must name a column of the input.")).toBeInTheDocument();
    expect(screen.getByLabelText(/Label column/)).toHaveAttribute("aria-invalid", "true");
  });

  it("lists the real columns in the multi-column picker and includes the checked ones by name", async () => {
    const spy = vi.fn();
    render(<Harness schema={normalize} spy={spy} columnsFor={() => columns} />);
    const group = screen.getByRole("group", { name: "Columns to transform" });
    expect(within(group).getByText("All 4 columns")).toBeInTheDocument();
    await userEvent.click(within(group).getByRole("button", { name: "Edit columns" }));

    const list = within(group).getByRole("list", { name: "Columns" });
    expect(within(list).getAllByRole("checkbox").map((c) => c.parentElement?.textContent)).toEqual([
      "radiusnumber",
      "texturenumber",
      "patient_idinteger",
      "diagnosisstring",
    ]);
    // Every column is selected to begin with (the default is all of them).
    expect(within(list).getAllByRole("checkbox").every((c) => (c as HTMLInputElement).checked)).toBe(true);
    await userEvent.click(within(group).getByRole("radio", { name: /Only the checked columns/ }));
    await userEvent.click(within(group).getByRole("button", { name: "Clear" }));
    expect(within(group).getByText("0 of 4 columns")).toBeInTheDocument();
    await userEvent.click(within(list).getByRole("checkbox", { name: /radius/ }));
    await userEvent.click(within(list).getByRole("checkbox", { name: /texture/ }));
    expect(spy).toHaveBeenLastCalledWith("columns", { start: "none", rules: [{ op: "include", names: ["radius", "texture"], types: [] }] });
    expect(within(group).getByText("2 of 4 columns")).toBeInTheDocument();
  });

  it("excludes unchecked columns by name", async () => {
    const spy = vi.fn();
    render(<Harness schema={normalize} spy={spy} columnsFor={() => columns} initial={{ columns: ["radius"] }} />);
    const group = screen.getByRole("group", { name: "Columns to transform" });
    expect(within(group).getByText("1 of 4 columns")).toBeInTheDocument();
    await userEvent.click(within(group).getByRole("button", { name: "Edit columns" }));
    await userEvent.click(within(group).getByRole("radio", { name: /All columns except the unchecked ones/ }));
    expect(spy).toHaveBeenLastCalledWith("columns", { start: "all", rules: [{ op: "exclude", names: ["texture", "patient_id", "diagnosis"], types: [] }] });
    await userEvent.click(within(group).getByRole("button", { name: "Check all" }));
    await userEvent.click(within(group).getByRole("checkbox", { name: /patient_id/ }));
    expect(spy).toHaveBeenLastCalledWith("columns", { start: "all", rules: [{ op: "exclude", names: ["patient_id"], types: [] }] });
    expect(within(group).getByText("3 of 4 columns")).toBeInTheDocument();
  });

  it("builds rules by type from the schema's own vocabulary", async () => {
    const spy = vi.fn();
    render(<Harness schema={normalize} spy={spy} columnsFor={() => columns} initial={{ columns: { start: "none", rules: [] } }} />);
    const group = screen.getByRole("group", { name: "Columns to transform" });
    await userEvent.click(within(group).getByRole("button", { name: "Edit columns" }));
    await userEvent.click(within(group).getByRole("tab", { name: "With rules" }));
    await userEvent.click(within(group).getByRole("button", { name: "+ Add rule" }));
    expect(within(group).getAllByRole("button", { pressed: false }).map((b) => b.textContent)).toEqual([
      "numeric",
      "integer",
      "string",
      "categorical",
      "boolean",
      "datetime",
      "all",
    ]);
    await userEvent.click(within(group).getByRole("button", { name: "numeric" }));
    expect(spy).toHaveBeenLastCalledWith("columns", { start: "none", rules: [{ op: "include", names: [], types: ["numeric"] }] });
    expect(within(group).getByText("3 of 4 columns")).toBeInTheDocument();
  });

  it("flags names in a selection that are not in the input", () => {
    render(<Harness schema={normalize} spy={vi.fn()} columnsFor={() => columns} initial={{ columns: ["radius", "smoothness"] }} />);
    expect(screen.getByText("Not in the table reaching this port: “smoothness”.")).toBeInTheDocument();
  });

  it("picks a dataset of the workspace for a dataset reference", async () => {
    const spy = vi.fn();
    render(
      <Harness
        schema={datasetModule}
        spy={spy}
        datasets={[
          { id: 1, name: "Breast cancer" },
          { id: 2, name: "Iris flowers" },
        ]}
      />,
    );
    const select = screen.getAllByRole("combobox")[0] as HTMLSelectElement;
    await userEvent.selectOptions(select, "2");
    expect(spy).toHaveBeenLastCalledWith("dataset", { dataset_id: 2 });
    expect(screen.getByLabelText("Version (empty: latest)")).toHaveValue("");
  });
});
