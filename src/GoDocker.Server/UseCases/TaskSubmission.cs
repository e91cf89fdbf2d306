using GoDocker.Access;
using GoDocker.Contracts.Tes;
using GoDocker.Jobs;
using GoDocker.Server.Configuration;
using GoDocker.Tes;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.UseCases;

/// <summary>
/// Creating a GA4GH TES task for a caller: the task read into one job (<see cref="TesTaskReader"/>: its URLs matched
/// to the volumes granted to the caller, its runner generated), then submitted through <see cref="JobSubmission"/>
/// like any job — rights, quotas, pending limit, volumes and run-as are never decided here. The outcome's field names
/// are TES's (<c>resources.cpu_cores</c>, <c>executors[0].image</c>, <c>inputs[2].url</c>), so a client reads which
/// member of its own document was refused.
/// </summary>
public sealed class TaskSubmission(JobSubmission submission, IOptions<GoDockerOptions> options)
{
    public async Task<SubmitOutcome> SubmitAsync(Caller caller, TesTask task, CancellationToken cancellationToken)
    {
        var site = options.Value;
        var project = task.Resources?.BackendParameters?
            .FirstOrDefault(p => string.Equals(p.Key, "project", StringComparison.OrdinalIgnoreCase)).Value ?? Project.Default;
        var runAs = await submission.RunAsAsync(caller, cancellationToken);
        var read = TesTaskReader.Read(task, Granted(caller, runAs, project), new TesLimits
        {
            MaxContentBytes = site.Tes.MaxContentBytes,
            ZoneLabel = site.Tes.ZoneLabel,
            MaxJobDirectoryBytes = site.Jobs.Parsed.MaxJobDirectoryBytes,
        });
        if (!read.IsValid)
        {
            return new SubmitOutcome.Invalid(read.Errors);
        }
        var spec = read.Spec! with { Script = RunnerScript.Generate(read.Plan!) };
        return await submission.SubmitAsync(caller, spec, key: null, cancellationToken) switch
        {
            SubmitOutcome.Invalid invalid => new SubmitOutcome.Invalid(invalid.Errors
                .GroupBy(e => TesField(e.Key, task, read))
                .ToDictionary(g => g.Key, g => g.SelectMany(e => e.Value).ToArray(), StringComparer.Ordinal)),
            SubmitOutcome.Forbidden forbidden => forbidden with { Field = TesField(forbidden.Field, task, read, forbidden.Reason) },
            var outcome => outcome,
        };
    }

    /// <summary>The volumes the caller may mount for a job charged to <paramref name="project"/>, as their mounts would be.</summary>
    private List<Mount> Granted(Caller caller, UserIdentity runAs, string project)
    {
        var rules = options.Value.Volumes.Select(v => v.ToRule()).ToList();
        var mounts = new List<Mount>();
        foreach (var offer in VolumePolicy.Offered(rules, caller))
        {
            if (offer.Projects.Count > 0 && !offer.Projects.Contains(project))
            {
                continue;
            }
            var (planned, refusal) = VolumePolicy.Plan([offer.Name], rules, caller, runAs, project, root: false);
            if (refusal is null)
            {
                mounts.AddRange(planned);
            }
        }
        return mounts;
    }

    /// <summary>The TES member a job field came from.</summary>
    private static string TesField(string jobField, TesTask task, TesRead read, string? reason = null)
    {
        var dot = jobField.IndexOf('.');
        var (head, rest) = dot < 0 ? (jobField, "") : (jobField[..dot], jobField[dot..]);
        return head switch
        {
            "name" => "name",
            "image" => "executors[0].image",
            "cpus" => "resources.cpu_cores",
            "memory" => "resources.ram_gb",
            "labels" => "tags" + rest,
            "project" or "walltime" or "gpus" or "network" or "requeue" => $"resources.backend_parameters.{head}",
            "constraints" => task.Resources?.Zones is { Count: > 0 } ? "resources.zones" : "resources.backend_parameters.constraints",
            "volumes" => VolumeField(read, reason),
            "script" => "inputs",
            _ => jobField,
        };
    }

    /// <summary>The member that made the volume a refusal names ("volume 'data' …"); else the backend parameter.</summary>
    private static string VolumeField(TesRead read, string? reason) =>
        reason is not null && System.Text.RegularExpressions.Regex.Match(reason, "volume '([^']+)'") is { Success: true } m
            && read.VolumeFields.TryGetValue(m.Groups[1].Value, out var field)
            ? field
            : "resources.backend_parameters.volumes";
}
