using System.CommandLine;

namespace GoDocker.Cli.Commands;

/// <summary>The ID argument most commands take.</summary>
internal static class JobIdArgument
{
    public static Argument<long> Create() => new("ID") { Description = "Job id" };

    public static Argument<long[]> CreateMany() => new("ID") { Description = "Job ids", Arity = ArgumentArity.OneOrMore };
}
