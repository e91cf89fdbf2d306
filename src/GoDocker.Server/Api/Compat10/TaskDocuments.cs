using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GoDocker.Execution;
using GoDocker.Jobs;
using GoDocker.Usage;

namespace GoDocker.Server.Api.Compat10;

/// <summary>
/// The original GoDocker 1.0 task document and today's jobs (docs/notes/godocker10-design.md §2, §4): pure functions,
/// no I/O. A posted document becomes a <see cref="JobSpec"/> for <see cref="UseCases.JobSubmission"/> (every field
/// mapped, ignored or refused by name); a job becomes the document godjob and Galaxy's runner read.
/// </summary>
internal static partial class TaskDocuments
{
    /// <summary>
    /// The label keeping a document's meta.tags as sent when some are not tags of today (Galaxy tags a job with its tool
    /// id, a toolshed path with '/'; godbatch with "batch:NAME"): the valid ones stay tags, the list is echoed back whole.
    /// </summary>
    public const string TagsLabel = "api10.tags";

    /// <summary>The synthetic volume Galaxy's runner reads god.log/god.err from (§2.2): the job directory.</summary>
    public const string JobVolume = "go-docker";
    public const string JobMount = "/godocker/job";

    private static readonly Dictionary<string, HashSet<string>> Known = new()
    {
        [""] = ["user", "date", "meta", "requirements", "container", "command", "status", "notify", "id"],
        ["user"] = ["id", "uid", "gid", "project"],
        ["meta"] = ["name", "description", "tags"],
        ["requirements"] = ["cpu", "ram", "gpus", "array", "label", "failure_policy", "tasks", "tmpstorage", "executor", "ports", "uris", "network"],
        ["container"] = ["image", "volumes", "network", "id", "meta", "stats", "ports", "root"],
        ["command"] = ["interactive", "cmd"],
        ["notify"] = ["email"],
    };

