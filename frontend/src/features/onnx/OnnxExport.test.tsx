import { callsTo, json, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { EDITOR_ME, VIEWER_ME } from "../endpoints/testing/fixtures";
import { renderWithProviders } from "../inspector/testing/render";
import { ModelsPage } from "../models/ModelsPage";
import { EndpointOnnxButton } from "./OnnxExport";

const NATIVE = { format: "native", artifact: "a".repeat(64), filename: "", size: null, created_at: "2026-11-20T10:00:00Z" };
const ONNX = {
  format: "onnx",
  artifact: "b".repeat(64),
  filename: "cancer-v2.onnx",
  size: 17836,
  created_at: "2026-11-21T10:00:00Z",
  detail: { check: { rows: 569, max_difference: 7.8e-8 } },
};

function model(id: number, name: string, formats: object[]) {
  return {
    id,
    workspace: 3,
    name,
    version: 2,
    tags: {},
    description: "",
    run: 5,
    node: "train",
    artifact: "a".repeat(64),
    created_by: "olivia",
    created_at: "2026-11-20T10:00:00Z",
    in_use_by: [] as string[],
    formats,
  };
}

function page() {
  return renderWithProviders(<ModelsPage />, { route: "/w/3/models", path: "/w/:workspaceId/models" });
}

beforeEach(() => {
  resetApi();
  route("GET", "/api/auth/me/", EDITOR_ME);
  route("GET", "/api/models/", {
    count: 2,
    next: null,
    previous: null,
    results: [model(1, "cancer", [NATIVE, ONNX]), model(2, "iris-script", [NATIVE])],
  });
  URL.createObjectURL = vi.fn(() => "blob:onnx");
  URL.revokeObjectURL = vi.fn();
});

describe("Model formats", () => {
  it("lists each version's formats, the ONNX one with its check", async () => {
    page();

    const cell = await screen.findByTestId("formats-1");
    expect(within(cell).getByRole("button", { name: "native" })).toBeInTheDocument();
    expect(within(cell).getByRole("button", { name: "onnx" })).toHaveAttribute("title", expect.stringContaining("checked on 569 training rows"));
    expect(within(screen.getByTestId("formats-2")).queryByRole("button", { name: "onnx" })).not.toBeInTheDocument();
  });

  it("exports a version as ONNX and refreshes the list", async () => {
    route("POST", "/api/models/2/onnx/", () => json(ONNX, 201));
    page();

    await userEvent.click(within(await screen.findByTestId("formats-2")).getByRole("button", { name: "Export → ONNX" }));

    await waitFor(() => expect(callsTo("/api/models/2/onnx/").map((c) => c.method)).toEqual(["POST"]));
    await waitFor(() => expect(callsTo("/api/models/").length).toBe(2));
  });

  it("shows which node cannot be exported and why", async () => {
    const why = "Model 'iris-script' version 2 (Create Python Model) cannot be exported as ONNX: it is a Create Python Model.";
    route("POST", "/api/models/2/onnx/", () => json({ detail: why, problems: [{ code: "no_converter" }] }, 422));
    page();

    await userEvent.click(within(await screen.findByTestId("formats-2")).getByRole("button", { name: "Export → ONNX" }));

    const alert = await within(screen.getByTestId("formats-2")).findByRole("alert");
    expect(alert).toHaveTextContent("Not exported as ONNX");
    expect(alert).toHaveTextContent("cannot be exported as ONNX: it is a Create Python Model");
  });

  it("downloads a format by its chip", async () => {
    route("GET", "/api/models/1/formats/onnx/", () => new Response(new Blob(["onnx"]), { headers: { "Content-Disposition": 'attachment; filename="cancer-v2.onnx"' } }));
    page();

    await userEvent.click(within(await screen.findByTestId("formats-1")).getByRole("button", { name: "onnx" }));

    await waitFor(() => expect(callsTo("/api/models/1/formats/onnx/")).toHaveLength(1));
    expect(URL.createObjectURL).toHaveBeenCalled();
  });

  it("offers viewers the downloads but not the export", async () => {
    route("GET", "/api/auth/me/", VIEWER_ME);
    page();

    const cell = await screen.findByTestId("formats-1");
    expect(within(cell).getByRole("button", { name: "onnx" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Export → ONNX/ })).not.toBeInTheDocument();
  });
});

describe("Endpoint export", () => {
  it("downloads the endpoint's inference pipeline as one ONNX file", async () => {
    route("GET", "/api/endpoints/7/onnx/", () => new Response(new Blob(["onnx"]), { headers: { "Content-Disposition": 'attachment; filename="cancer.onnx"' } }));
    renderWithProviders(<EndpointOnnxButton endpoint={7} />);

    await userEvent.click(screen.getByRole("button", { name: "Export → ONNX" }));

    await waitFor(() => expect(callsTo("/api/endpoints/7/onnx/")).toHaveLength(1));
    expect(URL.createObjectURL).toHaveBeenCalled();
  });

  it("names the node a refused export stops at", async () => {
    const why = "This pipeline cannot be exported as ONNX. Execute Python Script: runs user code (Python or R) in a sandbox per request.";
    route("GET", "/api/endpoints/7/onnx/", () => json({ detail: why }, 422));
    renderWithProviders(<EndpointOnnxButton endpoint={7} />);

    await userEvent.click(screen.getByRole("button", { name: "Export → ONNX" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("Execute Python Script: runs user code");
  });
});
