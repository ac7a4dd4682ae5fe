/**
 * A fake Tessera API for component tests. Import it FIRST in a test file: the generated client captures
 * `fetch` and `Request` when it is created, so they must be replaced before it loads. jsdom has no
 * fetch of its own, and Node's Request refuses relative URLs, hence both stand-ins.
 */
export interface Call {
  method: string;
  url: URL;
  body: string | null;
  contentType: string | null;
}

type Handler = (url: URL, request: Request) => unknown;

interface Route {
  method: string;
  path: string | RegExp;
  handler: Handler;
}

const routes: Route[] = [];
export const calls: Call[] = [];

/** Answer `method path` (exact path, or a RegExp on the path) with the handler's JSON, or its Response. */
export function route(method: string, path: string | RegExp, handler: Handler | object): void {
  routes.unshift({ method, path, handler: typeof handler === "function" ? (handler as Handler) : () => handler });
}

export function resetApi(): void {
  routes.length = 0;
  calls.length = 0;
}

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

/** Calls to `path` (exact) so far, in order. */
export function callsTo(path: string): Call[] {
  return calls.filter((c) => c.url.pathname === path);
}

const BaseRequest = globalThis.Request;
class RelativeRequest extends BaseRequest {
  constructor(input: RequestInfo | URL, init?: RequestInit) {
    super(typeof input === "string" && input.startsWith("/") ? new URL(input, "http://localhost").href : input, init);
  }
}
globalThis.Request = RelativeRequest as typeof Request;

globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
  const request = input instanceof BaseRequest ? input : new RelativeRequest(input, init);
  const url = new URL(request.url);
  const contentType = request.headers.get("Content-Type");
  const body = request.method === "GET" ? null : await request.clone().text();
  calls.push({ method: request.method, url, body, contentType });
  const found = routes.find(
    (r) =>
      r.method === request.method &&
      (typeof r.path === "string" ? r.path === url.pathname : r.path.test(url.pathname)),
  );
  if (!found) return json({ detail: `no fake route for ${request.method} ${url.pathname}` }, 404);
  const answer = await found.handler(url, request);
  return answer instanceof Response ? answer : json(answer);
}) as typeof fetch;
