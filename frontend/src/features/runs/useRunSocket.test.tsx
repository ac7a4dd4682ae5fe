import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, renderHook } from "@testing-library/react";
import { createElement, type ReactNode } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { RunEvent, RunSnapshot } from "./runStore";
import { useRunStatus } from "./runStore";
import { followRun, retryDelay, useRunSocket, type SocketLike } from "./useRunSocket";

/** A WebSocket whose server side the test plays. */
class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  closedWith: number | null = null;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close(code = 1000) {
    this.closedWith = code;
    this.drop(code);
  }
  // What the server does:
  accept() {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }
  snapshot(lastSeq: number, nodes: RunSnapshot["nodes"], status: RunSnapshot["run"]["status"] = "running") {
    const run = { id: 7, pipeline: 1, version: 1, status, error: "", elapsed: 1 };
    this.receive({ type: "snapshot", run, nodes, last_seq: lastSeq });
  }
  event(event: RunEvent) {
    this.receive({ type: "event", event: { run: 7, ...event } });
  }
  receive(message: object) {
    this.onmessage?.(new MessageEvent("message", { data: JSON.stringify(message) }));
  }
  drop(code = 1006) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }
}

const latest = () => FakeSocket.all[FakeSocket.all.length - 1] as FakeSocket;
const store = () => useRunStatus.getState();

/** Every sequence number the store moved to, in order: an event applied twice would show twice. */
const unsubscribers: (() => void)[] = [];
function recordSeqs(): number[] {
  const seqs: number[] = [];
  unsubscribers.push(
    useRunStatus.subscribe((state, previous) => {
      if (state.lastSeq !== previous.lastSeq) seqs.push(state.lastSeq);
    }),
  );
  return seqs;
}

function wrapper({ children }: { children: ReactNode }) {
  return createElement(QueryClientProvider, { client: new QueryClient() }, children);
}

describe("following a run over the WebSocket", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.all = [];
    store().clear();
    vi.stubGlobal("WebSocket", FakeSocket);
  });
  afterEach(() => {
    for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it("reconnects after the socket closes and resumes from its last seq, applying each missed event once", () => {
    const seqs = recordSeqs();
    const { unmount } = renderHook(() => useRunSocket(7), { wrapper });
    const first = latest();
    first.accept();
    first.snapshot(10, [
      { node: "a", status: "queued" },
      { node: "b", status: "pending" },
    ]);
    first.event({ seq: 11, type: "node_started", node: "a" });
    first.event({ seq: 12, type: "node_progress", node: "a", progress: 0.5, message: "half" });

    act(() => first.drop(1006)); // daphne restarted, or the network blinked
    act(() => vi.advanceTimersByTime(10_000));
    const second = latest();
    second.accept();
    // The server: a snapshot as of now, then every event after 12, then live ones; 14 twice, as a live
    // broadcast overlapping the replay could bring it.
    second.snapshot(14, [
      { node: "a", status: "completed" },
      { node: "b", status: "running" },
    ]);
    second.event({ seq: 13, type: "node_finished", node: "a" });
    second.event({ seq: 14, type: "node_started", node: "b" });
    second.event({ seq: 14, type: "node_started", node: "b" });
    second.event({ seq: 15, type: "node_progress", node: "b", progress: 0.25, message: "a quarter" });

    expect(first.url).toMatch(/\/ws\/runs\/7\/$/);
    expect(second.url).toMatch(/\/ws\/runs\/7\/\?after=12$/);
    expect(FakeSocket.all).toHaveLength(2);
    expect(seqs).toEqual([10, 11, 12, 13, 14, 15]);
    expect(store().nodes.a).toMatchObject({ status: "completed", progress: 1 });
    expect(store().nodes.b).toMatchObject({ status: "running", progress: 0.25, message: "a quarter" });
    unmount();
    expect(second.closedWith).toBe(1000);
  });

  it("reconnects after the server's 'try again' close (4503) as after any drop", () => {
    const { unmount } = renderHook(() => useRunSocket(7), { wrapper });
    latest().accept();
    latest().snapshot(3, [{ node: "a", status: "running" }]);

    act(() => latest().drop(4503)); // Redis restarted under the server
    act(() => vi.advanceTimersByTime(10_000));

    expect(FakeSocket.all).toHaveLength(2);
    expect(latest().url).toMatch(/\?after=3$/);
    unmount();
  });

  it("does not reconnect after a final close, nor once the run has finished", () => {
    const { unmount } = renderHook(() => useRunSocket(7), { wrapper });
    latest().accept();
    latest().snapshot(3, [{ node: "a", status: "running" }]);
    act(() => latest().drop(4404));
    act(() => vi.advanceTimersByTime(60_000));
    expect(FakeSocket.all).toHaveLength(1);
    unmount();

    store().clear();
    const again = renderHook(() => useRunSocket(7), { wrapper });
    latest().accept();
    latest().snapshot(3, [{ node: "a", status: "running" }]);
    latest().event({ seq: 4, type: "run_finished", status: "completed", elapsed: 2 });
    act(() => vi.advanceTimersByTime(60_000));
    expect(latest().closedWith).toBe(1000);
    expect(FakeSocket.all).toHaveLength(2);
    expect(store().run?.status).toBe("completed");
    again.unmount();
  });

  it("keeps trying through a long outage, polls meanwhile, and goes back to the socket when it can", async () => {
    const polled: number[] = [];
    const fetchEvents = vi.fn(async (_run: number, after: number): Promise<RunEvent[]> => {
      polled.push(after);
      return after < 21 ? [{ seq: 21, run: 7, type: "node_finished", node: "a" }] : [];
    });
    const seqs = recordSeqs();
    const stop = followRun(7, { socket: (url) => new FakeSocket(url), fetchEvents, random: () => 1 });
    latest().accept();
    latest().snapshot(20, [{ node: "a", status: "running" }]);

    latest().drop(1006);
    for (let attempt = 1; attempt <= 6; attempt += 1) {
      await act(async () => vi.advanceTimersByTime(retryDelay(attempt, () => 1)));
      latest().drop(1006); // the server is still down: refused before it opens
    }
    const during = FakeSocket.all.length;
    await act(async () => vi.advanceTimersByTime(10_000));
    latest().accept();
    latest().snapshot(21, [{ node: "a", status: "completed" }]);
    latest().event({ seq: 22, type: "node_started", node: "b" });
    const pollsThen = fetchEvents.mock.calls.length;
    await act(async () => vi.advanceTimersByTime(30_000));

    expect(during).toBe(7); // the first socket and six more attempts, none given up on
    expect(FakeSocket.all).toHaveLength(8);
    expect(latest().url).toMatch(/\?after=21$/); // resumed from what polling brought
    expect(polled[0]).toBe(20);
    expect(seqs).toEqual([20, 21, 22]);
    expect(fetchEvents.mock.calls.length).toBe(pollsThen); // polling stopped once the socket was back
    stop();
  });

  it("waits longer after each failure, up to ten seconds", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelay(n, () => 1))).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000]);
    expect(retryDelay(3, () => 0)).toBe(1000);
  });
});
