import { callsTo, json, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { renderRouted } from "../endpoints/testing/render";
import { CreateInferenceButton, InferenceNotes } from "./inference";

const PIPELINE = {
  id: 31,
  workspace: 3,
  name: "Breast cancer — real-time inference",
  description: "",
  created_by: "olivia",
  created_at: "2026-11-23T10:00:00Z",
  updated_at: "2026-11-23T10:00:00Z",
  head_version: 1,
  has_draft: false,
};

function button(onSelectNode?: (node: string) => void) {
  return renderRouted(<CreateInferenceButton runId={5} onSelectNode={onSelectNode} />, { route: "/runs/5", path: "/runs/:runId" });
}

beforeEach(() => resetApi());

describe("Create inference pipeline", () => {
  it("posts for the run and opens the new pipeline with the notes of the derivation", async () => {
    const notes = ["Train Model “train” became the constant input “MD-train”.", "Evaluate Model was removed."];
    route("POST", "/api/runs/5/inference-pipeline/", () => json({ pipeline: PIPELINE, notes }, 201));
    button();

    await userEvent.click(screen.getByRole("button", { name: "Create inference pipeline" }));

    const where = await screen.findByTestId("location");
    expect(where).toHaveTextContent("/pipelines/31");
    expect(JSON.parse(where.dataset.state ?? "null")).toEqual({ inference: { runId: 5, notes } });
    expect(JSON.parse(callsTo("/api/runs/5/inference-pipeline/")[0]!.body ?? "")).toEqual({ name: "" }); // the server's default name
  });

  it("explains a run that has not completed (409)", async () => {
    route("POST", "/api/runs/5/inference-pipeline/", () => json({ detail: "Run #5 is still running." }, 409));
    button();

    await userEvent.click(screen.getByRole("button", { name: "Create inference pipeline" }));

    const dialog = await screen.findByRole("dialog", { name: "The run has not completed" });
    expect(within(dialog).getByRole("alert")).toHaveTextContent("Run #5 is still running.");
    expect(screen.queryByTestId("location")).not.toBeInTheDocument();
  });

  it("lists why nothing can be derived (422), with a way to the node", async () => {
    const select = vi.fn();
    route("POST", "/api/runs/5/inference-pipeline/", () =>
      json(
        {
          detail: "No inference pipeline can be derived from this run.",
          problems: [
            { code: "several_models", message: "More than one trained model could be served.", node: "train_a" },
            { code: "no_trained_model", message: "Nothing else to say.", node: null },
          ],
        },
        422,
      ),
    );
    button(select);

    await userEvent.click(screen.getByRole("button", { name: "Create inference pipeline" }));

    const dialog = await screen.findByRole("dialog", { name: "No inference pipeline can be made from this run" });
    expect(within(dialog).getByRole("alert")).toHaveTextContent("No inference pipeline can be derived from this run.");
    const problems = within(dialog).getByRole("list", { name: "Problems" });
    expect(within(problems).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "train_a: More than one trained model could be served.",
      "Nothing else to say.",
    ]);
    await userEvent.click(within(problems).getByRole("button", { name: "train_a" }));
    expect(select).toHaveBeenCalledWith("train_a");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });
});

describe("Create batch inference pipeline", () => {
  const batch = () =>
    renderRouted(<CreateInferenceButton kind="batch" runId={5} />, { route: "/runs/5", path: "/runs/:runId" });

  it("posts for the run and opens the batch pipeline with the notes of the derivation", async () => {
    const notes = ["Node 'data' (Dataset) kept as the batch input: replace it, or bind it to a pipeline parameter."];
    route("POST", "/api/runs/5/batch-inference-pipeline/", () =>
      json({ pipeline: { ...PIPELINE, name: "Breast cancer — batch inference" }, notes }, 201),
    );
    batch();

    await userEvent.click(screen.getByRole("button", { name: "Create batch inference pipeline" }));

    const where = await screen.findByTestId("location");
    expect(where).toHaveTextContent("/pipelines/31");
    expect(JSON.parse(where.dataset.state ?? "null")).toEqual({ inference: { runId: 5, notes } });
    expect(JSON.parse(callsTo("/api/runs/5/batch-inference-pipeline/")[0]!.body ?? "")).toEqual({ name: "", dataset_name: "" });
    expect(callsTo("/api/runs/5/inference-pipeline/")).toEqual([]); // not the real-time one
  });

  it("explains why a run gives no batch pipeline (422)", async () => {
    route("POST", "/api/runs/5/batch-inference-pipeline/", () =>
      json({ detail: "This run's model scores images.", problems: [{ code: "images", message: "Batch inference scores tables.", node: "images" }] }, 422),
    );
    batch();

    await userEvent.click(screen.getByRole("button", { name: "Create batch inference pipeline" }));

    const dialog = await screen.findByRole("dialog", { name: "No batch inference pipeline can be made from this run" });
    expect(within(dialog).getByRole("alert")).toHaveTextContent("This run's model scores images.");
    expect(within(dialog).getByRole("listitem")).toHaveTextContent("images: Batch inference scores tables.");
    expect(screen.queryByTestId("location")).not.toBeInTheDocument();
  });
});

describe("InferenceNotes", () => {
  it("shows the notes handed over by navigation until dismissed", async () => {
    const { MemoryRouter } = await import("react-router");
    const { render } = await import("@testing-library/react");
    render(
      <MemoryRouter initialEntries={[{ pathname: "/pipelines/31", state: { inference: { runId: 5, notes: ["Split Data was removed."] } } }]}>
        <InferenceNotes />
      </MemoryRouter>,
    );
    const notes = screen.getByTestId("inference-notes");
    expect(notes).toHaveTextContent("Made from run #5.");
    expect(within(notes).getByRole("listitem")).toHaveTextContent("Split Data was removed.");

    await userEvent.click(screen.getByRole("button", { name: "Dismiss the notes" }));
    expect(screen.queryByTestId("inference-notes")).not.toBeInTheDocument();
  });
});
