import { callsTo, json, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { renderRouted } from "../endpoints/testing/render";
import { EDITOR_ME, endpointFixture, VIEWER_ME } from "../published/testing/fixtures";
import { SchedulesSection } from "./SchedulesSection";
import { page, scheduleFixture, triggerFixture } from "./testing/fixtures";

function open() {
  return renderRouted(<SchedulesSection endpointId={5} />, { route: "/w/3/pipeline-endpoints/5", path: "/w/:workspaceId/pipeline-endpoints/:endpointId" });
}

const NEVER = { description: "", next_fires: [], problems: [{ field: "cron", message: "'0 0 30 2 *' never fires: no date matches it." }] };
const DAILY = { description: "At 07:00", next_fires: ["2026-12-07T07:00:00Z", "2026-12-08T07:00:00Z", "2026-12-09T07:00:00Z"], problems: [] };

beforeEach(() => {
  resetApi();
  route("GET", "/api/auth/me/", EDITOR_ME);
  route("GET", "/api/pipeline-endpoints/5/", endpointFixture());
  route("GET", "/api/pipeline-endpoints/5/schedules/", page([scheduleFixture()]));
  route("GET", "/api/pipeline-endpoints/5/data-triggers/", page([triggerFixture()]));
  route("GET", "/api/datasets/", page([{ id: 4, name: "Biopsies", workspace: 3 }]));
  route("POST", "/api/schedules/preview/", async (_url: URL, request: Request) => {
    const body = (await request.json()) as { cron?: string };
    return body.cron === "0 0 30 2 *" ? NEVER : DAILY;
  });
});

describe("SchedulesSection", () => {
  it("lists schedules with their next fire time and last ticks, and triggers with their dataset", async () => {
    open();

    const row = await screen.findByTestId("schedule-7");
    expect(row).toHaveTextContent("Weekday mornings");
    expect(row).toHaveTextContent("At 06:00, Monday through Friday");
    expect(within(row).getByTestId("schedule-7-next")).toHaveTextContent(/Dec 7.*06:00/);
    expect(within(row).getByRole("link", { name: "run #88" })).toHaveAttribute("href", "/runs/88");
    expect(row).toHaveTextContent("skipped: 1 still running");
    expect(row.querySelector(".tick--skipped")).toHaveAttribute("title", expect.stringContaining("max concurrent runs: 1"));
    const trigger = await screen.findByTestId("trigger-3");
    expect(trigger).toHaveTextContent("Biopsies");
    expect(trigger).toHaveTextContent("training_data");
    expect(within(trigger).getByRole("link", { name: "run #95" })).toHaveAttribute("href", "/runs/95");
    expect(await screen.findByRole("button", { name: "New schedule" })).toBeInTheDocument();
  });

  it("shows a paused schedule as paused and resumes it", async () => {
    route("GET", "/api/pipeline-endpoints/5/schedules/", page([scheduleFixture({ paused: true, next_fire_at: null })]));
    route("POST", "/api/schedules/7/resume/", scheduleFixture());
    open();

    const row = await screen.findByTestId("schedule-7");
    expect(within(row).getByTestId("schedule-7-next")).toHaveTextContent("Paused");
    await userEvent.click(within(row).getByRole("button", { name: "Resume" }));

    await waitFor(() => expect(callsTo("/api/schedules/7/resume/")).toHaveLength(1));
  });

  it("lets viewers read but not change", async () => {
    route("GET", "/api/auth/me/", VIEWER_ME);
    open();

    expect(await screen.findByTestId("schedule-7")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "New schedule" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Pause" })).not.toBeInTheDocument();
  });

  it("reads a cron expression back in words with its next fire times, and shows why one never fires", async () => {
    open();
    await userEvent.click(await screen.findByRole("button", { name: "New schedule" }));
    const cron = screen.getByLabelText("Cron expression");

    fireEvent.change(cron, { target: { value: "0 7 * * *" } });
    // the preview waits for typing to stop (300 ms), then asks the server
    await waitFor(() => expect(screen.getByTestId("timing-preview")).toHaveTextContent("At 07:00"), { timeout: 5000 });
    expect(screen.getByTestId("timing-preview")).toHaveTextContent(/Next: .*Dec 7.*07:00/);

    fireEvent.change(cron, { target: { value: "0 0 30 2 *" } });
    expect(await screen.findByText("'0 0 30 2 *' never fires: no date matches it.", {}, { timeout: 5000 })).toBeInTheDocument();
    expect(cron).toHaveAttribute("aria-invalid", "true");
  }, 20_000);

  it("creates a schedule, and shows the server's refusal at the field it names", async () => {
    let attempts = 0;
    route("POST", "/api/pipeline-endpoints/5/schedules/", () => {
      attempts += 1;
      return attempts === 1
        ? json({ detail: "Version 1 of 'nightly' would refuse these values: 1 problem to fix.", problems: [{ field: "values", message: "Pipeline parameter 'fraction' must be a number, not 'most'.", path: "values.fraction" }] }, 400)
        : json(scheduleFixture({ id: 8 }), 201);
    });
    open();
    await userEvent.click(await screen.findByRole("button", { name: "New schedule" }));
    const values = screen.getByLabelText(/Parameter values/);
    fireEvent.change(values, { target: { value: '{"fraction": "most"}' } });

    await userEvent.click(screen.getByRole("button", { name: "Create schedule" }));
    expect(await screen.findByText("Pipeline parameter 'fraction' must be a number, not 'most'.")).toBeInTheDocument();

    fireEvent.change(values, { target: { value: '{"fraction": 0.4}' } });
    await userEvent.click(screen.getByRole("button", { name: "Create schedule" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    const sent = JSON.parse(callsTo("/api/pipeline-endpoints/5/schedules/").find((c) => c.method === "POST" && c.body?.includes("0.4"))!.body!);
    expect(sent).toMatchObject({ cron: "0 6 * * *", interval_seconds: null, values: { fraction: 0.4 }, max_concurrent: 1, missed: "run_once", version: null });
  }, 20_000);

  it("creates a data trigger on a dataset, passing new versions to a dataset parameter", async () => {
    route("POST", "/api/pipeline-endpoints/5/data-triggers/", json(triggerFixture({ id: 4 }), 201));
    open();
    await userEvent.click(await screen.findByRole("button", { name: "New data trigger" }));

    await userEvent.selectOptions(await screen.findByLabelText("When this dataset gets a new version"), "4");
    await userEvent.click(screen.getByRole("button", { name: "Create trigger" }));

    await waitFor(() => expect(callsTo("/api/pipeline-endpoints/5/data-triggers/").filter((c) => c.method === "POST")).toHaveLength(1));
    const sent = JSON.parse(callsTo("/api/pipeline-endpoints/5/data-triggers/").find((c) => c.method === "POST")!.body!);
    expect(sent).toMatchObject({ dataset: 4, parameter: "training_data", values: {}, version: null });
  });
});
