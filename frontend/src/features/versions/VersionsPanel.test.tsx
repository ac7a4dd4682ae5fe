import { callsTo, json, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { modules } from "../../test/fixtures";
import { mockReactFlow } from "../../test/reactflow";
import { useGraph } from "../canvas/graphStore";
import { useSession } from "../canvas/sessionStore";
import { EDITOR_ME, VIEWER_ME } from "../endpoints/testing/fixtures";
import { renderWithProviders } from "../inspector/testing/render";
import { DIFF, NEW_DOC, OLD_DOC, versionDetail, versionSummary } from "./testing";
import { VersionsPanel } from "./VersionsPanel";

const VERSIONS = [
  versionSummary(4, { message: "Stratified split", author: "sam" }),
  versionSummary(3, { message: "", restored_from: 1 }),
  versionSummary(2),
  versionSummary(1, { message: "Created" }),
];

function panel() {
  return renderWithProviders(<VersionsPanel pipelineId={12} workspace={3} onClose={() => undefined} />, { route: "/pipelines/12", path: "/pipelines/:pipelineId" });
}

beforeAll(() => mockReactFlow());
beforeEach(() => {
  resetApi();
  route("GET", "/api/auth/me/", EDITOR_ME);
  route("GET", "/api/modules/", () => json(modules));
  route("GET", "/api/pipelines/12/versions/", { count: 4, next: null, previous: null, results: VERSIONS });
  useGraph.getState().load(OLD_DOC);
  useSession.getState().start(12, 4, false);
});

describe("the versions panel", () => {
  it("lists the versions newest first with number, author, message and where a restore came from", async () => {
    panel();
    const items = await screen.findAllByRole("listitem");
    expect(items.map((i) => i.getAttribute("data-version"))).toEqual(["4", "3", "2", "1"]);
    expect(items[0]).toHaveTextContent("v4");
    expect(items[0]).toHaveTextContent("newest");
    expect(items[0]).toHaveTextContent("on your canvas");
    expect(items[0]).toHaveTextContent("sam · Stratified split");
    expect(items[1]).toHaveTextContent("no message");
    expect(items[1]).toHaveTextContent("↺ restored from v1");
    expect(items[3]).toHaveTextContent("olivia · Created");
    // the newest cannot be restored (it is the head); the first has no previous version to compare with
    expect(within(items[0]!).queryByRole("button", { name: "Restore version 4" })).not.toBeInTheDocument();
    expect(within(items[3]!).queryByRole("button", { name: "Changes in version 1" })).not.toBeInTheDocument();
    expect(await within(items[2]!).findByRole("button", { name: "Restore version 2" })).toBeInTheDocument();
  });

  it("restores a version on top of the head it saw and puts it on the canvas", async () => {
    route("POST", "/api/pipelines/12/versions/2/restore/", () =>
      json({ ...versionDetail(12, 5, NEW_DOC, { message: "Restored version 2", restored_from: 2 }), validation: { ok: true, problems: [], schemas: {} } }, 201),
    );
    panel();
    await userEvent.click(await screen.findByRole("button", { name: "Restore version 2" }));
    const dialog = screen.getByRole("dialog", { name: "Restore version 2?" });
    expect(dialog).toHaveTextContent("becomes the newest version (5)");
    await userEvent.click(within(dialog).getByRole("button", { name: "Restore version 2" }));

    await waitFor(() => expect(useSession.getState().baseVersion).toBe(5));
    expect(JSON.parse(callsTo("/api/pipelines/12/versions/2/restore/")[0]!.body ?? "{}")).toEqual({ message: "", base_version: 4 });
    expect(useGraph.getState().nodes.map((n) => n.id)).toEqual(["ds", "split", "lr", "train", "score"]);
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });

  it("after a 409 says who saved meanwhile, compares, and reloads their version", async () => {
    route("POST", "/api/pipelines/12/versions/2/restore/", () =>
      json({ detail: "Version 5 was saved since version 4.", current_version: versionDetail(12, 5, NEW_DOC, { author: "sam", message: "More trees" }) }, 409),
    );
    route("GET", "/api/pipelines/12/diff/", () => json({ pipeline: 12, from_version: 4, to_version: 5, diff: DIFF }));
    route("GET", "/api/pipelines/12/versions/4/", versionDetail(12, 4, OLD_DOC));
    route("GET", "/api/pipelines/12/versions/5/", versionDetail(12, 5, NEW_DOC));
    panel();
    await userEvent.click(await screen.findByRole("button", { name: "Restore version 2" }));
    await userEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Restore version 2" }));

    const dialog = await screen.findByRole("dialog", { name: "Someone saved a newer version" });
    expect(within(dialog).getByRole("alert")).toHaveTextContent("Version 5 was saved by sam");
    expect(within(dialog).getByRole("alert")).toHaveTextContent("“More trees”");
    await userEvent.click(within(dialog).getByRole("button", { name: "Compare version 4 with 5" }));
    expect(await within(dialog).findByTestId("diff-list")).toHaveTextContent("fraction: 0.5 → 0.7");
    const diffCall = callsTo("/api/pipelines/12/diff/")[0]!;
    expect([diffCall.url.searchParams.get("from"), diffCall.url.searchParams.get("to")]).toEqual(["4", "5"]);

    await userEvent.click(within(dialog).getByRole("button", { name: "Reload version 5" }));
    expect(useSession.getState().baseVersion).toBe(5);
    expect(useGraph.getState().nodes.map((n) => n.id)).toContain("score");
    expect(callsTo("/api/pipelines/12/versions/2/restore/")).toHaveLength(1);
  });

  it("compares any two picked versions", async () => {
    route("GET", "/api/pipelines/12/diff/", () => json({ pipeline: 12, from_version: 1, to_version: 3, diff: DIFF }));
    route("GET", "/api/pipelines/12/versions/1/", versionDetail(12, 1, OLD_DOC));
    route("GET", "/api/pipelines/12/versions/3/", versionDetail(12, 3, NEW_DOC));
    panel();
    const compare = await screen.findByRole("button", { name: "Compare" });
    expect(compare).toBeDisabled();
    await userEvent.click(await screen.findByRole("checkbox", { name: "Pick version 3 to compare" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "Pick version 1 to compare" }));
    await userEvent.click(compare);
    const dialog = await screen.findByRole("dialog", { name: "Version 1 → version 3" });
    expect(await within(dialog).findByTestId("diff-list")).toBeInTheDocument();
    expect(within(dialog).getByRole("link", { name: /own page/ })).toHaveAttribute("href", "/pipelines/12/compare?from=1&to=3");
  });

  it("offers viewers no restore", async () => {
    route("GET", "/api/auth/me/", VIEWER_ME);
    panel();
    await screen.findAllByRole("listitem");
    await screen.findByRole("button", { name: "Open version 2" });
    expect(screen.queryByRole("button", { name: /Restore/ })).not.toBeInTheDocument();
  });
});
