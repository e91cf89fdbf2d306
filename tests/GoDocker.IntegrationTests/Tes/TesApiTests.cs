using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;
using GoDocker.Tes;

namespace GoDocker.IntegrationTests.Tes;

/// <summary>
/// GA4GH TES 1.1 under /ga4gh/tes/v1 against a real server and engine, field by field: tasks are posted as the raw
/// JSON a client sends (snake_case, as the specification spells it), and each answer is checked on the wire and in
/// what it did (the job, the files in the volume).
/// </summary>
public sealed class TesApiTests(TesApiTests.TesSite site) : IClassFixture<TesApiTests.TesSite>
{
    /// <summary>One server for the class, with the granted volumes "data" (the same path on the host and in the container, as a shared filesystem is) and "ref" (read-only).</summary>
    public sealed class TesSite : IAsyncLifetime
    {
        public string Root { get; } = Directory.CreateTempSubdirectory("godocker-tesapi-").FullName;
        public ServerProcess Server { get; private set; } = null!;

        public string Data => Path.Combine(Root, "data");

        public string Reference => Path.Combine(Root, "ref");

        public async Task InitializeAsync()
        {
            // Jobs of the no-authentication mode run as nobody: the folders are open to it, as a user's own would be.
            foreach (var dir in new[] { Data, Reference, Path.Combine(Data, "results") })
            {
                Directory.CreateDirectory(dir);
                File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
            }
            await File.WriteAllTextAsync(Path.Combine(Data, "input.txt"), "from the volume\n");
            await File.WriteAllTextAsync(Path.Combine(Reference, "genome.fa"), ">chr1\nACGT\n");
            Directory.CreateDirectory(Path.Combine(Data, "dir", "sub"));
            await File.WriteAllTextAsync(Path.Combine(Data, "dir", "a.txt"), "a");
            await File.WriteAllTextAsync(Path.Combine(Data, "dir", "sub", "b.txt"), "bb");
            Server = await ServerProcess.StartAsync(new Dictionary<string, string>
            {
                ["Volumes:0:Name"] = "data",
                ["Volumes:0:HostPath"] = Data,
                ["Volumes:0:ContainerPath"] = Data,
                ["Volumes:0:AllowedRoot"] = Root,
                ["Volumes:1:Name"] = "ref",
                ["Volumes:1:HostPath"] = Reference,
                ["Volumes:1:ContainerPath"] = "/ref",
                ["Volumes:1:Mode"] = "ro",
                ["Volumes:1:AllowedRoot"] = Root,
            });
        }

        public async Task DisposeAsync()
        {
            await Server.DisposeAsync();
            Directory.Delete(Root, recursive: true);
        }
    }

    private ServerProcess server => site.Server;

    private string Data => site.Data;

    private string Reference => site.Reference;

    private HttpClient Http => server.Api.Http;

