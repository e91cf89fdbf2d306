using System.Diagnostics.CodeAnalysis;
using GoDocker.Contracts;

namespace GoDocker.Cli.Api;

/// <summary>What the API answered: the value, or the problem it refused the request with. Refusals are outcomes, not faults.</summary>
internal readonly struct ApiResult<T>
{
    private ApiResult(T? value, Problem? problem)
    {
        Value = value;
        Problem = problem;
    }

    public T? Value { get; }

    public Problem? Problem { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Problem))]
    public bool IsOk => Problem is null;

    public static ApiResult<T> Ok(T value) => new(value, null);

    public static ApiResult<T> Refused(Problem problem) => new(default, problem);
}
