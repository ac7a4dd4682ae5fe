import { afterEach, describe, expect, it, vi } from "vitest";
import { PREFETCH_FRESH_MS, prefetchingFetch, takePrefetched } from "./prefetch";

function prefetch(found: Record<string, Promise<Response>>, at = performance.now()) {
  window.__tesseraPrefetch = { at, found };
}

afterEach(() => {
  delete window.__tesseraPrefetch;
  vi.unstubAllGlobals();
});

describe("responses fetched by index.html before the app started", () => {
  it("stand in once for a GET of the same path and query", async () => {
    const answer = new Response('{"id": 3}', { status: 200 });
    prefetch({ "/api/runs/?pipeline=3&limit=1": Promise.resolve(answer) });
    const network = vi.fn(async () => new Response("{}", { status: 200 }));
    vi.stubGlobal("fetch", network);
    const first = await prefetchingFetch(new Request(`${location.origin}/api/runs/?pipeline=3&limit=1`));
    expect(first).toBe(answer);
    expect(network).not.toHaveBeenCalled();
    await prefetchingFetch(new Request(`${location.origin}/api/runs/?pipeline=3&limit=1`));
    expect(network).toHaveBeenCalledTimes(1); // the second time it is asked again
  });

  it("are not used for another query, a failure, an error or when stale", async () => {
    prefetch({
      "/api/pipelines/1/": Promise.resolve(new Response("{}", { status: 403 })),
      "/api/modules/": Promise.reject(new TypeError("offline")),
      "/api/runs/?pipeline=3&limit=50": Promise.resolve(new Response("{}", { status: 200 })),
    });
    expect(await takePrefetched("/api/pipelines/1/")).toBeUndefined();
    expect(await takePrefetched("/api/modules/")).toBeUndefined();
    expect(await takePrefetched("/api/runs/?pipeline=3&limit=1")).toBeUndefined();
    prefetch({ "/api/auth/me/": Promise.resolve(new Response("{}", { status: 200 })) }, performance.now() - PREFETCH_FRESH_MS - 1);
    expect(await takePrefetched("/api/auth/me/")).toBeUndefined();
  });

  it("never answer a request that changes something", async () => {
    prefetch({ "/api/pipelines/1/draft/": Promise.resolve(new Response("{}", { status: 200 })) });
    const network = vi.fn(async () => new Response("{}", { status: 200 }));
    vi.stubGlobal("fetch", network);
    await prefetchingFetch(new Request(`${location.origin}/api/pipelines/1/draft/`, { method: "PUT", body: "{}" }));
    expect(network).toHaveBeenCalledTimes(1);
    expect(await takePrefetched("/api/pipelines/1/draft/")).toBeDefined();
  });
});
