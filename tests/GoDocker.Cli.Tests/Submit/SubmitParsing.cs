using System.CommandLine;
using GoDocker.Cli.Commands;
using GoDocker.Jobs;

namespace GoDocker.Cli.Tests.Submit;

/// <summary>Runs a `godocker submit ...` command line through the real option definitions, as the CLI does.</summary>
internal sealed class SubmitParsing
{
    private readonly SubmitCommand submit;
    private readonly RootCommand root;

    public SubmitParsing()
    {
        var global = new GlobalOptions();
        submit = new SubmitCommand(global);
        root = new RootCommand { global.Url, submit.Command };
    }

    public ParseResult Parse(params string[] args) => root.Parse(["submit", .. args], GoDockerCommandLine.Parsing);

    /// <summary>The spec the CLI would send for this command line and script text (null: no script).</summary>
    public JobSpec Spec(string? script, params string[] args)
    {
        var parse = Parse(args);
        Assert.Empty(parse.Errors);
        var input = submit.Input(parse);
        return submit.Compose(parse, script ?? input.InlineScript, input.Command, input.Source);
    }

    public Cli.Submit.SubmitInput Input(params string[] args)
    {
        var parse = Parse(args);
        Assert.Empty(parse.Errors);
        return submit.Input(parse);
    }
}
