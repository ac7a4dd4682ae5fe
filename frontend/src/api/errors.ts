/** Errors from the API, rephrased for people: what went wrong and what to do next. */
import type { Problem } from "./types";

export class ApiError extends Error {
  readonly status: number;
  readonly body: unknown;
  readonly problems: Problem[];

  constructor(message: string, status: number, body: unknown, problems: Problem[] = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.body = body;
    this.problems = problems;
  }
}

function detailOf(body: unknown): string | undefined {
  if (body && typeof body === "object" && "detail" in body) {
    const detail = (body as { detail: unknown }).detail;
    if (typeof detail === "string") return detail;
  }
  return undefined;
}

function fieldsOf(body: unknown): string | undefined {
  if (!body || typeof body !== "object" || !("fields" in body)) return undefined;
  const fields = (body as { fields: unknown }).fields;
  if (!fields || typeof fields !== "object") return undefined;
  const parts = Object.entries(fields as Record<string, unknown>).map(([name, msgs]) => {
    const text = Array.isArray(msgs) ? msgs.join(" ") : String(msgs);
    return `${name.replace(/_/g, " ")}: ${text}`;
  });
  return parts.length ? parts.join("; ") : undefined;
}

function problemsOf(body: unknown): Problem[] {
  if (body && typeof body === "object" && "problems" in body) {
    const problems = (body as { problems: unknown }).problems;
    if (Array.isArray(problems)) return problems as Problem[];
  }
  return [];
}

export function describeFailure(status: number, body: unknown, action?: string): ApiError {
  const detail = detailOf(body);
  const prefix = action ? `Could not ${action}: ` : "";
  let message: string;
  switch (true) {
    case status === 401:
      message = "You are signed out. Sign in again to continue.";
      break;
    case status === 403 && /credentials were not provided|not authenticated/i.test(detail ?? ""):
      message = "You are signed out. Sign in again to continue.";
      break;
    case status === 403 && /CSRF/i.test(detail ?? ""):
      message = `${prefix}the page's security token expired. Reload the page and try again.`;
      break;
    case status === 403:
      message = `${prefix}${detail ?? "your role in this workspace does not allow it."}`;
      break;
    case status === 404:
      message = `${prefix}${detail ?? "it no longer exists, or you are not a member of its workspace."}`;
      break;
    case status === 413:
      message = `${prefix}${detail ?? "the file is too large."}`;
      break;
    case status >= 500:
      message = `${prefix}the server ran into an error (HTTP ${status}). Try again; if it keeps happening, check the server log.`;
      break;
    default:
      message = `${prefix}${fieldsOf(body) ?? detail ?? `the server answered HTTP ${status}.`}`;
  }
  return new ApiError(message, status, body, problemsOf(body));
}

export function networkError(cause: unknown, action?: string): ApiError {
  const prefix = action ? `Could not ${action}: ` : "";
  const err = new ApiError(
    `${prefix}the Tessera server cannot be reached. Check that it is running and try again.`,
    0,
    cause,
  );
  return err;
}

export function isSignedOut(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    (error.status === 401 || (error.status === 403 && /signed out/.test(error.message)))
  );
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
