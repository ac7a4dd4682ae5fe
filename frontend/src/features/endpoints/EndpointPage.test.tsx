import { calls, callsTo, json, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { renderRouted } from "./testing/render";
import { DRIFT, EDITOR_ME, endpointFixture, MONITORING, PRIMARY, SECONDARY, VIEWER_ME } from "./testing/fixtures";

const plotly = vi.hoisted(() => ({ drawn: [] as { layout: Record<string, unknown> }[] }));
vi.mock("plotly.js-cartesian-dist-min", () => ({
  default: {
    react: async (_el: HTMLElement, _data: unknown[], layout: Record<string, unknown>) => {
      plotly.drawn.push({ layout });
    },
    purge: () => undefined,
  },
}));

const { EndpointPage } = await import("./EndpointPage");

function open(tab?: string) {
  return renderRouted(<EndpointPage />, {
    route: `/w/3/endpoints/7${tab ? `?tab=${tab}` : ""}`,
    path: "/w/:workspaceId/endpoints/:endpointId",
  });
}

beforeEach(() => {
  resetApi();
  plotly.drawn.length = 0;
  route("GET", "/api/auth/me/", EDITOR_ME);
  route("GET", "/api/endpoints/7/", endpointFixture());
});

describe("EndpointPage", () => {
  it("shows the details of the endpoint and switches between the six tabs", async () => {
    open();

    expect(await screen.findByRole("heading", { name: /cancer-risk/ })).toBeInTheDocument();
    const tabs = screen.getByRole("tablist", { name: "Endpoint" });
    expect(within(tabs).getAllByRole("tab").map((t) => t.textContent)).toEqual(["Details", "Test", "Consume", "Keys", "Monitoring", "Retraining"]);
    expect(within(tabs).getByRole("tab", { name: "Details" })).toHaveAttribute("aria-selected", "true");

    // Details: status, URLs with copy buttons, the pipeline and its version, the input schema and outputs
    const panel = screen.getByRole("tabpanel");
    expect(within(panel).getAllByText("Live").length).toBeGreaterThan(0);
    expect(within(panel).getByText("http://tessera.test/api/v1/service/cancer-risk/score")).toBeInTheDocument();
    expect(within(panel).getByText("http://tessera.test/api/v1/service/cancer-risk/invocations")).toBeInTheDocument();
    expect(within(panel).getByRole("button", { name: "Copy REST scoring URL" })).toBeInTheDocument();
    expect(within(panel).getByRole("link", { name: "Breast cancer — real-time inference" })).toHaveAttribute("href", "/pipelines/12");
    expect(within(panel).getByText("version 2")).toBeInTheDocument();
    const schema = within(panel).getByRole("table", { name: "Columns of WebServiceInput0" });
    expect(within(schema).getAllByRole("row").slice(1).map((r) => r.textContent)).toEqual(["radius_meanfloat", "texture_meanfloat", "sitestring"]);
    expect(within(panel).getByRole("list", { name: "Outputs" })).toHaveTextContent("WebServiceOutput0");

    await userEvent.click(within(tabs).getByRole("tab", { name: "Keys" }));
    expect(screen.getByRole("tab", { name: "Keys" })).toHaveAttribute("aria-selected", "true");
    expect(screen.getByTestId("key-primary")).toBeInTheDocument();
  });

  it("copies a URL to the clipboard", async () => {
    const user = userEvent.setup();
    open();
    await user.click(await screen.findByRole("button", { name: "Copy Invocations URL" }));

    await waitFor(() => expect(screen.getByRole("button", { name: "Copy Invocations URL" })).toHaveTextContent("Copied"));
    expect(await navigator.clipboard.readText()).toBe("http://tessera.test/api/v1/service/cancer-risk/invocations");
  });

  it("Test tab sends the example with the primary key as a Bearer token and shows the answer", async () => {
    const seen: { auth: string | null; cookie: RequestCredentials }[] = [];
    route("POST", "/api/v1/service/cancer-risk/score", (_url: URL, request: Request) => {
      seen.push({ auth: request.headers.get("Authorization"), cookie: request.credentials });
      return { Results: { WebServiceOutput0: [{ radius_mean: 17.99, "Scored Labels": "M", "Scored Probabilities": 0.9731 }] } };
    });
    open("test");

    const editor = await screen.findByRole("textbox", { name: "Request body (JSON)" });
    expect(JSON.parse((editor as HTMLTextAreaElement).value)).toEqual(endpointFixture().example);

    await userEvent.click(screen.getByRole("button", { name: "Send" }));

    expect(await screen.findByTestId("test-status")).toHaveTextContent("HTTP 200");
    expect(screen.getByTestId("test-latency")).toHaveTextContent(/^\d+ ms$/);
    expect(seen).toEqual([{ auth: `Bearer ${PRIMARY}`, cookie: "omit" }]);
    const sent = callsTo("/api/v1/service/cancer-risk/score")[0]!;
    expect(sent.url.host).toBe("tessera.test");
    expect(JSON.parse(sent.body ?? "")).toEqual(endpointFixture().example);
    const rows = screen.getByRole("table", { name: "Rows of WebServiceOutput0" });
    expect(within(rows).getByText("Scored Labels")).toBeInTheDocument();
    expect(within(rows).getByText("0.9731")).toBeInTheDocument();
    expect(screen.getByTestId("test-response")).toHaveTextContent('"Scored Labels": "M"');
  });

  it("Test tab shows the endpoint's error, and refuses a body that is not JSON", async () => {
    route("POST", "/api/v1/service/cancer-risk/score", () =>
      json({ error: { code: 400, message: "Input Data Error", details: "column 'site' is missing" } }, 400),
    );
    open("test");
    const editor = await screen.findByRole("textbox", { name: "Request body (JSON)" });

    await userEvent.clear(editor);
    await userEvent.type(editor, "{{not json");
    await userEvent.click(screen.getByRole("button", { name: "Send" }));
    expect(screen.getByRole("alert")).toHaveTextContent("not valid JSON");
    expect(callsTo("/api/v1/service/cancer-risk/score")).toHaveLength(0);

    await userEvent.click(screen.getByRole("button", { name: "Reset to example" }));
    await userEvent.click(screen.getByRole("button", { name: "Send" }));

    expect(await screen.findByTestId("test-status")).toHaveTextContent("HTTP 400");
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("Input Data Error");
    expect(alert).toHaveTextContent("column 'site' is missing");
  });

  it("Consume tab has curl and Python code with the real URL and key, for Azure and MLflow bodies", async () => {
    open("consume");

    const curl = await screen.findByTestId("snippet-curl");
    const python = screen.getByTestId("snippet-python");
    // the key stays out of the page until asked for: masked beside its copy button, a placeholder in the code
    for (const code of [curl, python]) {
      expect(code.textContent).not.toContain(PRIMARY);
      expect(code.textContent).toContain("<your-endpoint-key>");
    }
    expect(screen.getByLabelText("Primary key")).toHaveTextContent(PRIMARY.slice(-4));
    expect(screen.getByLabelText("Primary key")).not.toHaveTextContent(PRIMARY);
    await userEvent.click(screen.getByRole("checkbox", { name: /Put the primary key in the code below/ }));

    expect(screen.getByLabelText("Primary key")).toHaveTextContent(PRIMARY);
    for (const code of [curl, python]) {
      expect(code).toHaveTextContent("http://tessera.test/api/v1/service/cancer-risk/score");
      expect(code.textContent).toContain(PRIMARY);
      expect(code.textContent).toContain("WebServiceInput0");
    }
    expect(curl.textContent).toContain(`-H 'Authorization: Bearer ${PRIMARY}'`);
    expect(curl.textContent).toContain(`"site": "O'\\''Hare"`); // a quote inside the single-quoted body
    expect(python.textContent).toContain('"GlobalParameters": {}');
    expect(screen.getByRole("button", { name: "Copy curl code" })).toBeInTheDocument();

    await userEvent.click(screen.getByRole("tab", { name: "MLflow JSON" }));

    expect(screen.getByTestId("snippet-curl")).toHaveTextContent("http://tessera.test/api/v1/service/cancer-risk/invocations");
    expect(screen.getByTestId("snippet-python").textContent).toContain('"dataframe_split"');
    expect(screen.getByTestId("snippet-python").textContent).toContain('"columns": [\n            "radius_mean",');
    expect(screen.getByTestId("snippet-python").textContent).toContain(PRIMARY);

    await userEvent.click(screen.getByRole("tab", { name: "MLflow CSV" }));
    expect(screen.getByTestId("snippet-curl").textContent).toContain("Content-Type: text/csv");
    expect(screen.getByTestId("snippet-curl").textContent).toContain("radius_mean,texture_mean,site");
  });

  it("Keys tab shows, hides and regenerates a key after confirming", async () => {
    const fresh = "pk_live_new00000000000001";
    route("POST", "/api/endpoints/7/regenerate-key/", { primary: fresh, secondary: SECONDARY });
    open("keys");

    const primary = await screen.findByLabelText("Primary key");
    expect(primary).not.toHaveTextContent(PRIMARY);
    expect(primary).toHaveTextContent(PRIMARY.slice(-4));
    await userEvent.click(screen.getByRole("button", { name: "Show primary key" }));
    expect(primary).toHaveTextContent(PRIMARY);
    await userEvent.click(screen.getByRole("button", { name: "Hide primary key" }));
    expect(primary).not.toHaveTextContent(PRIMARY);

    await userEvent.click(within(screen.getByTestId("key-primary")).getByRole("button", { name: "Regenerate" }));
    const dialog = screen.getByRole("dialog", { name: "Regenerate the primary key?" });
    expect(callsTo("/api/endpoints/7/regenerate-key/")).toHaveLength(0);
    await userEvent.click(within(dialog).getByRole("button", { name: "Regenerate primary key" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(JSON.parse(callsTo("/api/endpoints/7/regenerate-key/")[0]!.body ?? "")).toEqual({ key: "primary" });
    await userEvent.click(screen.getByRole("button", { name: "Show primary key" }));
    expect(screen.getByLabelText("Primary key")).toHaveTextContent(fresh);
  });

  it("Monitoring tab shows totals, both server figures and the recent calls", async () => {
    route("GET", "/api/endpoints/7/monitoring/", MONITORING);
    route("GET", "/api/endpoints/7/drift/", DRIFT);
    open("monitoring");

    const tiles = await screen.findByLabelText("Totals");
    expect(tiles).toHaveTextContent("Requests1,250");
    expect(tiles).toHaveTextContent("Errors25 2.0 % · 18 schema mismatch · 5 overloaded · 2 internal");
    expect(tiles).toHaveTextContent("p95 latency48.2 ms 210 ms from accept");
    expect(tiles).toHaveTextContent("p99 latency132 ms");
    expect(tiles).toHaveTextContent("Rows dropped7 in 3 calls");
    expect(await screen.findByText("1 row dropped · 2 warnings")).toBeInTheDocument();
    expect(tiles).toHaveTextContent("Calls with warnings12");
    await waitFor(() => expect(plotly.drawn.map((d) => (d.layout.title as { text: string }).text).sort()).toEqual(["drift", "latency", "traffic"]));
    const recent = screen.getByRole("table", { name: "Recent calls" });
    expect(within(recent).getAllByRole("row")).toHaveLength(3);
    expect(within(recent).getByText("schema_mismatch")).toBeInTheDocument();
    expect(within(recent).getAllByRole("row")[1]).toHaveTextContent("11.2 ms35.8 ms"); // in the app, from accept
    expect(callsTo("/api/endpoints/7/monitoring/")[0]!.url.searchParams.get("minutes")).toBe("60");

    // drift of recent inputs against the training data, per feature
    const drift = screen.getByTestId("drift-WebServiceInput0");
    expect(within(drift).getByRole("status")).toHaveTextContent("No dataset drift in WebServiceInput0: 1 of 3 features drifted (40 recent rows against 569 training rows");
    const features = within(drift).getByRole("table", { name: "Drift by feature of WebServiceInput0" });
    expect(within(features).getAllByRole("row")[1]).toHaveTextContent("radius_meanKolmogorov-Smirnov0.7402.0e-5yes");

    await userEvent.click(screen.getByRole("tab", { name: "24 h" }));
    await waitFor(() => expect(callsTo("/api/endpoints/7/monitoring/").at(-1)!.url.searchParams.get("minutes")).toBe("1440"));
    await waitFor(() => expect(callsTo("/api/endpoints/7/drift/").at(-1)!.url.searchParams.get("minutes")).toBe("1440"));
  });

  it("hides keys and write actions from viewers", async () => {
    route("GET", "/api/auth/me/", VIEWER_ME);
    route("GET", "/api/endpoints/7/", endpointFixture({ keys: null }));
    open("keys");

    // (once the role is known)
    expect(await screen.findByText(/Keys are shown to editors and owners.*you are a viewer/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Regenerate" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Delete endpoint" })).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole("tab", { name: "Test" }));
    expect(screen.getByRole("button", { name: "Send" })).toBeDisabled();

    await userEvent.click(screen.getByRole("tab", { name: "Consume" }));
    expect(screen.getByTestId("snippet-curl").textContent).toContain("Bearer <your-endpoint-key>");
    expect(calls.some((c) => c.method !== "GET")).toBe(false);
  });

  it("Monitoring tab refreshes every 5 seconds while it is shown", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      route("GET", "/api/endpoints/7/monitoring/", MONITORING);
      const { unmount } = open("monitoring");
      await screen.findByLabelText("Totals");
      const first = callsTo("/api/endpoints/7/monitoring/").length;

      await vi.advanceTimersByTimeAsync(5100);
      await waitFor(() => expect(callsTo("/api/endpoints/7/monitoring/").length).toBe(first + 1));

      await userEvent.click(screen.getByRole("tab", { name: "Details" }));
      await vi.advanceTimersByTimeAsync(11000);
      expect(callsTo("/api/endpoints/7/monitoring/").length).toBe(first + 1); // not while another tab is shown
      unmount();
    } finally {
      vi.useRealTimers();
    }
  });

  it("serves another saved version of the pipeline", async () => {
    route("GET", "/api/pipelines/12/versions/", {
      count: 3,
      next: null,
      previous: null,
      results: [3, 2, 1].map((n) => ({ number: n, message: n === 3 ? "Stricter threshold" : "", author: "olivia", created_at: "2026-11-21T10:00:00Z", base_number: null })),
    });
    route("PATCH", "/api/endpoints/7/", () => endpointFixture({ pipeline_version: 3 }));
    open();

    await userEvent.click(await screen.findByRole("button", { name: "Deploy another version of the pipeline…" }));
    const select = screen.getByRole("combobox", { name: "Pipeline version" });
    await waitFor(() => expect(within(select).getAllByRole("option")).toHaveLength(3));
    expect(within(select).getAllByRole("option").map((o) => o.textContent)).toEqual(["v3 — Stricter threshold", "v2 (serving)", "v1"]);
    await userEvent.selectOptions(select, "3");
    await userEvent.click(screen.getByRole("button", { name: "Deploy v3" }));

    await waitFor(() => expect(screen.getByText("version 3")).toBeInTheDocument());
    expect(JSON.parse(callsTo("/api/endpoints/7/").find((c) => c.method === "PATCH")!.body ?? "")).toEqual({ pipeline_version: 3 });
  });

  it("deletes the endpoint after confirming and goes back to the list", async () => {
    route("DELETE", "/api/endpoints/7/", () => new Response(null, { status: 204 }));
    open();

    await userEvent.click(await screen.findByRole("button", { name: "Delete endpoint" }));
    const dialog = screen.getByRole("dialog", { name: "Delete “cancer-risk”?" });
    expect(callsTo("/api/endpoints/7/").some((c) => c.method === "DELETE")).toBe(false);
    await userEvent.click(within(dialog).getByRole("button", { name: "Delete endpoint" }));

    expect(await screen.findByTestId("location")).toHaveTextContent("/w/3/endpoints");
    expect(callsTo("/api/endpoints/7/").filter((c) => c.method === "DELETE")).toHaveLength(1);
  });
});
