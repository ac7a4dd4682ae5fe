import { callsTo, json, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { EDITOR_ME, VIEWER_ME } from "../endpoints/testing/fixtures";
import { renderWithProviders } from "../inspector/testing/render";
import { ParamForm } from "../params";
import { choicesOf } from "./api";
import { EnvironmentsPage } from "./EnvironmentsPage";

const HASH = "a".repeat(64);

function version(number: number, requirements: string[]) {
  const choice = { name: "tabular", version: number, base: "worker", requirements, hash: HASH };
  return { number, base: "worker", requirements, content_hash: HASH, message: "", author: "olivia", created_at: "2026-12-01T10:00:00Z", choice };
}

const TABULAR = { id: 7, workspace: 3, name: "tabular", description: "", created_by: "olivia", created_at: "2026-12-01T10:00:00Z", versions: [version(2, ["tabulate==0.9.0"]), version(1, ["tabulate"])] };

function page() {
  return renderWithProviders(<EnvironmentsPage />, { route: "/w/3/environments", path: "/w/:workspaceId/environments" });
}

beforeEach(() => {
  resetApi();
  route("GET", "/api/auth/me/", EDITOR_ME);
  route("GET", "/api/workspaces/3/environments/", { count: 1, next: null, previous: null, results: [TABULAR] });
});

describe("EnvironmentsPage", () => {
  it("lists environments with their latest lines and earlier versions", async () => {
    page();

    const card = await screen.findByRole("region", { name: "Environment tabular" });
    expect(card).toHaveTextContent("2 versions");
    expect(card).toHaveTextContent("v2");
    expect(card).toHaveTextContent("tabulate==0.9.0");
    expect(within(card).getByText("Earlier versions")).toBeInTheDocument();
  });

  it("creates an environment from the typed lines, numbered as typed", async () => {
    route("POST", "/api/workspaces/3/environments/", () => json(TABULAR, 201));
    page();

    await userEvent.click(await screen.findByRole("button", { name: "+ New environment" }));
    await userEvent.click(screen.getByLabelText("Name"));
    await userEvent.paste("tabular");
    await userEvent.click(screen.getByLabelText("Requirement lines"));
    await userEvent.paste("tabulate==0.9.0\n\nrich>=13");
    await userEvent.click(screen.getByRole("button", { name: "Create environment" }));

    await waitFor(() => expect(callsTo("/api/workspaces/3/environments/").filter((c) => c.method === "POST")).toHaveLength(1));
    const sent = JSON.parse(callsTo("/api/workspaces/3/environments/").find((c) => c.method === "POST")!.body!);
    expect(sent).toMatchObject({ name: "tabular", base: "worker", requirements: ["tabulate==0.9.0", "", "rich>=13"] });
  });

  it("shows the server's refusal under the lines, naming the line, and keeps the form open", async () => {
    const refusal = "requirement line 2 ('x @ https://example.com/x.whl'): a URL is not allowed; name a package of the index, pinned or ranged";
    route("POST", "/api/workspaces/3/environments/7/versions/", () => json({ detail: "Some fields are invalid.", fields: { requirements: [refusal] } }, 400));
    page();

    await userEvent.click(await screen.findByRole("button", { name: "New version" }));
    const lines = screen.getByLabelText("Requirement lines");
    expect(lines).toHaveValue("tabulate==0.9.0"); // starts from the latest version
    await userEvent.click(lines);
    await userEvent.paste("\nx @ https://example.com/x.whl");
    await userEvent.click(screen.getByRole("button", { name: "Save new version" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("requirement line 2 ('x @ https://example.com/x.whl')");
    expect(screen.getByRole("form", { name: "New version" })).toBeInTheDocument();
    const sent = JSON.parse(callsTo("/api/workspaces/3/environments/7/versions/")[0]!.body!);
    expect(Object.keys(sent).sort()).toEqual(["base", "message", "requirements"]);
  });

  it("offers no create button to a viewer", async () => {
    route("GET", "/api/auth/me/", VIEWER_ME);
    page();

    await screen.findByRole("region", { name: "Environment tabular" });
    expect(screen.queryByRole("button", { name: "+ New environment" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "New version" })).not.toBeInTheDocument();
  });
});

describe("the Environment parameter picker", () => {
  const schema = {
    type: "object",
    properties: {
      environment: {
        anyOf: [{ $ref: "#/$defs/EnvironmentChoice" }, { type: "null" }],
        default: null,
        title: "Environment",
        "x-tessera-widget": "environment",
      },
    },
    $defs: { EnvironmentChoice: { type: "object", properties: { name: { type: "string" } } } },
  };

  it("lists built-in and every version, and stores the chosen version's pin", async () => {
    const changes: [string, unknown][] = [];
    render(<ParamForm schema={schema} values={{}} onChange={(n, v) => changes.push([n, v])} environments={choicesOf([TABULAR as never])} />);

    const select = screen.getByRole("combobox", { name: /Environment/ });
    expect(within(select).getAllByRole("option").map((o) => o.textContent)).toEqual([
      "Built-in (the worker's own packages)",
      "tabular v2 (1 package)",
      "tabular v1 (1 package)",
    ]);
    await userEvent.selectOptions(select, "tabular v1 (1 package)");
    expect(changes).toEqual([["environment", TABULAR.versions[1]!.choice]]);
  });
});
