import { useEffect, useState } from "preact/hooks";
import { useRoute } from "preact-iso";
import { api, ApiError } from "../api/client";
import { useEventStream } from "../api/live";
import { useApi } from "../api/useApi";
import type { ArrayView, JobView, PriorityView } from "../api/types";
import { act, actionLabels, possibleActions, type JobAction } from "../jobs/actions";
import { StateBadge } from "../components/StateBadge";
import { ErrorNote } from "../components/ErrorNote";
import { LogView } from "../components/LogView";
import { FilesBrowser } from "../components/FilesBrowser";
import { UsageCharts } from "../components/UsageCharts";
import { JobTerminal } from "../components/JobTerminal";
import { useSession } from "../session";
import { NotFound } from "./NotFound";
import { bytes, cpus, dateTime, duration, number, since } from "../format";

type Tab = "stdout" | "stderr" | "files" | "usage" | "script";

/** One job, live: state and timeline, output followed as it grows, files, usage charts, its control actions. */
export function JobPage() {
  const { params } = useRoute();
  const id = Number(params["id"]);
  const valid = Number.isSafeInteger(id) && id > 0;
  const live = useEventStream<JobView>(valid ? `/jobs/${id}/live` : null, "job");
  const [tab, setTab] = useState<Tab>("stdout");
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const job = live.data;
  const { user } = useSession();
  // The elapsed time of a running job moves on between live updates.
  const [, tick] = useState(0);
  const ticking = job?.state === "Running";
  useEffect(() => {
    if (!ticking) return undefined;
    const timer = setInterval(() => tick((t) => t + 1), 1000);
    return () => clearInterval(timer);
  }, [ticking]);

  if (!valid || live.error?.status === 404) return <NotFound what={`There is no job ${params["id"]} you may see.`} />;
  if (!job) return live.error ? <ErrorNote error={live.error} /> : <p class="muted">Loading…</p>;

  const running = job.state === "Running" || job.state === "Suspended";
  async function run(action: JobAction) {
    if (action === "kill" && !confirm(`Kill job ${id}?`)) return;
    setBusy(true);
    setFailure(null);
    try {
      await act(id, action);
    } catch (e) {
      setFailure(e instanceof ApiError ? e : new ApiError(0, { title: String(e) }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="job" data-testid="job">
      <header class="job-head">
        <h1>Job {job.id} <span class="name">{job.name}</span></h1>
        <StateBadge state={job.state} held={!!job.heldBy} />
        <div class="actions">
          {possibleActions(job).map((a) => (
            <button key={a} class={a === "kill" ? "danger" : ""} disabled={busy} onClick={() => void run(a)}>{actionLabels[a]}</button>
          ))}
        </div>
      </header>
      <ErrorNote error={failure} />
      {job.reason && <p class="reason" data-testid="reason">{job.reason}</p>}
      <dl class="facts">
        <dt>Owner</dt><dd>{job.owner}</dd>
        <dt>Project</dt><dd>{job.project}</dd>
        <dt>Image</dt><dd>{job.image}</dd>
        <dt>Resources</dt><dd>{cpus(job.cpus)} cpu · {bytes(job.memoryBytes)}{job.gpus ? ` · ${job.gpus} gpu` : ""}</dd>
        <dt>Walltime</dt><dd>{job.walltimeSeconds ? duration(job.walltimeSeconds) : "site default"}</dd>
        <dt>Node</dt><dd>{job.node ?? "–"}</dd>
        <dt>Attempt</dt><dd>{job.attempt}</dd>
        <dt>Submitted</dt><dd>{dateTime(job.submittedAt)}</dd>
        <dt>Started</dt><dd>{dateTime(job.startedAt)}</dd>
        <dt>Ended</dt><dd>{dateTime(job.endedAt)}</dd>
        <dt>Elapsed</dt><dd>{job.startedAt ? since(job.startedAt, job.endedAt) : "–"}</dd>
        {job.exitCode !== undefined && <><dt>Exit code</dt><dd data-testid="exit-code">{job.exitCode}</dd></>}
        {job.endCause && <><dt>End cause</dt><dd>{job.endCause}</dd></>}
        {job.dependency && <><dt>Dependency</dt><dd>{job.dependency}</dd></>}
        {job.arrayId !== undefined && <><dt>Array</dt><dd>{job.arrayId} task {job.taskId}</dd></>}
        {job.tags.length > 0 && <><dt>Tags</dt><dd>{job.tags.join(", ")}</dd></>}
        {job.expectedStart && <><dt>Expected start</dt><dd>{dateTime(job.expectedStart)}</dd></>}
        {job.mailType && <><dt>Mail</dt><dd data-testid="mail">{job.mailType}{job.mailUser ? ` to ${job.mailUser}` : " (no address: nobody is mailed)"}</dd></>}
        {job.stdout && <><dt>Stdout</dt><dd data-testid="stdout-path">{job.stdout} (in the job's volume, not the stdout tab)</dd></>}
        {job.stderr && <><dt>Stderr</dt><dd data-testid="stderr-path">{job.stderr} (in the job's volume, not the stderr tab)</dd></>}
        {job.directory && <><dt>Directory</dt><dd data-testid="directory">{directoryStates[job.directory] ?? job.directory}</dd></>}
      </dl>
      {job.state === "Pending" && <Priority id={job.id} />}
      {job.arrayId !== undefined && <ArrayTasks arrayId={job.arrayId} />}
      {/* Offered to those who may always control a job; the server decides, and refuses anyone else before the upgrade. */}
      {(user.admin || user.login === job.owner) && <JobTerminal job={job} />}
      <div class="tabs" role="tablist">
        {(["stdout", "stderr", "files", "usage", "script"] as Tab[]).map((t) => (
          <button key={t} role="tab" aria-selected={tab === t} onClick={() => setTab(t)}>{t}</button>
        ))}
      </div>
      <div role="tabpanel">
        {tab === "stdout" && <LogView jobId={job.id} stream="stdout" running={running} />}
        {tab === "stderr" && <LogView jobId={job.id} stream="stderr" running={running} />}
        {tab === "files" && <FilesBrowser jobId={job.id} refreshMs={running ? 5000 : undefined} />}
        {tab === "usage" && <UsageCharts jobId={job.id} running={running} />}
        {tab === "script" && <pre class="script">{job.script ?? job.command?.join(" ") ?? ""}</pre>}
      </div>
      <h2>Timeline</h2>
      <ol class="timeline" data-testid="timeline">
        {(job.events ?? []).map((e, i) => (
          <li key={i}><time>{dateTime(e.at)}</time> <strong>{e.kind}</strong> {e.message}</li>
        ))}
      </ol>
    </section>
  );
}

const directoryStates: Record<string, string> = {
  present: "present",
  archived: "archived (one .tar.gz: its files are still listed and downloadable)",
  removed: "removed",
};

function Priority({ id }: { id: number }) {
  const priority = useApi<PriorityView>(`/jobs/${id}/priority`, 10000);
  const [adjust, setAdjust] = useState("");
  const [failure, setFailure] = useState<ApiError | null>(null);
  const p = priority.data;
  if (!p) return null;
  return (
    <div class="priority">
      <h2>Priority</h2>
      <p>Position {p.position} of {p.pending} pending ({p.policy}), priority {number(p.priority, 3)}{p.expectedStart ? `, expected to start ${dateTime(p.expectedStart)}` : ""}.</p>
      <div class="table-box">
        <table>
          <thead><tr><th>Factor</th><th>Value</th><th>Weight</th><th>Contribution</th></tr></thead>
          <tbody>
            {p.factors.map((f) => (
              <tr key={f.name}><td>{f.name}</td><td>{number(f.value, 3)}</td><td>{number(f.weight, 3)}</td><td>{number(f.contribution, 3)}</td></tr>
            ))}
          </tbody>
        </table>
      </div>
      <form class="inline" onSubmit={(e) => {
        e.preventDefault();
        api.post(`/jobs/${id}/priority`, { adjustment: Number(adjust) }).then(() => { setFailure(null); priority.reload(); })
          .catch((err: unknown) => setFailure(err as ApiError));
      }}>
        <label>Adjustment <input name="adjustment" type="number" value={adjust} onInput={(e) => setAdjust(e.currentTarget.value)} /></label>
        <button type="submit">Set</button>
      </form>
      <ErrorNote error={failure} />
    </div>
  );
}

function ArrayTasks({ arrayId }: { arrayId: number }) {
  const array = useApi<ArrayView>(`/arrays/${arrayId}`, 5000);
  const a = array.data;
  if (!a) return null;
  return (
    <div class="array">
      <h2>Array {a.arrayId}: {a.tasks} tasks</h2>
      <p>{Object.entries(a.byState).map(([s, n]) => `${s} ${n}`).join(" · ")}</p>
      <ul class="tasks">
        {a.items.map((t) => <li key={t.id}><a href={`/jobs/${t.id}`}>task {t.taskId}</a> <StateBadge state={t.state} /></li>)}
      </ul>
    </div>
  );
}
