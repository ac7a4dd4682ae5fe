import { callsTo, json, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { modules } from "../../test/fixtures";
import { mockReactFlow } from "../../test/reactflow";
import { useGraph } from "../canvas/graphStore";
import { SaveVersionDialog } from "../canvas/SaveVersionDialog";
import { useSession } from "../canvas/sessionStore";
import { renderWithProviders } from "../inspector/testing/render";
import { DIFF, NEW_DOC, OLD_DOC, versionDetail } from "./testing";

beforeAll(() => mockReactFlow());
beforeEach(() => {
  resetApi();
  route("GET", "/api/modules/", () => json(modules));
  route("POST", "/api/pipelines/12/versions/", () =>
    json({ detail: "Version 4 is not the newest.", current_version: versionDetail(12, 5, NEW_DOC, { author: "sam", message: "Score it" }) }, 409),
  );
  route("GET", "/api/pipelines/12/diff/", () => json({ pipeline: 12, from_version: 4, to_version: 5, diff: DIFF }));
  route("GET", "/api/pipelines/12/versions/4/", versionDetail(12, 4, OLD_DOC));
  route("GET", "/api/pipelines/12/versions/5/", versionDetail(12, 5, NEW_DOC, { author: "sam" }));
  useGraph.getState().load(OLD_DOC);
  useSession.getState().start(12, 4, true);
});

describe("a stale save", () => {
  it("offers to review the differences between your base version and the current head", async () => {
    renderWithProviders(<SaveVersionDialog pipelineId={12} onClose={() => undefined} />);
    await userEvent.type(screen.getByRole("textbox"), "Mine");
    await userEvent.click(screen.getByRole("button", { name: "Save version" }));

    const dialog = await screen.findByRole("dialog", { name: "Someone saved a newer version" });
    expect(dialog).toHaveTextContent("version 5 was saved by sam");
    await userEvent.click(within(dialog).getByRole("button", { name: "Review differences" }));

    const list = await within(dialog).findByTestId("diff-list");
    expect(list).toHaveTextContent("fraction: 0.5 → 0.7");
    const call = callsTo("/api/pipelines/12/diff/")[0]!;
    expect([call.url.searchParams.get("from"), call.url.searchParams.get("to")]).toEqual(["4", "5"]);
    await within(dialog).findByText("Version 5 by sam, changes since version 4 marked");
    // both ways out are still there
    expect(within(dialog).getByRole("button", { name: "Load version 5 (discard mine)" })).toBeInTheDocument();
    expect(within(dialog).getByRole("button", { name: "Save mine as version 6" })).toBeInTheDocument();
  });
});
