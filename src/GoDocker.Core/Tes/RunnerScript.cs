using System.Globalization;
using System.Text;
using GoDocker.Jobs;

namespace GoDocker.Tes;

/// <summary>
/// The POSIX sh program that runs a TES task inside its one container (docs/notes/tes-design.md §2.4), the job's
/// script: it stages the inputs in, runs the executors in order, stages the outputs out, and appends what happened to
/// <c>$GODOCKER_JOB_DIR/tes/log</c> in the format <see cref="TaskRunLog"/> reads. It runs as the owner's uid with only
/// the mounts the reader granted, in any image with a /bin/sh (busybox ash and dash are both tested), and needs no
/// tool beyond mkdir, cp, ln, wc and date (date optional: the times are then empty).
/// Every value from the task is single-quoted and never evaluated; each executor's argv is exec'd as is. Pure.
/// </summary>
public static class RunnerScript
{
    /// <summary>
    /// The runner for <paramref name="plan"/>. Its exit code is the first failing executor's (one with ignore_error
    /// does not count), else 1 when an input or, after every executor succeeded, an output could not be staged, else 0.
    /// </summary>
    /// <exception cref="ArgumentException">the plan breaks what the reader guarantees: a relative path, a control
    /// character in a path or URL (the log is tab- and line-separated), a NUL anywhere (sh cannot hold one), an empty
    /// command or one starting with '-' (dash's exec takes no "--"), an env name sh cannot export, an input with
    /// both or neither of content and source, a wildcard not under its path prefix.</exception>
    public static string Generate(RunnerPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var s = new StringBuilder(Prologue);
        if (plan.Steps.Count > 0)
        {
            s.Append(RunFunction);
        }

        if (plan.Inputs.Count > 0)
        {
            s.Append("\n# inputs\n");
            foreach (var input in plan.Inputs)
            {
                s.Append(StageInLine(input)).Append('\n');
            }
        }
        s.Append("[ -z \"$s\" ] || exit \"$s\"\n");

        foreach (var step in plan.Steps)
        {
            AppendStep(s, step);
        }

        if (plan.Outputs.Count > 0)
        {
            s.Append("\n# outputs (after a failure too: workflow managers read their own logs among them)\n");
            s.Append("[ -z \"$s\" ] || exit \"${f:-$s}\"\n");
            s.Append(OutputFunctions);
            foreach (var output in plan.Outputs)
            {
                AppendStageOut(s, output);
            }
        }
        s.Append("exit \"${f:-${s:-${e:-0}}}\"\n");
        return s.ToString();
    }

    // T: the runner's directory, L: its log (emptied: it is this attempt's account). f: the first failing executor's code,
    // e: set when an output failed after every executor succeeded, s: the exit code a received TERM or INT asks for,
    // c: the executor running. An owner's home that is not mounted (or not writable) gives way to /tmp, where tools
    // keep their caches; an executor's own HOME still wins, it is exported in the executor's shell.
    // The traps pass a cancel (docker stop's TERM) on to the running executor at once instead of waiting out the grace
    // period (a background child ignores INT, so INT becomes TERM too); with no executor running, the runner stops at
    // its next step. They also make TERM effective when the runner is the container's pid 1.
    private const string Prologue = """
        #!/bin/sh
        # GoDocker's runner for a GA4GH TES task (docs/notes/tes-design.md §2.4): inputs staged in, executors run in
        # order, outputs staged out; each step is recorded in $GODOCKER_JOB_DIR/tes/log. Generated: every value is quoted.
        T=${GODOCKER_JOB_DIR:?}/tes
        L=$T/log
        f= e= s= c=
        mkdir -p -- "$T" && : >"$L" || exit 1
        [ -d "$HOME" ] && [ -w "$HOME" ] || export HOME=/tmp
        trap 's=143; [ -z "$c" ] || kill -TERM "$c" 2>/dev/null' TERM
        trap 's=130; [ -z "$c" ] || kill -TERM "$c" 2>/dev/null' INT
        now() { date -u +%Y-%m-%dT%H:%M:%SZ 2>/dev/null; }
        fail() { printf '%s\n' "$1" >&2; printf 'system_error\t%s\n' "$1" >>"$L"; exit 1; }

        """;

    // A trapped signal interrupts wait (it returns > 128 at once): wait again while the child is still there, so the
    // recorded code is the executor's own (143 when the forwarded TERM killed it, its own when it handled the TERM).
    private const string RunFunction = """
        # run K IGNORE_ERROR: waits for executor K (started as $!) until it is really gone, records its end.
        run() {
          c=$!
          [ -z "$s" ] || kill -TERM "$c" 2>/dev/null
          wait "$c"; r=$?
          while [ "$r" -gt 128 ] && kill -0 "$c" 2>/dev/null; do wait "$c"; r=$?; done
          c=
          printf 'exec\t%s\tend\t%s\t%s\n' "$1" "$(now)" "$r" >>"$L"
          [ "$r" = 0 ] || [ "$2" = 1 ] || f=$r
        }

        """;

