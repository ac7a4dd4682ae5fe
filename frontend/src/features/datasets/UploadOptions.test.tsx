import { callsTo, json, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { renderWithProviders } from "../inspector/testing/render";
import { appendOptions, DEFAULT_OPTIONS, markersOf } from "./uploadOptions";

const { UploadDataset } = await import("./UploadDataset");

const EUROPEAN = "Stadt;Preis\nKöln;1,5\nMünchen;-2,25\n";
const USED = {
  delimiter: ";",
  has_header: true,
  encoding: "utf-8",
  missing_values: ["", "?", "n/a", "na", "nan", "none", "null"],
  decimal: ".",
  column_types: {},
};

/** What the server answers for the body it got: text columns until the decimal comma is sent. */
function previewOf(body: string) {
  const comma = body.includes('name="decimal"\r\n\r\n,');
  const override = /name="column_types"\r\n\r\n(\{[^\r]*\})/.exec(body);
  const types = override ? (JSON.parse(override[1]!) as Record<string, string>) : {};
  return {
    source_name: "prices.csv",
    format: "text",
    total: 2,
    columns: [
      { name: "Stadt", type: types.Stadt === "text" ? "string" : "string" },
      { name: "Preis", type: comma ? "number" : "string" },
    ],
    rows: comma
      ? [
          ["Köln", 1.5],
          ["München", -2.25],
        ]
      : [
          ["Köln", "1,5"],
          ["München", "-2,25"],
        ],
    options: { ...USED, decimal: comma ? "," : ".", column_types: types },
    problems: comma
      ? []
      : [{ field: "decimal", column: "Preis", message: "column 'Preis' holds numbers written with ',' as the decimal separator" }],
  };
}

function field(body: string | null, name: string): string | undefined {
  const match = new RegExp(`name="${name}"\\r\\n\\r\\n([^\\r]*)\\r\\n`).exec(body ?? "");
  return match?.[1];
}

function dialog(onUploaded = vi.fn()) {
  renderWithProviders(<UploadDataset workspace={3} workspaceName="Team" onClose={() => undefined} onUploaded={onUploaded} />);
  return screen.getByRole("dialog", { name: "Upload a dataset to Team" });
}

beforeEach(() => {
  resetApi();
  document.cookie = "csrftoken=t";
  route("POST", "/api/datasets/preview/", async (_url: URL, request: Request) => previewOf(await request.text()));
});

describe("upload options", () => {
  it("previews a chosen file with the defaults, showing the guessed delimiter and the hint", async () => {
    const box = dialog();

    await userEvent.upload(within(box).getByLabelText("File"), new File([EUROPEAN], "prices.csv", { type: "text/csv" }));

    const table = await within(box).findByRole("table", { name: "Preview" });
    expect(within(table).getAllByRole("row").map((r) => r.textContent)).toEqual([
      expect.stringMatching(/^Stadttext \(guessed\)/),
      "Köln1,5",
      "München-2,25",
    ]);
    expect(within(box).getByTestId("preview-used")).toHaveTextContent("2 rows, 2 columns · semicolon-separated, utf-8, decimal point");
    expect(within(box).getByTestId("preview-problems")).toHaveTextContent("holds numbers written with ','");
    const [sent] = callsTo("/api/datasets/preview/");
    expect(field(sent!.body, "has_header")).toBe("true");
    expect(field(sent!.body, "workspace")).toBe("3");
    for (const name of ["delimiter", "encoding", "decimal", "missing_values", "column_types"]) {
      expect(field(sent!.body, name)).toBeUndefined();
    }
  });

  it("re-reads the preview when an option changes, and uploads with the same options", async () => {
    route("POST", "/api/datasets/", () => json({ id: 11, workspace: 3, name: "prices", versions: [] }, 201));
    const onUploaded = vi.fn();
    const box = dialog(onUploaded);
    await userEvent.upload(within(box).getByLabelText("File"), new File([EUROPEAN], "prices.csv", { type: "text/csv" }));
    await within(box).findByRole("table", { name: "Preview" });

    await userEvent.click(within(box).getByRole("button", { name: "More options" }));
    await userEvent.selectOptions(within(box).getByLabelText("Delimiter"), "semicolon");
    await userEvent.selectOptions(within(box).getByLabelText("Decimal separator"), "Comma: 1,5");
    await userEvent.type(within(box).getByLabelText("Encoding"), "latin-1");
    await userEvent.type(within(box).getByLabelText("Missing-value markers"), "-, n.v.");

    await waitFor(() => expect(within(box).getByRole("row", { name: "Köln 1.5" })).toBeInTheDocument());
    expect(within(box).getByLabelText("Type of Preis")).toHaveDisplayValue("number (guessed)");
    const last = callsTo("/api/datasets/preview/").at(-1)!;
    expect(field(last.body, "delimiter")).toBe(";");
    expect(field(last.body, "decimal")).toBe(",");
    expect(field(last.body, "encoding")).toBe("latin-1");
    expect(field(last.body, "missing_values")).toBe('["-","n.v."]');

    await userEvent.selectOptions(within(box).getByLabelText("Type of Stadt"), "text");
    await waitFor(() => expect(field(callsTo("/api/datasets/preview/").at(-1)!.body, "column_types")).toBe('{"Stadt":"text"}'));
    await userEvent.click(within(box).getByRole("button", { name: "Upload" }));

    await waitFor(() => expect(onUploaded).toHaveBeenCalled());
    const [post] = callsTo("/api/datasets/");
    expect(field(post!.body, "delimiter")).toBe(";");
    expect(field(post!.body, "decimal")).toBe(",");
    expect(field(post!.body, "encoding")).toBe("latin-1");
    expect(field(post!.body, "missing_values")).toBe('["-","n.v."]');
    expect(field(post!.body, "column_types")).toBe('{"Stadt":"text"}');
  });

  it("shows why the file cannot be read with these options, naming the field", async () => {
    route("POST", "/api/datasets/preview/", () =>
      json({ detail: "Some fields are invalid.", fields: { encoding: ["'klingon' is not an encoding Python knows"] } }, 400),
    );
    const box = dialog();

    await userEvent.upload(within(box).getByLabelText("File"), new File([EUROPEAN], "prices.csv", { type: "text/csv" }));

    expect(await within(box).findByTestId("preview-error")).toHaveTextContent("encoding: 'klingon' is not an encoding Python knows");
    expect(within(box).queryByRole("table", { name: "Preview" })).not.toBeInTheDocument();
  });

  it("neither previews nor offers options for a zip", async () => {
    const box = dialog();

    await userEvent.upload(within(box).getByLabelText("File"), new File(["PK"], "b.zip", { type: "application/zip" }));

    expect(within(box).queryByRole("group", { name: "Options" })).not.toBeInTheDocument();
    expect(within(box).queryByRole("region", { name: "Preview" })).not.toBeInTheDocument();
    expect(callsTo("/api/datasets/preview/")).toHaveLength(0);
  });
});

describe("appendOptions", () => {
  it("sends only what differs from the server's defaults, lists as JSON", () => {
    const form = new FormData();
    appendOptions(form, { ...DEFAULT_OPTIONS, delimiter: "\t", missingValues: " NA ,, - " });

    expect([...form.entries()]).toEqual([
      ["has_header", "true"],
      ["delimiter", "\t"],
      ["missing_values", '["NA","-"]'],
    ]);
    expect(markersOf("")).toEqual([]);
  });
});
