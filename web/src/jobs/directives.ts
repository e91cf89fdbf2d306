// A script's #GODOCKER lines, read as the CLI reads them (src/GoDocker.Core/Jobs/ScriptDirectives.cs and the
// options of `godocker submit`): directives stop at the first line that is neither a comment nor blank; a #! first
// line is skipped; quotes group words; a '#' outside a word ends the line. The form's own fields win over them,
// as flags on the command line do. Values are checked as the CLI checks them at parse time, so a script the CLI
// refuses is refused here, naming its line; the one difference is --export, which in a shell may name a variable of
// the submitting environment and here must give its value (a page has no environment).

export interface Directive {
  /** The option as written (e.g. "-c" or "--cpus"). */
  option: string;
  /** The JobSpec field it sets, or null when the option is not one a #GODOCKER line may carry. */
  field: DirectiveField | null;
  value: string | null;
  line: number;
  error?: string;
}

export type DirectiveField =
  | "name" | "image" | "cpus" | "memory" | "env" | "workdir" | "tags" | "project" | "walltime" | "labels"
  | "gpus" | "constraints" | "array" | "dependency" | "hold" | "requeue" | "noRequeue" | "network"
  | "mailType" | "mailUser" | "stdout" | "stderr" | "volumes" | "export";

const options: Record<string, { field: DirectiveField; flag?: boolean }> = {
  "--name": { field: "name" }, "-J": { field: "name" },
  "--image": { field: "image" }, "-i": { field: "image" },
  "--cpus": { field: "cpus" }, "-c": { field: "cpus" },
  "--mem": { field: "memory" }, "-m": { field: "memory" },
  "--env": { field: "env" }, "-e": { field: "env" },
  // --chdir is Slurm's long name for -D, as in `godocker submit`: scripts written for sbatch keep working.
  "--workdir": { field: "workdir" }, "-D": { field: "workdir" }, "--chdir": { field: "workdir" },
  "--volume": { field: "volumes" }, "-v": { field: "volumes" },
  "--export": { field: "export" },
  "--tag": { field: "tags" }, "-t": { field: "tags" },
  "--project": { field: "project" }, "-p": { field: "project" },
  "--time": { field: "walltime" }, "-T": { field: "walltime" },
  "--label": { field: "labels" }, "-l": { field: "labels" },
  "--gpus": { field: "gpus" }, "-G": { field: "gpus" },
  "--constraint": { field: "constraints" }, "-C": { field: "constraints" },
  "--array": { field: "array" }, "-a": { field: "array" },
  "--dependency": { field: "dependency" }, "-d": { field: "dependency" },
  "--hold": { field: "hold", flag: true }, "-H": { field: "hold", flag: true },
  "--requeue": { field: "requeue", flag: true },
  "--no-requeue": { field: "noRequeue", flag: true },
  "--network": { field: "network" },
  "--mail-type": { field: "mailType" },
  "--mail-user": { field: "mailUser" },
  // sbatch's -o/-e, by their long names only (as in `godocker submit`: there -o is the output format, -e is --env).
  "--stdout": { field: "stdout" },
  "--stderr": { field: "stderr" },
};

export function split(text: string): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let quote = "";
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = "";
      else current += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
      continue;
    }
    if (c === "#" && !inWord) break;
    if (/\s/.test(c)) {
      if (inWord) {
        words.push(current);
        current = "";
        inWord = false;
      }
      continue;
    }
    current += c;
    inWord = true;
  }
  if (inWord) words.push(current);
  return words;
}

/** The leading #GODOCKER lines' words, each with its line number (1-based). */
function directiveLines(script: string): { line: number; words: string[] }[] {
  const found: { line: number; words: string[] }[] = [];
  const lines = script.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const trimmed = (lines[i] ?? "").trim();
    if (i === 0 && trimmed.startsWith("#!")) continue;
    if (trimmed.length === 0) continue;
    if (!trimmed.startsWith("#")) break;
    if (!trimmed.startsWith("#GODOCKER") || (trimmed.length > 9 && !/\s/.test(trimmed[9] ?? ""))) continue;
    found.push({ line: i + 1, words: split(trimmed.slice(9)) });
  }
  return found;
}

/** The arguments the leading #GODOCKER lines carry, in order (as ScriptDirectives.Read returns them). */
export function readArguments(script: string): string[] {
  return directiveLines(script).flatMap((l) => l.words);
}

/**
 * The leading #GODOCKER lines read as `godocker submit` options: what each sets, or why it cannot. The words of all the
 * lines are one argument list, as the CLI parses them (an option's value may be the next line's first word).
 */
