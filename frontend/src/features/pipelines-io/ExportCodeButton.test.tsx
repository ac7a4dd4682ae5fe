import { callsTo, json, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useToasts } from "../../app/toasts";
import { renderWithProviders } from "../inspector/testing/render";
import { ExportCodeButton } from "./ExportCodeButton";

const ZIP = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]);

function zip(filename: string): Response {
  return new Response(ZIP, {
    status: 200,
    headers: { "Content-Type": "application/zip", "Content-Disposition": `attachment; filename="${filename}"` },
  });
}

let saved: { name: string; blob: Blob }[] = [];

beforeEach(() => {
  resetApi();
  saved = [];
  useToasts.setState({ toasts: [] });
  const blobs = new Map<string, Blob>();
  URL.createObjectURL = vi.fn((blob: Blob) => {
    const url = `blob:test/${blobs.size}`;
    blobs.set(url, blob);
    return url;
  });
  URL.revokeObjectURL = vi.fn();
  vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
    saved.push({ name: this.download, blob: blobs.get(this.href)! });
  });
});

afterEach(() => vi.restoreAllMocks());

describe("Export as code", () => {
  it("downloads the version on the canvas as the zip the server names", async () => {
    route("GET", "/api/pipelines/12/export-script/", () => zip("churn-v3.zip"));
    renderWithProviders(<ExportCodeButton target={{ pipeline: 12, version: 3 }} />);

    await userEvent.click(screen.getByRole("button", { name: "Export as code" }));

    await waitFor(() => expect(saved).toHaveLength(1));
    expect(callsTo("/api/pipelines/12/export-script/").map((c) => c.url.search)).toEqual(["?version=3"]);
    const [file] = saved;
    expect(file?.name).toBe("churn-v3.zip");
    expect(new Uint8Array(await file!.blob.arrayBuffer())).toEqual(ZIP);
    expect(screen.getByRole("button", { name: "Export as code" })).toBeEnabled();
  });

  it("asks for the newest version when the canvas has no saved one", async () => {
    route("GET", "/api/pipelines/12/export-script/", () => zip("churn-v4.zip"));
    renderWithProviders(<ExportCodeButton target={{ pipeline: 12, version: null }} />);
    await userEvent.click(screen.getByRole("button", { name: "Export as code" }));
    await waitFor(() => expect(saved.map((s) => s.name)).toEqual(["churn-v4.zip"]));
    expect(callsTo("/api/pipelines/12/export-script/").map((c) => c.url.search)).toEqual([""]);
  });

  it("downloads a run with the run's own address", async () => {
    route("GET", "/api/runs/7/export-script/", () => zip("churn-run7.zip"));
    renderWithProviders(<ExportCodeButton target={{ run: 7 }} />);
    expect(screen.getByRole("button", { name: "Export as code" })).toHaveAttribute(
      "title",
      "Download run #7 as a Python script and a notebook, with its data (a zip that runs without Tessera)",
    );
    await userEvent.click(screen.getByRole("button", { name: "Export as code" }));
    await waitFor(() => expect(saved.map((s) => s.name)).toEqual(["churn-run7.zip"]));
  });

  it("says why the server refused, and saves nothing", async () => {
    route("GET", "/api/pipelines/12/export-script/", () =>
      json(
        {
          detail:
            "The pipeline cannot be exported as code: 1 problem. Pipeline parameter 'rate' has no default, so a value must be given when the pipeline runs.",
          problems: [],
        },
        400,
      ),
    );
    renderWithProviders(<ExportCodeButton target={{ pipeline: 12 }} />);
    await userEvent.click(screen.getByRole("button", { name: "Export as code" }));

    await waitFor(() => expect(useToasts.getState().toasts).toHaveLength(1));
    const shown = useToasts.getState().toasts[0]!;
    expect(shown.kind).toBe("error");
    expect(shown.text).toContain("Could not export the pipeline as code: The pipeline cannot be exported as code: 1 problem.");
    expect(shown.text).toContain("Pipeline parameter 'rate' has no default");
    expect(saved).toEqual([]);
  });
});
