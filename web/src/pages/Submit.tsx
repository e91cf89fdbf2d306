import { useMemo, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api, ApiError } from "../api/client";
import { useApi } from "../api/useApi";
import type { ImagesView, JobView } from "../api/types";
import { formEnvError, jobVolumes, mergeEnv, readDirectives, type Directive, type DirectiveField } from "../jobs/directives";
import { ErrorNote } from "../components/ErrorNote";
import { useSession } from "../session";

/** GET /volumes: a site volume the user may ask for (through projects: only for jobs charged to one of them). */
interface VolumeView {
  name: string;
  containerPath: string;
  readOnly: boolean;
  projects: string[];
}

interface Form {
  name: string;
  project: string;
  image: string;
  cpus: string;
  memory: string;
  walltime: string;
  gpus: string;
  array: string;
  dependency: string;
  tags: string;
  workdir: string;
  env: string;
  network: string;
  hold: boolean;
  volumes: string[];
  script: string;
}

const empty: Form = {
  name: "", project: "", image: "", cpus: "", memory: "", walltime: "", gpus: "", array: "", dependency: "", tags: "",
  workdir: "", env: "", network: "", hold: false, volumes: [], script: "#!/bin/sh\n#GODOCKER --cpus 1 --mem 1G --time 10m\n\necho hello from $(hostname)\n",
};

/** The last value a #GODOCKER line gives each field (repeatable options gather every value). */
function fromDirectives(directives: Directive[]): Partial<Record<DirectiveField, string[]>> {
  const values: Partial<Record<DirectiveField, string[]>> = {};
  for (const d of directives) {
    if (!d.field || d.error) continue;
    (values[d.field] ??= []).push(d.value ?? "true");
  }
  return values;
}

const lines = (text: string) => text.split(/[\n,]/).map((t) => t.trim()).filter(Boolean);

/**
 * Submit a job: the script's #GODOCKER lines are read as `godocker submit` reads them and fill what the form leaves
 * empty (the form's fields win, as command-line flags do); the API's validation messages appear on their fields.
 */
