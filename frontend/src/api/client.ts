/**
 * The one HTTP client: generated from openapi.json (see `npm run gen:api`), session cookies, CSRF on
 * unsafe methods, and failures turned into ApiError with a sentence a user can act on.
 */
import createClient, { defaultPathSerializer, type Middleware, type PathSerializer } from "openapi-fetch";
import type { paths } from "./generated/schema";
import { ApiError, describeFailure, networkError } from "./errors";
import { prefetchingFetch } from "./prefetch";
import { NODE_PATH_PARAMS, nodeUrlPath } from "./nodePath";

export function csrfToken(): string {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match?.[1] ? decodeURIComponent(match[1]) : "";
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

const csrf: Middleware = {
  onRequest({ request }) {
    if (UNSAFE.has(request.method.toUpperCase())) {
      request.headers.set("X-CSRFToken", csrfToken());
    }
    return request;
  },
};

/** Node ids inside components are paths (`prep/clean`): each segment encoded, the slashes kept. */
const pathSerializer: PathSerializer = (pathname, params) => {
  let url = pathname;
  for (const name of NODE_PATH_PARAMS) {
    const value = params?.[name];
    if (typeof value === "string") url = url.replace(`{${name}}`, nodeUrlPath(value));
  }
  return defaultPathSerializer(url, params);
};

export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin", fetch: prefetchingFetch, pathSerializer });
api.use(csrf);

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Await an openapi-fetch call and return its data, or throw an ApiError with a readable message. */
export async function unwrap<T>(call: Promise<FetchResult<T>>, action?: string): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (cause) {
    throw networkError(cause, action);
  }
  const { data, error, response } = result;
  if (!response.ok) {
    throw describeFailure(response.status, error, action);
  }
  return data as T;
}

/** Make sure the CSRF cookie exists before the first unsafe request. */
export async function ensureCsrf(): Promise<void> {
  if (csrfToken()) return;
  await unwrap(api.GET("/api/auth/csrf/"));
}

export { ApiError };