    private async Task<HttpResponseMessage> PostAsync(string json) =>
        await Http.PostAsync("/ga4gh/tes/v1/tasks", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

    private async Task<string> CreateAsync(string json)
    {
        using var response = await PostAsync(json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var created = JsonNode.Parse(body)!.AsObject();
        // Exactly {"id": "..."}: strict clients take no other member.
        Assert.Equal(["id"], created.Select(p => p.Key));
        return created["id"]!.GetValue<string>();
    }

    private async Task<JsonObject> GetAsync(string id, string view = "FULL") =>
        JsonNode.Parse(await Http.GetStringAsync($"/ga4gh/tes/v1/tasks/{id}?view={view}"))!.AsObject();

    private async Task<JsonObject> WaitEndAsync(string id)
    {
        await server.Api.WaitEndAsync(long.Parse(id, CultureInfo.InvariantCulture), TimeSpan.FromMinutes(2));
        return await GetAsync(id);
    }

    private static string Json(object value) => JsonSerializer.Serialize(value);

    private async Task<JsonObject> ProblemAsync(string json, HttpStatusCode status)
    {
        using var response = await PostAsync(json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    private static string[] ErrorKeys(JsonObject problem) =>
        [.. problem["errors"]?.AsObject().Select(e => e.Key) ?? (problem["field"] is { } f ? [f.GetValue<string>()] : [])];

    [Fact]
    public async Task ServiceInfo_IsAnonymous_AndNamesTheBackendParameters()
    {
        using var anonymous = new HttpClient { BaseAddress = server.BaseUrl };
        var info = JsonNode.Parse(await anonymous.GetStringAsync("/ga4gh/tes/v1/service-info"))!;

        Assert.Equal("org.ga4gh", info["type"]!["group"]!.GetValue<string>());
        Assert.Equal("tes", info["type"]!["artifact"]!.GetValue<string>());
        Assert.Equal("1.1.0", info["type"]!["version"]!.GetValue<string>());
        Assert.Equal("GoDocker", info["name"]!.GetValue<string>());
        Assert.NotNull(info["organization"]!["name"]);
        Assert.Equal(["project", "walltime", "gpus", "constraints", "network", "requeue", "volumes"],
            info["tesResources_backend_parameters"]!.AsArray().Select(p => p!.GetValue<string>()));
        // Authenticated (the no-auth mode's local user), storage lists where their files may be.
        var mine = JsonNode.Parse(await Http.GetStringAsync("/ga4gh/tes/v1/service-info"))!;
        Assert.Contains("file://" + Data, mine["storage"]!.AsArray().Select(s => s!.GetValue<string>()));
    }

    [Fact]
    public async Task ATask_StagesInputs_RunsItsExecutorsInOrder_AndStagesOutputsIntoTheVolume()
    {
        var hostile = "it's \"$(touch " + Data + "/pwned)\" `id` $HOME\nline two\\n";
        var id = await CreateAsync(Json(new
        {
            name = "tes-full",
            description = "every file kind",
            tags = new Dictionary<string, string> { ["run"] = "7", ["kind"] = "test" },
            inputs = new object[]
            {
                new { path = "/work/content.txt", content = hostile },
                new { url = "file://" + Data + "/input.txt", path = "/inputs/input.txt" },
                new { url = Data + "/dir", path = "/inputs/dir", type = "DIRECTORY" },
                new { url = "file:///ref/genome.fa".Replace("/ref", Reference, StringComparison.Ordinal), path = "/inputs/genome.fa", streamable = true },
            },
            outputs = new object[]
            {
                new { path = "/work/out.txt", url = "file://" + Data + "/results/out.txt" },
                new { path = "/work/many/*.csv", path_prefix = "/work/many/", url = "file://" + Data + "/results/csv" },
                new { path = "/work/tree", url = Data + "/results/tree", type = "DIRECTORY" },
            },
            resources = new { cpu_cores = 1, ram_gb = 0.125 },
            executors = new object[]
            {
                new
                {
                    image = "godocker/busybox:latest",
                    command = new[] { "sh", "-c", "cat content.txt /inputs/input.txt > out.txt; ls /inputs/dir/sub; cat /inputs/genome.fa; echo \"A=$A\"; echo to-err >&2" },
                    workdir = "/work",
                    env = new Dictionary<string, string> { ["A"] = "b c" },
                },
                new { image = "godocker/busybox:latest", command = new[] { "sh", "-c", "exit 3" }, ignore_error = true },
                new
                {
                    image = "godocker/busybox:latest",
                    command = new[] { "sh", "-c", "mkdir -p /work/many /work/tree/x && echo 1 > /work/many/a.csv && echo 22 > /work/many/b.csv && echo t > /work/tree/x/t.txt && tr a-z A-Z" },
                    stdin = "/inputs/input.txt",
                    stdout = Data + "/results/upper.txt",
                },
            },
        }));

        var task = await WaitEndAsync(id);
        var job = await server.Api.GetAsync(long.Parse(id, CultureInfo.InvariantCulture));

        Assert.Equal("COMPLETE", task["state"]!.GetValue<string>());
        Assert.Equal(hostile + "from the volume\n", await File.ReadAllTextAsync(Path.Combine(Data, "results", "out.txt")));
        Assert.False(File.Exists(Path.Combine(Data, "pwned")), "content was run as shell");
        Assert.Equal("1\n", await File.ReadAllTextAsync(Path.Combine(Data, "results", "csv", "a.csv")));
        Assert.Equal("22\n", await File.ReadAllTextAsync(Path.Combine(Data, "results", "csv", "b.csv")));
        Assert.Equal("t\n", await File.ReadAllTextAsync(Path.Combine(Data, "results", "tree", "x", "t.txt")));
        // The job is a GoDocker job like any: its resources, its reserved tag, the task's tags as labels.
        Assert.Contains("tes:task", job.Tags!);
        Assert.Equal(1, job.Cpus);
        Assert.Equal("tes-full", job.Name);
        Assert.Equal(JobState.Succeeded, job.State);

        var log = task["logs"]!.AsArray().Single()!;
        var executors = log["logs"]!.AsArray();
        Assert.Equal([0, 3, 0], executors.Select(e => e!["exit_code"]!.GetValue<int>()));
        var first = executors[0]!;
        Assert.Contains("b.txt", first["stdout"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(">chr1", first["stdout"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("A=b c", first["stdout"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("to-err\n", first["stderr"]!.GetValue<string>());
        // In order: each executor started after the previous one ended.
        var times = executors.Select(e => (Start: DateTimeOffset.Parse(e!["start_time"]!.GetValue<string>(), CultureInfo.InvariantCulture),
            End: DateTimeOffset.Parse(e["end_time"]!.GetValue<string>(), CultureInfo.InvariantCulture))).ToList();
        Assert.True(times[1].Start >= times[0].End && times[2].Start >= times[1].End, string.Join(", ", times));
        var outputs = log["outputs"]!.AsArray().Select(o => (Url: o!["url"]!.GetValue<string>(), Size: o["size_bytes"]!.GetValue<string>())).ToList();
        Assert.Contains(("file://" + Data + "/results/out.txt", (System.Text.Encoding.UTF8.GetByteCount(hostile) + 16).ToString(CultureInfo.InvariantCulture)), outputs);
        Assert.Contains(outputs, o => o.Url.EndsWith("/results/csv/b.csv", StringComparison.Ordinal) && o.Size == "3");
        Assert.Contains(outputs, o => o.Url.EndsWith("/results/tree/x/t.txt", StringComparison.Ordinal) && o.Size == "2");
        Assert.Equal("FROM THE VOLUME\n", await File.ReadAllTextAsync(Path.Combine(Data, "results", "upper.txt")));
        Assert.Equal(["kind", "run"], task["tags"]!.AsObject().Select(t => t.Key).Order());
        Assert.Equal("every file kind", task["description"]!.GetValue<string>());
        Assert.NotNull(task["creation_time"]);
    }

    [Fact]
    public async Task AFailingExecutor_StopsTheTask_AsAnExecutorErrorWithItsExitCode()
    {
        var id = await CreateAsync(Json(new
        {
            executors = new object[]
            {
                new { image = "godocker/busybox:latest", command = new[] { "sh", "-c", "echo before; exit 3" } },
                new { image = "godocker/busybox:latest", command = new[] { "touch", Data + "/never" } },
            },
        }));

        var task = await WaitEndAsync(id);

        Assert.Equal("EXECUTOR_ERROR", task["state"]!.GetValue<string>());
        var executors = task["logs"]![0]!["logs"]!.AsArray();
        Assert.Equal(3, Assert.Single(executors)!["exit_code"]!.GetValue<int>());
        Assert.False(File.Exists(Path.Combine(Data, "never")));
        Assert.Equal(3, (await server.Api.GetAsync(long.Parse(id, CultureInfo.InvariantCulture))).ExitCode);
    }

    [Fact]
    public async Task AnEndedTasksExecutorLogs_AreKeptWithItsJob_EvenOnceItsDirectoryIsGone()
    {
        var id = await CreateAsync(Json(new
        {
            executors = new object[]
            {
                new { image = "godocker/busybox:latest", command = new[] { "sh", "-c", "exit 4" }, ignore_error = true },
                new { image = "godocker/busybox:latest", command = new[] { "echo", "kept" } },
            },
        }));
        await server.Api.WaitEndAsync(long.Parse(id, CultureInfo.InvariantCulture), TimeSpan.FromMinutes(2));
        var before = await GetAsync(id, "FULL");

        // As retention's removal would: the job's record stays, its directory goes.
        Directory.Delete(Path.Combine(server.DataDir, "jobs", id), recursive: true);
        var after = await GetAsync(id, "BASIC");

        Assert.Equal("COMPLETE", after["state"]!.GetValue<string>());
        Assert.Equal("kept\n", before["logs"]![0]!["logs"]![1]!["stdout"]!.GetValue<string>());
        Assert.Equal([4, 0], after["logs"]![0]!["logs"]!.AsArray().Select(e => e!["exit_code"]!.GetValue<int>()));
        Assert.Equal(before["logs"]![0]!["logs"]![1]!["end_time"]!.GetValue<string>(), after["logs"]![0]!["logs"]![1]!["end_time"]!.GetValue<string>());
    }

    [Fact]
    public async Task Views_MinimalIsIdAndState_BasicLeavesOutContentAndOutputs()
    {
        var id = await CreateAsync(Json(new
        {
            inputs = new[] { new { path = "/work/in.txt", content = "secret-ish content" } },
            executors = new[] { new { image = "godocker/busybox:latest", command = new[] { "cat", "/work/in.txt" } } },
        }));
        await server.Api.WaitEndAsync(long.Parse(id, CultureInfo.InvariantCulture), TimeSpan.FromMinutes(2));

        var minimal = JsonNode.Parse(await Http.GetStringAsync($"/ga4gh/tes/v1/tasks/{id}"))!.AsObject();
        var basic = await GetAsync(id, "BASIC");
        var full = await GetAsync(id, "FULL");
        using var bad = await Http.GetAsync($"/ga4gh/tes/v1/tasks/{id}?view=EVERYTHING");

        Assert.Equal(["id", "state"], minimal.Select(p => p.Key).Order());
        Assert.Equal("COMPLETE", minimal["state"]!.GetValue<string>());
        Assert.Null(basic["inputs"]![0]!["content"]);
        Assert.Null(basic["logs"]![0]!["logs"]![0]!["stdout"]);
        Assert.Null(basic["logs"]![0]!["system_logs"]);
        Assert.Equal("secret-ish content", full["inputs"]![0]!["content"]!.GetValue<string>());
        Assert.Equal("secret-ish content", full["logs"]![0]!["logs"]![0]!["stdout"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    public static TheoryData<string, string, HttpStatusCode> Refusals() => new()
    {
        { """{"executors": []}""", "executors", HttpStatusCode.BadRequest },
        { """{"executors": [{"image": "godocker/busybox:latest", "command": []}]}""", "executors[0].command", HttpStatusCode.BadRequest },
        { """{"executors": [{"image": "godocker/busybox:latest", "command": ["true"]}, {"image": "debian:12", "command": ["true"]}]}""", "executors[1].image", HttpStatusCode.BadRequest },
        { """{"executors": [{"image": "godocker/busybox:latest", "command": ["true"], "workdir": "work"}]}""", "executors[0].workdir", HttpStatusCode.BadRequest },
        { """{"executors": [{"image": "godocker/busybox:latest", "command": ["true"], "env": {"GODOCKER_JOB_ID": "1"}}]}""", "executors[0].env.GODOCKER_JOB_ID", HttpStatusCode.BadRequest },
        { """{"inputs": [{"url": "s3://bucket/x", "path": "/in/x"}], "executors": [{"image": "godocker/busybox:latest", "command": ["true"]}]}""", "inputs[0].url", HttpStatusCode.BadRequest },
        { """{"inputs": [{"url": "file:///etc/passwd", "path": "/in/x"}], "executors": [{"image": "godocker/busybox:latest", "command": ["true"]}]}""", "inputs[0].url", HttpStatusCode.BadRequest },
        { """{"inputs": [{"content": "x", "path": "/proc/x"}], "executors": [{"image": "godocker/busybox:latest", "command": ["true"]}]}""", "inputs[0].path", HttpStatusCode.BadRequest },
        { """{"inputs": [{"content": "x", "path": "/in/../etc/x"}], "executors": [{"image": "godocker/busybox:latest", "command": ["true"]}]}""", "inputs[0].path", HttpStatusCode.BadRequest },
        { """{"outputs": [{"url": "file:///data/x", "path": "/out/*.txt"}], "executors": [{"image": "godocker/busybox:latest", "command": ["true"]}]}""", "outputs[0].path_prefix", HttpStatusCode.BadRequest },
        { """{"resources": {"cpu_cores": 0}, "executors": [{"image": "godocker/busybox:latest", "command": ["true"]}]}""", "resources.cpu_cores", HttpStatusCode.BadRequest },
        { """{"resources": {"ram_gb": -1}, "executors": [{"image": "godocker/busybox:latest", "command": ["true"]}]}""", "resources.ram_gb", HttpStatusCode.BadRequest },
        { """{"resources": {"zones": ["a", "b"]}, "executors": [{"image": "godocker/busybox:latest", "command": ["true"]}]}""", "resources.zones", HttpStatusCode.BadRequest },
        { """{"resources": {"backend_parameters": {"VmSize": "big"}, "backend_parameters_strict": true}, "executors": [{"image": "godocker/busybox:latest", "command": ["true"]}]}""", "resources.backend_parameters.VmSize", HttpStatusCode.BadRequest },
        { """{"resources": {"backend_parameters": {"Walltime": "soon"}}, "executors": [{"image": "godocker/busybox:latest", "command": ["true"]}]}""", "resources.backend_parameters.walltime", HttpStatusCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task ABadTask_IsRefused_NamingItsTesField_AndNothingIsCreated(string json, string field, HttpStatusCode status)
    {
        var before = await Http.GetFromJsonAsync<JsonObject>("/api/v1/jobs?limit=1");

        var problem = await ProblemAsync(json.Replace("file:///data/", "file://" + Data + "/", StringComparison.Ordinal), status);

        Assert.Contains(field, ErrorKeys(problem));
        Assert.Equal(before!["total"]!.GetValue<long>(), (await Http.GetFromJsonAsync<JsonObject>("/api/v1/jobs?limit=1"))!["total"]!.GetValue<long>());
    }

    [Fact]
    public async Task AnOutputIntoAReadOnlyVolume_IsRefused()
    {
        var problem = await ProblemAsync(Json(new
        {
            outputs = new[] { new { path = "/out/x", url = "file://" + Reference + "/x" } },
            executors = new[] { new { image = "godocker/busybox:latest", command = new[] { "true" } } },
        }), HttpStatusCode.BadRequest);

        Assert.Contains("outputs[0].url", ErrorKeys(problem));
    }

    [Fact]
    public async Task BackendParameters_ReachTheJob_UnknownOnesAreDroppedWithAWarning()
    {
        var id = await CreateAsync(Json(new
        {
            resources = new
            {
                backend_parameters = new Dictionary<string, string> { ["WALLTIME"] = "10m", ["network"] = "none", ["requeue"] = "false", ["volumes"] = "ref:ro", ["VmSize"] = "Standard_D2" },
            },
            executors = new[] { new { image = "godocker/busybox:latest", command = new[] { "cat", "/ref/genome.fa" } } },
        }));

        var task = await WaitEndAsync(id);
        var job = await server.Api.GetAsync(long.Parse(id, CultureInfo.InvariantCulture));

        Assert.Equal("COMPLETE", task["state"]!.GetValue<string>());
        Assert.Equal(">chr1\nACGT\n", task["logs"]![0]!["logs"]![0]!["stdout"]!.GetValue<string>());
        Assert.Equal(["network", "requeue", "volumes", "walltime"], task["resources"]!["backend_parameters"]!.AsObject().Select(p => p.Key).Order());
        Assert.Contains(task["logs"]![0]!["system_logs"]!.AsArray(), l => l!.GetValue<string>().Contains("'VmSize' is not supported", StringComparison.Ordinal));
        Assert.Equal(600, job.WalltimeSeconds);
        Assert.False(job.Requeue);
    }

    [Fact]
    public async Task List_FiltersByNamePrefixStateAndTags_AndPagesNewestFirst()
    {
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await CreateAsync(Json(new
            {
                name = i % 2 == 0 ? $"align-{i}" : $"Align-{i}",
                tags = new Dictionary<string, string> { ["batch"] = i < 3 ? "first" : "second", ["even"] = i % 2 == 0 ? "yes" : "" },
                executors = new[] { new { image = "godocker/busybox:latest", command = new[] { "true" } } },
            })));
        }
        foreach (var id in ids)
        {
            await server.Api.WaitEndAsync(long.Parse(id, CultureInfo.InvariantCulture), TimeSpan.FromMinutes(2));
        }
        async Task<(List<string> Ids, string? Token)> PageAsync(string query)
        {
            var page = JsonNode.Parse(await Http.GetStringAsync("/ga4gh/tes/v1/tasks?" + query))!;
            return ([.. page["tasks"]!.AsArray().Select(t => t!["id"]!.GetValue<string>()).Where(ids.Contains)], page["next_page_token"]?.GetValue<string>());
        }

        var prefix = await PageAsync("name_prefix=align-");
        var tagged = await PageAsync("tag_key=batch&tag_value=first&tag_key=even&tag_value=yes");
        var keyOnly = await PageAsync("tag_key=even");
        var complete = await PageAsync("state=COMPLETE&name_prefix=Align");
        var running = await PageAsync("state=RUNNING&name_prefix=align");
        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await PageAsync("page_size=2&name_prefix=" + (token is null ? "" : "") + "&view=BASIC" + (token is null ? "" : "&page_token=" + token));
            seen.AddRange(page.Ids);
            token = page.Token;
        }
        while (token is not null && seen.Count < 5);
        using var badToken = await Http.GetAsync("/ga4gh/tes/v1/tasks?page_token=bm90LWEtdG9rZW4");
        using var badSize = await Http.GetAsync("/ga4gh/tes/v1/tasks?page_size=2048");
        using var badState = await Http.GetAsync("/ga4gh/tes/v1/tasks?state=DONE");
        using var extraValue = await Http.GetAsync("/ga4gh/tes/v1/tasks?tag_value=x");

        Assert.Equal([ids[4], ids[2], ids[0]], prefix.Ids);
        Assert.Equal([ids[2], ids[0]], tagged.Ids);
        Assert.Equal([ids[4], ids[3], ids[2], ids[1], ids[0]], keyOnly.Ids);
        Assert.Equal([ids[3], ids[1]], complete.Ids);
        Assert.Empty(running.Ids);
        Assert.Equal(Enumerable.Reverse(ids), seen.Take(5));
        Assert.Equal(HttpStatusCode.BadRequest, badToken.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badSize.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badState.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, extraValue.StatusCode);
    }

    [Fact]
    public async Task Cancel_EndsARunningTaskAsCanceled_AndAnEndedOneIsLeftAsItWas()
    {
        var id = await CreateAsync(Json(new
        {
            executors = new[] { new { image = "godocker/busybox:latest", command = new[] { "sleep", "300" } } },
        }));
        var jobId = long.Parse(id, CultureInfo.InvariantCulture);
        await server.Api.WaitForAsync(jobId, j => j.State == JobState.Running, TimeSpan.FromMinutes(1));

        using var cancel = await Http.PostAsync($"/ga4gh/tes/v1/tasks/{id}:cancel", null);
        var canceling = (await GetAsync(id, "MINIMAL"))["state"]!.GetValue<string>();
        var ended = await server.Api.WaitEndAsync(jobId, TimeSpan.FromMinutes(1));
        using var again = await Http.PostAsync($"/ga4gh/tes/v1/tasks/{id}:cancel", null);
        using var getCancel = await Http.GetAsync($"/ga4gh/tes/v1/tasks/{id}:cancel");

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("{}", await cancel.Content.ReadAsStringAsync());
        Assert.Contains(canceling, new[] { "CANCELING", "CANCELED" });
        Assert.Equal(JobState.Killed, ended.State);
        Assert.Equal("CANCELED", (await GetAsync(id, "MINIMAL"))["state"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, getCancel.StatusCode);
    }

    [Fact]
    public async Task ATaskOutlivesAServerKilledMidTask_RunsOnce_AndKeepsEveryExecutorsLogAndOutput()
    {
        var output = Path.Combine(Data, "results", $"restart-{Guid.NewGuid():N}.txt");
        var id = await CreateAsync(Json(new
        {
            outputs = new[] { new { path = "/work/out.txt", url = "file://" + output } },
            executors = new object[]
            {
                new { image = "godocker/busybox:latest", command = new[] { "echo", "before" } },
                new
                {
                    image = "godocker/busybox:latest",
                    command = new[] { "sh", "-c", $"{JobRelease.WaitFor()}; echo after | tee /work/out.txt" },
                    workdir = "/work",
                },
            },
        }));
        var jobId = long.Parse(id, CultureInfo.InvariantCulture);
        // The second executor runs (its start is in the runner's record) when no server watches any more.
        await Until.TrueAsync(async () => (await GetAsync(id))["logs"]?.AsArray() is [{ } log] && log["logs"]?.AsArray().Count == 2, TimeSpan.FromMinutes(1),
            "the second executor to start");

        await server.KillHardAsync();
        await server.StartAgainAsync();
        await JobRelease.DropAsync(server, jobId);
        var task = await WaitEndAsync(id);
        var job = await server.Api.GetAsync(jobId);

        Assert.Equal("COMPLETE", task["state"]!.GetValue<string>());
        Assert.Equal(1, job.Attempt);
        Assert.Single(job.Events!, e => e.Kind == "started");
        var executors = task["logs"]![0]!["logs"]!.AsArray();
        Assert.Equal([0, 0], executors.Select(e => e!["exit_code"]!.GetValue<int>()));
        Assert.Equal(["before\n", "after\n"], executors.Select(e => e!["stdout"]!.GetValue<string>()));
        Assert.Equal("after\n", await File.ReadAllTextAsync(output));
        Assert.Contains(task["logs"]![0]!["outputs"]!.AsArray(), o => o!["url"]!.GetValue<string>() == "file://" + output);
    }

    // The attacks of a task on its own runner record (tes/log is in the job's directory: the job writes it).

    [Fact]
    public async Task ARunnerRecordLinkedToAServerFile_IsNotFollowed_WhileTheTaskRunsNorAtItsEnd()
    {
        // A file of the server's the job cannot read, written as well-formed records: followed, it would show in the
        // task's system_logs and turn its state into SYSTEM_ERROR.
        var secret = Path.Combine(server.DataDir, $"tes-secret-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(secret, "system_error\tSERVER-SECRET\nexec\t0\tend\t2001-01-01T00:00:00Z\t9\n");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            var id = await CreateAsync(Json(new
            {
                executors = new object[]
                {
                    new
                    {
                        image = "godocker/busybox:latest",
                        command = new[] { "sh", "-c", $"rm -f \"$GODOCKER_JOB_DIR/tes/log\" && ln -s '{secret}' \"$GODOCKER_JOB_DIR/tes/log\" && {JobRelease.WaitFor()}" },
                    },
                },
            }));
            var jobId = long.Parse(id, CultureInfo.InvariantCulture);
            await server.Api.WaitForAsync(jobId, j => j.State == JobState.Running, TimeSpan.FromMinutes(1));
            var linked = Path.Combine(server.DataDir, "jobs", id, "tes", "log");
            await Until.TrueAsync(() => Task.FromResult(new FileInfo(linked).LinkTarget == secret), TimeSpan.FromMinutes(1), "the job to link its runner record");

            using var running = await Http.GetAsync($"/ga4gh/tes/v1/tasks/{id}?view=FULL");
            var runningBody = await running.Content.ReadAsStringAsync();
            await JobRelease.DropAsync(server, jobId);
            var ended = await WaitEndAsync(id);

            Assert.Equal(HttpStatusCode.OK, running.StatusCode);
            Assert.DoesNotContain("SERVER-SECRET", runningBody);
            Assert.DoesNotContain("SERVER-SECRET", ended.ToJsonString());
            Assert.Equal("COMPLETE", ended["state"]!.GetValue<string>());
            Assert.DoesNotContain(ended["logs"]![0]!["logs"]!.AsArray(), e => e?["exit_code"]?.GetValue<int>() == 9);
        }
        finally
        {
            File.Delete(secret);
        }
    }

    [Fact]
    public async Task AForgedRunnerRecord_ChangesOnlyTheTasksOwnAccount_NeverItsEndFromTheEngine()
    {
        // The executor claims it ended with 0, then buries the runner's true records under more than the bound the
        // server reads, and fails. The engine's exit code decides the state; the response stays bounded.
        var junk = "head -c 400000 /dev/zero | tr '\\0' x | fold -w 1000";
        var id = await CreateAsync(Json(new
        {
            executors = new[]
            {
                new
                {
                    image = "godocker/busybox:latest",
                    command = new[] { "sh", "-c", $"printf 'exec\\t0\\tend\\t2001-01-01T00:00:00Z\\t0\\n' >> \"$GODOCKER_JOB_DIR/tes/log\"; {junk} >> \"$GODOCKER_JOB_DIR/tes/log\"; exit 3" },
                },
            },
        }));
        using var response = await Http.GetAsync($"/ga4gh/tes/v1/tasks/{id}?view=FULL");
        var ended = await WaitEndAsync(id);
        var body = ended.ToJsonString();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("EXECUTOR_ERROR", ended["state"]!.GetValue<string>());
        Assert.True(body.Length < 2 * TaskRunLog.MaxChars, $"{body.Length} characters");
        Assert.Equal(3, (await server.Api.GetAsync(long.Parse(id, CultureInfo.InvariantCulture))).ExitCode);
    }

    [Fact]
    public async Task ARestJob_IsNoTask_AndUnknownIdsAreNotFound()
    {
        var job = await server.Api.SubmitAsync(new JobSpec { Script = "true" });

        foreach (var path in new[] { $"/ga4gh/tes/v1/tasks/{job.Id}", "/ga4gh/tes/v1/tasks/999999999", "/ga4gh/tes/v1/tasks/0012", "/ga4gh/tes/v1/tasks/-1" })
        {
            using var response = await Http.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        using var cancel = await Http.PostAsync($"/ga4gh/tes/v1/tasks/{job.Id}:cancel", null);
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        Assert.False((await server.Api.GetAsync(job.Id)).State == JobState.Killed);
    }
}