    // out copies one path, a file or a directory walked recursively (its positional parameters are its only locals, and
    // g is not used again after the recursive call), and reports each file copied. A name holding a control character
    // (only possible for files the executors made: the reader refuses them in the task's paths) is copied but not
    // reported, since a tab or a newline would break the log's records. A symbolic link to a directory is not followed
    // (cp fails on it, reported as any copy failure).
    private const string OutputFunctions = """
        # bad K MESSAGE: output K failed; a system error only when every executor succeeded.
        bad() {
          printf 'output %s: %s\n' "$1" "$2" >&2
          [ -n "$f" ] || { printf 'system_error\toutput %s: %s\n' "$1" "$2" >>"$L"; e=1; }
        }
        # out K PATH DEST URL: PATH copied to DEST, every file reported under URL.
        out() {
          if [ -d "$2" ] && [ ! -L "$2" ]; then
            mkdir -p -- "$3" || { bad "$1" "cannot create $3"; return; }
            for g in "$2"/* "$2"/.[!.]* "$2"/..?*; do
              [ -e "$g" ] || [ -L "$g" ] && out "$1" "$g" "$3/${g##*/}" "$4/${g##*/}"
            done
          elif [ "$2" = "$3" ] || { mkdir -p -- "${3%/*}/" && cp -- "$2" "$3"; }; then
            case $2$4 in
              *[[:cntrl:]]*) printf 'output %s: a file name with a control character is not reported\n' "$1" >&2 ;;
              *) printf 'output\t%s\t%s\t%s\n' "$2" "$4" "$(($(wc -c <"$3")))" >>"$L" ;;
            esac
          else
            bad "$1" "cannot copy $2 to $3"
          fi
        }
        # put K f|d PATH DEST URL: output K, a file or a directory, or why not.
        put() {
          if [ ! -e "$3" ]; then bad "$1" "$3 does not exist"
          elif [ "$2" = d ] && [ ! -d "$3" ]; then bad "$1" "$3 is not a directory"
          elif [ "$2" = f ] && [ -d "$3" ]; then bad "$1" "$3 is a directory"
          else out "$1" "$3" "$4" "$5"
          fi
        }

        """;

    private static string StageInLine(StageIn input)
    {
        CheckPath(input.Path, $"input {input.Index} path");
        var what = $"input {I(input.Index)}";
        if ((input.Content is null) == (input.Source is null))
        {
            throw new ArgumentException($"{what} needs exactly one of content and source", nameof(input));
        }
        if (input.Content is { } content)
        {
            CheckValue(content, $"{what} content");
            return $"mkdir -p -- {Q(Parent(input.Path))} && printf '%s' {Q(content)} >{Q(input.Path)} || fail {Q($"{what}: cannot write {input.Path}")}";
        }

        var source = input.Source!;
        CheckPath(source, $"{what} source");
        if (source == input.Path)
        {
            return $"# {what}: {input.Path} is already in place";
        }
        var failure = $"fail {Q($"{what}: cannot {(input.Link ? "link" : "copy")} {source} to {input.Path}")}";
        return (input.Kind, input.Link) switch
        {
            (TesFileKind.File, false) => $"mkdir -p -- {Q(Parent(input.Path))} && cp -- {Q(source)} {Q(input.Path)} || {failure}",
            (TesFileKind.Directory, false) => $"mkdir -p -- {Q(input.Path)} && cp -R -- {Q(source + "/.")} {Q(input.Path + "/")} || {failure}",
            (TesFileKind.File, true) => $"mkdir -p -- {Q(Parent(input.Path))} && ln -sfn -- {Q(source)} {Q(input.Path)} || {failure}",
            // A directory that is already there (a scratch mount point) cannot become a link: its content is copied.
            // -n: a link left by an earlier attempt is replaced, not followed into the source.
            _ => $"if [ -d {Q(input.Path)} ] && [ ! -L {Q(input.Path)} ]; then cp -R -- {Q(source + "/.")} {Q(input.Path + "/")}; "
                + $"else mkdir -p -- {Q(Parent(input.Path))} && ln -sfn -- {Q(source)} {Q(input.Path)}; fi || {failure}",
        };
    }

