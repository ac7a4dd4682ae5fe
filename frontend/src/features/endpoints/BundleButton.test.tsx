import { callsTo, json, resetApi, route } from "../inspector/testing/fakeApi"; // first: replaces fetch
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useToasts } from "../../app/toasts";
import { renderRouted } from "./testing/render";
import { EDITOR_ME, endpointFixture, VIEWER_ME } from "./testing/fixtures";

const { EndpointPage } = await import("./EndpointPage");

const GZIP = new Uint8Array([0x1f, 0x8b, 0x08, 0, 1, 2, 3]);
let saved: { name: string; blob: Blob }[] = [];

function open() {
  return renderRouted(<EndpointPage />, { route: "/w/3/endpoints/7", path: "/w/:workspaceId/endpoints/:endpointId" });
}

beforeEach(() => {
  resetApi();
  saved = [];
  useToasts.setState({ toasts: [] });
  route("GET", "/api/endpoints/7/", endpointFixture());
  const blobs = new Map<string, Blob>();
  URL.createObjectURL = vi.fn((blob: Blob) => {
    const url = `blob:test/${blobs.size}`;
    blobs.set(url, blob);
    return url;
  });
  URL.revokeObjectURL = vi.fn();
  vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
    saved.push({ name: this.download, blob: blobs.get(this.href)! });
  });
});

afterEach(() => vi.restoreAllMocks());

describe("Download scoring bundle", () => {
  it("lets a viewer save the bundle the server names, and says how to run it", async () => {
    route("GET", "/api/auth/me/", VIEWER_ME);
    route(
      "GET",
      "/api/endpoints/7/bundle/",
      () =>
        new Response(GZIP, {
          status: 200,
          headers: {
            "Content-Type": "application/gzip",
            "Content-Disposition": 'attachment; filename="cancer-risk-scoring-bundle.tar.gz"',
          },
        }),
    );
    open();

    await userEvent.click(await screen.findByRole("button", { name: "Download scoring bundle" }));

    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]?.name).toBe("cancer-risk-scoring-bundle.tar.gz");
    expect(new Uint8Array(await saved[0]!.blob.arrayBuffer())).toEqual(GZIP);
    expect(callsTo("/api/endpoints/7/bundle/")).toHaveLength(1);
    expect(useToasts.getState().toasts.map((t) => t.text)).toEqual([
      "Saved cancer-risk-scoring-bundle.tar.gz: see its README.md to run it with gunicorn or Docker.",
    ]);
    expect(screen.queryByRole("button", { name: "Delete endpoint" })).not.toBeInTheDocument(); // a viewer
    expect(screen.getByRole("button", { name: "Download scoring bundle" })).toBeEnabled();
  });

  it("shows why the server refused, naming the node, and saves nothing", async () => {
    route("GET", "/api/auth/me/", EDITOR_ME);
    const detail =
      "This endpoint cannot be exported as a scoring bundle: Node 'script' (Execute Python Script) runs user code, which only runs inside Tessera's sandbox; a scoring bundle carries no sandbox, so this endpoint cannot be bundled.";
    route("GET", "/api/endpoints/7/bundle/", () => json({ detail, problems: [{ node: "script" }] }, 422));
    open();

    await userEvent.click(await screen.findByRole("button", { name: "Download scoring bundle" }));

    await waitFor(() => expect(useToasts.getState().toasts).toHaveLength(1));
    expect(useToasts.getState().toasts[0]?.text).toContain("Node 'script' (Execute Python Script) runs user code");
    expect(useToasts.getState().toasts[0]?.kind).toBe("error");
    expect(saved).toEqual([]);
  });
});
