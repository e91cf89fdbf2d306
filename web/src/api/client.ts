// Every call to the REST API goes through here: same origin, the session cookie (HttpOnly: this code never sees it),
// and the session's CSRF token on every request that changes state. Refusals come back as ApiError with the
// problem details the server sent (field errors included), never as a thrown string.

import type { Problem } from "./types";

export const apiBase = "/api/v1";

let csrfToken = "";

/** Set once the session is known (GET /auth/session or the login answer). */
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }

  /** The messages for one field of the request body (the API names fields as the JSON does, e.g. "cpus"). */
  field(name: string): string | undefined {
    const errors = this.problem.errors;
    if (!errors) return undefined;
    const key = Object.keys(errors).find((k) => k.toLowerCase() === name.toLowerCase());
    return key ? errors[key]?.join(" ") : undefined;
  }
}

/** Called when a request finds the session gone (401): the app shows the login form. */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export async function request<T>(
  method: Method, path: string, body?: unknown, signal?: AbortSignal, extraHeaders?: Record<string, string>,
): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json", ...extraHeaders };
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const init: RequestInit = { method, headers, credentials: "same-origin" };
  if (body !== undefined) init.body = JSON.stringify(body);
  if (signal) init.signal = signal;
  const response = await fetch(apiBase + path, init);
  if (!response.ok) {
    throw await toError(response, path);
  }
  if (response.status === 204) return undefined as T;
  const type = response.headers.get("Content-Type") ?? "";
  return (type.includes("json") ? await response.json() : await response.text()) as T;
}

export async function toError(response: Response, path: string): Promise<ApiError> {
  let problem: Problem = { status: response.status, title: response.statusText };
  try {
    const type = response.headers.get("Content-Type") ?? "";
    if (type.includes("json")) problem = (await response.json()) as Problem;
  } catch {
    // a body that is not problem details: keep the status line
  }
  if (response.status === 401 && !path.startsWith("/auth/")) onUnauthorized();
  return new ApiError(response.status, problem);
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => request<T>("GET", path, undefined, signal),
  post: <T>(path: string, body?: unknown, headers?: Record<string, string>) => request<T>("POST", path, body ?? {}, undefined, headers),
  put: <T>(path: string, body?: unknown) => request<T>("PUT", path, body ?? {}),
  patch: <T>(path: string, body?: unknown) => request<T>("PATCH", path, body ?? {}),
  delete: <T>(path: string) => request<T>("DELETE", path),
};

/** A query string from the set values of an object (arrays repeat the key). */
export function query(values: Record<string, string | number | string[] | undefined | null>): string {
  const parts = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) {
      if (value.length > 0) parts.append(key, value.join(","));
    } else {
      parts.append(key, String(value));
    }
  }
  const text = parts.toString();
  return text ? `?${text}` : "";
}
