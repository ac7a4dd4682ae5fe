import { callsTo, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { EDITOR_ME } from "../endpoints/testing/fixtures";
import { renderWithProviders } from "../inspector/testing/render";
import { ActivityPage } from "./ActivityPage";

let id = 100;
function event(verb: string, object_type: string, object_id: number | null, object_name: string, detail: object = {}, actor: string | null = "olivia") {
  id -= 1;
  return { id, workspace: 3, actor, verb, object_type, object_id, object_name, detail, summary: `${actor} ${verb} ${object_name}`, created_at: "2026-11-20T10:00:00Z" };
}

const FIRST_PAGE = [
  event("saved", "pipeline", 12, "Churn", { version: 3 }),
  event("finished", "run", 40, "Churn", { status: "completed", pipeline: 12 }, null),
  event("deployed", "endpoint", 7, "churn-api", { version: 3, pipeline: 12 }, "sam"),
  event("uploaded", "dataset", 5, "customers.csv", { version: 1 }),
  event("role_changed", "member", 9, "victor", { role: "editor" }),
  event("deleted", "pipeline", 11, "Old idea"),
];

function page(at = "/w/3/activity") {
  return renderWithProviders(<ActivityPage />, { route: at, path: "/w/:workspaceId/activity" });
}

beforeEach(() => {
  resetApi();
  route("GET", "/api/auth/me/", EDITOR_ME);
  route("GET", "/api/workspaces/3/activity/", (url: URL) => {
    const offset = Number(url.searchParams.get("offset") ?? 0);
    const type = url.searchParams.get("object_type");
    if (type === "run") return { count: 1, next: null, previous: null, results: [FIRST_PAGE[1]] };
    if (offset === 0) return { count: 26, next: "…", previous: null, results: FIRST_PAGE };
    return { count: 26, next: null, previous: "…", results: [event("created", "pipeline", 1, "First", { version: 1 })] };
  });
});

describe("the activity feed", () => {
  it("lists events newest first: actor, verb, the object linked, and when", async () => {
    page();
    const list = await screen.findByRole("list", { name: "Events" });
    const rows = within(list).getAllByRole("listitem");
    expect(rows).toHaveLength(6);
    expect(rows[0]).toHaveTextContent("olivia saved pipeline “Churn” · version 3");
    expect(within(rows[0]!).getByRole("link", { name: "“Churn”" })).toHaveAttribute("href", "/pipelines/12");
    expect(within(rows[0]!).getByRole("link", { name: "version 3" })).toHaveAttribute("href", "/pipelines/12/versions/3");
    expect(rows[1]).toHaveTextContent("Tessera finished run #40 of “Churn” · completed");
    expect(within(rows[1]!).getByRole("link")).toHaveAttribute("href", "/runs/40");
    expect(within(rows[2]!).getByRole("link", { name: "“churn-api”" })).toHaveAttribute("href", "/w/3/endpoints/7");
    expect(within(rows[3]!).getByRole("link", { name: "“customers.csv”" })).toHaveAttribute("href", "/datasets/5");
    expect(rows[4]).toHaveTextContent("olivia changed the role of victor · as editor");
    expect(within(rows[5]!).queryByRole("link")).not.toBeInTheDocument(); // deleted: nothing to open
    expect(within(rows[0]!).getByRole("time")).toHaveAttribute("datetime", "2026-11-20T10:00:00Z");
    expect(screen.getByText("1–6 of 26")).toBeInTheDocument();
  });

  it("filters by kind of object", async () => {
    page();
    await screen.findByRole("list", { name: "Events" });
    await userEvent.click(screen.getByRole("button", { name: "Runs" }));
    await waitFor(() => expect(within(screen.getByRole("list", { name: "Events" })).getAllByRole("listitem")).toHaveLength(1));
    expect(screen.getByRole("button", { name: "Runs" })).toHaveAttribute("aria-pressed", "true");
    expect(callsTo("/api/workspaces/3/activity/").at(-1)!.url.searchParams.get("object_type")).toBe("run");
  });

  it("says which endpoint key was regenerated, who cancelled a run, and what was deleted", async () => {
    route("GET", "/api/workspaces/3/activity/", {
      count: 3,
      next: null,
      previous: null,
      results: [
        event("key_regenerated", "endpoint", 7, "churn-api", { key: "secondary" }, "eddie"),
        event("cancelled", "run", 41, "Churn", { pipeline: 12 }, "eddie"),
        event("deleted", "model", 4, "churn-model", { version: 2 }, "eddie"),
      ],
    });
    page();
    const rows = within(await screen.findByRole("list", { name: "Events" })).getAllByRole("listitem");
    expect(rows[0]).toHaveTextContent("eddie regenerated a key of endpoint “churn-api” · secondary key");
    expect(within(rows[0]!).getByRole("link", { name: "“churn-api”" })).toHaveAttribute("href", "/w/3/endpoints/7");
    expect(rows[1]).toHaveTextContent("eddie cancelled run #41 of “Churn”");
    expect(rows[2]).toHaveTextContent("eddie deleted model “churn-model” · version 2");
    expect(within(rows[2]!).queryByRole("link")).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Models" })).toBeInTheDocument();
  });

  it("pages through older events", async () => {
    page();
    await screen.findByRole("list", { name: "Events" });
    expect(screen.getByRole("button", { name: "← Newer" })).toBeDisabled();
    await userEvent.click(screen.getByRole("button", { name: "Older →" }));
    await screen.findByText("26–26 of 26");
    const last = callsTo("/api/workspaces/3/activity/").at(-1)!.url.searchParams;
    expect([last.get("offset"), last.get("limit")]).toEqual(["25", "25"]);
    expect(screen.getByRole("button", { name: "Older →" })).toBeDisabled();
  });
});
