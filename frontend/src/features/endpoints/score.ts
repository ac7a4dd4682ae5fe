/**
 * One scoring call from the browser, as a client would make it: key in `Authorization: Bearer`, no
 * session cookie. Returns what came back and how long it took; never throws for an HTTP error.
 */
import { absoluteUrl } from "./snippets";

export interface ScoreResult {
  ok: boolean;
  /** HTTP status, or 0 when the server could not be reached. */
  status: number;
  statusText: string;
  latencyMs: number;
  /** Parsed JSON when the answer was JSON, else the text. */
  body: unknown;
  /** Azure-shaped `{"error": {code, message, details}}`, or a network failure, in words. */
  error: { code: string; message: string; details: string } | null;
}

function errorOf(status: number, body: unknown): ScoreResult["error"] {
  if (status >= 200 && status < 300) return null;
  if (body && typeof body === "object" && "error" in body) {
    const e = (body as { error: unknown }).error;
    if (e && typeof e === "object") {
      const { code, message, details } = e as { code?: unknown; message?: unknown; details?: unknown };
      return {
        code: code === undefined ? String(status) : String(code),
        message: typeof message === "string" ? message : `HTTP ${status}`,
        details: details === undefined || details === null ? "" : typeof details === "string" ? details : JSON.stringify(details, null, 2),
      };
    }
    if (typeof e === "string") return { code: String(status), message: e, details: "" };
  }
  if (body && typeof body === "object" && "detail" in body) {
    return { code: String(status), message: String((body as { detail: unknown }).detail), details: "" };
  }
  return { code: String(status), message: `The endpoint answered HTTP ${status}.`, details: typeof body === "string" ? body.slice(0, 2000) : "" };
}

export async function score(url: string, key: string, body: string, contentType = "application/json"): Promise<ScoreResult> {
  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(absoluteUrl(url), {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": contentType, Accept: "application/json", Authorization: `Bearer ${key}` },
      body,
    });
  } catch (cause) {
    return {
      ok: false,
      status: 0,
      statusText: "",
      latencyMs: Math.round(performance.now() - started),
      body: null,
      error: {
        code: "network",
        message: "The endpoint cannot be reached. Check that the scoring service is running.",
        details: cause instanceof Error ? cause.message : String(cause),
      },
    };
  }
  const text = await response.text();
  const latencyMs = Math.round(performance.now() - started);
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: keep the text */
  }
  return { ok: response.ok, status: response.status, statusText: response.statusText, latencyMs, body: parsed, error: errorOf(response.status, parsed) };
}
