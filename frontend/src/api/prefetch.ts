/**
 * Responses that index.html started fetching before the scripts loaded, so the first page does not
 * wait for the bundle, then React, then its requests in turn. Each is handed out once, only for a GET
 * of exactly that path, only while fresh (a page signed in a while later asks again), and only when
 * it succeeded: anything else is asked again the usual way.
 */
export interface PrefetchedSocket {
  ws: WebSocket;
  /** Messages (and a close) that arrived before the page took the socket, in order. */
  events: Event[];
  taken: boolean;
}

interface Prefetched {
  at: number;
  found: Record<string, Promise<Response> | undefined>;
  sockets?: Record<string, PrefetchedSocket | undefined>;
}

declare global {
  interface Window {
    __tesseraPrefetch?: Prefetched;
  }
}

/** How long after it was started a prefetched answer may stand in for a request. */
export const PREFETCH_FRESH_MS = 10_000;

/** The prefetched answer for a GET of `path` (path and query, same origin), if there is a usable one. */
export async function takePrefetched(path: string): Promise<Response | undefined> {
  const prefetch = typeof window === "undefined" ? undefined : window.__tesseraPrefetch;
  const pending = prefetch?.found[path];
  if (!prefetch || !pending) return undefined;
  delete prefetch.found[path];
  if (performance.now() - prefetch.at > PREFETCH_FRESH_MS) return undefined;
  try {
    const response = await pending;
    return response.ok ? response : undefined;
  } catch {
    return undefined;
  }
}

/** The socket to `url` index.html opened, once, while fresh and not closed; the caller takes over its handlers. */
export function takePrefetchedSocket(url: string): PrefetchedSocket | undefined {
  const prefetch = typeof window === "undefined" ? undefined : window.__tesseraPrefetch;
  const socket = prefetch?.sockets?.[url];
  if (!prefetch || !socket) return undefined;
  delete prefetch.sockets?.[url];
  socket.taken = true;
  const closed = socket.ws.readyState > WebSocket.OPEN || socket.events.some((e) => e.type === "close");
  if (closed || performance.now() - prefetch.at > PREFETCH_FRESH_MS) {
    if (!closed) socket.ws.close(1000);
    return undefined;
  }
  return socket;
}

/** fetch() for the API client: a prefetched answer when there is one, else the network. */
export async function prefetchingFetch(request: Request): Promise<Response> {
  if (request.method === "GET") {
    const url = new URL(request.url, window.location.href);
    if (url.origin === window.location.origin) {
      const answer = await takePrefetched(url.pathname + url.search);
      if (answer) return answer;
    }
  }
  return globalThis.fetch(request);
}
