import { useEffect, useRef, useState } from "preact/hooks";
import { follow } from "../api/live";
import { ApiError } from "../api/client";

/** How much of a log the page keeps (the whole file stays downloadable). */
const keepChars = 512 * 1024;

/**
 * A job's stdout or stderr, followed live while the job runs. Text goes into the page as text (a text node's data),
 * never as markup: whatever a job prints is shown, not interpreted.
 */
export function LogView({ jobId, stream, running }: { jobId: number; stream: "stdout" | "stderr"; running: boolean }) {
  const pre = useRef<HTMLPreElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [cut, setCut] = useState(false);

  useEffect(() => {
    const el = pre.current;
    if (!el) return undefined;
    const text = document.createTextNode("");
    el.replaceChildren(text);
    setError(null);
    setCut(false);
    const abort = new AbortController();
    follow(`/jobs/${jobId}/${stream}`, (piece) => {
      const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      let data = text.data + piece;
      if (data.length > keepChars) {
        data = data.slice(data.length - keepChars);
        setCut(true);
      }
      text.data = data;
      if (atBottom) el.scrollTop = el.scrollHeight;
    }, abort.signal).catch((e: unknown) => {
      if (abort.signal.aborted) return;
      setError(e instanceof ApiError && e.status === 404 ? `no ${stream} yet` : e instanceof Error ? e.message : String(e));
    });
    return () => abort.abort();
    // Followed again when the job (re)starts running, e.g. after a requeue.
  }, [jobId, stream, running]);

  return (
    <div class="log">
      {cut && <p class="muted">Showing the last {keepChars / 1024} KiB; download the file for all of it.</p>}
      <pre ref={pre} data-testid={`log-${stream}`} tabIndex={0} />
      {error && <p class="muted">{error}</p>}
      <a href={`/api/v1/jobs/${jobId}/${stream}`} download={`${jobId}.${stream}.txt`}>Download {stream}</a>
    </div>
  );
}
