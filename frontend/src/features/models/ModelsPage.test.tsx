import { callsTo, json, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { EDITOR_ME, VIEWER_ME } from "../endpoints/testing/fixtures";
import { renderWithProviders } from "../inspector/testing/render";
import { ModelsPage } from "./ModelsPage";

function model(id: number, name: string, partial: object = {}) {
  return {
    id,
    workspace: 3,
    name,
    version: 2,
    tags: { stage: "prod", algo: "logreg" },
    description: "",
    run: 5,
    node: "train",
    artifact: "models/5/train/trained_model",
    created_by: "olivia",
    created_at: "2026-11-20T10:00:00Z",
    in_use_by: [] as string[],
    ...partial,
  };
}

function page() {
  return renderWithProviders(<ModelsPage />, { route: "/w/3/models", path: "/w/:workspaceId/models" });
}

beforeEach(() => {
  resetApi();
  route("GET", "/api/auth/me/", EDITOR_ME);
  route("GET", "/api/models/", { count: 2, next: null, previous: null, results: [model(1, "cancer-logreg", { in_use_by: ["cancer-risk"] }), model(2, "diabetes-tree", { tags: [], run: null })] });
});

describe("ModelsPage", () => {
  it("lists the workspace's registered models with tags, run and endpoints using them", async () => {
    page();

    const table = await screen.findByRole("table");
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("cancer-logreg");
    expect(rows[0]).toHaveTextContent("v2");
    expect(within(rows[0]!).getByText("stage: prod")).toBeInTheDocument();
    expect(within(rows[0]!).getByRole("link", { name: "Run #5" })).toHaveAttribute("href", "/runs/5");
    expect(rows[0]).toHaveTextContent("cancer-risk");
    expect(within(rows[1]!).queryByRole("link")).not.toBeInTheDocument();
    expect(callsTo("/api/models/")[0]!.url.searchParams.get("workspace")).toBe("3");
  });

  it("shows why a model in use cannot be deleted (409)", async () => {
    route("DELETE", "/api/models/1/", () => json({ detail: "“cancer-logreg” v2 is served by the live endpoint “cancer-risk”." }, 409));
    page();

    await userEvent.click(await screen.findByRole("button", { name: "Delete cancer-logreg v2" }));
    const dialog = screen.getByRole("dialog", { name: "Delete “cancer-logreg” v2?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Delete model" }));

    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent("This model is in use");
    expect(alert).toHaveTextContent("is served by the live endpoint “cancer-risk”");
    expect(within(dialog).queryByRole("button", { name: "Delete model" })).not.toBeInTheDocument();
  });

  it("deletes a model after confirming", async () => {
    route("DELETE", "/api/models/2/", () => new Response(null, { status: 204 }));
    page();

    await userEvent.click(await screen.findByRole("button", { name: "Delete diabetes-tree v2" }));
    await userEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Delete model" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(callsTo("/api/models/2/").map((c) => c.method)).toEqual(["DELETE"]);
    await waitFor(() => expect(callsTo("/api/models/").length).toBe(2)); // the list was refreshed
  });

  it("offers no delete to viewers", async () => {
    route("GET", "/api/auth/me/", VIEWER_ME);
    page();
    await screen.findByRole("table");
    expect(screen.queryByRole("button", { name: /Delete/ })).not.toBeInTheDocument();
  });
});

describe("Register model", () => {
  const RUN = {
    id: 5,
    workspace: 3,
    pipeline: 12,
    pipeline_name: "Breast cancer",
    version: 2,
    status: "completed",
    created_by: "olivia",
    created_at: "2026-11-20T10:00:00Z",
    elapsed: 5,
    metrics: {},
    error: "",
  };
  const node = (id: string, module: string, outputs: object) => ({
    node: id,
    module_id: module,
    module_version: 1,
    module_name: module === "train_model" ? "Train Model" : "Split Data",
    status: "completed",
    outputs,
  });

  it("registers the trained model of a completed run, with tags", async () => {
    route("GET", "/api/runs/", { count: 2, next: null, previous: null, results: [RUN, { ...RUN, id: 6, status: "failed" }] });
    route("GET", "/api/runs/5/", {
      ...RUN,
      nodes: [
        node("split", "split_data", { results_dataset1: { type: "table", digest: "a" } }),
        node("train", "train_model", { trained_model: { type: "trained_model", digest: "b" } }),
      ],
    });
    route("POST", "/api/models/", () => json({ ...model(3, "cancer-logreg"), version: 3 }, 201));
    page();

    await userEvent.click(await screen.findByRole("button", { name: "Register model" }));
    const dialog = screen.getByRole("dialog", { name: "Register a model" });
    const runSelect = within(dialog).getByRole("combobox", { name: "Run" });
    await waitFor(() => expect(runSelect).toHaveValue("5"));
    expect(within(runSelect).getAllByRole("option").map((o) => o.textContent)).toEqual(["Run #5 — Breast cancer v2"]);
    const nodeSelect = within(dialog).getByRole("combobox", { name: "Trained model" });
    await waitFor(() => expect(nodeSelect).toHaveValue("train"));
    expect(within(nodeSelect).getAllByRole("option")).toHaveLength(1);

    await userEvent.click(within(dialog).getByRole("button", { name: "Register" }));
    expect(within(dialog).getByText("Give the model a name.")).toBeInTheDocument();
    expect(callsTo("/api/models/").filter((c) => c.method === "POST")).toHaveLength(0);

    await userEvent.type(within(dialog).getByRole("textbox", { name: "Name *" }), "cancer-logreg");
    const tags = within(dialog).getByRole("textbox", { name: "Tags" });
    await userEvent.type(tags, "stage=prod, reviewed");
    await userEvent.click(within(dialog).getByRole("button", { name: "Register" }));
    expect(within(dialog).getByText("“reviewed” needs a key and a value, like stage=prod.")).toBeInTheDocument();
    expect(tags).toHaveAttribute("aria-invalid", "true");

    await userEvent.type(tags, "=yes");
    await userEvent.click(within(dialog).getByRole("button", { name: "Register" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    const posted = callsTo("/api/models/").find((c) => c.method === "POST")!;
    expect(JSON.parse(posted.body ?? "")).toEqual({
      workspace: 3,
      name: "cancer-logreg",
      run: 5,
      node: "train",
      port: "",
      tags: { stage: "prod", reviewed: "yes" },
      description: "",
    });
  });
});
