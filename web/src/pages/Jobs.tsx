import { useMemo, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { query, ApiError } from "../api/client";
import { useEventStream } from "../api/live";
import { allStates, type JobList, type JobState, type JobView } from "../api/types";
import { act, actionLabels, possibleActions, type JobAction } from "../jobs/actions";
import { StateBadge } from "../components/StateBadge";
import { ErrorNote } from "../components/ErrorNote";
import { Pager } from "../components/Pager";
import { cpus, bytes, dateTime, since } from "../format";
import { useSession } from "../session";

const pageSize = 25;
type SortKey = "id" | "name" | "state" | "owner" | "project" | "submitted" | "started" | "ended";

/** Jobs: filtered, sorted and paged by the server, kept live by server-sent events; bulk kill, hold, release. */
export function Jobs() {
  const session = useSession();
  const location = useLocation();
  const params = location.query;
  const [states, setStates] = useState<JobState[]>(params["state"] ? (params["state"].split(",") as JobState[]) : []);
  const [owner, setOwner] = useState(params["owner"] ?? (session.user.admin ? "" : session.user.login));
  const [project, setProject] = useState(params["project"] ?? "");
  const [name, setName] = useState(params["name"] ?? "");
  const [sort, setSort] = useState(params["sort"] ?? "-id");
  const [offset, setOffset] = useState(0);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [outcome, setOutcome] = useState<string | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);

  const path = useMemo(
    () => "/jobs/events" + query({ state: states, owner, project, name, sort, offset, limit: pageSize }),
    [states, owner, project, name, sort, offset],
  );
  const live = useEventStream<JobList>(path, "jobs");
  const list = live.data;

  function sortBy(key: SortKey) {
    setSort(sort === key ? `-${key}` : sort === `-${key}` ? key : `-${key}`);
    setOffset(0);
  }

  function toggle(id: number) {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  }

  async function bulk(action: JobAction) {
    const jobs = (list?.items ?? []).filter((j) => selected.has(j.id));
    const applicable = jobs.filter((j) => possibleActions(j).includes(action));
    let done = 0;
    const refused: string[] = [];
    for (const job of applicable) {
      try {
        await act(job.id, action);
        done++;
      } catch (e) {
        refused.push(`${job.id}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const skipped = jobs.length - applicable.length;
    setOutcome(
      `${actionLabels[action]}: ${done} done` + (skipped ? `, ${skipped} not in a state for it` : "") +
        (refused.length ? `, refused: ${refused.join("; ")}` : ""),
    );
    setSelected(new Set());
  }

  const header = (key: SortKey, label: string) => (
    <th aria-sort={sort === key ? "ascending" : sort === `-${key}` ? "descending" : undefined}>
      <button class="sort" onClick={() => sortBy(key)}>{label}{sort === key ? " ▲" : sort === `-${key}` ? " ▼" : ""}</button>
    </th>
  );

  return (
    <section>
      <h1>Jobs {live.connected && <span class="live" title="updates live">● live</span>}</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <fieldset class="states">
          <legend>State</legend>
          {allStates.map((s) => (
            <label key={s}>
              <input type="checkbox" checked={states.includes(s)}
                onChange={() => { setStates(states.includes(s) ? states.filter((x) => x !== s) : [...states, s]); setOffset(0); }} />
              {s}
            </label>
          ))}
        </fieldset>
        <label>Name <input name="name" value={name} onInput={(e) => { setName(e.currentTarget.value); setOffset(0); }} /></label>
        <label>Owner <input name="owner" value={owner} onInput={(e) => { setOwner(e.currentTarget.value); setOffset(0); }} /></label>
        <label>Project <input name="project" value={project} onInput={(e) => { setProject(e.currentTarget.value); setOffset(0); }} /></label>
      </form>
      <ErrorNote error={live.error ?? failure} />
      <div class="bulk">
        <span>{selected.size} selected</span>
        {(["kill", "hold", "release"] as JobAction[]).map((a) => (
          <button key={a} disabled={selected.size === 0} onClick={() => void bulk(a).catch((e: unknown) => setFailure(e as ApiError))}>
            {actionLabels[a]}
          </button>
        ))}
        {outcome && <span class="outcome" role="status">{outcome}</span>}
      </div>
      <div class="table-box">
        <table class="jobs">
          <thead>
            <tr>
              <th><input type="checkbox" aria-label="Select all"
                checked={!!list && list.items.length > 0 && list.items.every((j) => selected.has(j.id))}
                onChange={(e) => setSelected(e.currentTarget.checked ? new Set(list?.items.map((j) => j.id)) : new Set())} /></th>
              {header("id", "Id")}
              {header("name", "Name")}
              {header("state", "State")}
              {header("owner", "Owner")}
              {header("project", "Project")}
              <th>Resources</th>
              {header("submitted", "Submitted")}
              <th>Time</th>
              <th>Reason / exit</th>
            </tr>
          </thead>
          <tbody>
            {list?.items.map((job) => <JobRow key={job.id} job={job} checked={selected.has(job.id)} onToggle={() => toggle(job.id)} />)}
          </tbody>
        </table>
        {list && list.items.length === 0 && <p class="muted">No job matches.</p>}
        {!list && !live.error && <p class="muted">Loading…</p>}
      </div>
      {list && <Pager offset={offset} limit={pageSize} total={list.total} onOffset={setOffset} />}
    </section>
  );
}

function JobRow({ job, checked, onToggle }: { job: JobView; checked: boolean; onToggle: () => void }) {
  return (
    <tr data-job={job.id}>
      <td><input type="checkbox" aria-label={`Select job ${job.id}`} checked={checked} onChange={onToggle} /></td>
      <td><a href={`/jobs/${job.id}`}>{job.id}</a></td>
      <td class="name">{job.name}</td>
      <td><StateBadge state={job.state} held={!!job.heldBy} /></td>
      <td>{job.owner}</td>
      <td>{job.project}</td>
      <td>{cpus(job.cpus)} cpu · {bytes(job.memoryBytes)}{job.gpus ? ` · ${job.gpus} gpu` : ""}</td>
      <td>{dateTime(job.submittedAt)}</td>
      <td>{job.startedAt ? since(job.startedAt, job.endedAt) : "–"}</td>
      <td class="reason">{job.reason ?? (job.exitCode !== undefined ? `exit ${job.exitCode}` : "")}</td>
    </tr>
  );
}
