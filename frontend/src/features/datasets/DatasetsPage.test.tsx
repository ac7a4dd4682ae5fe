import { calls, callsTo, json, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useCurrentWorkspace } from "../../app/workspaceStore";
import { figure, PROFILE } from "../inspector/testing/fixtures";
import { fakePlotly, renderWithProviders } from "../inspector/testing/render";

const plotly = vi.hoisted(() => ({ drawn: [] as { layout: Record<string, unknown> }[] }));
vi.mock("plotly.js-cartesian-dist-min", () => ({
  default: {
    react: async (_el: HTMLElement, _data: unknown[], layout: Record<string, unknown>) => {
      plotly.drawn.push({ layout });
    },
    purge: () => undefined,
  },
}));

const { DatasetsPage } = await import("./DatasetsPage");
const { ASYNC_UPLOAD_BYTES } = await import("./queries");

const ME = {
  id: 1,
  username: "olivia",
  workspaces: [
    { id: 3, name: "Team", role: "editor" },
    { id: 4, name: "Read only", role: "viewer" },
  ],
};

function dataset(id: number, name: string, workspace = 3) {
  return {
    id,
    workspace,
    name,
    description: "",
    created_by: "olivia",
    created_at: "2026-11-20T10:00:00Z",
    latest_version: { version: 2, kind: "table", rows: 569, columns: 31, size_bytes: 120_000, created_at: "2026-11-21T10:00:00Z" },
  };
}

/** A registration of an upload by a worker (``Prefer: respond-async``), as the API answers it. */
function registration(status: "queued" | "running" | "completed" | "failed") {
  return {
    id: 5,
    url: "/api/dataset-registrations/5/",
    workspace: 3,
    name: "Big",
    target: null,
    source_name: "big.csv",
    size_bytes: ASYNC_UPLOAD_BYTES,
    status,
    error: null,
    error_status: null,
    dataset: null,
    version: null,
    created_at: "2026-12-07T10:00:00Z",
    started_at: null,
    finished_at: null,
  };
}

/** A CSV of ``ASYNC_UPLOAD_BYTES``: large enough for the page to have a worker register it. */
function bigFile(name: string): File {
  const bytes = new Uint8Array(ASYNC_UPLOAD_BYTES).fill(0x31);
  bytes.set(new TextEncoder().encode("a,b,c\n"));
  return new File([bytes], name, { type: "text/csv" });
}

/** A file dataset: a zip uploaded as it is, listed by its files. */
const HELPERS = {
  ...dataset(13, "Helpers"),
  latest_version: { version: 1, kind: "file", rows: 0, columns: 0, size_bytes: 2048, created_at: "2026-11-21T10:00:00Z" },
};
const HELPERS_V1 = {
  version: 1,
  kind: "file",
  rows: 0,
  columns: 0,
  size_bytes: 2048,
  source_name: "helpers.zip",
  created_by: "olivia",
  created_at: "2026-11-21T10:00:00Z",
};

function versionSummary(version: number) {
  return {
    version,
    kind: "table",
    rows: 569,
    columns: 31,
    size_bytes: 120_000,
    source_name: "cancer.csv",
    created_by: "olivia",
    created_at: "2026-11-21T10:00:00Z",
  };
}

function page(route_: string) {
  return renderWithProviders(<DatasetsPage />, { route: route_, path: "/datasets/*" });
}

beforeEach(() => {
  resetApi();
  plotly.drawn.length = 0;
  void fakePlotly;
  useCurrentWorkspace.setState({ current: 3 });
  route("GET", "/api/auth/me/", ME);
  route("GET", "/api/dataset-registrations/", { count: 0, next: null, previous: null, results: [] });
  route("GET", "/api/datasets/", (url: URL) => ({
    count: 2,
    next: null,
    previous: null,
    results: url.searchParams.get("workspace") === "3" ? [dataset(11, "Breast cancer"), dataset(12, "Diabetes"), HELPERS] : [],
  }));
  route("GET", "/api/datasets/11/", { ...dataset(11, "Breast cancer"), versions: [versionSummary(1), versionSummary(2)] });
  route("GET", /^\/api\/datasets\/11\/versions\/\d\/$/, (url: URL) => ({
    ...versionSummary(Number(url.pathname.split("/")[5])),
    dataset: 11,
    digest: "abc",
    schema: { columns: [], meta: {} },
    profile: PROFILE,
  }));
  route("GET", /^\/api\/datasets\/11\/versions\/\d\/figures\/$/, (url: URL) => ({
    figures: { column: figure(`${url.pathname.split("/")[5]}:${url.searchParams.get("column")}`) },
  }));
});

