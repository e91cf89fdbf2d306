using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using GoDocker.Jobs;
using GoDocker.Server.Auth;
using GoDocker.Server.Auth.Ldap;
using GoDocker.Server.Hosting;
using GoDocker.Server.RequestGuards;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Configuration;

/// <summary>The configuration as checked at start: the options to run with, and every problem found (empty when it can be used).</summary>
internal sealed record CheckedConfiguration(GoDockerOptions Settings, AuthOptions Auth, IReadOnlyList<string> Problems);

/// <summary>
/// Every setting checked once, at start, before anything uses one: each bad key is named, all of them at once
/// ("Jobs:DefaultMemory: 'lots' is not a size"), and none falls back silently at first use. First each value is checked
/// against its property's type as the binder would convert it (closed sets are enums: a member's name, in any case; never
/// a number), so a bad one is reported rather than thrown alone; then the bound options are checked for range and sense,
/// and sizes and durations given as text are parsed once into <see cref="JobOptions.Parsed"/>.
/// </summary>
internal static partial class ConfigurationCheck
{
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}\z")]
    private static partial Regex VolumeName();

    public static CheckedConfiguration Run(IConfiguration configuration)
    {
        var problems = new List<string>();
        var bad = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        CheckTypes(configuration, typeof(GoDockerOptions), "", problems, bad);
        CheckTypes(configuration, typeof(AuthOptions), "Auth", problems, bad);
        CheckTypes(configuration, typeof(LdapOptions), "Auth:Ldap", problems, bad);
        // Keys already reported are left out, so binding the rest cannot throw and their own checks still run.
        var usable = bad.Count == 0
            ? configuration
            : new ConfigurationBuilder().AddInMemoryCollection(configuration.AsEnumerable().Where(kv => !bad.Contains(kv.Key))).Build();
        var settings = usable.Get<GoDockerOptions>() ?? new GoDockerOptions();
        var auth = usable.GetSection("Auth").Get<AuthOptions>() ?? new AuthOptions();
        ApplyDefaultsOfAbsentKeys(usable, settings);
        CheckRanges(settings, auth, usable, problems);
        return new CheckedConfiguration(settings, auth, problems);
    }

    /// <summary>
    /// Defaults that hold only while their key is absent: the binder adds configured items to a non-empty default list
    /// (Images:Allowed), and binds into a default object keeping what the configuration does not mention (a volume's Who).
    /// </summary>
    private static void ApplyDefaultsOfAbsentKeys(IConfiguration configuration, GoDockerOptions settings)
    {
        if (!configuration.GetSection("Images:Allowed").Exists())
        {
            settings.Images.Allowed = [.. ImageOptions.DefaultAllowed];
        }
        for (var i = 0; i < settings.Volumes.Count; i++)
        {
            // A volume is everyone's by default; a Who that names users or groups means them, not everyone as well.
            var who = configuration.GetSection(string.Create(CultureInfo.InvariantCulture, $"Volumes:{i}:Who"));
            if (who.Exists() && !who.GetSection(nameof(GrantOptions.Everyone)).Exists())
            {
                settings.Volumes[i].Who.Everyone = false;
            }
        }
    }

    /// <summary>Walks the options type: each configured value must convert to its property's type.</summary>
    private static void CheckTypes(IConfiguration configuration, Type type, string prefix, List<string> problems, HashSet<string> bad)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0)
            {
                continue;
            }
            var key = prefix.Length == 0 ? property.Name : $"{prefix}:{property.Name}";
            var section = configuration.GetSection(key);
            if (!section.Exists())
            {
                continue;
            }
            CheckValue(configuration, property.PropertyType, key, section, problems, bad);
        }
    }

    private static void CheckValue(IConfiguration configuration, Type type, string key, IConfigurationSection section, List<string> problems, HashSet<string> bad)
    {
        var scalar = Nullable.GetUnderlyingType(type) ?? type;
        if (scalar == typeof(string))
        {
            return;
        }
        if (scalar.IsEnum || scalar.IsPrimitive || scalar == typeof(TimeSpan) || scalar == typeof(decimal))
        {
            if (section.Value is { } text && Convert(scalar, text, nullable: scalar != type) is { } expected)
            {
                problems.Add($"{key}: '{text}' is not {expected}");
                bad.Add(key);
            }
            return;
        }
        if (scalar.IsGenericType && scalar.GetGenericTypeDefinition() == typeof(List<>))
        {
            var item = scalar.GetGenericArguments()[0];
            foreach (var child in section.GetChildren())
            {
                CheckValue(configuration, item, child.Path, child, problems, bad);
            }
            return;
        }
        if (scalar.IsClass && !scalar.IsGenericType)
        {
            CheckTypes(configuration, scalar, key, problems, bad);
        }
    }

    /// <summary>Null when <paramref name="text"/> converts as the binder would; else what it should have been.</summary>
    private static string? Convert(Type type, string text, bool nullable)
    {
        if (nullable && text.Length == 0)
        {
            return null;
        }
        if (type.IsEnum)
        {
            // Names only: the binder's converter would also take "1", or "7" that is no member at all.
            var names = Enum.GetNames(type);
            return names.Any(n => string.Equals(n, text.Trim(), StringComparison.OrdinalIgnoreCase))
                ? null
                : $"one of {string.Join(", ", names.Select(n => n.ToLowerInvariant()))}";
        }
        var expected = type == typeof(bool) ? "true or false"
            : type == typeof(TimeSpan) ? "a duration ([d.]hh:mm:ss)"
            : type == typeof(double) || type == typeof(float) || type == typeof(decimal) ? "a finite number"
            : "a whole number";
        try
        {
            var value = TypeDescriptor.GetConverter(type).ConvertFromInvariantString(text);
            return value is double d && !double.IsFinite(d) ? expected : null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or NotSupportedException || e.InnerException is FormatException or OverflowException)
        {
            return expected;
        }
    }

    private static void CheckRanges(GoDockerOptions settings, AuthOptions auth, IConfiguration configuration, List<string> problems)
    {
        void Check(bool ok, string problem)
        {
            if (!ok)
            {
                problems.Add(problem);
            }
        }
        static string N(double value) => value.ToString(CultureInfo.InvariantCulture);

        var server = settings.Server;
        Check(!string.IsNullOrWhiteSpace(server.DataDir), "Server:DataDir: is empty");
        Check(server.MaxRequestBodyBytes > 0, $"Server:MaxRequestBodyBytes: {server.MaxRequestBodyBytes} must be greater than 0");
        Check(string.IsNullOrEmpty(server.JobsDir) || server.JobsDir.StartsWith('/'), $"Server:JobsDir: '{server.JobsDir}' is not an absolute path");
        Check(Services.FreeSpaceFloor.TryParse(server.MinFreeSpace, out _, out _), Services.FreeSpaceFloor.Problem(server.MinFreeSpace));
        if (StoreFactory.ConnectionStringProblem(settings.Store) is { } storeProblem)
        {
            problems.Add(storeProblem);
        }
        for (var i = 0; i < server.PublicUrls.Count; i++)
        {
            var url = server.PublicUrls[i];
            Check(ServerAuthorities.TryParsePublicUrl(url, out _),
                string.Create(CultureInfo.InvariantCulture, $"Server:PublicUrls:{i}: '{url}' is not an absolute http:// or https:// URL"));
        }

        Check(string.IsNullOrEmpty(server.WebRoot) || server.WebRoot.StartsWith('/'), $"Server:WebRoot: '{server.WebRoot}' is not an absolute path");
        Check(settings.Web.LiveInterval >= TimeSpan.FromMilliseconds(100) && settings.Web.LiveInterval <= TimeSpan.FromMinutes(1),
            $"Web:LiveInterval: {settings.Web.LiveInterval} must be from 100 ms to 1 minute");
        Check(settings.Tes.MaxContentBytes is >= 128 * 1024 and <= 800 * 1024,
            $"Tes:MaxContentBytes: {settings.Tes.MaxContentBytes} must be from 131072 (the specification's 128 KiB) to 819200 (the runner must stay under the 1 MiB script limit)");
        Check(System.Text.RegularExpressions.Regex.IsMatch(settings.Tes.ZoneLabel, "^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$"), $"Tes:ZoneLabel: '{settings.Tes.ZoneLabel}' is not a node label name");
        Check(settings.Exec.IdleTimeout >= TimeSpan.FromSeconds(1), $"Exec:IdleTimeout: {settings.Exec.IdleTimeout} must be at least 1 second");
        Check(settings.Exec.MaxSession >= TimeSpan.FromSeconds(1), $"Exec:MaxSession: {settings.Exec.MaxSession} must be at least 1 second");

        var jobs = settings.Jobs;
        Check(ImageReference.IsValid(jobs.DefaultImage), $"Jobs:DefaultImage: '{jobs.DefaultImage}' is not an image reference");
        Check(double.IsFinite(jobs.DefaultCpus) && jobs.DefaultCpus >= 0.01 && jobs.DefaultCpus <= SubmitLimits.CpusCeiling,
            $"Jobs:DefaultCpus: {N(jobs.DefaultCpus)} must be from 0.01 to {N(SubmitLimits.CpusCeiling)}");
        var memory = Size("Jobs:DefaultMemory", jobs.DefaultMemory, 6L << 20, SubmitLimits.MemoryCeiling, problems);
        var defaultWalltime = Duration("Jobs:DefaultWalltime", jobs.DefaultWalltime, problems);
        var maxWalltime = Duration("Jobs:MaxWalltime", jobs.MaxWalltime, problems);
        Check(defaultWalltime is null || maxWalltime is null || defaultWalltime <= maxWalltime,
            $"Jobs:DefaultWalltime: '{jobs.DefaultWalltime}' is above Jobs:MaxWalltime '{jobs.MaxWalltime}'");
        Check(jobs.KillGracePeriod >= TimeSpan.Zero && jobs.KillGracePeriod <= TimeSpan.FromHours(1),
            $"Jobs:KillGracePeriod: {jobs.KillGracePeriod} must be from 0 to 1 hour");
        Check(jobs.MaxPendingPerUser >= 1, $"Jobs:MaxPendingPerUser: {jobs.MaxPendingPerUser} must be 1 or more");
        Check(jobs.MaxInteractivePerUser >= 0, $"Jobs:MaxInteractivePerUser: {jobs.MaxInteractivePerUser} must be 0 (none allowed) or more");
        var directoryLimit = Size("Jobs:MaxJobDirectorySize", jobs.MaxJobDirectorySize, 1L << 20, long.MaxValue / 2, problems);
        jobs.Parsed = new ParsedJobOptions(memory ?? ParsedJobOptions.Default.DefaultMemoryBytes, defaultWalltime, maxWalltime)
        {
            MaxJobDirectoryBytes = directoryLimit ?? ParsedJobOptions.Default.MaxJobDirectoryBytes,
        };
        Check(jobs.JobDirectoryCheckInterval > TimeSpan.Zero && jobs.JobDirectoryCheckInterval <= TimeSpan.FromHours(1),
            $"Jobs:JobDirectoryCheckInterval: {jobs.JobDirectoryCheckInterval} must be more than 0 and at most 1 hour");

        var retention = settings.JobDirectories;
        Check(retention.ArchiveAfter is null || retention.ArchiveAfter >= TimeSpan.Zero,
            $"JobDirectories:ArchiveAfter: {retention.ArchiveAfter} must be 0 or more");
        Check(retention.RemoveAfter is null || retention.RemoveAfter >= TimeSpan.Zero,
            $"JobDirectories:RemoveAfter: {retention.RemoveAfter} must be 0 or more");
        Check(retention.ArchiveAfter is null || retention.RemoveAfter is null || retention.RemoveAfter > retention.ArchiveAfter,
            $"JobDirectories:RemoveAfter: {retention.RemoveAfter} must be longer than JobDirectories:ArchiveAfter ({retention.ArchiveAfter})");
        Check(retention.CheckInterval >= TimeSpan.FromMilliseconds(100) && retention.CheckInterval <= TimeSpan.FromDays(1),
            $"JobDirectories:CheckInterval: {retention.CheckInterval} must be from 100 ms to 1 day");
        Check(retention.BatchSize is >= 1 and <= 10_000, $"JobDirectories:BatchSize: {retention.BatchSize} must be from 1 to 10000");
        retention.MaxArchiveBytes = Size("JobDirectories:MaxArchiveSize", retention.MaxArchiveSize, 1L << 20, long.MaxValue / 2, problems) ?? retention.MaxArchiveBytes;

        var scheduler = settings.Scheduler;
        Check(scheduler.Reservations >= 0, $"Scheduler:Reservations: {scheduler.Reservations} must be 0 or more");
        Check(scheduler.DefaultWalltime > TimeSpan.Zero && scheduler.DefaultWalltime <= SubmitLimits.WalltimeCeiling,
            $"Scheduler:DefaultWalltime: {scheduler.DefaultWalltime} must be more than 0 and at most {SubmitLimits.WalltimeCeiling.TotalDays} days");
        Check(scheduler.CpuOvercommit >= 1 && scheduler.CpuOvercommit <= 1000,
            $"Scheduler:CpuOvercommit: {N(scheduler.CpuOvercommit)} must be from 1 to 1000");
        Check(scheduler.Interval > TimeSpan.Zero && scheduler.Interval <= TimeSpan.FromHours(1),
            $"Scheduler:Interval: {scheduler.Interval} must be more than 0 and at most 1 hour");
        Check(scheduler.MinGap >= TimeSpan.Zero && scheduler.MinGap <= TimeSpan.FromMinutes(1),
            $"Scheduler:MinGap: {scheduler.MinGap} must be from 0 to 1 minute");
        Check(scheduler.IndexRebuildInterval >= TimeSpan.Zero && scheduler.IndexRebuildInterval <= TimeSpan.FromDays(1),
            $"Scheduler:IndexRebuildInterval: {scheduler.IndexRebuildInterval} must be from 0 to 1 day");
        var monitoring = settings.Monitoring;
        monitoring.Interval = SampleInterval(monitoring.SampleInterval, problems);
        Check(monitoring.MaxPoints >= 2 && monitoring.MaxPoints <= 100_000,
            $"Monitoring:MaxPoints: {monitoring.MaxPoints} must be from 2 to 100000");
        Check(monitoring.MaxConcurrentSamples >= 1 && monitoring.MaxConcurrentSamples <= 256,
            $"Monitoring:MaxConcurrentSamples: {monitoring.MaxConcurrentSamples} must be from 1 to 256");
        var fairShare = scheduler.FairShare;
        foreach (var (name, value) in new[]
        {
            (nameof(fairShare.WeightAge), fairShare.WeightAge), (nameof(fairShare.WeightFairShareUser), fairShare.WeightFairShareUser),
            (nameof(fairShare.WeightFairShareProject), fairShare.WeightFairShareProject), (nameof(fairShare.WeightJobSize), fairShare.WeightJobSize),
            (nameof(fairShare.WeightUser), fairShare.WeightUser), (nameof(fairShare.WeightProject), fairShare.WeightProject),
            (nameof(fairShare.BillingCpu), fairShare.BillingCpu), (nameof(fairShare.BillingMemoryGib), fairShare.BillingMemoryGib),
            (nameof(fairShare.BillingGpu), fairShare.BillingGpu),
        })
        {
            Check(value >= 0 && value <= 1e9, $"Scheduler:FairShare:{name}: {N(value)} must be from 0 to 1000000000");
        }
        Check(fairShare.DefaultShares > 0 && fairShare.DefaultShares <= 1e6, $"Scheduler:FairShare:DefaultShares: {N(fairShare.DefaultShares)} must be more than 0 and at most 1000000");
        Check(fairShare.MaxAge > TimeSpan.Zero, $"Scheduler:FairShare:MaxAge: {fairShare.MaxAge} must be more than 0");
        Check(fairShare.HalfLife > TimeSpan.Zero, $"Scheduler:FairShare:HalfLife: {fairShare.HalfLife} must be more than 0");

        var quotas = settings.Quotas;
        Check(quotas.CpuHoursWindow > TimeSpan.Zero && quotas.CpuHoursWindow <= TimeSpan.FromDays(3660),
            $"Quotas:CpuHoursWindow: {quotas.CpuHoursWindow} must be more than 0 and at most 3660 days");
        foreach (var (name, quota) in new[] { ("User", quotas.User), ("Project", quotas.Project) })
        {
            var at = $"Quotas:{name}";
            Check(quota.MaxRunningJobs is null or >= 0, $"{at}:MaxRunningJobs: {quota.MaxRunningJobs} must be 0 or more");
            Check(quota.MaxCpus is null or >= 0 and <= 1e9, $"{at}:MaxCpus: {N(quota.MaxCpus ?? 0)} must be from 0 to 1000000000");
            Size($"{at}:MaxMemory", quota.MaxMemory, 0, long.MaxValue / 2, problems);
            Check(quota.MaxGpus is null or >= 0, $"{at}:MaxGpus: {quota.MaxGpus} must be 0 or more");
            Check(quota.MaxCpuHours is null or >= 0 and <= 1e12, $"{at}:MaxCpuHours: {N(quota.MaxCpuHours ?? 0)} must be from 0 to 1000000000000");
            Check(quota.MaxPendingJobs is null or >= 0, $"{at}:MaxPendingJobs: {quota.MaxPendingJobs} must be 0 or more");
        }

        Check(GoDocker.Server.Monitoring.ScrapeToken.IsValidHash(settings.Metrics.TokenSha256),
            "Metrics:TokenSha256: must be the token's SHA-256 as 64 hex digits (printf %s \"$token\" | sha256sum), never the token itself");
        Check(settings.Cluster.LeaseTime >= TimeSpan.FromSeconds(2) && settings.Cluster.LeaseTime <= TimeSpan.FromMinutes(5),
            $"Cluster:LeaseTime: {settings.Cluster.LeaseTime} must be from 2 seconds to 5 minutes");
        var executor = settings.Executor;
        Check(executor.MaxConcurrentLaunches is >= 1 and <= 1000, $"Executor:MaxConcurrentLaunches: {executor.MaxConcurrentLaunches} must be from 1 to 1000");
        Check(executor.LeaseTimeout > TimeSpan.Zero && executor.LeaseTimeout <= TimeSpan.FromDays(1),
            $"Executor:LeaseTimeout: {executor.LeaseTimeout} must be more than 0 and at most 1 day");
        Check(executor.NodeDownAfter >= TimeSpan.FromSeconds(1) && executor.NodeDownAfter <= TimeSpan.FromDays(7),
            $"Executor:NodeDownAfter: {executor.NodeDownAfter} must be from 1 second to 7 days");
        Check(executor.Docker.PidsLimit >= 1, $"Executor:Docker:PidsLimit: {executor.Docker.PidsLimit} must be 1 or more");
        Check(executor.Docker.Cpus is null or > 0 and <= SubmitLimits.CpusCeiling,
            $"Executor:Docker:Cpus: {N(executor.Docker.Cpus ?? 0)} must be more than 0 and at most {N(SubmitLimits.CpusCeiling)}");
        try
        {
            // The nodes' own checks (names, endpoints, sizes, labels, the network), reported with the rest.
            NodesConfiguration.Resolve(settings, "check");
        }
        catch (OptionsValidationException e)
        {
            problems.AddRange(e.Failures.Select(f => f.StartsWith("Nodes:", StringComparison.Ordinal) ? f : $"{e.OptionsName}: {f}"));
        }

        var volumes = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < settings.Volumes.Count; i++)
        {
            var volume = settings.Volumes[i];
            var at = string.Create(CultureInfo.InvariantCulture, $"Volumes:{i}");
            Check(VolumeName().IsMatch(volume.Name), $"{at}:Name: '{volume.Name}' is not 1 to 128 of letters, digits, '.', '_', '-'");
            Check(volume.Name.Length == 0 || volumes.Add(volume.Name), $"{at}:Name: '{volume.Name}' is the name of an earlier volume too");
            Check(volume.HostPath.StartsWith('/') || volume.HostPath.StartsWith('{'), $"{at}:HostPath: '{volume.HostPath}' is not an absolute path (or a {{home}} template)");
            Check(volume.AllowedRoot.StartsWith('/'), $"{at}:AllowedRoot: '{volume.AllowedRoot}' is not an absolute path");
        }

        Check(auth.Provider is AuthOptions.NoAuthentication or LocalAuthProvider.ProviderName or "ldap",
            $"Auth:Provider: '{auth.Provider}' is not one of none, local, ldap");
        Check(auth.TokenLifetime > TimeSpan.Zero && auth.TokenLifetime <= TimeSpan.FromDays(3660),
            $"Auth:TokenLifetime: {auth.TokenLifetime} must be more than 0 and at most 3660 days");
        Check(auth.MaxFailedLogins >= 1, $"Auth:MaxFailedLogins: {auth.MaxFailedLogins} must be 1 or more");
        // Without authentication every request is an admin: on a non-loopback address that is anyone who reaches the
        // port, every job's container through the Docker bridge included.
        Check(!auth.IsNone || auth.AllowNoneOnNetwork || ServerAuthorities.ListensOnLoopbackOnly(server.Listen),
            $"Auth:AllowNoneOnNetwork: Auth:Provider is none (no authentication: every request is an admin) and Server:Listen {server.Listen} "
            + "is not a loopback address, so anyone who reaches it, every job included, would control the server: listen on 127.0.0.1, "
            + "set Auth:Provider to local or ldap, or set Auth:AllowNoneOnNetwork to true to accept that");
        Check(auth.FailedLoginWindow > TimeSpan.Zero && auth.FailedLoginWindow <= TimeSpan.FromDays(1),
            $"Auth:FailedLoginWindow: {auth.FailedLoginWindow} must be more than 0 and at most 1 day");
        Check(auth.FailedLoginBackoff > TimeSpan.Zero && auth.FailedLoginBackoff <= TimeSpan.FromDays(1),
            $"Auth:FailedLoginBackoff: {auth.FailedLoginBackoff} must be more than 0 and at most 1 day");
        if (auth.Provider == "ldap")
        {
            var ldap = configuration.GetSection("Auth:Ldap").Get<LdapOptions>() ?? new LdapOptions();
            problems.AddRange(ldap.Problems().Select(p => $"Auth:Ldap: {p}"));
        }
        CheckNotifications(settings.Notifications, problems);
    }

    private static void CheckNotifications(NotificationOptions notifications, List<string> problems)
    {
        void Check(bool ok, string problem)
        {
            if (!ok)
            {
                problems.Add(problem);
            }
        }
        if (GoDocker.Notifications.MailTypeList.TryParse(notifications.DefaultMailType, out var defaultTypes, out var typeError))
        {
            notifications.DefaultMailTypes = defaultTypes;
        }
        else
        {
            problems.Add($"Notifications:DefaultMailType: {typeError}");
        }
        var smtp = notifications.Smtp;
        Check(smtp.Port is > 0 and < 65536, $"Notifications:Smtp:Port: {smtp.Port} is not a port (1 to 65535)");
        Check(MailAddress.IsValid(smtp.From), $"Notifications:Smtp:From: '{smtp.From}' is not a mail address");
        Check(smtp.PasswordFile is null || File.Exists(smtp.PasswordFile), $"Notifications:Smtp:PasswordFile: {smtp.PasswordFile} does not exist");
        Check(smtp.Password is null || smtp.PasswordFile is null, "Notifications:Smtp: give Password or PasswordFile, not both");
        Check(notifications.MaxAttempts is >= 1 and <= 100, $"Notifications:MaxAttempts: {notifications.MaxAttempts} must be from 1 to 100");
        Check(notifications.MaxWebhooksPerUser is >= 0 and <= 1000, $"Notifications:MaxWebhooksPerUser: {notifications.MaxWebhooksPerUser} must be from 0 to 1000");
        Check(notifications.FirstRetryDelay > TimeSpan.Zero && notifications.FirstRetryDelay <= notifications.MaxRetryDelay,
            $"Notifications:FirstRetryDelay: {notifications.FirstRetryDelay} must be more than 0 and at most MaxRetryDelay ({notifications.MaxRetryDelay})");
        Check(notifications.DeliveryTimeout > TimeSpan.Zero && notifications.DeliveryTimeout <= TimeSpan.FromMinutes(10),
            $"Notifications:DeliveryTimeout: {notifications.DeliveryTimeout} must be more than 0 and at most 10 minutes");
        Check(notifications.PollInterval >= TimeSpan.FromMilliseconds(50) && notifications.PollInterval <= TimeSpan.FromMinutes(10),
            $"Notifications:PollInterval: {notifications.PollInterval} must be from 50 ms to 10 minutes");
        Check(notifications.WebhookSecretFile is null || File.Exists(notifications.WebhookSecretFile),
            $"Notifications:WebhookSecretFile: {notifications.WebhookSecretFile} does not exist");
        for (var i = 0; i < notifications.Webhooks.Count; i++)
        {
            var hook = notifications.Webhooks[i];
            var key = string.Create(CultureInfo.InvariantCulture, $"Notifications:Webhooks:{i}");
            Check(Uri.TryCreate(hook.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https",
                $"{key}:Url: '{hook.Url}' is not an absolute http:// or https:// URL");
            if (GoDocker.Notifications.MailTypeList.TryParse(hook.Events, out var events, out var eventsError))
            {
                hook.Subscribed = events;
            }
            else
            {
                problems.Add($"{key}:Events: {eventsError}");
            }
            Check(hook.SecretFile is not null && File.Exists(hook.SecretFile), $"{key}:SecretFile: '{hook.SecretFile}' is missing or does not exist (a site webhook is always signed)");
        }
        for (var i = 0; i < notifications.UserWebhookUrlPrefixes.Count; i++)
        {
            var prefix = notifications.UserWebhookUrlPrefixes[i];
            Check(Uri.TryCreate(prefix, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.UserInfo.Length == 0,
                string.Create(CultureInfo.InvariantCulture, $"Notifications:UserWebhookUrlPrefixes:{i}: '{prefix}' is not an absolute http:// or https:// URL"));
        }
    }

    /// <summary>A size given as text (512M, 2G); null when absent or bad (then a problem names the key).</summary>
    private static long? Size(string key, string? text, long min, long max, List<string> problems)
    {
        if (text is null)
        {
            return null;
        }
        if (!ByteSize.TryParse(text, out var bytes))
        {
            problems.Add($"{key}: '{text}' is not a size (e.g. 512M, 2G; a bare number is MiB)");
            return null;
        }
        if (bytes < min || bytes > max)
        {
            problems.Add($"{key}: '{text}' must be from {ByteSize.Format(min)} to {ByteSize.Format(max)}");
            return null;
        }
        return bytes;
    }

    /// <summary>A walltime given as text; null when absent or empty (unlimited), or bad (then a problem names the key).</summary>
    /// <summary>Monitoring:SampleInterval: off (or 0) is null; else a duration from 100 ms to 1 hour.</summary>
    private static TimeSpan? SampleInterval(string? text, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Trim() is "0" or "off" or "Off" or "OFF")
        {
            return null;
        }
        if (!Walltime.TryParse(text, out var interval) && !TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out interval))
        {
            problems.Add($"Monitoring:SampleInterval: '{text}' is not a duration (5s, 1m, 00:00:05; 0 or off: no sampling)");
            return null;
        }
        if (interval == TimeSpan.Zero)
        {
            return null;
        }
        if (interval < TimeSpan.FromMilliseconds(100) || interval > TimeSpan.FromHours(1))
        {
            problems.Add($"Monitoring:SampleInterval: '{text}' must be from 100 ms to 1 hour (0 or off: no sampling)");
            return null;
        }
        return interval;
    }

    private static TimeSpan? Duration(string key, string? text, List<string> problems)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (!Walltime.TryParse(text, out var walltime))
        {
            problems.Add($"{key}: '{text}' is not a duration (minutes, HH:MM:SS, D-HH:MM:SS, or 90s/15m/2h/1d; empty: unlimited)");
            return null;
        }
        if (walltime > SubmitLimits.WalltimeCeiling)
        {
            problems.Add($"{key}: '{text}' is above the longest walltime, {Walltime.Format(SubmitLimits.WalltimeCeiling)}");
            return null;
        }
        return walltime;
    }
}
