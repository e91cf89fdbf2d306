// A script's #GODOCKER lines, read as the CLI reads them (src/GoDocker.Core/Jobs/ScriptDirectives.cs and the
// options of `godocker submit`): directives stop at the first line that is neither a comment nor blank; a #! first
// line is skipped; quotes group words; a '#' outside a word ends the line. The form's own fields win over them,
// as flags on the command line do.

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
  | "mailType" | "mailUser" | "stdout" | "stderr";

const options: Record<string, { field: DirectiveField; flag?: boolean }> = {
  "--name": { field: "name" }, "-J": { field: "name" },
  "--image": { field: "image" }, "-i": { field: "image" },
  "--cpus": { field: "cpus" }, "-c": { field: "cpus" },
  "--mem": { field: "memory" }, "-m": { field: "memory" },
  "--env": { field: "env" }, "-e": { field: "env" },
  "--workdir": { field: "workdir" }, "-D": { field: "workdir" },
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
      found.push(value === undefined
        ? { option, field: known.field, value: null, line, error: `${option} needs a value` }
        : { option, field: known.field, value, line });
    }
  }
  return found;
}
