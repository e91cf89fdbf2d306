using System.CommandLine;
using GoDocker.Cli.Output;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Commands;

/// <summary>`godocker files ls|get`: the job directory (script, outputs, whatever the job wrote there).</summary>
internal static class FilesCommand
{
    public const string Stdout = "-";

    public static Command Create(GlobalOptions global) =>
        new("files", "List or fetch files of a job's directory") { CreateList(global), CreateGet(global) };

    private static Command CreateList(GlobalOptions global)
    {
        var id = JobIdArgument.Create();
        var path = new Argument<string>("PATH") { Description = "Directory inside the job directory (default: its top)", Arity = ArgumentArity.ZeroOrOne };
        var output = OutputOption.Create("table", "json");
        var command = new Command("ls", "List a directory of the job") { id, path, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var client = global.CreateClient(parse);
            var result = await client.ListFilesAsync(parse.GetValue(id), parse.GetValue(path), cancellationToken);
            if (!result.IsOk)
            {
                return await ProblemReport.WriteAsync(result.Problem, cancellationToken);
            }
            if (parse.GetValue(output) == "json")
            {
                await JsonOutput.WriteAsync(result.Value, GoDockerJson.Default.IReadOnlyListFileEntry, cancellationToken);
            }
            else
            {
                await Console.Out.WriteAsync(BuildListing(result.Value).Render().AsMemory(), cancellationToken);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static Table BuildListing(IEnumerable<FileEntry> entries, TimeZoneInfo? zone = null)
    {
        var table = new Table(new Column("NAME"), new Column("TYPE"), new Column("SIZE", Align.Right), new Column("MODIFIED"));
        foreach (var entry in entries)
        {
            var isDir = entry.Type == "dir";
            table.Add(isDir ? entry.Name + "/" : entry.Name, entry.Type, isDir ? Display.None : ByteSize.Format(entry.Size), Display.Time(entry.ModifiedAt, zone));
        }
        return table;
    }

    private static Command CreateGet(GlobalOptions global)
    {
        var id = JobIdArgument.Create();
        var path = new Argument<string>("PATH") { Description = "File inside the job directory" };
        var outFile = new Option<string>("--output-file", "-O")
        {
            Description = "Where to write it ('-' for stdout; default: the file's name, in the current directory)",
            HelpName = "FILE",
        };
        var command = new Command("get", "Download a file of the job") { id, path, outFile };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var source = parse.GetValue(path)!;
            // HTTP would fold '..' away before the server saw it: refuse here, in the server's words.
            if (source.StartsWith('/') || source.Split('/').Contains(".."))
            {
                throw new UsageException($"files get: path '{source}': absolute paths and '..' are not allowed; files stay inside the job directory");
            }
            var target = TargetFor(source, parse.GetValue(outFile));
            var client = global.CreateClient(parse);
            var result = await client.OpenFileAsync(parse.GetValue(id), source, cancellationToken);
            if (!result.IsOk)
            {
                return await ProblemReport.WriteAsync(result.Problem, cancellationToken);
            }
            using var body = result.Value;
            if (target == Stdout)
            {
                await using var stdout = Console.OpenStandardOutput();
                await body.CopyToAsync(stdout, cancellationToken);
                return ExitCodes.Ok;
            }
            await DownloadAsync(body, target, cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Where `files get` writes: -O if given, else the last segment of the job path in the current directory.</summary>
    /// <exception cref="UsageException">when the path names no file and no -O was given.</exception>
    internal static string TargetFor(string source, string? outFile)
    {
        if (!string.IsNullOrEmpty(outFile))
        {
            return outFile;
        }
        var name = source.TrimEnd('/').Split('/')[^1];
        if (name is "" or "." or "..")
        {
            throw new UsageException($"files get: '{source}' names no file; give -O FILE");
        }
        return name;
    }

    /// <summary>Writes beside the target and renames at the end, so a failed download never leaves a half file under the real name.</summary>
    private static async Task DownloadAsync(Api.ResponseBody body, string target, CancellationToken cancellationToken)
    {
        var partial = target + ".godocker-partial";
        try
        {
            await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: true))
            {
                await body.CopyToAsync(file, cancellationToken);
            }
            File.Move(partial, target, overwrite: true);
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }
}