    /// <summary>The 1.0 document as a job request, or the refusals by field path (nothing is submitted then).</summary>
    public static (JobSpec? Spec, IReadOnlyDictionary<string, string[]> Errors) Read(JsonNode? body, string caller)
    {
        var errors = new Dictionary<string, string[]>();
        void Refuse(string field, string message) => errors[field] = [message];
        if (body is not JsonObject root)
        {
            Refuse("body", "a JSON object (the task document) is required");
            return (null, errors);
        }
        foreach (var (section, fields) in Known)
        {
            var obj = section.Length == 0 ? root : root[section] as JsonObject;
            if (section.Length > 0 && root[section] is { } present && present is not JsonObject)
            {
                Refuse(section, "must be an object");
                continue;
            }
            foreach (var (key, _) in obj ?? [])
            {
                if (!fields.Contains(key))
                {
                    Refuse(section.Length == 0 ? key : $"{section}.{key}", "not a field of the GoDocker 1.0 task document");
                }
            }
        }
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var user = root["user"] as JsonObject;
        var meta = root["meta"] as JsonObject;
        var req = root["requirements"] as JsonObject;
        var container = root["container"] as JsonObject;
        var command = root["command"] as JsonObject;
        var notify = root["notify"] as JsonObject;

        if (Text(user?["id"], "user.id", errors) is { Length: > 0 } owner && owner != caller)
        {
            Refuse("user.id", $"a task is submitted as its caller ({caller}), not as {owner}");
        }
        var project = Text(user?["project"], "user.project", errors);

        var name = Text(meta?["name"], "meta.name", errors);
        var description = Text(meta?["description"], "meta.description", errors);
        var tags = Strings(meta?["tags"], "meta.tags", errors);

        var cpu = Number(req?["cpu"], "requirements.cpu", errors);
        var ram = Number(req?["ram"], "requirements.ram", errors);
        if (ram is <= 0)
        {
            Refuse("requirements.ram", "must be a positive number of GB");
        }
        var gpus = Number(req?["gpus"], "requirements.gpus", errors);
        if (gpus is { } g && (g < 0 || g != Math.Floor(g) || g > int.MaxValue))
        {
            Refuse("requirements.gpus", "must be a whole number of GPUs");
        }
        var labels = Strings(req?["label"], "requirements.label", errors);
        var parents = Ids(req?["tasks"], "requirements.tasks", errors);
        var failurePolicy = Number(req?["failure_policy"], "requirements.failure_policy", errors);
        string? array = null;
        if (req?["array"] is { } arrayNode && arrayNode is not JsonObject && arrayNode.GetValueKind() != JsonValueKind.Null)
        {
            Refuse("requirements.array", "must be an object {\"values\": \"start:stop:step\"}");
        }
        else if (Text(req?["array"]?["values"], "requirements.array.values", errors) is { Length: > 0 } values)
        {
            var parts = values.Split(':');
            if (parts.Length is < 2 or > 3 || parts.Any(p => !int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                Refuse("requirements.array.values", $"'{values}' is not start:stop or start:stop:step");
            }
            else
            {
                array = parts.Length == 2 ? $"{parts[0]}-{parts[1]}" : $"{parts[0]}-{parts[1]}:{parts[2]}";
            }
        }
        RefuseIfSet(req?["tmpstorage"], "requirements.tmpstorage", "local scratch storage is not offered", errors);
        RefuseIfSet(req?["executor"], "requirements.executor", "the site places jobs; there is no per-task executor", errors);
        RefuseIfSet(req?["ports"], "requirements.ports", "no port is published; use godocker exec", errors);
        RefuseIfSet(req?["uris"], "requirements.uris", "no uri list is offered", errors);
        RefuseIfSet(req?["network"], "requirements.network", "per-task networks are not offered", errors);

        var image = Text(container?["image"], "container.image", errors);
        var root_ = Bool(container?["root"], "container.root", errors);
        var network = Bool(container?["network"], "container.network", errors);
        RefuseIfSet(container?["ports"], "container.ports", "no port is published; use godocker exec", errors);
        var volumes = new List<string>();
        if (container?["volumes"] is JsonArray vols)
        {
            for (var i = 0; i < vols.Count; i++)
            {
                var path = $"container.volumes[{i}]";
                if (vols[i] is not JsonObject v || Text(v["name"], path + ".name", errors) is not { Length: > 0 } volume)
                {
                    Refuse(path, "must be an object with a name");
                    continue;
                }
                var acl = Text(v["acl"], path + ".acl", errors);
                if (acl is not (null or "" or "rw" or "ro"))
                {
                    Refuse(path + ".acl", "rw or ro");
                }
                // The job directory itself, echoed back by a client that copied a document it read: not a site volume.
                if (volume != JobVolume)
                {
                    volumes.Add(acl == "ro" ? volume + ":ro" : volume);
                }
            }
        }
        else if (container?["volumes"] is { } notArray && notArray.GetValueKind() != JsonValueKind.Null)
        {
            Refuse("container.volumes", "must be a list of {\"name\", \"acl\"}");
        }

        var cmd = Text(command?["cmd"], "command.cmd", errors);
        if (Bool(command?["interactive"], "command.interactive", errors) == true)
        {
            Refuse("command.interactive", "interactive tasks (ssh to a published port) are not offered; use godocker run -it");
        }
        if (string.IsNullOrWhiteSpace(cmd) && !errors.ContainsKey("command.cmd"))
        {
            Refuse("command.cmd", "the command to run is required");
        }
        var email = Bool(notify?["email"], "notify.email", errors);

        var labelsOut = new Dictionary<string, string>();
        if (!string.IsNullOrEmpty(description))
        {
            labelsOut["description"] = description;
        }
        if (tags is not null && tags.Any(t => !Tag().IsMatch(t)))
        {
            var kept = new JsonArray([.. tags.Select(t => (JsonNode?)JsonValue.Create(t))]).ToJsonString();
            if (kept.Length > 1024 || tags.Any(t => t.Any(char.IsControl)))
            {
                Refuse("meta.tags", "tags are printable, and all of them together up to 1024 characters");
            }
            labelsOut[TagsLabel] = kept;
            tags = [.. tags.Where(t => Tag().IsMatch(t))];
        }
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        return (new JobSpec
        {
            Name = string.IsNullOrEmpty(name) ? null : name,
            Script = cmd,
            Image = string.IsNullOrEmpty(image) ? null : image,
            Cpus = cpu,
            Memory = ram is { } r ? Memory(r) : null,
            Gpus = gpus is { } gg ? (int)gg : null,
            Tags = tags is { Count: > 0 } ? tags : null,
            Labels = labelsOut.Count > 0 ? labelsOut : null,
            Project = string.IsNullOrEmpty(project) ? null : project,
            Constraints = labels is { Count: > 0 } ? labels : null,
            Dependency = parents is { Count: > 0 } ? "afterany:" + string.Join(':', parents) : null,
            Array = array,
            Requeue = failurePolicy is { } f ? f >= 1 : null,
            Root = root_,
            Network = network == false ? "none" : null,
            Volumes = volumes.Count > 0 ? volumes : null,
            MailType = email is { } e ? (e ? "ALL" : "NONE") : null,
        }, errors);
    }

    /// <summary>GB as 1.0 counted them, in the unit today's sizes take: whole GiB, else MiB.</summary>
    internal static string Memory(double gigabytes) =>
        gigabytes == Math.Floor(gigabytes)
            ? ((long)gigabytes).ToString(CultureInfo.InvariantCulture) + "G"
            : ((long)Math.Ceiling(gigabytes * 1024)).ToString(CultureInfo.InvariantCulture) + "M";

    /// <summary>The 1.0 status of a job (§4): every terminal state is "over", which is what both clients wait for.</summary>
    public static TaskStatus Status(Job job)
    {
        var endedCode = job.State switch
        {
            JobState.Succeeded => 0,
            JobState.Rejected => 1,
            JobState.Killed => job.ExitCode,
            JobState.Failed or JobState.Archived => job.EndCause switch
            {
                EndCause.Exited => job.ExitCode ?? (job.State == JobState.Archived ? null : 1),
                EndCause.OutOfMemory or EndCause.StopRequested or EndCause.Walltime => job.ExitCode ?? 137,
                null => job.ExitCode,
                _ => job.ExitCode ?? 1,
            },
            _ => null,
        };
        var killedEnd = job.State == JobState.Killed
            || (job.State is JobState.Failed or JobState.Archived && job.EndCause is EndCause.StopRequested or EndCause.Walltime);
        return job.State switch
        {
            JobState.Pending or JobState.Scheduled =>
                new TaskStatus("pending", job.StopRequested is not null ? "kill requested" : null, null, null, null, job.Reason, null),
            JobState.Running =>
                new TaskStatus("running", job.StopRequested is not null ? "kill requested" : null, null, Unix(job.StartedAt), null, job.Reason, null),
            JobState.Suspended =>
                new TaskStatus("running", job.StopRequested is not null ? "kill requested" : "suspended", null, Unix(job.StartedAt), null, job.Reason, null),
            // date_running on every ended job, even one that never ran: godjob create --wait stops only when it is present.
            _ => new TaskStatus("over", job.State == JobState.Rejected ? "rejected" : killedEnd ? "killed" : null, endedCode,
                Unix(job.StartedAt ?? job.EndedAt), Unix(job.EndedAt), job.Reason, job.EndCause is { } cause ? Wire(cause) : null),
        };
    }

    /// <summary>The task document of a job (§2.2): the fields the clients index, with today's values.</summary>
    public static JsonObject Document(Job job, string jobDirectory)
    {
        var spec = job.Spec;
        var status = Status(job);
        var volumes = new JsonArray();
        foreach (var mount in spec.Mounts)
        {
            volumes.Add(new JsonObject
            {
                ["name"] = mount.Name, ["path"] = mount.HostPath, ["mount"] = mount.ContainerPath, ["acl"] = mount.ReadOnly ? "ro" : "rw",
            });
        }
        volumes.Add(new JsonObject { ["name"] = JobVolume, ["path"] = jobDirectory, ["mount"] = JobMount, ["acl"] = "rw" });
        JsonObject? containerMeta = null;
        if (job.Node is { } node && (job.StartedAt is not null || job.ContainerId is not null))
        {
            containerMeta = new JsonObject { ["Node"] = new JsonObject { ["Name"] = node } };
            if (status.Primary == "over")
            {
                containerMeta["State"] = new JsonObject { ["ExitCode"] = status.ExitCode };
            }
        }
        var statusObject = new JsonObject
        {
            ["primary"] = status.Primary,
            ["secondary"] = status.Secondary,
            ["exitcode"] = status.ExitCode,
            ["date_over"] = status.DateOver,
        };
        if (status.DateRunning is { } running)
        {
            statusObject["date_running"] = running;
        }
        statusObject["reason"] = status.Reason;
        statusObject["end_cause"] = status.EndCause;
        var document = new JsonObject
        {
            ["id"] = job.Id,
            ["user"] = new JsonObject
            {
                ["id"] = job.Owner, ["project"] = spec.Project, ["uid"] = spec.RunAs?.Uid, ["gid"] = spec.RunAs?.Gid,
            },
            ["date"] = Unix(job.SubmittedAt),
            ["meta"] = new JsonObject
            {
                ["name"] = spec.Name,
                ["description"] = spec.Labels.GetValueOrDefault("description") ?? "",
                ["tags"] = new JsonArray([.. Tags(spec).Select(t => (JsonNode?)JsonValue.Create(t))]),
            },
            ["requirements"] = new JsonObject
            {
                ["cpu"] = spec.Cpus,
                ["ram"] = spec.MemoryBytes / (double)(1L << 30),
                ["gpus"] = spec.Gpus,
                ["tasks"] = new JsonArray([.. spec.Dependencies.Select(d => (JsonNode?)JsonValue.Create(d.JobId.ToString(CultureInfo.InvariantCulture)))]),
                ["array"] = new JsonObject
                {
                    ["values"] = spec.Task is { } task ? $"{task.First}:{task.Last}:{task.Step}" : null,
                },
                ["label"] = new JsonArray([.. spec.Constraints.Select(c => (JsonNode?)JsonValue.Create(c.ToString()))]),
                ["tmpstorage"] = null,
            },
            ["container"] = new JsonObject
            {
                ["image"] = spec.Image,
                ["root"] = spec.Root,
                ["network"] = !spec.NoNetwork,
                ["volumes"] = volumes,
                ["meta"] = containerMeta,
                ["ports"] = new JsonArray(),
            },
            ["command"] = new JsonObject { ["interactive"] = false, ["cmd"] = spec.Script ?? string.Join(' ', spec.Command ?? []) },
            ["status"] = statusObject,
        };
        if (job.ArrayId is { } parent)
        {
            document["parent_task_id"] = parent;
        }
        return document;
    }

    /// <summary>meta.tags as the client sent them (kept in <see cref="TagsLabel"/> when some are no tags of today), else today's tags.</summary>
    public static IReadOnlyList<string> Tags(ResolvedJobSpec spec) =>
        spec.Labels.TryGetValue(TagsLabel, out var sent) && JsonNode.Parse(sent) is JsonArray original
            ? [.. original.Select(t => t?.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : "")]
            : spec.Tags;

    /// <summary>
    /// The 1.0 parent document of an array (§2.4), named by its first task's id: requirements.array.values, the tasks'
    /// ids in requirements.array.tasks, and one status over them: over when every task ended (exit code 0 when all
    /// succeeded, else the first failed task's), running while any runs, else pending.
    /// </summary>
    public static JsonObject ArrayDocument(Job first, IReadOnlyList<Job> tasks, string jobDirectory)
    {
        var document = Document(first, jobDirectory);
        document.Remove("parent_task_id");
        var ordered = tasks.OrderBy(t => t.Id).ToList();
        var statuses = ordered.Select(Status).ToList();
        var over = statuses.All(s => s.Primary == "over");
        var array = document["requirements"]!["array"]!.AsObject();
        array["tasks"] = new JsonArray([.. ordered.Select(t => (JsonNode?)JsonValue.Create(t.Id))]);
        array["nb_tasks"] = ordered.Count;
        array["nb_tasks_over"] = statuses.Count(s => s.Primary == "over");
        var status = new JsonObject
        {
            ["primary"] = over ? "over" : statuses.Any(s => s.Primary == "running") ? "running" : "pending",
            ["secondary"] = statuses.Any(s => s.Secondary == "kill requested") ? "kill requested"
                : over && statuses.Any(s => s.Secondary == "killed") ? "killed" : null,
            // The first task that did not succeed says the code (null when it never ran), as its own document does.
            ["exitcode"] = !over ? null : statuses.FirstOrDefault(s => s.ExitCode is not 0) is { } failed ? failed.ExitCode : 0,
            ["date_over"] = over ? statuses.Max(s => s.DateOver) : null,
        };
        if (statuses.Where(s => s.DateRunning is not null).Select(s => s.DateRunning).Min() is { } running)
        {
            status["date_running"] = running;
        }
        status["reason"] = $"{array["nb_tasks_over"]} of {ordered.Count} tasks over";
        status["end_cause"] = null;
        document["status"] = status;
        if (document["container"]!["meta"] is JsonObject meta && !over)
        {
            meta.Remove("State");
        }
        return document;
    }

    /// <summary>
    /// 1.0's user usage: its quotas as the scheduler applies them, null where there is none: quota_cpu in cpus, quota_ram
    /// in GiB, quota_time in cpu-seconds of the window (today's cpu-hours quota), prio not kept per user (null).
    /// </summary>
    public static JsonObject Usage(Quota quota) => new()
    {
        ["quota_cpu"] = quota.MaxCpus,
        ["quota_ram"] = quota.MaxMemoryBytes is { } bytes ? bytes / (double)(1L << 30) : null,
        ["quota_time"] = quota.MaxCpuHours is { } hours ? hours * 3600 : null,
        ["quota_gpus"] = quota.MaxGpus,
        ["prio"] = null,
    };

    /// <summary>
    /// goduser's usage rows (<c>[{"date": "YYYY_MM_DD", "ram", "cpu", "time"}]</c>, oldest day first): attempts summed
    /// per UTC day of their end; time in seconds from start to end, cpu in allocated cpu-seconds, ram in allocated
    /// GiB-hours (the original's units were not documented: these are ours, and README says so).
    /// </summary>
    public static IEnumerable<JsonObject> UsagePerDay(IEnumerable<AccountingRecord> records) =>
        records.GroupBy(r => r.EndedAt.UtcDateTime.Date).OrderBy(g => g.Key).Select(day => new JsonObject
        {
            ["date"] = day.Key.ToString("yyyy_MM_dd", CultureInfo.InvariantCulture),
            ["ram"] = Math.Round(day.Sum(r => r.MemoryBytes / (double)(1L << 30) * r.Elapsed.TotalHours), 6),
            ["cpu"] = Math.Round(day.Sum(r => r.Cpus * r.Elapsed.TotalSeconds), 3),
            ["time"] = Math.Round(day.Sum(r => r.Elapsed.TotalSeconds), 3),
        });

    /// <summary>Today's tag syntax (JobSpecValidator's token).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}\z")]
    private static partial System.Text.RegularExpressions.Regex Tag();

    /// <summary>Unix seconds as a float, as 1.0's clients give to datetime.fromtimestamp.</summary>
    internal static double? Unix(DateTimeOffset? at) => at is { } t ? t.ToUnixTimeMilliseconds() / 1000.0 : null;

    private static string Wire(EndCause cause) => JsonNamingPolicy.SnakeCaseLower.ConvertName(cause.ToString());

    private static bool IsEmpty(JsonNode? node) => node is null
        || node.GetValueKind() is JsonValueKind.Null or JsonValueKind.False
        || (node is JsonArray { Count: 0 }) || (node is JsonObject { Count: 0 })
        || (node.GetValueKind() == JsonValueKind.String && node.GetValue<string>().Length == 0);

    private static void RefuseIfSet(JsonNode? node, string field, string message, Dictionary<string, string[]> errors)
    {
        if (!IsEmpty(node))
        {
            errors[field] = [message];
        }
    }

    private static string? Text(JsonNode? node, string field, Dictionary<string, string[]> errors)
    {
        if (node is null || node.GetValueKind() == JsonValueKind.Null)
        {
            return null;
        }
        if (node.GetValueKind() != JsonValueKind.String)
        {
            errors[field] = ["must be a string"];
            return null;
        }
        return node.GetValue<string>();
    }

    private static double? Number(JsonNode? node, string field, Dictionary<string, string[]> errors)
    {
        if (node is null || node.GetValueKind() == JsonValueKind.Null)
        {
            return null;
        }
        // A number too large for a double (1e400) is no number here either.
        if (node.GetValueKind() != JsonValueKind.Number || !node.AsValue().TryGetValue<double>(out var number) || !double.IsFinite(number))
        {
            errors[field] = ["must be a number"];
            return null;
        }
        return number;
    }

    private static bool? Bool(JsonNode? node, string field, Dictionary<string, string[]> errors)
    {
        // 1.0 documents carry 0/1 as often as booleans (Python truthiness): both are read.
        switch (node?.GetValueKind())
        {
            case null or JsonValueKind.Null:
                return null;
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Number when node.AsValue().TryGetValue<double>(out var number) && number is 0 or 1:
                return number == 1;
            default:
                errors[field] = ["must be true or false"];
                return null;
        }
    }

    private static List<string>? Strings(JsonNode? node, string field, Dictionary<string, string[]> errors)
    {
        if (node is null || node.GetValueKind() == JsonValueKind.Null)
        {
            return null;
        }
        if (node is not JsonArray list || list.Any(e => e?.GetValueKind() != JsonValueKind.String))
        {
            errors[field] = ["must be a list of strings"];
            return null;
        }
        return [.. list.Select(e => e!.GetValue<string>())];
    }

    /// <summary>Parent task ids: godjob sends them as strings, a script may send numbers.</summary>
    private static List<long>? Ids(JsonNode? node, string field, Dictionary<string, string[]> errors)
    {
        if (node is null || node.GetValueKind() == JsonValueKind.Null)
        {
            return null;
        }
        var ids = new List<long>();
        foreach (var item in node as JsonArray ?? [node])
        {
            var text = item?.GetValueKind() switch
            {
                JsonValueKind.String => item.GetValue<string>(),
                JsonValueKind.Number => item.ToJsonString(),
                _ => null,
            };
            if (node is not JsonArray || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
            {
                errors[field] = ["must be a list of task ids"];
                return null;
            }
            ids.Add(id);
        }
        return ids;
    }
}

/// <summary>A job's 1.0 status: primary pending/running/over, secondary (suspended, killed, kill requested…), times in Unix seconds.</summary>
internal sealed record TaskStatus(string Primary, string? Secondary, int? ExitCode, double? DateRunning, double? DateOver, string? Reason, string? EndCause);