export function Submit() {
  const session = useSession();
  const location = useLocation();
  const images = useApi<ImagesView>("/images");
  const volumes = useApi<VolumeView[]>("/volumes");
  const [form, setForm] = useState<Form>(empty);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  // One key per form: a double click or a retry after a lost answer submits once (the API's Idempotency-Key).
  const [key, setKey] = useState(() => crypto.randomUUID());
  const directives = useMemo(() => readDirectives(form.script), [form.script]);
  const given = useMemo(() => fromDirectives(directives), [directives]);
  const projects = session.user.projects ?? ["default"];

  const set = <K extends keyof Form>(field: K, value: Form[K]) => setForm({ ...form, [field]: value });
  const last = (field: DirectiveField) => given[field]?.[given[field]!.length - 1];
  const pick = (value: string, field: DirectiveField) => (value.trim() !== "" ? value.trim() : last(field));

  function spec(): Record<string, unknown> {
    const cpus = pick(form.cpus, "cpus");
    const gpus = pick(form.gpus, "gpus");
    const tags = [...(given.tags ?? []), ...lines(form.tags)];
    const labels = given.labels ?? [];
    const body: Record<string, unknown> = {
      script: form.script,
      name: pick(form.name, "name"),
      project: pick(form.project, "project"),
      image: pick(form.image, "image"),
      cpus: cpus === undefined ? undefined : Number(cpus),
      memory: pick(form.memory, "memory"),
      walltime: pick(form.walltime, "walltime"),
      gpus: gpus === undefined ? undefined : Number(gpus),
      array: pick(form.array, "array"),
      dependency: pick(form.dependency, "dependency"),
      network: pick(form.network, "network"),
      tags: tags.length ? tags : undefined,
      workdir: pick(form.workdir, "workdir"),
      env: mergeEnv(directives, lines(form.env)),
      labels: labels.length ? Object.fromEntries(labels.map((e) => [e.split("=")[0], e.slice(e.indexOf("=") + 1)])) : undefined,
      constraints: given.constraints,
      volumes: jobVolumes(directives, form.volumes),
      hold: form.hold || given.hold ? true : undefined,
      requeue: given.noRequeue ? false : given.requeue ? true : undefined,
      mailType: last("mailType"),
      mailUser: last("mailUser"),
      stdout: last("stdout"),
      stderr: last("stderr"),
    };
    return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined && v !== ""));
  }

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const job = await api.post<JobView>("/jobs", spec(), { "Idempotency-Key": key });
      setKey(crypto.randomUUID());
      location.route(`/jobs/${job.id}`);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, { title: String(err) }));
    } finally {
      setBusy(false);
    }
  }

  const fieldError = (name: string) => {
    const message = error?.field(name);
    return message ? <span class="field-error" role="alert" data-field={name}>{message}</span> : null;
  };
  const hint = (field: DirectiveField) => (last(field) !== undefined ? `#GODOCKER: ${given[field]!.join(", ")}` : "");
  const unnamed = error && !error.problem.errors;
  // A #GODOCKER line's mistake is also shown on the field it would have filled (the list below names its line).
  const directiveError = (...fields: DirectiveField[]) => {
    const message = directives.find((d) => d.error && d.field && fields.includes(d.field))?.error;
    return message ? <span class="field-error" role="alert" data-field={fields[0]}>#GODOCKER: {message}</span> : null;
  };
  const envError = formEnvError(lines(form.env));
  const givenVolumes = jobVolumes(directives, []) ?? [];

  return (
    <section>
      <h1>Submit a job</h1>
      <form class="submit" onSubmit={submit} noValidate>
        <div class="grid">
          <label>Name <input name="name" value={form.name} placeholder={hint("name")} onInput={(e) => set("name", e.currentTarget.value)} />{fieldError("name")}</label>
          <label>Project
            <select name="project" value={form.project} onChange={(e) => set("project", e.currentTarget.value)}>
              <option value="">{last("project") ? `${last("project")} (#GODOCKER)` : "default"}</option>
              {projects.map((p) => <option key={p} value={p}>{p}</option>)}
            </select>{fieldError("project")}
          </label>
          <label>Image
            <input name="image" list="images" value={form.image}
              placeholder={last("image") ? hint("image") : images.data ? `${images.data.default} (site default)` : ""}
              onInput={(e) => set("image", e.currentTarget.value)} />
            <datalist id="images">{images.data?.allowed.map((i) => <option key={i} value={i} />)}</datalist>
            {fieldError("image")}
          </label>
          <label>CPUs <input name="cpus" inputMode="decimal" value={form.cpus} placeholder={hint("cpus")} onInput={(e) => set("cpus", e.currentTarget.value)} />{fieldError("cpus")}</label>
          <label>Memory <input name="memory" value={form.memory} placeholder={hint("memory") || "e.g. 2G"} onInput={(e) => set("memory", e.currentTarget.value)} />{fieldError("memory")}</label>
          <label>Walltime <input name="walltime" value={form.walltime} placeholder={hint("walltime") || "e.g. 2h, 1-00:00:00"} onInput={(e) => set("walltime", e.currentTarget.value)} />{fieldError("walltime")}</label>
          <label>GPUs <input name="gpus" inputMode="numeric" value={form.gpus} placeholder={hint("gpus")} onInput={(e) => set("gpus", e.currentTarget.value)} />{fieldError("gpus")}</label>
          <label>Array <input name="array" value={form.array} placeholder={hint("array") || "e.g. 1-10%2"} onInput={(e) => set("array", e.currentTarget.value)} />{fieldError("array")}</label>
          <label>Dependency <input name="dependency" value={form.dependency} placeholder={hint("dependency") || "e.g. afterok:12"} onInput={(e) => set("dependency", e.currentTarget.value)} />{fieldError("dependency")}</label>
          <label>Tags <input name="tags" value={form.tags} placeholder={hint("tags") || "comma separated"} onInput={(e) => set("tags", e.currentTarget.value)} />{fieldError("tags")}</label>
          <label>Network
            <select name="network" value={form.network} onChange={(e) => set("network", e.currentTarget.value)}>
              <option value="">{last("network") ?? "site's jobs network"}</option>
              <option value="none">none (loopback only)</option>
            </select>{fieldError("network")}
          </label>
          <label>Working directory <input name="workdir" value={form.workdir} placeholder={hint("workdir") || "the image's"} onInput={(e) => set("workdir", e.currentTarget.value)} />{fieldError("workdir")}{directiveError("workdir")}</label>
          <label class="check"><input type="checkbox" name="hold" checked={form.hold} onChange={(e) => set("hold", e.currentTarget.checked)} /> Submit held</label>
        </div>
        {volumes.data && volumes.data.length > 0 && (
          <fieldset class="volumes">
            <legend>Volumes</legend>
            {volumes.data.map((v) => (
              <label key={v.name} class="check">
                <input type="checkbox" name="volumes" value={v.name} checked={form.volumes.includes(v.name)}
                  onChange={(e) => set("volumes", e.currentTarget.checked ? [...form.volumes, v.name] : form.volumes.filter((x) => x !== v.name))} />
                {v.name} <code>{v.containerPath}</code> {v.readOnly && <span class="muted">read-only</span>}
                {v.projects.length > 0 && <span class="muted"> (projects {v.projects.join(", ")})</span>}
                {givenVolumes.filter((g) => g.split(":")[0] === v.name).map((g) => <span key={g} class="muted"> #GODOCKER: {g}</span>)}
              </label>
            ))}
            {fieldError("volumes")}{directiveError("volumes")}
          </fieldset>
        )}
        <label>Environment <textarea name="env" rows={2} value={form.env} placeholder="KEY=VALUE, one a line" onInput={(e) => set("env", e.currentTarget.value)} />
          {fieldError("env")}{directiveError("env", "export")}
          {envError && <span class="field-error" role="alert" data-field="env">{envError}</span>}
        </label>
        <label class="script">Script
          <textarea name="script" rows={12} spellcheck={false} value={form.script} onInput={(e) => set("script", e.currentTarget.value)} />
          {fieldError("script")}
        </label>
        {directives.length > 0 && (
          <div class="directives" data-testid="directives">
            <h2>#GODOCKER lines</h2>
            <ul>
              {directives.map((d, i) => (
                <li key={i} class={d.error ? "error" : ""}>
                  line {d.line}: <code>{d.option}{d.value !== null ? ` ${d.value}` : ""}</code> {d.error ?? `→ ${d.field}`}
                </li>
              ))}
            </ul>
          </div>
        )}
        {unnamed && <ErrorNote error={error} />}
        {error?.problem.errors && (
          <div class="error" role="alert" data-testid="refusal">
            <p>{error.problem.title ?? "The job was refused"}:</p>
            <ul>{Object.entries(error.problem.errors).map(([field, messages]) => <li key={field}><strong>{field}</strong>: {messages.join(" ")}</li>)}</ul>
          </div>
        )}
        <button type="submit" disabled={busy || envError !== undefined || directives.some((d) => d.error)}>Submit</button>
      </form>
    </section>
  );
}
