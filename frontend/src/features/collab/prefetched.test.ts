import { afterEach, describe, expect, it } from "vitest";
import { PREFETCH_FRESH_MS, type PrefetchedSocket } from "../../api/prefetch";
import { prefetchedSocket } from "./prefetched";

const URL = "ws://localhost/ws/pipelines/3/";

/** A stand-in for the WebSocket index.html opened: handlers as properties, events fired by the test. */
function fakeSocket(readyState = 1) {
  const sent: string[] = [];
  const closed: (number | undefined)[] = [];
  const ws = {
    readyState,
    onopen: null as ((e: Event) => void) | null,
    onmessage: null as ((e: MessageEvent) => void) | null,
    onclose: null as ((e: CloseEvent) => void) | null,
    onerror: null as ((e: Event) => void) | null,
    send: (data: string) => sent.push(data),
    close: (code?: number) => closed.push(code),
  };
  return { ws, sent, closed };
}

function prefetch(socket: PrefetchedSocket, at = performance.now()) {
  window.__tesseraPrefetch = { at, found: {}, sockets: { [URL]: socket } };
}

const message = (data: string) => new MessageEvent("message", { data });

afterEach(() => {
  delete window.__tesseraPrefetch;
});

describe("the co-editing socket opened by index.html", () => {
  it("hands on what arrived before it was taken, in order and before anything newer, once", async () => {
    const { ws, sent } = fakeSocket();
    const events: Event[] = [message("snapshot"), message("presence")];
    prefetch({ ws: ws as unknown as WebSocket, events, taken: false });
    const socket = prefetchedSocket(URL)!;
    const got: string[] = [];
    socket.onmessage = (e) => got.push(String(e.data));
    await Promise.resolve();
    ws.onmessage?.(message("op"));
    expect(got).toEqual(["snapshot", "presence", "op"]);
    socket.send("hello");
    expect(sent).toEqual(["hello"]);
    expect(socket.readyState).toBe(1);
    expect(prefetchedSocket(URL)).toBeUndefined();
  });

  it("is not used once closed or stale, and a stale one is closed", () => {
    const gone = fakeSocket();
    prefetch({ ws: gone.ws as unknown as WebSocket, events: [new CloseEvent("close", { code: 4401 })], taken: false });
    expect(prefetchedSocket(URL)).toBeUndefined();
    const old = fakeSocket();
    prefetch({ ws: old.ws as unknown as WebSocket, events: [], taken: false }, performance.now() - PREFETCH_FRESH_MS - 1);
    expect(prefetchedSocket(URL)).toBeUndefined();
    expect(old.closed).toEqual([1000]);
  });
});
