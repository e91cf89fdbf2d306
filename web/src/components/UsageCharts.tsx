import { useMemo } from "preact/hooks";
import { useApi } from "../api/useApi";
import type { JobUsageView } from "../api/types";
import { Chart } from "./Chart";
import { bytes, duration, number } from "../format";

/** A job's sampled cpu and memory (GET /jobs/{id}/usage), refreshed while it runs, kept after its end. */
export function UsageCharts({ jobId, running }: { jobId: number; running: boolean }) {
  const usage = useApi<JobUsageView>(`/jobs/${jobId}/usage`, running ? 5000 : undefined);
  const u = usage.data;
  const series = useMemo(() => {
    const points = u?.points ?? [];
    return {
      times: points.map((p) => Date.parse(p.at) / 1000),
      cpu: [{ label: "cpu cores", values: points.map((p) => p.cpuCores ?? null), color: "#2563eb" }],
      memory: [
        { label: "RSS", values: points.map((p) => p.maxRssBytes), color: "#16a34a" },
        { label: "cache", values: points.map((p) => p.cacheBytes), color: "#a3a3a3" },
      ],
    };
  }, [u]);
  if (!u) return usage.error ? <p class="muted">No usage: {usage.error.message}</p> : null;
  const s = u.summary;
  return (
    <div class="usage">
      {s ? (
        <dl class="facts" data-testid="usage-summary">
          <dt>CPU time</dt><dd>{duration(s.cpuSeconds)}</dd>
          <dt>Average cpu</dt><dd>{number(s.averageCpu)}</dd>
          <dt>Max RSS</dt><dd>{bytes(s.maxRssBytes)} of {bytes(u.memoryLimitBytes)}</dd>
          <dt>Max pids</dt><dd>{s.maxPids}</dd>
          <dt>Disk read / written</dt><dd>{bytes(s.blockReadBytes)} / {bytes(s.blockWriteBytes)}</dd>
          <dt>Network in / out</dt><dd>{bytes(s.networkReceivedBytes)} / {bytes(s.networkSentBytes)}</dd>
        </dl>
      ) : (
        <p class="muted">No sample yet.</p>
      )}
      {series.times.length > 1 && (
        <div class="charts">
          <Chart title="CPU (cores)" times={series.times} series={series.cpu} format={(v) => v.toFixed(2)} />
          <Chart title="Memory" times={series.times} series={series.memory} format={(v) => bytes(v)} />
        </div>
      )}
    </div>
  );
}
