import { useCallback, useEffect, useState } from "preact/hooks";
import { api, ApiError } from "./client";

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

/** GETs an API path (null: nothing yet), again on reload() and every refreshMs when given. */
export function useApi<T>(path: string | null, refreshMs?: number): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    if (path === null) return undefined;
    const abort = new AbortController();
    setLoading(true);
    api
      .get<T>(path, abort.signal)
      .then((d) => {
        setData(d);
        setError(undefined);
      })
      .catch((e: unknown) => {
        if (abort.signal.aborted) return;
        setError(e instanceof ApiError ? e : new ApiError(0, { title: String(e) }));
      })
      .finally(() => {
        if (!abort.signal.aborted) setLoading(false);
      });
    return () => abort.abort();
  }, [path, tick]);

  useEffect(() => {
    if (!refreshMs || path === null) return undefined;
    const timer = setInterval(reload, refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs, path, reload]);

  return { data, error, loading, reload };
}
