import { callsTo, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { EndpointsPage } from "./EndpointsPage";
import { EDITOR_ME, endpointFixture } from "./testing/fixtures";
import { renderRouted } from "./testing/render";

beforeEach(() => {
  resetApi();
  route("GET", "/api/auth/me/", EDITOR_ME);
});

function page() {
  return renderRouted(<EndpointsPage />, { route: "/w/3/endpoints", path: "/w/:workspaceId/endpoints" });
}

describe("EndpointsPage", () => {
  it("lists the workspace's endpoints and opens one", async () => {
    route("GET", "/api/endpoints/", {
      count: 2,
      next: null,
      previous: null,
      results: [endpointFixture(), endpointFixture({ id: 8, name: "churn", pipeline_version: 5 })],
    });
    page();

    const table = await screen.findByTestId("endpoints-table");
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((r) => within(r).getAllByRole("link")[0]!.textContent)).toEqual(["cancer-risk", "churn"]);
    expect(rows[1]).toHaveTextContent("Live");
    expect(rows[1]).toHaveTextContent("v5");
    expect(callsTo("/api/endpoints/")[0]!.url.searchParams.get("workspace")).toBe("3");

    await userEvent.click(rows[1]!);
    expect(await screen.findByTestId("location")).toHaveTextContent("/w/3/endpoints/8");
  });

  it("says how to get an endpoint when there is none", async () => {
    route("GET", "/api/endpoints/", { count: 0, next: null, previous: null, results: [] });
    page();
    expect(await screen.findByText("No endpoints yet")).toBeInTheDocument();
    expect(screen.getByText(/Create inference/)).toBeInTheDocument();
  });
});
