import { useMemo, useState } from "preact/hooks";
import { useRoute } from "preact-iso";
import { api, query, ApiError } from "../api/client";
import { useApi } from "../api/useApi";
import type { AccountLimitsView, AccountUsageView, NodeView, ProjectView, UserView } from "../api/types";
import { NodesTable } from "../components/NodesTable";
import { ErrorNote } from "../components/ErrorNote";
import { Chart } from "../components/Chart";
import { NotFound } from "./NotFound";
import { number } from "../format";
import { useSession } from "../session";

const tabs = ["nodes", "users", "projects", "limits", "usage"] as const;
type Tab = (typeof tabs)[number];

/** Administration (admins only; the API refuses the rest anyway): nodes, users, projects, quotas and shares, usage. */
export function Admin() {
  const { user } = useSession();
  const { params } = useRoute();
  const tab = (params["tab"] ?? "nodes") as Tab;
  if (!user.admin || !tabs.includes(tab)) return <NotFound />;
  return (
    <section class="admin">
      <h1>Administration</h1>
      <nav class="tabs" aria-label="Administration">
        {tabs.map((t) => <a key={t} href={`/admin/${t}`} aria-current={t === tab ? "page" : undefined}>{t}</a>)}
      </nav>
      {tab === "nodes" && <Nodes />}
      {tab === "users" && <Users />}
      {tab === "projects" && <Projects />}
      {tab === "limits" && <Limits />}
      {tab === "usage" && <Usage />}
    </section>
  );
}

/** Runs an admin action and shows its refusal, if any. */
function useAction() {
  const [error, setError] = useState<ApiError | null>(null);
  const run = async (action: () => Promise<unknown>, then?: () => void) => {
    setError(null);
    try {
      await action();
      then?.();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, { title: String(e) }));
    }
  };
  return { error, run };
}

function Nodes() {
  const nodes = useApi<NodeView[]>("/nodes", 5000);
  const { error, run } = useAction();
  return (
    <>
      <ErrorNote error={nodes.error ?? error} />
      {nodes.data && (
        <NodesTable nodes={nodes.data}
          onDrain={(n) => void run(() => api.post(`/nodes/${encodeURIComponent(n)}/drain`), nodes.reload)}
          onResume={(n) => void run(() => api.post(`/nodes/${encodeURIComponent(n)}/resume`), nodes.reload)} />
      )}
    </>
  );
}

