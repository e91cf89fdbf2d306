using System.Globalization;

namespace GoDocker.Jobs;

/// <summary>
/// An amount of what jobs ask for and nodes offer: cpus (fractional), memory in bytes, gpus. A job's request, a node's
/// capacity, what a node's jobs hold, what it has free and what a user runs are all this one value, compared by one
/// rule (<see cref="FitsWithin"/>).
/// </summary>
public readonly record struct Resources(double Cpus, long MemoryBytes, int Gpus)
{
    /// <summary>
    /// Cpus are fractional: compared with this tolerance, so 8 x 0.125 fills exactly 1. The only such tolerance: every
    /// capacity and quota comparison goes through <see cref="FitsWithin"/>.
    /// </summary>
    public const double CpuEpsilon = 1e-9;

    public static readonly Resources None;

    public static Resources operator +(Resources a, Resources b) => new(a.Cpus + b.Cpus, a.MemoryBytes + b.MemoryBytes, a.Gpus + b.Gpus);

    public static Resources operator -(Resources a, Resources b) => new(a.Cpus - b.Cpus, a.MemoryBytes - b.MemoryBytes, a.Gpus - b.Gpus);

    /// <summary>
    /// Whether this amount fits within <paramref name="available"/>: no more cpus (within <see cref="CpuEpsilon"/>), memory
    /// or gpus. A request that is not a number (NaN cpus) fits nowhere.
    /// </summary>
    public bool FitsWithin(Resources available) =>
        Cpus <= available.Cpus + CpuEpsilon && MemoryBytes <= available.MemoryBytes && Gpus <= available.Gpus;

    /// <summary>Whether each amount is at least the other's: what refuses <paramref name="smaller"/> for lack of room refuses this too.</summary>
    public bool Covers(Resources smaller) => smaller.Cpus <= Cpus && smaller.MemoryBytes <= MemoryBytes && smaller.Gpus <= Gpus;

    /// <summary>The largest of each amount.</summary>
    public static Resources Max(Resources a, Resources b) =>
        new(Math.Max(a.Cpus, b.Cpus), Math.Max(a.MemoryBytes, b.MemoryBytes), Math.Max(a.Gpus, b.Gpus));

    public static Resources Sum(IEnumerable<Resources> amounts)
    {
        var total = None;
        foreach (var amount in amounts)
        {
            total += amount;
        }
        return total;
    }

    /// <summary>"2 cpus, 4 GiB" and ", 1 gpus" when it has gpus: how pending reasons name a request.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Cpus:0.###} cpus, {ByteSize.Format(MemoryBytes)}") + (Gpus > 0 ? $", {Gpus} gpus" : "");
}
