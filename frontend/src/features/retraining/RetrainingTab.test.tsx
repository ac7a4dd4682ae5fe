import { calls, callsTo, json, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { EDITOR_ME, endpointFixture, VIEWER_ME } from "../endpoints/testing/fixtures";
import { renderRouted } from "../endpoints/testing/render";
import type { Challenger, ChallengerDetail, RetrainingOptions, RetrainingPolicy } from "./types";

const plotly = vi.hoisted(() => ({ drawn: [] as { data: { name?: string }[]; layout: Record<string, unknown> }[] }));
vi.mock("plotly.js-cartesian-dist-min", () => ({
  default: {
    react: async (_el: HTMLElement, data: { name?: string }[], layout: Record<string, unknown>) => {
      plotly.drawn.push({ data, layout });
    },
    purge: () => undefined,
  },
}));

const { EndpointPage } = await import("../endpoints/EndpointPage");

const OPTIONS: RetrainingOptions = {
  task: "binary",
  problem: "",
  metrics: [
    { name: "AUC", higher_is_better: true, proportion: true },
    { name: "Accuracy", higher_is_better: true, proportion: true },
  ],
  pipeline_endpoints: [
    { id: 4, name: "cancer-retrain", default_version: 1, dataset_parameters: ["training_data"], reports_metrics: true, problem: "" },
    { id: 5, name: "plain", default_version: 1, dataset_parameters: [], reports_metrics: true, problem: "Not parameterized on a training dataset." },
  ],
  auto_promote_allowed: false,
};

function policyFixture(partial: Partial<RetrainingPolicy> = {}): RetrainingPolicy {
  return {
    id: 1,
    endpoint: 7,
    workspace: 3,
    pipeline_endpoint: 4,
    pipeline_endpoint_name: "cancer-retrain",
    dataset_parameter: "training_data",
    values: {},
    metric: "Accuracy",
    higher_is_better: true,
    margin: 0.02,
    auto_promote: false,
    auto_promote_allowed: false,
    model_name: "cancer-risk",
    alarm_enabled: true,
    drift_window_minutes: 60,
    drift_min_rows: 200,
    drift_features: null,
    alarm: {
      state: "retraining",
      checked_at: new Date().toISOString(),
      fired_at: new Date().toISOString(),
      since: null,
      detail: {
        note: "A retraining run or its challenger is not decided yet.",
        run: 41,
        alarm: {
          input: "WebServiceInput0",
          drifted: 2,
          measured: 3,
          recent_rows: 450,
          features: [
            { column: "radius_mean", test: "Kolmogorov-Smirnov", statistic: 0.61, p_value: 1e-40, distance: 2.9 },
            { column: "texture_mean", test: "Kolmogorov-Smirnov", statistic: 0.55, p_value: 1e-30, distance: 2.7 },
          ],
        },
      },
    },
    evaluation_pipeline: 30,
    created_at: "2026-12-01T10:00:00Z",
    updated_at: "2026-12-01T10:00:00Z",
    ...partial,
  };
}

function challengerFixture(partial: Partial<ChallengerDetail> = {}): ChallengerDetail {
  return {
    id: 5,
    endpoint: 7,
    endpoint_name: "cancer-risk",
    workspace: 3,
    run: 41,
    trigger: { kind: "drift" },
    status: "pending",
    error: "",
    evaluation_run: 42,
    metric: "Accuracy",
    higher_is_better: true,
    margin: 0.02,
    champion: { artifact: "a".repeat(64), value: 0.41, metrics: { AUC: 0.97, Accuracy: 0.41, "F1 Score": 0.58, Threshold: 0.5 } },
    challenger: { artifact: "b".repeat(64), value: 0.95, metrics: { AUC: 0.99, Accuracy: 0.95, "F1 Score": 0.93, Threshold: 0.5 } },
    improvement: 0.54,
    wins: true,
    champion_revision: 1,
    automatic: false,
    decided_by: null,
    decided_at: null,
    note: "",
    registered_model: null,
    inference_pipeline: null,
    deployed_version: null,
    created_at: new Date().toISOString(),
    evaluated_at: new Date().toISOString(),
    figures: {
      roc: { data: [{ name: "challenger" }, { name: "champion" }], layout: { title: { text: "ROC curve" } } },
      precision_recall: { data: [{ name: "challenger" }, { name: "champion" }], layout: { title: { text: "Precision-recall" } } },
    },
    ...partial,
  };
}

function listed(c: ChallengerDetail): Challenger {
  const { figures: _figures, ...rest } = c;
  return rest;
}

function open() {
  return renderRouted(<EndpointPage />, { route: "/w/3/endpoints/7?tab=retraining", path: "/w/:workspaceId/endpoints/:endpointId" });
}

beforeEach(() => {
  resetApi();
  plotly.drawn.length = 0;
  route("GET", "/api/auth/me/", EDITOR_ME);
  route("GET", "/api/endpoints/7/", endpointFixture());
  route("GET", "/api/endpoints/7/retraining/options/", OPTIONS);
  route("GET", "/api/endpoints/7/retraining/", policyFixture());
  route("GET", "/api/endpoints/7/challengers/", { count: 1, next: null, previous: null, results: [listed(challengerFixture())] });
  route("GET", "/api/challengers/5/", challengerFixture());
});

describe("Retraining tab", () => {
  it("shows the policy, the alarm that fired and a pending challenger's metrics side by side with both curves", async () => {
    open();

    const tab = await screen.findByTestId("retraining-tab");
    expect(screen.getByRole("tab", { name: "Retraining" })).toHaveAttribute("aria-selected", "true");
    expect(within(tab).getByRole("combobox", { name: "Retraining pipeline" })).toHaveValue("4");
    expect(within(tab).getByRole("option", { name: "plain (cannot retrain)" })).toBeDisabled();
    expect(within(tab).getByRole("combobox", { name: "Deciding metric" })).toHaveValue("Accuracy");
    expect(within(tab).getByRole("spinbutton", { name: "Margin" })).toHaveValue(0.02);
    expect(within(tab).getByRole("checkbox", { name: "Promote a winning challenger automatically" })).toBeDisabled();
    expect(within(tab).getByText(/has not allowed automatic promotion/)).toBeInTheDocument();
    expect(screen.getByTestId("alarm-state")).toHaveTextContent("Retraining");
    expect(within(tab).getByRole("link", { name: "run #41" })).toHaveAttribute("href", "/runs/41");
    const drifted = within(tab).getByRole("table", { name: "Drifted features" });
    expect(within(drifted).getAllByRole("row").slice(1).map((r) => r.firstChild?.textContent)).toEqual(["radius_mean", "texture_mean"]);

    const list = await within(tab).findByRole("table", { name: "Challengers" });
    const [row] = within(list).getAllByRole("row").slice(1);
    expect(row).toHaveTextContent("drift alarm");
    expect(row).toHaveTextContent("Awaiting approval");
    expect(row).toHaveTextContent("+0.5400");
    const metrics = await within(tab).findByRole("table", { name: "Metrics of both models" });
    const rows = within(metrics).getAllByRole("row").slice(1).map((r) => Array.from(r.children).map((c) => c.textContent));
    expect(rows).toEqual([
      ["AUC", "0.9700", "0.9900", "+0.0200"],
      ["Accuracydeciding", "0.4100", "0.9500", "+0.5400"],
      ["F1 Score", "0.5800", "0.9300", "+0.3500"],
    ]); // the threshold (a setting, equal on both sides) is left out
    await waitFor(() => expect(plotly.drawn).toHaveLength(2));
    expect(plotly.drawn[0]?.data.map((d) => d.name)).toEqual(["challenger", "champion"]);
  });

  it("approves a pending challenger with a note and shows it promoted", async () => {
    const user = userEvent.setup();
    route("POST", "/api/challengers/5/approve/", () => {
      const promoted = challengerFixture({
        status: "promoted",
        decided_by: "olivia",
        decided_at: new Date().toISOString(),
        registered_model: { id: 9, name: "cancer-risk", version: 2 },
        deployed_version: 3,
      });
      route("GET", "/api/challengers/5/", promoted);
      route("GET", "/api/endpoints/7/challengers/", { count: 1, next: null, previous: null, results: [listed(promoted)] });
      return listed(promoted);
    });
    open();

    await user.click(await screen.findByRole("button", { name: "Approve and deploy" }));
    const dialog = screen.getByRole("dialog", { name: "Approve the challenger from run #41?" });
    await user.type(within(dialog).getByRole("textbox", { name: "Note (optional)" }), "better on the new data");
    await user.click(within(dialog).getByRole("button", { name: "Approve and deploy" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(JSON.parse(callsTo("/api/challengers/5/approve/")[0]?.body ?? "{}")).toEqual({ note: "better on the new data" });
    expect(await screen.findByText(/registered as cancer-risk v2, served as version 3/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Approve and deploy" })).not.toBeInTheDocument();
    expect(callsTo("/api/endpoints/7/").length).toBeGreaterThan(1); // the redeployed endpoint is read again
  });

  it("shows a 409 when the challenger was decided meanwhile, and changes nothing on the page", async () => {
    const user = userEvent.setup();
    route("POST", "/api/challengers/5/reject/", () => json({ detail: "Challenger 5 is promoted; only a pending challenger can be approved or rejected." }, 409));
    open();

    await user.click(await screen.findByRole("button", { name: "Reject" }));
    await user.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Reject" }));

    expect(await within(screen.getByRole("dialog")).findByRole("alert")).toHaveTextContent("only a pending challenger");
  });

  it("lets a viewer read but not change or decide anything", async () => {
    route("GET", "/api/auth/me/", VIEWER_ME);
    open();

    const tab = await screen.findByTestId("retraining-tab");
    await within(tab).findByRole("table", { name: "Metrics of both models" });
    expect(within(tab).getByRole("combobox", { name: "Deciding metric" })).toBeDisabled();
    expect(within(tab).queryByRole("button", { name: /Save policy|Remove policy|Approve|Reject/ })).not.toBeInTheDocument();
  });

  it("sets a policy where there is none and shows the server's refusal at its field", async () => {
    const user = userEvent.setup();
    route("GET", "/api/endpoints/7/retraining/", () => json({ detail: "Endpoint 'cancer-risk' has no retraining policy." }, 404));
    route("GET", "/api/endpoints/7/challengers/", { count: 0, next: null, previous: null, results: [] });
    let answer: () => Response = () =>
      json({ detail: "Some fields are invalid.", fields: { margin: ["'AUC' lies between 0 and 1, so a margin of 1.5 could never be met; use less than 1."] } }, 400);
    route("PUT", "/api/endpoints/7/retraining/", () => answer());
    open();

    const tab = await screen.findByTestId("retraining-tab");
    expect(within(tab).getByText("not set")).toBeInTheDocument();
    expect(within(tab).getByText("No challengers yet")).toBeInTheDocument();
    await user.selectOptions(within(tab).getByRole("combobox", { name: "Deciding metric" }), "AUC");
    const margin = within(tab).getByRole("spinbutton", { name: "Margin" });
    await user.clear(margin);
    await user.type(margin, "1.5");
    await user.click(within(tab).getByRole("button", { name: "Set policy" }));

    expect(await within(tab).findByText(/could never be met/)).toBeInTheDocument();
    expect(margin).toHaveAttribute("aria-invalid", "true");
    expect(JSON.parse(callsTo("/api/endpoints/7/retraining/").find((c) => c.method === "PUT")?.body ?? "{}")).toEqual({
      pipeline_endpoint: 4,
      dataset_parameter: "",
      metric: "AUC",
      margin: 1.5,
      auto_promote: false,
      model_name: "",
      alarm_enabled: true,
      drift_window_minutes: 60,
      drift_min_rows: 100,
      drift_features: null,
    });

    answer = () => json(policyFixture({ metric: "AUC", margin: 0.05, alarm: { ...policyFixture().alarm, state: "unchecked", detail: {} } }), 201);
    await user.clear(margin);
    await user.type(margin, "0.05");
    await user.click(within(tab).getByRole("button", { name: "Set policy" }));

    expect(await screen.findByTestId("alarm-state")).toHaveTextContent("Waiting for a check");
    expect(within(tab).getByRole("button", { name: "Save policy" })).toBeInTheDocument();
    expect(calls.filter((c) => c.method === "PUT")).toHaveLength(2);
  });
});
