import { callsTo, json, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { MemoryRouter, Route, Routes } from "react-router";
import { beforeEach, describe, expect, it } from "vitest";
import { EDITOR_ME, VIEWER_ME } from "../endpoints/testing/fixtures";
import { SamplesPage } from "./SamplesPage";

const SAMPLES = [
  {
    slug: "regression-diabetes",
    name: "Regression: diabetes progression",
    description: "Predicts how far diabetes progresses in a year.",
    task: "regression",
    mirrors: "Regression - Automobile Price Prediction (Basic)",
    datasets: ["Diabetes progression"],
  },
  {
    slug: "multiclass-penguins",
    name: "Multiclass classification: penguin species",
    description: "Names the species of a penguin.",
    task: "multiclass_classification",
    mirrors: "Multiclass Classification - Letter Recognition",
    datasets: ["Palmer penguins"],
  },
];

function opened(id: number, name: string, datasetsAdded: string[]) {
  return {
    id,
    workspace: 3,
    name,
    description: "",
    created_by: "olivia",
    created_at: "2026-11-20T10:00:00Z",
    updated_at: "2026-11-20T10:00:00Z",
    head_version: 1,
    has_draft: false,
    head: { number: 1, message: "Created", author: "olivia", created_at: "2026-11-20T10:00:00Z", base_number: null, restored_from: null, pipeline: id, document: {} },
    validation: { ok: true, problems: [], schemas: {} },
    datasets_added: datasetsAdded,
  };
}

/** The gallery at /w/3/samples, with a stand-in designer page to land on. */
function page() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={["/w/3/samples"]}>
        <Routes>
          <Route path="/w/:workspaceId/samples" element={<SamplesPage />} />
          <Route path="/pipelines/:pipelineId" element={<div data-testid="designer">designer</div>} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

beforeEach(() => {
  resetApi();
  document.cookie = "csrftoken=test-token";
  route("GET", "/api/auth/me/", EDITOR_ME);
  route("GET", "/api/sample-pipelines/", SAMPLES);
});

describe("SamplesPage", () => {
  it("shows a card per sample with its name, description, task and datasets", async () => {
    page();

    const cards = await screen.findAllByRole("listitem");
    expect(cards).toHaveLength(2);
    const penguins = screen.getByRole("listitem", { name: "Multiclass classification: penguin species" });
    expect(within(penguins).getByText("Names the species of a penguin.")).toBeInTheDocument();
    expect(within(penguins).getByText("Multiclass classification")).toBeInTheDocument();
    expect(within(penguins).getByText("Palmer penguins")).toBeInTheDocument();
    expect(within(penguins).getByText("Multiclass Classification - Letter Recognition")).toBeInTheDocument();
    expect(within(cards[0]!).getByText("Regression")).toBeInTheDocument();
  });

  it("opens a sample as an editable copy in this workspace and goes to it in the designer", async () => {
    route("POST", "/api/sample-pipelines/multiclass-penguins/open/", () =>
      json(opened(41, "Multiclass classification: penguin species", ["Palmer penguins"]), 201),
    );
    page();

    await userEvent.click(
      await screen.findByRole("button", { name: "Open Multiclass classification: penguin species as editable copy" }),
    );

    expect(await screen.findByTestId("designer")).toBeInTheDocument();
    const posts = callsTo("/api/sample-pipelines/multiclass-penguins/open/");
    expect(posts.map((c) => c.method)).toEqual(["POST"]);
    expect(JSON.parse(posts[0]!.body ?? "")).toEqual({ workspace: 3 });
    expect(callsTo("/api/sample-pipelines/regression-diabetes/open/")).toHaveLength(0);
  });

  it("says why a sample could not be opened and stays on the gallery", async () => {
    route("POST", "/api/sample-pipelines/regression-diabetes/open/", () =>
      json({ detail: "There is no sample pipeline 'regression-diabetes'." }, 404),
    );
    page();

    await userEvent.click(await screen.findByRole("button", { name: "Open Regression: diabetes progression as editable copy" }));

    const card = screen.getByRole("listitem", { name: "Regression: diabetes progression" });
    expect(await within(card).findByRole("alert")).toHaveTextContent("no sample pipeline 'regression-diabetes'");
    expect(screen.queryByTestId("designer")).not.toBeInTheDocument();
  });

  it("lets viewers browse the samples but not open them", async () => {
    route("GET", "/api/auth/me/", VIEWER_ME);
    page();

    const buttons = await screen.findAllByRole("button", { name: /as editable copy$/ });
    expect(buttons).toHaveLength(2);
    for (const button of buttons) expect(button).toBeDisabled();
    expect(screen.getByText(/editors and owners can open them/)).toBeInTheDocument();
  });

  it("shows an error with a retry when the gallery cannot be loaded", async () => {
    route("GET", "/api/sample-pipelines/", () => json({ detail: "Server trouble." }, 500));
    page();

    expect(await screen.findByRole("alert")).toHaveTextContent("The samples could not be loaded");
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });
});
