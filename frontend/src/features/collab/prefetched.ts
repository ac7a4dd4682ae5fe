/**
 * The co-editing socket index.html opened while the scripts loaded, as a SocketLike: the page joins
 * the pipeline while it fetches the draft instead of after it. What the server sent before the client
 * took the socket (the snapshot, ops, presence) is handed on first, in order, before anything newer.
 */
import { takePrefetchedSocket } from "../../api/prefetch";
import type { SocketLike } from "./socket";

export function prefetchedSocket(url: string): SocketLike | undefined {
  const taken = takePrefetchedSocket(url);
  if (!taken) return undefined;
  const { ws, events } = taken;
  const socket: SocketLike = {
    get readyState() {
      return ws.readyState;
    },
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
    send: (data) => ws.send(data),
    close: (code) => ws.close(code),
  };
  ws.onopen = (e) => socket.onopen?.(e);
  ws.onerror = (e) => socket.onerror?.(e);
  ws.onmessage = (e) => socket.onmessage?.(e);
  ws.onclose = (e) => socket.onclose?.(e);
  // The caller sets its handlers as soon as it has the socket; a microtask runs before the next message can.
  queueMicrotask(() => {
    for (const event of events) socket.onmessage?.(event as MessageEvent);
  });
  return socket;
}
