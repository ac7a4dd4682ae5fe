import { callsTo, json, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { renderRouted } from "../endpoints/testing/render";
import { PipelineEndpointPage } from "./PipelineEndpointPage";
import { EDITOR_ME, endpointFixture, PRIMARY, runFixture, SECONDARY, VIEWER_ME } from "./testing/fixtures";

function open(query = "") {
  return renderRouted(<PipelineEndpointPage />, {
    route: `/w/3/pipeline-endpoints/5${query}`,
    path: "/w/:workspaceId/pipeline-endpoints/:endpointId",
  });
}

const DATASETS = [{ id: 4, name: "Biopsies", workspace: 3 }, { id: 17, name: "nightly · training_data", workspace: 3 }];

beforeEach(() => {
  resetApi();
  route("GET", "/api/auth/me/", EDITOR_ME);
  route("GET", "/api/pipeline-endpoints/5/", endpointFixture());
  route("GET", "/api/datasets/", { count: 2, next: null, previous: null, results: DATASETS });
  route("GET", "/api/pipeline-endpoints/5/runs/", {
    count: 2,
    next: null,
    previous: null,
    results: [runFixture(), runFixture({ id: 91, kind: "schedule", status: "failed", error: "Node 'split' failed", trigger: { kind: "schedule" } })],
  });
});

describe("PipelineEndpointPage", () => {
  it("shows the versions, the default version's parameters, the runs and how to call it", async () => {
    open();

    expect(await screen.findByRole("heading", { name: "nightly" })).toBeInTheDocument();
    const versions = screen.getByTestId("pe-versions");
    expect(within(versions).getByTestId("pe-version-1")).toHaveTextContent("v1DEFAULT");
    expect(within(versions).getByTestId("pe-version-1")).toHaveTextContent("from run #41");
    expect(within(versions).getByTestId("pe-version-2")).toHaveTextContent("the pipeline's");

    const params = screen.getByTestId("pe-parameters");
    const fraction = within(params).getByText("fraction").closest("tr")!;
    expect(fraction).toHaveTextContent("0.25");
    expect(fraction).toHaveTextContent("pipeline: 0.7");
    expect(fraction).toHaveTextContent("Split Data (split) → Fraction of rows in the first output dataset");
    await waitFor(() => expect(within(params).getByText("training_data").closest("tr")).toHaveTextContent("Biopsies (latest)"));

    const runs = await screen.findByTestId("pe-runs");
    expect(within(runs).getByTestId("pe-run-90")).toHaveTextContent("REST call");
    expect(within(runs).getByTestId("pe-run-90")).toHaveTextContent("training_data=nightly · training_data (v2) (uploaded)");
    expect(within(runs).getByTestId("pe-run-91")).toHaveTextContent("Schedule");
    expect(within(runs).getByTestId("pe-run-91")).toHaveTextContent("Failed");
    expect(within(runs).getByRole("link", { name: "#90" })).toHaveAttribute("href", "/runs/90");

    expect(screen.getByTestId("trigger-url")).toHaveTextContent("http://tessera.test/pipeline-endpoints/nightly/runs");
    expect(screen.getByTestId("pe-snippet-curl")).toHaveTextContent("Authorization: Bearer <your-endpoint-key>");
    expect(screen.getByTestId("pe-snippet-curl").textContent).not.toContain(PRIMARY);
    await userEvent.click(screen.getByRole("checkbox", { name: /Put the primary key in the code below/ }));
    expect(screen.getByTestId("pe-snippet-curl")).toHaveTextContent(`Authorization: Bearer ${PRIMARY}`);
    await userEvent.click(screen.getByRole("tab", { name: "File for a dataset" }));
    expect(screen.getByTestId("pe-snippet-curl")).toHaveTextContent("-F 'training_data=@new-data.csv'");
    expect(screen.getByTestId("pe-snippet-python")).toHaveTextContent('files={"training_data": f}');
  });

  it("switches to another version: its URL, parameters and Run now", async () => {
    open("?version=2");

    expect(await screen.findByTestId("trigger-url")).toHaveTextContent("http://tessera.test/pipeline-endpoints/nightly/versions/2/runs");
    expect(within(screen.getByTestId("pe-parameters")).getByText("fraction").closest("tr")).toHaveTextContent("0.7");
    expect(screen.getByRole("combobox", { name: "Version shown" })).toHaveValue("2");
    expect(await screen.findByRole("heading", { name: /Run now/ })).toHaveTextContent("version 2");
  });

  it("makes another version the default and unpublishes one that never ran", async () => {
    route("PATCH", "/api/pipeline-endpoints/5/", endpointFixture({ default_version: 2 }));
    route("DELETE", "/api/pipeline-endpoints/5/versions/2/", () => new Response(null, { status: 204 }));
    open();

    const second = await screen.findByTestId("pe-version-2");
    await userEvent.click(await within(second).findByRole("button", { name: "Make default" }));
    await waitFor(() => expect(callsTo("/api/pipeline-endpoints/5/").some((c) => c.method === "PATCH")).toBe(true));
    expect(JSON.parse(callsTo("/api/pipeline-endpoints/5/").find((c) => c.method === "PATCH")!.body!)).toEqual({ default_version: 2 });

    await userEvent.click(within(screen.getByTestId("pe-version-2")).getByRole("button", { name: "Unpublish" }));
    await waitFor(() => expect(callsTo("/api/pipeline-endpoints/5/versions/2/")).toHaveLength(1));
    expect(within(screen.getByTestId("pe-version-1")).queryByRole("button", { name: "Unpublish" })).not.toBeInTheDocument();
  });

  it("regenerates a key after asking", async () => {
    route("POST", "/api/pipeline-endpoints/5/regenerate-key/", { primary: PRIMARY, secondary: "pe_secondary_new_0000000000ab" });
    open();

    const row = await screen.findByTestId("key-secondary");
    expect(row).toHaveTextContent(SECONDARY.slice(-4));
    await userEvent.click(await within(row).findByRole("button", { name: "Regenerate" }));
    await userEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Regenerate secondary key" }));

    await waitFor(() => expect(screen.getByTestId("key-secondary")).toHaveTextContent("00ab"));
    expect(JSON.parse(callsTo("/api/pipeline-endpoints/5/regenerate-key/")[0]!.body!)).toEqual({ key: "secondary" });
  });

  it("runs now with typed values, and shows a refused value at its parameter", async () => {
    let answer = json({ detail: "The pipeline has 1 problem to fix before it can run.", problems: [{ code: "invalid_param", message: "Pipeline parameter 'fraction' (= 0.9) does not fit a field it drives: too large.", path: "parameters.fraction" }] }, 400);
    route("POST", "/api/pipeline-endpoints/5/runs/", () => answer);
    open();

    const input = await screen.findByRole("textbox", { name: "fraction" });
    expect(input).toHaveValue("0.25");
    await userEvent.clear(input);
    await userEvent.type(input, "0.9");
    await userEvent.click(screen.getByTestId("pe-run-now"));
    expect(await screen.findByText("Does not fit a field it drives: too large.")).toBeInTheDocument();

    answer = json({ id: 93, status: "running" }, 201);
    await userEvent.click(screen.getByTestId("pe-run-now"));
    expect(await screen.findByRole("link", { name: "run #93" })).toHaveAttribute("href", "/runs/93");
    const sent = callsTo("/api/pipeline-endpoints/5/runs/").filter((c) => c.method === "POST").map((c) => JSON.parse(c.body!));
    expect(sent[1]).toEqual({ version: 1, parameters: { training_data: { dataset_id: 4, version: null }, fraction: 0.9, label: "diagnosis" } });
  });

  it("shows a viewer no keys, no Run now and no version actions", async () => {
    route("GET", "/api/auth/me/", VIEWER_ME);
    route("GET", "/api/pipeline-endpoints/5/", endpointFixture({ keys: null }));
    open();

    expect(await screen.findByText(/Keys are shown to editors and owners of the workspace; you are a viewer/)).toBeInTheDocument();
    expect(screen.queryByTestId("pe-run-now")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Make default" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Delete" })).not.toBeInTheDocument();
    expect(screen.getByTestId("pe-snippet-curl")).toHaveTextContent("Bearer <your-endpoint-key>");
  });
});
