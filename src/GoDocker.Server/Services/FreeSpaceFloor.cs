using System.Globalization;
using GoDocker.Jobs;
using GoDocker.Storage.JobDirectories;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Services;

/// <summary>
/// Server:MinFreeSpace: below it, on the filesystem of the job directories, no job launches (running jobs write
/// there and would fail or fill it up), pending jobs say why, and health is degraded; launching resumes when
/// space returns. Read at each use (one statvfs), so freeing space takes effect at the next cycle.
/// </summary>
public sealed class FreeSpaceFloor
{
    private const string Key = "Server:MinFreeSpace";
    private readonly string root;
    private readonly long? bytes;
    private readonly double? share;
    private readonly string text;

    public FreeSpaceFloor(JobDirectory jobDirectories, string minFreeSpace)
    {
        root = jobDirectories.Root;
        text = minFreeSpace.Trim();
        if (!TryParse(text, out bytes, out share))
        {
            throw new OptionsValidationException(Key, typeof(string), [Problem(minFreeSpace)]);
        }
    }

    /// <summary>A size (2G, "0": off) or a percentage below 100 of the filesystem (5%): one of the two is set.</summary>
    internal static bool TryParse(string text, out long? bytes, out double? share)
    {
        (bytes, share) = (null, null);
        text = text.Trim();
        if (text.EndsWith('%'))
        {
            var ok = double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent)
                && percent is >= 0 and < 100;
            share = ok ? percent / 100 : null;
            return ok;
        }
        if (text == "0")
        {
            bytes = 0;
            return true;
        }
        var parsed = ByteSize.TryParse(text, out var size) && size >= 0;
        bytes = parsed ? size : null;
        return parsed;
    }

    internal static string Problem(string minFreeSpace) => $"{Key} '{minFreeSpace}' is not a size (2G) or a percentage below 100 (5%)";

    /// <summary>Null while there is enough free space; otherwise the sentence pending jobs and health show.</summary>
    public string? Shortage()
    {
        Directory.CreateDirectory(root);
        var drive = new DriveInfo(root);
        var free = drive.AvailableFreeSpace;
        var floor = bytes ?? (long)(share!.Value * drive.TotalSize);
        if (free >= floor)
        {
            return null;
        }
        var shown = bytes is null ? $"{text} ({ByteSize.Format(floor)})" : ByteSize.Format(floor);
        return $"job directories' filesystem has {ByteSize.Format(free)} free, below {Key} {shown}";
    }
}