export function readDirectives(script: string): Directive[] {
  const words = directiveLines(script).flatMap(({ line, words }) => words.map((word) => ({ line, word })));
  const found: Directive[] = [];
  for (let w = 0; w < words.length; w++) {
    const { line } = words[w]!;
    let option = words[w]!.word;
    let inline: string | null = null;
    const eq = option.indexOf("=");
    if (option.startsWith("--") && eq > 0) {
      inline = option.slice(eq + 1);
      option = option.slice(0, eq);
    }
    const known = options[option];
    if (!known) {
      found.push({ option, field: null, value: null, line, error: `'${option}' is not an option a #GODOCKER line may carry` });
    } else if (known.flag) {
      found.push({ option, field: known.field, value: null, line });
    } else {
      const value = inline ?? words[++w]?.word;
      const error = value === undefined ? `${option} needs a value` : check(known.field, option, value);
      found.push(error === undefined
        ? { option, field: known.field, value: value!, line }
        : { option, field: known.field, value: value ?? null, line, error });
    }
  }
  return found;
}

/** Why a value cannot be the option's, as the CLI's parse-time checks say it (JobOptionSet, KeyValueArgument). */
function check(field: DirectiveField, option: string, value: string): string | undefined {
  switch (field) {
    case "env":
    case "labels":
      return value.indexOf("=") > 0 ? undefined : `${option}: '${value}' is not KEY=VALUE`;
    case "volumes": {
      const colon = value.indexOf(":");
      const name = colon < 0 ? value : value.slice(0, colon);
      const mode = colon < 0 ? null : value.slice(colon + 1);
      return name.length === 0 || name.includes("/") || !(mode === null || mode === "ro" || mode === "rw")
        ? `--volume: '${value}' is not a volume; give a site volume's name, optionally :ro or :rw`
        : undefined;
    }
    case "export":
      return checkExport(option, value);
    default:
      return undefined;
  }
}

const noEnvironment = "the browser has no environment: give VAR=VALUE";

/**
 * --export as the CLI reads it (ExportArgument): NONE, or VAR[,VAR=VALUE...]; ALL refused. The CLI takes a bare VAR
 * from the submitting shell; a page has no environment to take it from, so only VAR=VALUE (and NONE) pass here.
 */
function checkExport(option: string, value: string): string | undefined {
  for (const item of value.split(",")) {
    const name = item.split("=")[0]!;
    if (name === "ALL") return `${option} ALL is refused: ${noEnvironment} (or -e KEY=VALUE)`;
    if (item === "NONE") continue;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return `${option}: '${item}' is not VAR=VALUE (or NONE)`;
    if (item === name) return `${option} ${name}: ${noEnvironment}`;
  }
  return undefined;
}

/** KEY=VALUE split at the first '=', so the value may hold more. */
function pair(text: string): [string, string] {
  const eq = text.indexOf("=");
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/**
 * The environment the directives set, in the CLI's order: --export's pairs, then -e's, so a -e value wins over an
 * exported one whichever line comes first (JobOptionSet.Read). NONE sets nothing. Directives in error are left out.
 */
export function directiveEnv(directives: Directive[]): [string, string][] {
  const ok = directives.filter((d) => !d.error && d.value !== null);
  return [
    ...ok.filter((d) => d.field === "export").flatMap((d) => d.value!.split(",").filter((i) => i !== "NONE").map(pair)),
    ...ok.filter((d) => d.field === "env").map((d) => pair(d.value!)),
  ];
}

/**
 * The job's env: the directives' pairs, then the form's KEY=VALUE lines over them (the form wins on the same key, as
 * the command line's -e does over a script's); later pairs win. Undefined when there is none, so nothing is sent.
 */
export function mergeEnv(directives: Directive[], formLines: string[]): Record<string, string> | undefined {
  const pairs = [...directiveEnv(directives), ...formLines.map(pair)];
  return pairs.length ? Object.fromEntries(pairs) : undefined;
}

/** Why the form's environment lines cannot be sent (a line that is not KEY=VALUE), or undefined. */
export function formEnvError(formLines: string[]): string | undefined {
  const bad = formLines.find((l) => !(l.indexOf("=") > 0));
  return bad === undefined ? undefined : `'${bad}' is not KEY=VALUE`;
}

/**
 * The union by volume name, in first-mention order; where both name the same volume the upper's mode wins, as the
 * CLI's command line `--volume data:ro` does over a script's `#GODOCKER --volume data` (SubmitFlags.MergeVolumes).
 */
export function mergeVolumes(lower: string[], upper: string[]): string[] {
  const byName = new Map<string, string>();
  for (const volume of [...lower, ...upper]) byName.set(volume.split(":")[0]!, volume);
  return [...byName.values()];
}

/**
 * The volumes to send: the directives' (a later mention of a volume wins, as in the CLI), with the form's ticked
 * volumes over them. A checkbox names a volume without a mode, so it adds the volume but does not take away a
 * directive's :ro or :rw: ticking "data" beside `#GODOCKER --volume data:ro` keeps it read-only.
 */
export function jobVolumes(directives: Directive[], ticked: string[]): string[] | undefined {
  const given = mergeVolumes([], directives.filter((d) => d.field === "volumes" && !d.error && d.value !== null).map((d) => d.value!));
  const named = new Set(given.map((v) => v.split(":")[0]));
  const volumes = mergeVolumes(given, ticked.filter((v) => !named.has(v.split(":")[0])));
  return volumes.length ? volumes : undefined;
}
