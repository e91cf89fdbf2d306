using System.Globalization;
using GoDocker.Execution;
using GoDocker.Server.UseCases;
using Microsoft.Extensions.Primitives;

namespace GoDocker.Server.Api;

/// <summary>
/// The query of GET /jobs/{id}/exec: <c>command</c> (repeated, one per word: the program, then its arguments),
/// <c>tty</c> and <c>stdin</c> (true/false, default false), and with a TTY the starting <c>cols</c> and <c>rows</c>
/// (both or neither). Read before the upgrade, so a mistake is a problem details 400 naming the field.
/// </summary>
public static class ExecQuery
{
    public const int MaxWords = 1024;
    public const int MaxCommandChars = 64 * 1024;

    public static bool TryParse(IQueryCollection query, out ExecCommand? parsed, out Dictionary<string, string[]> errors)
    {
        errors = [];
        parsed = null;
        var command = query["command"];
        if (command.Count == 0 || string.IsNullOrEmpty(command[0]))
        {
            errors["command"] = ["give the command, one `command=` parameter per word (the program first)"];
        }
        else if (command.Count > MaxWords)
        {
            errors["command"] = [$"at most {MaxWords} words"];
        }
        else if (command.Sum(w => w?.Length ?? 0) > MaxCommandChars)
        {
            errors["command"] = [$"at most {MaxCommandChars} characters in all"];
        }
        else if (command.Any(w => w is null || w.Contains('\0', StringComparison.Ordinal)))
        {
            errors["command"] = ["a word cannot contain a NUL character"];
        }
        var tty = Flag(query, "tty", errors);
        var stdin = Flag(query, "stdin", errors);
        var size = Size(query, errors);
        if (size is not null && !tty && !errors.ContainsKey("tty"))
        {
            errors["cols"] = ["a terminal size needs tty=true"];
        }
        if (errors.Count > 0)
        {
            return false;
        }
        parsed = new ExecCommand([.. command!], tty, stdin, size);
        return true;
    }

    /// <summary>
    /// The query of GET /jobs/{id}/attach: the client's <c>cols</c> and <c>rows</c> (both or neither), and
    /// <c>logs</c> (true: the terminal's output so far first, as `godocker run -it` asks when the job starts).
    /// </summary>
    public static bool TryParseAttach(IQueryCollection query, out AttachCommand? parsed, out Dictionary<string, string[]> errors)
    {
        errors = [];
        parsed = null;
        var replay = Flag(query, "logs", errors);
        var size = Size(query, errors);
        if (errors.Count > 0)
        {
            return false;
        }
        parsed = new AttachCommand(size, replay);
        return true;
    }

    private static TerminalSize? Size(IQueryCollection query, Dictionary<string, string[]> errors)
    {
        var cols = ParseSize(query, "cols", errors);
        var rows = ParseSize(query, "rows", errors);
        if ((cols is null) != (rows is null) && !errors.ContainsKey("cols") && !errors.ContainsKey("rows"))
        {
            errors[cols is null ? "cols" : "rows"] = ["give both cols and rows, or neither"];
        }
        return cols is { } c && rows is { } r ? new TerminalSize(c, r) : null;
    }

    private static bool Flag(IQueryCollection query, string name, Dictionary<string, string[]> errors)
    {
        var values = query[name];
        if (values.Count > 1)
        {
            errors[name] = ["give it once"];
            return false;
        }
        switch (values.ToString())
        {
            case "" or "false" or "0":
                return false;
            case "true" or "1":
                return true;
            default:
                errors[name] = [$"'{values}' is not true or false"];
                return false;
        }
    }

    private static int? ParseSize(IQueryCollection query, string name, Dictionary<string, string[]> errors)
    {
        StringValues values = query[name];
        if (values.Count == 0)
        {
            return null;
        }
        if (values.Count > 1 || !int.TryParse(values.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            || size < 1 || size > TerminalSize.Max)
        {
            errors[name] = [$"a number of character cells from 1 to {TerminalSize.Max}, given once"];
            return null;
        }
        return size;
    }
}