function Users() {
  const users = useApi<UserView[]>("/users");
  const { error, run } = useAction();
  const [draft, setDraft] = useState({ login: "", uid: "", gid: "", home: "", email: "", password: "" });
  const patch = (login: string, body: Partial<UserView>) => run(() => api.patch(`/users/${encodeURIComponent(login)}`, body), users.reload);
  return (
    <>
      <ErrorNote error={users.error ?? error} />
      <div class="table-box">
        <table>
          <thead><tr><th>Login</th><th>Uid / gid</th><th>Home</th><th>Email</th><th>Provider</th><th>Admin</th><th>Disabled</th></tr></thead>
          <tbody>
            {users.data?.map((u) => (
              <tr key={u.login} data-user={u.login}>
                <td>{u.login}</td><td>{u.uid} / {u.gid}</td><td>{u.home}</td><td>{u.email ?? ""}</td><td>{u.provider ?? ""}</td>
                <td><input type="checkbox" aria-label={`${u.login} is an admin`} checked={u.admin} onChange={(e) => void patch(u.login, { admin: e.currentTarget.checked })} /></td>
                <td><input type="checkbox" aria-label={`${u.login} is disabled`} checked={u.disabled} onChange={(e) => void patch(u.login, { disabled: e.currentTarget.checked })} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>New local user</h2>
      <form class="grid" onSubmit={(e) => {
        e.preventDefault();
        void run(() => api.post("/users", {
          login: draft.login, uid: Number(draft.uid), gid: Number(draft.gid), home: draft.home,
          email: draft.email || undefined, password: draft.password || undefined,
        }), () => { setDraft({ login: "", uid: "", gid: "", home: "", email: "", password: "" }); users.reload(); });
      }}>
        {(["login", "uid", "gid", "home", "email", "password"] as const).map((f) => (
          <label key={f}>{f}
            {f === "password"
              ? <input name={f} type="password" value={draft[f]} onInput={(e) => setDraft({ ...draft, [f]: e.currentTarget.value })} />
              : <input name={f} value={draft[f]} onInput={(e) => setDraft({ ...draft, [f]: e.currentTarget.value })} />}
            {error?.field(f) && <span class="field-error">{error.field(f)}</span>}
          </label>
        ))}
        <button type="submit">Create</button>
      </form>
    </>
  );
}

function Projects() {
  const projects = useApi<ProjectView[]>("/projects");
  const { error, run } = useAction();
  const [name, setName] = useState("");
  const [priority, setPriority] = useState("");
  const [member, setMember] = useState<Record<string, string>>({});
  const membership = (project: string, login: string, add: boolean, manager = false) =>
    run(() => (add ? api.put(`/projects/${encodeURIComponent(project)}/members/${encodeURIComponent(login)}${manager ? "?manager=true" : ""}`)
      : api.delete(`/projects/${encodeURIComponent(project)}/members/${encodeURIComponent(login)}`)), projects.reload);
  return (
    <>
      <ErrorNote error={projects.error ?? error} />
      <div class="table-box">
        <table>
          <thead><tr><th>Project</th><th>Priority</th><th>Members</th><th>Add a member</th></tr></thead>
          <tbody>
            {projects.data?.map((p) => (
              <tr key={p.name}>
                <td>{p.name}</td><td>{p.priority}</td>
                <td>{p.members.map((m) => (
                  <span key={m} class="chip">{m}{p.managers.includes(m) ? " (manager)" : ""}
                    <button class="link" aria-label={`Remove ${m} from ${p.name}`} onClick={() => void membership(p.name, m, false)}>×</button></span>
                ))}</td>
                <td>
                  <form class="inline" onSubmit={(e) => { e.preventDefault(); void membership(p.name, member[p.name] ?? "", true); }}>
                    <input aria-label={`New member of ${p.name}`} value={member[p.name] ?? ""} onInput={(e) => setMember({ ...member, [p.name]: e.currentTarget.value })} />
                    <button type="submit">Add</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>New project</h2>
      <form class="inline" onSubmit={(e) => {
        e.preventDefault();
        void run(() => api.post("/projects", { name, priority: priority ? Number(priority) : undefined }), () => { setName(""); projects.reload(); });
      }}>
        <label>Name <input name="project-name" value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
        <label>Priority <input name="project-priority" inputMode="numeric" value={priority} onInput={(e) => setPriority(e.currentTarget.value)} /></label>
        <button type="submit">Create</button>
      </form>
    </>
  );
}

const limitFields = ["shares", "priority", "maxRunningJobs", "maxCpus", "maxMemory", "maxGpus", "maxCpuHours", "maxPendingJobs"] as const;

function Limits() {
  const limits = useApi<AccountLimitsView[]>("/limits");
  const { error, run } = useAction();
  const [kind, setKind] = useState("user");
  const [name, setName] = useState("");
  const [values, setValues] = useState<Record<string, string>>({});
  function edit(l: AccountLimitsView) {
    setKind(l.kind ?? "user");
    setName(l.name ?? "");
    setValues(Object.fromEntries(limitFields.map((f) => [f, l[f] === undefined ? "" : String(l[f])])));
  }
  function body() {
    const out: Record<string, unknown> = {};
    for (const f of limitFields) {
      const v = values[f]?.trim();
      if (v) out[f] = f === "maxMemory" ? v : Number(v);
    }
    return out;
  }
  return (
    <>
      <ErrorNote error={limits.error ?? error} />
      <div class="table-box">
        <table>
          <thead><tr><th>Kind</th><th>Name</th>{limitFields.map((f) => <th key={f}>{f}</th>)}<th /></tr></thead>
          <tbody>
            {limits.data?.map((l) => (
              <tr key={`${l.kind}/${l.name}`}>
                <td>{l.kind}</td><td>{l.name}</td>
                {limitFields.map((f) => <td key={f}>{l[f] ?? ""}</td>)}
                <td><button onClick={() => edit(l)}>Edit</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Set shares, priority and quotas</h2>
      <form class="grid" onSubmit={(e) => {
        e.preventDefault();
        void run(() => api.put(`/limits/${kind}/${encodeURIComponent(name)}`, body()), limits.reload);
      }}>
        <label>Kind <select value={kind} onChange={(e) => setKind(e.currentTarget.value)}><option value="user">user</option><option value="project">project</option></select></label>
        <label>Name <input value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
        {limitFields.map((f) => (
          <label key={f}>{f}
            <input value={values[f] ?? ""} onInput={(e) => setValues({ ...values, [f]: e.currentTarget.value })} />
            {error?.field(f) && <span class="field-error">{error.field(f)}</span>}
          </label>
        ))}
        <button type="submit">Save</button>
      </form>
    </>
  );
}

interface AccountingList {
  items: { owner: string; project: string; endedAt: string; cpuSeconds?: number; cpus: number; elapsedSeconds: number }[];
  total: number;
}

const palette = ["#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2", "#65a30d", "#db2777"];

/** Usage now (fair share, quota windows) and cpu-hours per day over the last two weeks, per user or per project. */
function Usage() {
  const usage = useApi<AccountUsageView[]>("/usage", 30000);
  const [by, setBy] = useState<"owner" | "project">("owner");
  const sinceDate = useMemo(() => new Date(Date.now() - 14 * 86400_000).toISOString(), []);
  const records = useApi<AccountingList>("/accounting" + query({ since: sinceDate, limit: 1000 }));
  const chart = useMemo(() => {
    const items = records.data?.items ?? [];
    const day = (iso: string) => Math.floor(Date.parse(iso) / 86400_000);
    const first = day(sinceDate);
    const days = Array.from({ length: 15 }, (_, i) => first + i);
    const totals = new Map<string, number[]>();
    for (const r of items) {
      const key = r[by];
      const row = totals.get(key) ?? days.map(() => 0);
      const index = day(r.endedAt) - first;
      if (index >= 0 && index < row.length) row[index]! += (r.cpuSeconds ?? r.cpus * r.elapsedSeconds) / 3600;
      totals.set(key, row);
    }
    const top = [...totals.entries()].sort((a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0)).slice(0, palette.length);
    return { times: days.map((d) => d * 86400), series: top.map(([label, values], i) => ({ label, values, color: palette[i]! })) };
  }, [records.data, by, sinceDate]);
  return (
    <>
      <ErrorNote error={usage.error ?? records.error} />
      <div class="table-box">
        <table>
          <thead><tr><th>Kind</th><th>Name</th><th>Shares</th><th>Fair-share cpu-h</th><th>Window cpu-h</th><th>Running</th><th>Pending</th></tr></thead>
          <tbody>
            {usage.data?.map((u) => (
              <tr key={`${u.kind}/${u.name}`}>
                <td>{u.kind}</td><td>{u.name}</td><td>{u.shares}</td><td>{number(u.decayedCpuHours, 1)}</td>
                <td>{number(u.windowCpuHours, 1)}</td><td>{u.runningJobs} ({number(u.runningCpus, 1)} cpus)</td><td>{u.pendingJobs}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>CPU hours per day, last 14 days</h2>
      <label>By <select value={by} onChange={(e) => setBy(e.currentTarget.value as "owner" | "project")}><option value="owner">user</option><option value="project">project</option></select></label>
      {records.data && records.data.total > records.data.items.length && (
        <p class="muted">From the latest {records.data.items.length} of {records.data.total} records.</p>
      )}
      {chart.series.length > 0 ? <Chart title="cpu-hours" times={chart.times} series={chart.series} format={(v) => v.toFixed(1)} /> : <p class="muted">No job ended in these days.</p>}
    </>
  );
}
