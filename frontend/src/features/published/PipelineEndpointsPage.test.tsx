import { callsTo, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { renderRouted } from "../endpoints/testing/render";
import { PipelineEndpointsPage } from "./PipelineEndpointsPage";
import { EDITOR_ME, listFixture } from "./testing/fixtures";

beforeEach(() => {
  resetApi();
  route("GET", "/api/auth/me/", EDITOR_ME);
});

function page() {
  return renderRouted(<PipelineEndpointsPage />, { route: "/w/3/pipeline-endpoints", path: "/w/:workspaceId/pipeline-endpoints" });
}

describe("PipelineEndpointsPage", () => {
  it("lists the workspace's pipeline endpoints with their default version and last run, and opens one", async () => {
    route("GET", "/api/pipeline-endpoints/", {
      count: 2,
      next: null,
      previous: null,
      results: [listFixture(), listFixture({ id: 8, name: "weekly", default_version: 2, last_run: null })],
    });
    page();

    const table = await screen.findByTestId("pipeline-endpoints-table");
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((r) => within(r).getAllByRole("link")[0]!.textContent)).toEqual(["nightly", "weekly"]);
    expect(rows[0]).toHaveTextContent("v1 (pipeline v3) · 2 versions");
    expect(rows[0]).toHaveTextContent("#90");
    expect(rows[0]).toHaveTextContent("REST call");
    expect(rows[1]).toHaveTextContent("never run");
    expect(callsTo("/api/pipeline-endpoints/")[0]!.url.searchParams.get("workspace")).toBe("3");

    await userEvent.click(rows[1]!);
    expect(await screen.findByTestId("location")).toHaveTextContent("/w/3/pipeline-endpoints/8");
  });

  it("says how to publish when there is nothing yet", async () => {
    route("GET", "/api/pipeline-endpoints/", { count: 0, next: null, previous: null, results: [] });
    page();
    expect(await screen.findByText("No pipeline endpoints yet")).toBeInTheDocument();
    expect(screen.getByText("Publish from this run")).toBeInTheDocument();
  });
});
