/**
 * Follow one run over the WebSocket: a snapshot on connect, then events in order. The socket stays
 * open as long as the page does; after any close but a final one (44xx but 4503) it reconnects with
 * growing, jittered pauses (capped at 10 s) and resumes: it connects with `?after=<last seq>`, keeps
 * its state and applies exactly the events it missed (the store ignores any it already has). While
 * the socket keeps failing it also polls the events endpoint, so statuses keep arriving behind
 * proxies that block WebSockets; the first snapshot of a new socket stops the polling.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { api, unwrap } from "../../api/client";
import { isFinal } from "../../app/status";
import { useRunStatus, type RunEvent, type RunSnapshot } from "./runStore";

/** Closes after which reconnecting cannot help: bad request, signed out, forbidden, not found, throttled. */
const CLOSE_CODES_FINAL = new Set([4400, 4401, 4403, 4404, 4429]);
const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 10_000;
/** Failed connections in a row before polling starts too. */
const POLL_AFTER_FAILURES = 3;
const POLL_MS = 1500;

export function socketUrl(runId: number, after = 0): string {
  const proto = window.location.protocol === "https:" ? "wss" : "ws";
  const query = after > 0 ? `?after=${after}` : "";
  return `${proto}://${window.location.host}/ws/runs/${runId}/${query}`;
}

/** The part of a WebSocket the follower uses (a fake one in tests). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  send(data: string): void;
  close(code?: number): void;
}

export interface FollowOptions {
  socket?: (url: string) => SocketLike;
  /** The run and its events after `after`, from the REST API (the fallback while the socket is down). */
  fetchEvents?: (runId: number, after: number) => Promise<RunEvent[]>;
  /** Called once the run is over. */
  onFinished?: () => void;
  /** Called when a node finished or failed (its outputs changed). */
  onNodeSettled?: () => void;
  /** A number in [0, 1) for the jitter of the reconnect pauses. */
  random?: () => number;
}

/** The pause before reconnect attempt `failures` (1, 2, ...): doubling from 0.5 s up to 10 s, jittered. */
export function retryDelay(failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RETRY_BASE_MS * 2 ** (failures - 1), RETRY_MAX_MS);
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

const OPEN = 1;

/** Start following a run; returns the function that stops. */
export function followRun(runId: number, options: FollowOptions = {}): () => void {
  const makeSocket = options.socket ?? ((url: string) => new WebSocket(url));
  const fetchEvents = options.fetchEvents ?? fetchRunEvents;
  const random = options.random ?? Math.random;
  const store = useRunStatus.getState;
  let socket: SocketLike | null = null;
  let stopped = false;
  let failures = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let poll: ReturnType<typeof setTimeout> | undefined;
  let polling = false;
  let generation = 0; // bumped whenever polling starts or stops: a late answer of an older round is dropped

  const follows = () => store().run?.id === runId;
  const done = () => {
    const run = store().run;
    return run?.id === runId && isFinal(run.status);
  };
  const finish = () => {
    stopPolling();
    options.onFinished?.();
  };

  const apply = (event: RunEvent) => {
    const before = store().lastSeq;
    store().apply(event);
    if (store().lastSeq === before) return; // already had it, or not this run's
    if (event.type === "run_finished") {
      finish();
      if (socket && socket.readyState <= OPEN) socket.close(1000);
    } else if (event.type === "node_finished" || event.type === "node_failed") {
      options.onNodeSettled?.();
    }
  };

  const open = () => {
    const after = follows() ? store().lastSeq : 0;
    const ws = makeSocket(socketUrl(runId, after));
    socket = ws;
    ws.onmessage = (message) => {
      if (ws !== socket) return;
      let data: { type?: string; event?: RunEvent } & Partial<Omit<RunSnapshot, "type">>;
      try {
        data = JSON.parse(String(message.data));
      } catch {
        return;
      }
      if (data.type === "snapshot" && data.run && data.nodes) {
        failures = 0;
        stopPolling();
        // Resuming (after > 0), the events after `after` follow this snapshot: keep our state and apply
        // them. A fresh start takes the snapshot's state.
        if (!(after > 0 && follows())) store().attach({ run: data.run, nodes: data.nodes, last_seq: data.last_seq ?? 0 });
        if (done()) {
          finish();
          ws.close(1000);
        }
      } else if (data.type === "event" && data.event) {
        apply(data.event);
      }
    };
    ws.onclose = (event) => {
      if (ws !== socket) return;
      socket = null;
      if (stopped || done() || CLOSE_CODES_FINAL.has(event.code)) return;
      failures += 1;
      if (failures >= POLL_AFTER_FAILURES) startPolling();
      retry = setTimeout(open, retryDelay(failures, random));
    };
  };

  const startPolling = () => {
    if (polling) return;
    polling = true;
    void pollOnce(++generation);
  };
  const stopPolling = () => {
    polling = false;
    generation += 1;
    clearTimeout(poll);
  };
  const pollOnce = async (round: number) => {
    try {
      if (!follows()) {
        const run = await unwrap(api.GET("/api/runs/{id}/", { params: { path: { id: String(runId) } } }));
        if (round !== generation) return;
        if (!follows()) {
          store().attach({
            run: { id: run.id, pipeline: run.pipeline, version: run.version, status: run.status ?? "running", error: run.error ?? "", elapsed: run.elapsed },
            nodes: run.nodes.map((n) => ({ ...n, status: n.status ?? "pending" })),
            last_seq: 0,
          });
        }
      }
      const events = await fetchEvents(runId, store().lastSeq);
      if (round !== generation) return; // a socket took over meanwhile
      for (const event of events) apply(event);
    } catch {
      /* the next round tries again */
    }
    if (round !== generation || stopped) return;
    if (done()) {
      finish();
      return;
    }
    poll = setTimeout(() => void pollOnce(round), POLL_MS);
  };

  open();
  return () => {
    stopped = true;
    clearTimeout(retry);
    stopPolling();
    if (socket && socket.readyState <= OPEN) socket.close(1000);
    socket = null;
  };
}

async function fetchRunEvents(runId: number, after: number): Promise<RunEvent[]> {
  const body = (await unwrap(
    api.GET("/api/runs/{id}/events/", { params: { path: { id: String(runId) }, query: { after } } }),
  )) as { events?: RunEvent[] };
  return body.events ?? [];
}

export function useRunSocket(runId: number | null | undefined) {
  const client = useQueryClient();
  useEffect(() => {
    if (!runId) return;
    return followRun(runId, {
      onFinished: () => {
        client.invalidateQueries({ queryKey: ["runs"] });
        client.invalidateQueries({ queryKey: ["run", runId] });
      },
      onNodeSettled: () => client.invalidateQueries({ queryKey: ["run", runId] }),
    });
  }, [runId, client]);
}
