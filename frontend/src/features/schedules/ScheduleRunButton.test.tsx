import { callsTo, json, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { renderRouted } from "../endpoints/testing/render";
import { EDITOR_ME } from "../published/testing/fixtures";
import { ScheduleRunButton } from "./ScheduleRunButton";
import { page, scheduleFixture } from "./testing/fixtures";

function open(canEdit = true) {
  return renderRouted(<ScheduleRunButton runId={41} workspace={3} parameterValues={{ fraction: 0.3 }} canEdit={canEdit} />, {
    route: "/runs/41",
    path: "/runs/:runId",
  });
}

beforeEach(() => {
  resetApi();
  route("GET", "/api/auth/me/", EDITOR_ME);
  route("GET", "/api/pipeline-endpoints/", page([]));
  route("POST", "/api/schedules/preview/", { description: "At 06:00", next_fires: ["2026-12-07T06:00:00Z"], problems: [] });
});

describe("ScheduleRunButton", () => {
  it("schedules the run's published version and opens its endpoint", async () => {
    route("POST", "/api/runs/41/schedule/", json(scheduleFixture({ id: 12, endpoint: 5 }), 201));
    open();

    await userEvent.click(screen.getByRole("button", { name: "Schedule this run" }));
    expect(screen.getByRole("dialog")).toHaveTextContent("fraction=0.3");
    await userEvent.click(screen.getByRole("button", { name: "Create schedule" }));

    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent("/w/3/pipeline-endpoints/5"));
    expect(JSON.parse(callsTo("/api/runs/41/schedule/")[0]!.body!)).toMatchObject({ cron: "0 6 * * *", interval_seconds: null });
  });

  it("offers publishing first when the run's version is not published", async () => {
    route(
      "POST",
      "/api/runs/41/schedule/",
      json({ detail: "Version 3 of 'Cancer' is not published: publish it as a pipeline endpoint first, then schedule it.", problems: [{ field: "run", code: "not_published" }] }, 400),
    );
    open();

    await userEvent.click(screen.getByRole("button", { name: "Schedule this run" }));
    await userEvent.click(screen.getByRole("button", { name: "Create schedule" }));

    const callout = await screen.findByTestId("schedule-run-not-published");
    expect(callout).toHaveTextContent("Publish this run first");
    expect(callout).toHaveTextContent("Version 3 of 'Cancer' is not published");
    expect(screen.getByRole("dialog")).toBeInTheDocument();
  });

  it("is not offered to viewers", () => {
    open(false);
    expect(screen.queryByRole("button", { name: "Schedule this run" })).not.toBeInTheDocument();
  });
});