describe("DatasetsPage", () => {
  it("lists the current workspace's datasets", async () => {
    page("/datasets");

    const list = await screen.findByRole("complementary", { name: "Datasets" });
    await within(list).findByText("Breast cancer");
    expect(within(list).getAllByRole("link").map((a) => a.textContent)).toEqual([
      expect.stringContaining("Breast cancer"),
      expect.stringContaining("Diabetes"),
      expect.stringContaining("Helpers"),
    ]);
    expect(within(list).getAllByRole("link")[0]).toHaveTextContent("569 rows × 31 cols · v2");
    expect(within(list).getAllByRole("link")[2]).toHaveTextContent("Zip file · 2.0 KB · v1");
    expect(callsTo("/api/datasets/")[0]!.url.searchParams.get("workspace")).toBe("3");
    expect(screen.getByText("Pick a dataset")).toBeInTheDocument();
  });

  it("filters the list by name", async () => {
    page("/datasets");
    await screen.findByText("Diabetes");

    await userEvent.type(screen.getByRole("searchbox", { name: "Filter datasets by name" }), "diab");

    expect(screen.queryByText("Breast cancer")).not.toBeInTheDocument();
    expect(screen.getByText("Diabetes")).toBeInTheDocument();
  });

  it("profiles the latest version and draws each picked column", async () => {
    page("/datasets/11");

    expect(await screen.findByRole("heading", { name: "Breast cancer" })).toBeInTheDocument();
    expect(screen.getByRole("combobox", { name: "Version" })).toHaveValue("2");
    expect(await screen.findByRole("rowheader", { name: "city" })).toBeInTheDocument();
    await waitFor(() => expect(plotly.drawn.map((d) => (d.layout.title as { text: string }).text)).toEqual(["2:age"]));

    await userEvent.click(screen.getByRole("button", { name: /income/ }));

    await waitFor(() => expect(plotly.drawn).toHaveLength(2));
    expect((plotly.drawn[1]!.layout.title as { text: string }).text).toBe("2:income");
    expect(screen.getByRole("link", { name: "Download CSV" })).toHaveAttribute("href", "/api/datasets/11/versions/2/download/");
  });

  it("lists the files of a file dataset instead of profiling columns", async () => {
    route("GET", "/api/datasets/13/", { ...HELPERS, versions: [HELPERS_V1] });
    route("GET", "/api/datasets/13/versions/1/", {
      ...HELPERS_V1,
      dataset: 13,
      digest: "def",
      schema: { columns: [], meta: {} },
      profile: { files: 2, bytes: 1300, members: [{ name: "helpers.py", size: 300 }, { name: "data/codes.csv", size: 1000 }] },
    });
    page("/datasets/13");

    const files = await screen.findByRole("table", { name: "Files in the zip" });
    expect(within(files).getByText("2 files, 1.3 KB unpacked")).toBeInTheDocument();
    expect(within(files).getAllByRole("rowheader").map((r) => r.textContent)).toEqual(["helpers.py", "data/codes.csv"]);
    expect(screen.getByText("Zip file")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Download zip" })).toHaveAttribute("href", "/api/datasets/13/versions/1/download/");
    expect(screen.queryByRole("tab", { name: "Rows" })).not.toBeInTheDocument();
    expect(calls.filter((c) => c.url.pathname.includes("/preview/") || c.url.pathname.includes("/figures/"))).toEqual([]);
  });

  it("opens an older version from the address", async () => {
    page("/datasets/11/versions/1");

    expect(await screen.findByRole("combobox", { name: "Version" })).toHaveValue("1");
    await waitFor(() => expect(callsTo("/api/datasets/11/versions/1/")).toHaveLength(1));
    expect(callsTo("/api/datasets/11/versions/2/")).toHaveLength(0);
  });

  it("shows the server's reason, naming the line, when an upload is refused", async () => {
    route("GET", "/api/auth/csrf/", { csrfToken: "t" });
    route("POST", "/api/datasets/", () =>
      json(
        { detail: "Some fields are invalid.", fields: { file: ["'ragged.csv': line 3 has 2 fields; the header has 3"] } },
        400,
      ),
    );
    document.cookie = "csrftoken=t";
    page("/datasets");

    await userEvent.click(await screen.findByRole("button", { name: "Upload dataset" }));
    const dialog = screen.getByRole("dialog", { name: "Upload a dataset to Team" });
    const file = new File(["a,b,c\n1,2,3\n4,5\n"], "ragged.csv", { type: "text/csv" });
    await userEvent.upload(within(dialog).getByLabelText("File"), file);
    expect(within(dialog).getByLabelText("Name")).toHaveValue("ragged");
    await userEvent.click(within(dialog).getByRole("button", { name: "Upload" }));

    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent("The file was not accepted.");
    expect(alert).toHaveTextContent("'ragged.csv': line 3 has 2 fields; the header has 3");
    expect(alert).not.toHaveTextContent("Some fields are invalid.");
    const [post] = callsTo("/api/datasets/").filter((c) => c.method === "POST");
    expect(post!.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(post!.body).toContain('name="workspace"\r\n\r\n3');
    expect(post!.body).toMatch(/name="file"; filename="[^"]+"\r\nContent-Type: text\/csv\r\n\r\na,b,c\n1,2,3\n4,5\n/);
  });

  it("opens the new dataset after a successful upload", async () => {
    route("POST", "/api/datasets/", () => json({ ...dataset(11, "Breast cancer"), versions: [versionSummary(1)] }, 201));
    document.cookie = "csrftoken=t";
    page("/datasets");

    await userEvent.click(await screen.findByRole("button", { name: "Upload dataset" }));
    await userEvent.upload(screen.getByLabelText("File"), new File(["a\n1\n"], "cancer.csv", { type: "text/csv" }));
    await userEvent.clear(screen.getByLabelText("Name"));
    await userEvent.type(screen.getByLabelText("Name"), "Breast cancer");
    await userEvent.click(screen.getByRole("button", { name: "Upload" }));

    expect(await screen.findByRole("heading", { name: "Breast cancer" })).toBeInTheDocument();
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });

  it("has a worker register a large file, saying where it stands, then opens the dataset", async () => {
    const prefer: (string | null)[] = [];
    route("POST", "/api/datasets/", (_url: URL, request: Request) => {
      prefer.push(request.headers.get("Prefer"));
      return json(registration("queued"), 202);
    });
    const answers = [registration("running"), registration("running"), { ...registration("completed"), dataset: 11, version: 1 }];
    route("GET", "/api/dataset-registrations/5/", () => answers.shift() ?? answers[answers.length - 1]);
    route("GET", "/api/datasets/11/", { ...dataset(11, "Big"), versions: [versionSummary(1)] });
    document.cookie = "csrftoken=t";
    page("/datasets");

    await userEvent.click(await screen.findByRole("button", { name: "Upload dataset" }));
    const dialog = screen.getByRole("dialog", { name: "Upload a dataset to Team" });
    await userEvent.upload(within(dialog).getByLabelText("File"), bigFile("big.csv"));
    await userEvent.click(within(dialog).getByRole("button", { name: "Upload" }));

    expect(await within(dialog).findByText(/A worker is reading the file/)).toBeInTheDocument();
    expect(within(dialog).getByRole("button", { name: "Registering…" })).toBeDisabled();
    expect(await screen.findByRole("heading", { name: "Big" }, { timeout: 5000 })).toBeInTheDocument();
    expect(prefer).toEqual(["respond-async"]);
    expect(callsTo("/api/dataset-registrations/5/").length).toBeGreaterThanOrEqual(3);
  });

  it("shows a refusal a worker came to as the upload's own", async () => {
    route("POST", "/api/datasets/", () => json(registration("queued"), 202));
    const refusal = { detail: "Some fields are invalid.", fields: { file: ["'big.csv': line 9 has 2 fields; the header has 3"] } };
    route("GET", "/api/dataset-registrations/5/", { ...registration("failed"), error: refusal, error_status: 400 });
    document.cookie = "csrftoken=t";
    page("/datasets");

    await userEvent.click(await screen.findByRole("button", { name: "Upload dataset" }));
    const dialog = screen.getByRole("dialog", { name: "Upload a dataset to Team" });
    await userEvent.upload(within(dialog).getByLabelText("File"), bigFile("big.csv"));
    await userEvent.click(within(dialog).getByRole("button", { name: "Upload" }));

    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent("The file was not accepted.");
    expect(alert).toHaveTextContent("'big.csv': line 9 has 2 fields; the header has 3");
  });

  it("lists a failed registration with its refusal, and dismisses it", async () => {
    const refusal = { detail: "Some fields are invalid.", fields: { file: ["'big.csv': line 9 has 2 fields; the header has 3"] } };
    let listed = [{ ...registration("failed"), error: refusal, error_status: 400 }];
    route("GET", "/api/dataset-registrations/", (url: URL) => {
      expect(url.searchParams.get("workspace")).toBe("3");
      expect(url.searchParams.getAll("status")).toEqual(["queued", "running", "failed"]);
      return { count: listed.length, next: null, previous: null, results: listed };
    });
    route("DELETE", "/api/dataset-registrations/5/", () => {
      listed = [];
      return new Response(null, { status: 204 });
    });
    document.cookie = "csrftoken=t";
    page("/datasets");

    const uploads = await screen.findByRole("region", { name: "Uploads being registered" });
    expect(within(uploads).getByText("Big")).toBeInTheDocument();
    expect(within(uploads).getByText(/not registered/)).toBeInTheDocument();
    expect(within(uploads).getByRole("alert")).toHaveTextContent("'big.csv': line 9 has 2 fields; the header has 3");
    await userEvent.click(within(uploads).getByRole("button", { name: "Dismiss" }));

    await waitFor(() => expect(screen.queryByRole("region", { name: "Uploads being registered" })).not.toBeInTheDocument());
    expect(callsTo("/api/dataset-registrations/5/").map((c) => c.method)).toEqual(["DELETE"]);
  });

  it("follows a registration under way and lists its dataset once a worker has registered it", async () => {
    let polls = 0;
    route("GET", "/api/dataset-registrations/", () => {
      polls += 1;
      const results = polls < 2 ? [registration("running")] : [];
      return { count: results.length, next: null, previous: null, results };
    });
    page("/datasets");

    const uploads = await screen.findByRole("region", { name: "Uploads being registered" });
    expect(within(uploads).getByText(/a worker is reading it/)).toBeInTheDocument();
    const before = callsTo("/api/datasets/").length;
    await waitFor(() => expect(screen.queryByRole("region", { name: "Uploads being registered" })).not.toBeInTheDocument(), {
      timeout: 5000,
    });
    await waitFor(() => expect(callsTo("/api/datasets/").length).toBeGreaterThan(before));
  });

  it("uploads a small file inside the request, without asking for a worker", async () => {
    const prefer: (string | null)[] = [];
    route("POST", "/api/datasets/", (_url: URL, request: Request) => {
      prefer.push(request.headers.get("Prefer"));
      return json({ ...dataset(11, "Small"), versions: [versionSummary(1)] }, 201);
    });
    document.cookie = "csrftoken=t";
    page("/datasets");

    await userEvent.click(await screen.findByRole("button", { name: "Upload dataset" }));
    await userEvent.upload(screen.getByLabelText("File"), new File(["a\n1\n"], "small.csv", { type: "text/csv" }));
    await userEvent.click(screen.getByRole("button", { name: "Upload" }));

    expect(await screen.findByRole("heading", { name: "Small" })).toBeInTheDocument();
    expect(prefer).toEqual([null]);
    expect(callsTo("/api/dataset-registrations/5/")).toEqual([]);
  });

  it("sends has_header, true unless the user says the file has no header line", async () => {
    route("POST", "/api/datasets/", () => json({ ...dataset(11, "Raw"), versions: [versionSummary(1)] }, 201));
    document.cookie = "csrftoken=t";
    page("/datasets");

    await userEvent.click(await screen.findByRole("button", { name: "Upload dataset" }));
    const dialog = screen.getByRole("dialog", { name: "Upload a dataset to Team" });
    await userEvent.upload(within(dialog).getByLabelText("File"), new File(["1,2\n3,4\n"], "raw.csv", { type: "text/csv" }));
    const header = within(dialog).getByRole("checkbox", { name: "Has header: the first line holds the column names" });
    expect(header).toBeChecked();
    await userEvent.click(header);
    expect(within(dialog).getByText(/the columns are named Col1, Col2/)).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole("button", { name: "Upload" }));

    expect(await screen.findByRole("heading", { name: "Raw" })).toBeInTheDocument();
    const [post] = callsTo("/api/datasets/").filter((c) => c.method === "POST");
    expect(post!.body).toContain('name="has_header"\r\n\r\nfalse');
  });

  it("sends has_header true by default and hides the choice for a zip", async () => {
    route("GET", "/api/auth/csrf/", { csrfToken: "t" });
    route("POST", "/api/datasets/", () => json({ detail: "The file cannot be read: 'x.csv': line 1: the header line is blank", fields: { file: ["'x.csv': line 1: the header line is blank"] } }, 400));
    document.cookie = "csrftoken=t";
    page("/datasets");

    await userEvent.click(await screen.findByRole("button", { name: "Upload dataset" }));
    const dialog = screen.getByRole("dialog", { name: "Upload a dataset to Team" });
    await userEvent.upload(within(dialog).getByLabelText("File"), new File(["\na\n1\n"], "x.csv", { type: "text/csv" }));
    await userEvent.click(within(dialog).getByRole("button", { name: "Upload" }));

    expect(await within(dialog).findByRole("alert")).toHaveTextContent("line 1: the header line is blank");
    const [post] = callsTo("/api/datasets/").filter((c) => c.method === "POST");
    expect(post!.body).toContain('name="has_header"\r\n\r\ntrue');
    await userEvent.upload(within(dialog).getByLabelText("File"), new File(["PK"], "b.zip", { type: "application/zip" }));
    expect(within(dialog).queryByRole("checkbox", { name: "Has header: the first line holds the column names" })).not.toBeInTheDocument();
  });

  it("uploads a zip as a file dataset, saying so before it is sent", async () => {
    route("POST", "/api/datasets/", () => json({ ...HELPERS, versions: [HELPERS_V1] }, 201));
    route("GET", "/api/datasets/13/", { ...HELPERS, versions: [HELPERS_V1] });
    document.cookie = "csrftoken=t";
    page("/datasets");

    await userEvent.click(await screen.findByRole("button", { name: "Upload dataset" }));
    const dialog = screen.getByRole("dialog", { name: "Upload a dataset to Team" });
    expect(within(dialog).getByLabelText("File")).toHaveAttribute("accept", expect.stringContaining(".zip"));
    await userEvent.upload(within(dialog).getByLabelText("File"), new File(["PK"], "my_helpers.zip", { type: "application/zip" }));
    expect(within(dialog).getByLabelText("Name")).toHaveValue("my helpers");
    expect(within(dialog).getByText(/A file dataset: the zip is kept as it is/)).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole("button", { name: "Upload" }));

    expect(await screen.findByRole("heading", { name: "Helpers" })).toBeInTheDocument();
    const [post] = callsTo("/api/datasets/").filter((c) => c.method === "POST");
    expect(post!.body).toMatch(/name="file"; filename="[^"]+"\r\nContent-Type: application\/zip\r\n\r\nPK/);
  });

  it("lets viewers look but not upload", async () => {
    useCurrentWorkspace.setState({ current: 4 });
    page("/datasets");

    expect(await screen.findByText("No datasets yet")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Upload dataset" })).toBeDisabled();
    expect(screen.getByText("An editor can upload one.")).toBeInTheDocument();
  });
});
