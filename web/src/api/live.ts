// Live data from the server: server-sent events for lists and a job's state, a streamed read for a job's output.

import { useEffect, useState } from "preact/hooks";
import { apiBase, toError, ApiError } from "./client";

export interface Live<T> {
  data: T | undefined;
  error: ApiError | undefined;
  /** True while the stream is open (false while reconnecting). */
  connected: boolean;
}

/**
 * Opens an EventSource on the API path and keeps the last `event` payload. EventSource reconnects by itself; when the
 * first answer is a refusal (404, 401) the browser gives up, and the refusal is fetched once to say why.
 */
export function useEventStream<T>(path: string | null, event: string): Live<T> {
  const [state, setState] = useState<Live<T>>({ data: undefined, error: undefined, connected: false });
  useEffect(() => {
    if (path === null) return undefined;
    setState({ data: undefined, error: undefined, connected: false });
    const source = new EventSource(apiBase + path, { withCredentials: true });
    source.addEventListener(event, (e) => {
      const data = JSON.parse((e as MessageEvent<string>).data) as T;
      setState({ data, error: undefined, connected: true });
    });
    source.onopen = () => setState((s) => ({ ...s, connected: true }));
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        // Refused before the stream started: ask once more with fetch to read the problem details.
        fetch(apiBase + path, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(async (r) => {
            const error = r.ok ? new ApiError(r.status, { title: "The live stream closed" }) : await toError(r, path);
            setState((s) => ({ ...s, error, connected: false }));
          })
          .catch(() => setState((s) => ({ ...s, connected: false })));
      } else {
        setState((s) => ({ ...s, connected: false }));
      }
    };
    return () => source.close();
  }, [path, event]);
  return state;
}

/**
 * Follows a job's stdout or stderr (`?follow=true` streams it until the job ends), calling onText with each piece
 * as text. The caller renders it as text, never as HTML: whatever a job prints stays characters on the screen.
 */
export async function follow(path: string, onText: (text: string) => void, signal: AbortSignal): Promise<void> {
  const response = await fetch(`${apiBase}${path}?follow=true`, { credentials: "same-origin", signal });
  if (!response.ok || !response.body) throw await toError(response, path);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    onText(decoder.decode(value, { stream: true }));
  }
  const rest = decoder.decode();
  if (rest) onText(rest);
}
