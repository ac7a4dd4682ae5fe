/**
 * Follow one run over the WebSocket: a snapshot on connect, then events in order. After a drop it
 * reconnects and asks for what it missed (`resume`); after repeated failures it polls the events
 * endpoint instead, so statuses keep arriving behind proxies that block WebSockets.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { api, unwrap } from "../../api/client";
import { isFinal } from "../../app/status";
import { useRunStatus, type RunEvent, type RunSnapshot } from "./runStore";

const CLOSE_CODES_FINAL = new Set([4401, 4403, 4404]);

export function socketUrl(runId: number): string {
  const proto = window.location.protocol === "https:" ? "wss" : "ws";
  return `${proto}://${window.location.host}/ws/runs/${runId}/`;
}

export function useRunSocket(runId: number | null | undefined) {
  const client = useQueryClient();
  useEffect(() => {
    if (!runId) return;
    const store = useRunStatus.getState;
    let socket: WebSocket | null = null;
    let stopped = false;
    let failures = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let poll: ReturnType<typeof setTimeout> | undefined;

    const finished = () => {
      client.invalidateQueries({ queryKey: ["runs"] });
      client.invalidateQueries({ queryKey: ["run", runId] });
    };
    const done = () => {
      const run = store().run;
      return run?.id === runId && isFinal(run.status);
    };

    const open = () => {
      const resumeAfter = store().run?.id === runId ? store().lastSeq : 0;
      const ws = new WebSocket(socketUrl(runId));
      socket = ws;
      ws.onopen = () => {
        failures = 0;
        if (resumeAfter) ws.send(JSON.stringify({ type: "resume", after: resumeAfter }));
      };
      ws.onmessage = (message) => {
        let data: { type?: string; event?: RunEvent } & Partial<Omit<RunSnapshot, "type">>;
        try {
          data = JSON.parse(String(message.data));
        } catch {
          return;
        }
        if (data.type === "snapshot" && data.run && data.nodes) {
          store().attach({ run: data.run, nodes: data.nodes, last_seq: data.last_seq ?? 0 });
          if (done()) {
            finished();
            ws.close(1000);
          }
        } else if (data.type === "event" && data.event) {
          store().apply(data.event);
          if (data.event.type === "run_finished") {
            finished();
            ws.close(1000);
          } else if (data.event.type === "node_finished" || data.event.type === "node_failed") {
            client.invalidateQueries({ queryKey: ["run", runId] });
          }
        }
      };
      ws.onclose = (event) => {
        if (stopped || done() || CLOSE_CODES_FINAL.has(event.code)) return;
        failures += 1;
        if (failures > 3) {
          startPolling();
          return;
        }
        retry = setTimeout(open, Math.min(500 * 2 ** failures, 5000));
      };
    };

    const startPolling = async () => {
      try {
        if (store().run?.id !== runId) {
          const run = await unwrap(api.GET("/api/runs/{id}/", { params: { path: { id: String(runId) } } }));
          store().attach({
            run: { id: run.id, pipeline: run.pipeline, version: run.version, status: run.status ?? "running", error: run.error ?? "", elapsed: run.elapsed },
            nodes: run.nodes.map((n) => ({ ...n, status: n.status ?? "pending" })),
            last_seq: 0,
          });
        }
        const body = (await unwrap(
          api.GET("/api/runs/{id}/events/", {
            params: { path: { id: String(runId) }, query: { after: store().lastSeq } },
          }),
        )) as { events?: RunEvent[] };
        for (const event of body.events ?? []) store().apply(event);
      } catch {
        /* the next round tries again */
      }
      if (done()) {
        finished();
        return;
      }
      if (!stopped) poll = setTimeout(startPolling, 1500);
    };

    open();
    return () => {
      stopped = true;
      clearTimeout(retry);
      clearTimeout(poll);
      if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000);
    };
  }, [runId, client]);
}
