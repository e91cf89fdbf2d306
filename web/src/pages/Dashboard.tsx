import { query } from "../api/client";
import { useEventStream } from "../api/live";
import { useApi } from "../api/useApi";
import { activeStates, endedStates, type AccountUsageView, type JobList, type NodeView } from "../api/types";
import { StateBadge } from "../components/StateBadge";
import { NodesTable } from "../components/NodesTable";
import { ErrorNote } from "../components/ErrorNote";
import { dateTime, number, since } from "../format";
import { useSession } from "../session";

/** My running and pending jobs with their reasons, my recent ends, my usage and quotas, the nodes at a glance. */
export function Dashboard() {
  const { user } = useSession();
  const active = useEventStream<JobList>("/jobs/events" + query({ owner: user.login, state: activeStates, sort: "-id", limit: 20 }), "jobs");
  const ended = useApi<JobList>("/jobs" + query({ owner: user.login, state: endedStates, sort: "-ended", limit: 10 }), 10000);
  const usage = useApi<AccountUsageView[]>("/usage" + query({ user: user.login }), 30000);
  const nodes = useApi<NodeView[]>("/nodes", 10000);

  return (
    <section class="dashboard">
      <h1>Hello, {user.login}</h1>
      <div class="cards">
        <article class="card wide">
          <h2>Running and pending <a class="more" href={`/jobs?owner=${encodeURIComponent(user.login)}&state=${activeStates.join(",")}`}>all</a></h2>
          <ErrorNote error={active.error} />
          {active.data?.items.length === 0 && <p class="muted">Nothing running or waiting. <a href="/submit">Submit a job</a>.</p>}
          <ul class="job-lines">
            {active.data?.items.map((j) => (
              <li key={j.id}>
                <a href={`/jobs/${j.id}`}>{j.id} {j.name}</a> <StateBadge state={j.state} held={!!j.heldBy} />
                <span class="muted"> {j.state === "Running" ? `for ${since(j.startedAt)}` : j.reason ?? ""}</span>
              </li>
            ))}
          </ul>
        </article>
        <article class="card">
          <h2>Recent ends</h2>
          <ul class="job-lines">
            {ended.data?.items.map((j) => (
              <li key={j.id}>
                <a href={`/jobs/${j.id}`}>{j.id} {j.name}</a> <StateBadge state={j.state} />
                <span class="muted"> {j.exitCode !== undefined ? `exit ${j.exitCode}, ` : ""}{dateTime(j.endedAt)}</span>
              </li>
            ))}
          </ul>
          {ended.data?.items.length === 0 && <p class="muted">No job has ended yet.</p>}
        </article>
        <article class="card">
          <h2>My usage</h2>
          {usage.data?.map((u) => (
            <dl class="facts" key={`${u.kind}/${u.name}`}>
              <dt>{u.kind} {u.name}</dt><dd />
              <dt>Running</dt><dd>{u.runningJobs} jobs, {number(u.runningCpus, 2)} cpus{u.quota?.maxRunningJobs ? ` (max ${u.quota.maxRunningJobs} jobs)` : ""}{u.quota?.maxCpus ? ` (max ${u.quota.maxCpus} cpus)` : ""}</dd>
              <dt>Pending</dt><dd>{u.pendingJobs}{u.quota?.maxPendingJobs ? ` of at most ${u.quota.maxPendingJobs}` : ""}</dd>
              <dt>CPU hours, last {number(u.windowDays, 0)} days</dt><dd>{number(u.windowCpuHours, 1)}{u.quota?.maxCpuHours ? ` of ${u.quota.maxCpuHours}` : ""}</dd>
              <dt>Fair-share usage</dt><dd>{number(u.decayedCpuHours, 1)} cpu-h (shares {u.shares})</dd>
            </dl>
          ))}
          {usage.data?.length === 0 && <p class="muted">Nothing used yet.</p>}
          <ErrorNote error={usage.error} />
        </article>
        <article class="card wide">
          <h2>Nodes</h2>
          {nodes.data && <NodesTable nodes={nodes.data} />}
          <ErrorNote error={nodes.error} />
        </article>
      </div>
    </section>
  );
}
