using System.Globalization;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Limits;

/// <summary>
/// What `godocker quota set` changes of an account's shares, priority and quotas. PUT /limits replaces every setting,
/// so the change is laid over what is set now: settings not named keep their value, unless <see cref="Clear"/>
/// starts from nothing set (site defaults).
/// </summary>
internal sealed record LimitsChange
{
    public bool Clear { get; init; }
    public Setting<double>? Shares { get; init; }
    public Setting<int>? Priority { get; init; }
    public Setting<int>? MaxRunningJobs { get; init; }
    public Setting<double>? MaxCpus { get; init; }
    public Setting<long>? MaxMemoryBytes { get; init; }
    public Setting<int>? MaxGpus { get; init; }
    public Setting<double>? MaxCpuHours { get; init; }
    public Setting<int>? MaxPendingJobs { get; init; }

    /// <summary>Nothing named and no --clear: there is nothing to send.</summary>
    public bool IsEmpty => this == new LimitsChange();

    /// <summary>The whole request to PUT: <paramref name="current"/> (null: none set) with this change applied.</summary>
    public AccountLimitsView ApplyTo(AccountLimitsView? current)
    {
        var basis = Clear || current is null ? new AccountLimitsView() : current;
        var memory = Pick(MaxMemoryBytes, basis.MaxMemoryBytes ?? (ByteSize.TryParse(basis.MaxMemory, out var bytes) ? bytes : null));
        return new AccountLimitsView
        {
            Shares = Pick(Shares, basis.Shares),
            Priority = Pick(Priority, basis.Priority),
            MaxRunningJobs = Pick(MaxRunningJobs, basis.MaxRunningJobs),
            MaxCpus = Pick(MaxCpus, basis.MaxCpus),
            // Sent in bytes, exactly: the server's answer shows memory rounded for people ("1.5 GiB").
            MaxMemory = memory is { } exact ? exact.ToString(CultureInfo.InvariantCulture) + "B" : null,
            MaxGpus = Pick(MaxGpus, basis.MaxGpus),
            MaxCpuHours = Pick(MaxCpuHours, basis.MaxCpuHours),
            MaxPendingJobs = Pick(MaxPendingJobs, basis.MaxPendingJobs),
        };
    }

    private static T? Pick<T>(Setting<T>? change, T? current)
        where T : struct => change is { } given ? given.Value : current;
}
