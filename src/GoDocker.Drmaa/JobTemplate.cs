using System.Globalization;

namespace GoDocker.Drmaa;

/// <summary>
/// A drmaa_job_template_t: the attributes a caller set, checked as they are set so a bad value fails at
/// drmaa_set_attribute (naming the attribute), not later at drmaa_run_job. Guarded by its own lock: the standard
/// lets threads share a template.
/// </summary>
internal sealed class JobTemplate
{
    public const string RemoteCommand = "drmaa_remote_command";
    public const string JobSubmissionState = "drmaa_js_state";
    public const string WorkingDirectory = "drmaa_wd";
    public const string JobCategory = "drmaa_job_category";
    public const string NativeSpecification = "drmaa_native_specification";
    public const string BlockEmail = "drmaa_block_email";
    public const string JobName = "drmaa_job_name";
    public const string InputPath = "drmaa_input_path";
    public const string OutputPath = "drmaa_output_path";
    public const string ErrorPath = "drmaa_error_path";
    public const string JoinFiles = "drmaa_join_files";
    public const string WallClockHardLimit = "drmaa_wct_hlimit";
    public const string Argv = "drmaa_v_argv";
    public const string Environment = "drmaa_v_env";
    public const string Email = "drmaa_v_email";

    public const string Active = "drmaa_active";
    public const string Hold = "drmaa_hold";

    public const string HomePlaceholder = "$drmaa_hd_ph$";
    public const string WorkingDirectoryPlaceholder = "$drmaa_wd_ph$";
    public const string IndexPlaceholder = "$drmaa_incr_ph$";

    /// <summary>What drmaa_get_attribute_names lists: the scalar attributes this library carries out.</summary>
    public static readonly IReadOnlyList<string> ScalarNames =
        [RemoteCommand, JobSubmissionState, WorkingDirectory, JobCategory, NativeSpecification, BlockEmail, JobName,
         InputPath, OutputPath, ErrorPath, JoinFiles, WallClockHardLimit];

    public static readonly IReadOnlyList<string> VectorNames = [Argv, Environment, Email];

    /// <summary>
    /// Optional attributes of the standard that GoDocker has nothing to carry out with: not listed, and refused when
    /// set (a client that relies on them must know), unlike a name the standard does not have (INVALID_ARGUMENT).
    /// </summary>
    public static readonly IReadOnlyList<string> Unsupported =
        ["drmaa_start_time", "drmaa_deadline_time", "drmaa_transfer_files", "drmaa_wct_slimit", "drmaa_duration_hlimit", "drmaa_duration_slimit"];

    private readonly Lock gate = new();
    private readonly Dictionary<string, string> scalars = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> vectors = new(StringComparer.Ordinal);

    public void Set(string name, string? value)
    {
        if (VectorNames.Contains(name))
        {
            throw new DrmaaException(DrmaaError.InvalidArgument, $"{name} is a vector attribute: set it with drmaa_set_vector_attribute");
        }
        if (Unsupported.Contains(name))
        {
            throw new DrmaaException(DrmaaError.InvalidAttributeValue, $"{name} is not supported by GoDocker");
        }
        if (!ScalarNames.Contains(name))
        {
            throw new DrmaaException(DrmaaError.InvalidArgument, $"{name}: no such attribute (drmaa_get_attribute_names lists them)");
        }
        lock (gate)
        {
            if (value is null)
            {
                scalars.Remove(name);
                return;
            }
            Check(name, value);
            scalars[name] = value;
        }
    }

    public string? Get(string name)
    {
        if (!ScalarNames.Contains(name))
        {
            throw new DrmaaException(DrmaaError.InvalidArgument, $"{name}: no such scalar attribute");
        }
        lock (gate)
        {
            return scalars.GetValueOrDefault(name);
        }
    }

    public void SetVector(string name, IReadOnlyList<string>? values)
    {
        if (!VectorNames.Contains(name))
        {
            throw new DrmaaException(DrmaaError.InvalidArgument, $"{name}: no such vector attribute (drmaa_get_vector_attribute_names lists them)");
        }
        if (name == Environment && values?.FirstOrDefault(v => v.IndexOf('=', StringComparison.Ordinal) <= 0) is { } bad)
        {
            throw new DrmaaException(DrmaaError.InvalidAttributeFormat, $"{Environment}: '{bad}' is not NAME=VALUE");
        }
        if (name == Email && values is { Count: > 1 })
        {
            throw new DrmaaException(DrmaaError.InvalidAttributeValue, $"{Email}: GoDocker mails one address (as --mail-user); got {values.Count}");
        }
        lock (gate)
        {
            if (values is null)
            {
                vectors.Remove(name);
                return;
            }
            vectors[name] = [.. values];
        }
    }

    public IReadOnlyList<string>? GetVector(string name)
    {
        if (!VectorNames.Contains(name))
        {
            throw new DrmaaException(DrmaaError.InvalidArgument, $"{name}: no such vector attribute");
        }
        lock (gate)
        {
            return vectors.GetValueOrDefault(name);
        }
    }

    /// <summary>A copy to compose a job from, so a thread changing the template meanwhile does not tear it.</summary>
    public (IReadOnlyDictionary<string, string> Scalars, IReadOnlyDictionary<string, string[]> Vectors) Snapshot()
    {
        lock (gate)
        {
            return (new Dictionary<string, string>(scalars, StringComparer.Ordinal), new Dictionary<string, string[]>(vectors, StringComparer.Ordinal));
        }
    }

    private static void Check(string name, string value)
    {
        switch (name)
        {
            case JobSubmissionState when value is not (Active or Hold):
                throw new DrmaaException(DrmaaError.InvalidAttributeValue, $"{name}: '{value}' is neither {Active} nor {Hold}");
            case JoinFiles when value is not ("y" or "n"):
                throw new DrmaaException(DrmaaError.InvalidAttributeValue, $"{name}: '{value}' is neither y nor n");
            case BlockEmail when value is not ("0" or "1"):
                throw new DrmaaException(DrmaaError.InvalidAttributeValue, $"{name}: '{value}' is neither 0 nor 1");
            case WallClockHardLimit:
                WallClockSeconds(value);
                break;
            case InputPath or OutputPath or ErrorPath:
                FilePath(name, value);
                break;
        }
    }

    /// <summary>The standard's time amount, <c>[[h:]m:]s</c> (each part a whole number, the first unbounded), in seconds.</summary>
    public static long WallClockSeconds(string value)
    {
        var parts = value.Split(':');
        long total = 0;
        foreach (var part in parts)
        {
            if (parts.Length > 3 || !long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > 1_000_000_000)
            {
                throw new DrmaaException(DrmaaError.InvalidAttributeFormat, $"{WallClockHardLimit}: '{value}' is not [[h:]m:]s");
            }
            total = total * 60 + number;
        }
        if (total <= 0)
        {
            throw new DrmaaException(DrmaaError.InvalidAttributeValue, $"{WallClockHardLimit}: '{value}' is no time at all");
        }
        return total;
    }

    /// <summary>
    /// The path of a <c>[hostname]:file_path</c> value. The host is dropped: jobs see the site's volumes, whichever node
    /// runs them. A value without the colon is taken as a path, as most DRMAA libraries do.
    /// </summary>
    public static string FilePath(string name, string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var path = colon < 0 ? value : value[(colon + 1)..];
        if (path.Length == 0)
        {
            throw new DrmaaException(DrmaaError.InvalidAttributeFormat, $"{name}: '{value}' names no file ([hostname]:file_path)");
        }
        return path;
    }
}
