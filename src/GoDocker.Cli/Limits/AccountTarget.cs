using System.CommandLine;
using System.CommandLine.Parsing;

namespace GoDocker.Cli.Limits;

/// <summary>The --user U | --project P pair of `godocker usage` and `godocker quota`: which account (GET ?kind=&amp;name=, PUT /limits/{kind}/{name}).</summary>
internal sealed class AccountTarget(string userDescription, string projectDescription)
{
    public const string User = "user";
    public const string Project = "project";

    public Option<string> UserOption { get; } = new("--user", "-u") { Description = userDescription, HelpName = "USER" };

    public Option<string> ProjectOption { get; } = new("--project", "-p") { Description = projectDescription, HelpName = "PROJECT" };

    /// <summary>Adds both options and a check that at most one (or, when <paramref name="required"/>, exactly one) is given.</summary>
    public void AddTo(Command command, bool required)
    {
        command.Options.Add(UserOption);
        command.Options.Add(ProjectOption);
        command.Validators.Add(result =>
        {
            var given = (result.GetResult(UserOption) is null ? 0 : 1) + (result.GetResult(ProjectOption) is null ? 0 : 1);
            if (given > 1)
            {
                result.AddError("give --user or --project, not both");
            }
            else if (given == 0 && required)
            {
                result.AddError("give the account: --user USER or --project PROJECT");
            }
        });
    }

    /// <summary>("user", login), ("project", name), or (null, null) when neither was given.</summary>
    public (string? Kind, string? Name) Read(ParseResult parse) =>
        parse.GetValue(UserOption) is { } user ? (User, user)
        : parse.GetValue(ProjectOption) is { } project ? (Project, project)
        : (null, null);
}