    private static void AppendStep(StringBuilder s, RunnerStep step)
    {
        var what = $"executors[{I(step.Index)}]";
        if (step.Command.Count == 0)
        {
            throw new ArgumentException($"{what} has no command", nameof(step));
        }
        if (step.Command[0].StartsWith('-'))
        {
            throw new ArgumentException($"{what}: a program name cannot start with '-'", nameof(step));
        }
        foreach (var arg in step.Command)
        {
            CheckValue(arg, $"{what} command");
        }

        var k = I(step.Index);
        var makeDirs = new List<string>();
        var body = new List<string>();
        if (step.Workdir is { } workdir)
        {
            CheckPath(workdir, $"{what} workdir");
            makeDirs.Add(workdir);
            body.Add($"cd {Q(workdir)}");
        }
        if (step.Env.Count > 0)
        {
            foreach (var (name, value) in step.Env)
            {
                if (!IsEnvName(name))
                {
                    throw new ArgumentException($"{what} env: {name} is not a name sh can export", nameof(step));
                }
                CheckValue(value, $"{what} env {name}");
            }
            body.Add("export " + string.Join(' ', step.Env.Select(e => $"{e.Key}={Q(e.Value)}")));
        }
        body.Add("exec " + string.Join(' ', step.Command.Select(Q)));

        var stdin = step.Stdin is { } i ? Q(CheckPath(i, $"{what} stdin")) : "/dev/null";
        var stdout = Redirection(step.Stdout, $"{what} stdout", $"\"$T/{k}.stdout\"", makeDirs);
        var stderr = Redirection(step.Stderr, $"{what} stderr", $"\"$T/{k}.stderr\"", makeDirs);

        s.Append($"\n# executor {k}\n");
        s.Append("if [ -z \"$f$s\" ]; then\n");
        s.Append($"  printf 'exec\\t{k}\\tstart\\t%s\\n' \"$(now)\" >>\"$L\"\n");
        if (makeDirs.Count > 0)
        {
            // Where it works and writes, as docker run -w and a shell redirection would need; a failure shows as the
            // executor's own (cd or the redirection fails, with sh's message in the runner's stderr).
            s.Append($"  mkdir -p -- {string.Join(' ', makeDirs.Distinct().Select(Q))} 2>/dev/null\n");
        }
        s.Append($"  ({string.Join(" && ", body)}) <{stdin} >{stdout} 2>{stderr} &\n");
        s.Append($"  run {k} {(step.IgnoreError ? 1 : 0)}\n");
        s.Append("fi\n");
    }

    private static string Redirection(string? path, string what, string fallback, List<string> makeDirs)
    {
        if (path is null)
        {
            return fallback;
        }
        CheckPath(path, what);
        makeDirs.Add(Parent(path));
        return Q(path);
    }

    private static void AppendStageOut(StringBuilder s, StageOut output)
    {
        var what = $"output {I(output.Index)}";
        CheckPath(output.Path, $"{what} path");
        CheckPath(output.Destination, $"{what} destination");
        CheckValue(output.Url, $"{what} url");
        if (output.Url.Any(char.IsControl))
        {
            throw new ArgumentException($"{what}: the url holds a control character", nameof(output));
        }
        var k = I(output.Index);
        if (output.PathPrefix is not { } prefix)
        {
            var kind = output.Kind == TesFileKind.Directory ? 'd' : 'f';
            s.Append($"put {k} {kind} {Q(output.Path)} {Q(output.Destination)} {Q(output.Url)}\n");
            return;
        }
        if (!output.Path.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"{what}: {output.Path} is not under its path prefix {prefix}", nameof(output));
        }
        // Pathname expansion without field splitting (IFS empty): a match with spaces stays one word. No match leaves
        // the pattern itself, which does not exist: a wildcard matching nothing is not an error (an empty glob).
        s.Append($"p={Q(output.Path)} x={Q(prefix)}\n");
        s.Append("IFS=\n");
        s.Append($"for m in $p; do [ -e \"$m\" ] || [ -L \"$m\" ] && out {k} \"$m\" {Q(output.Destination)}\"${{m#\"$x\"}}\" {Q(output.Url)}\"${{m#\"$x\"}}\"; done\n");
        s.Append("unset IFS\n");
    }

    /// <summary>A single-quoted sh word: nothing inside is expanded; a quote closes, is escaped, and reopens.</summary>
    private static string Q(string value) => ShellWord.Quote(value);

    /// <summary>The directory holding <paramref name="path"/>, with its trailing slash ("/" for a path at the root).</summary>
    private static string Parent(string path) => path[..(path.TrimEnd('/').LastIndexOf('/') + 1)];

    private static string I(int index) => index.ToString(CultureInfo.InvariantCulture);

    private static string CheckPath(string path, string what)
    {
        if (!path.StartsWith('/'))
        {
            throw new ArgumentException($"{what}: {path} is not absolute", nameof(path));
        }
        if (path.Any(char.IsControl))
        {
            throw new ArgumentException($"{what}: the path holds a control character", nameof(path));
        }
        return path;
    }

    private static void CheckValue(string value, string what)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{what} holds a NUL character", nameof(value));
        }
    }

    private static bool IsEnvName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
