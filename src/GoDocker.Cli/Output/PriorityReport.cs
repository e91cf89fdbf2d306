using System.Globalization;
using System.Text;
using GoDocker.Contracts;

namespace GoDocker.Cli.Output;

/// <summary>`godocker priority ID`, as sprio: the priority, the place in the queue, each factor's share of it, why it waits.</summary>
internal static class PriorityReport
{
    public static string Render(PriorityView priority, TimeZoneInfo? zone = null)
    {
        var text = new StringBuilder()
            .Append("Job ").Append(priority.JobId.ToString(CultureInfo.InvariantCulture))
            .Append(": priority ").Append(Number(priority.Priority))
            .Append(" (").Append(priority.Policy).Append("), position ")
            .Append(priority.Position.ToString(CultureInfo.InvariantCulture)).Append(" of ")
            .Append(priority.Pending.ToString(CultureInfo.InvariantCulture)).Append(" pending\n\n");
        var factors = new Table(new Column("FACTOR"), new Column("VALUE", Align.Right), new Column("WEIGHT", Align.Right), new Column("CONTRIBUTION", Align.Right));
        foreach (var factor in priority.Factors)
        {
            factors.Add(factor.Name, factor.Value.ToString("0.####", CultureInfo.InvariantCulture), Number(factor.Weight), Number(factor.Contribution));
        }
        factors.Add("total", "", "", Number(priority.Priority));
        text.Append(factors.Render())
            .Append('\n')
            .Append("Reason:          ").Append(Display.OrNone(priority.Reason)).Append('\n')
            .Append("Expected start:  ").Append(Display.Time(priority.ExpectedStart, zone)).Append('\n');
        return text.ToString();
    }

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
