using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using GoDocker.Bench;
using GoDocker.Contracts;
using GoDocker.Jobs;

// Benchmarks, each printing one line "RESULT key=value ..." that bench/run.sh collects.
//   raw        N containers create+start+wait+remove through the Engine API at concurrency C
//   godocker   N jobs submitted to a GoDocker server (C clients), until all ended
//   submit     N submissions by C clients to a server whose jobs stay pending (API + store only)
//   tes-submit the same with GA4GH TES creates (POST /ga4gh/tes/v1/tasks) of a Nextflow-shaped task: one executor, three
//              inputs (two file urls in --volume-path, a granted volume, and 2 KiB of content), five outputs; then the
//              rate of MINIMAL gets (a workflow manager polls each task)
//   latency    N sequential jobs: submit → running (server timestamps), next to raw create+start
//   cycle      one scheduling cycle over a large site in memory (100,000 pending jobs, 1,000 nodes): see CycleBench
//   submit-latency  single submissions one after another for --seconds (API + store), while the server's scheduler
//              cycles over whatever is pending; then how long a new job waits for a cycle to give it a reason
//   store-read what one server cycle costs on that queue: reading the scheduling input from (a copy of) its store, the cycle
//   server-cycle  one server cycle (read, cycle, plan applied) over --pending jobs preloaded in a SQLite file or PostgreSQL
//              database: the full read every cycle vs the scheduler's pending index (nothing changed; --delta new submits)
//   api-latency   sequential reads (running jobs' list, one job) for --seconds: p50/p95 (bench/monitoring.sh)
//   series-memory the managed memory of one running job's usage series at its fullest (bench/monitoring.sh)
var mode = args.ElementAtOrDefault(0) ?? "";
var opts = args.Skip(1).Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].TrimStart('-'), p => p[1]);
string Opt(string key, string fallback) => opts.TryGetValue(key, out var v) ? v : fallback;
var n = int.Parse(Opt("n", "200"), CultureInfo.InvariantCulture);
var concurrency = int.Parse(Opt("c", "8"), CultureInfo.InvariantCulture);
var image = Opt("image", "godocker/busybox:latest");
var url = Opt("url", "http://127.0.0.1:8080");
var cpus = double.Parse(Opt("cpus", "0.25"), CultureInfo.InvariantCulture);
var memory = Opt("memory", "64M");
var network = Opt("network", "bridge");
if (!ByteSize.TryParse(memory, out var memoryBytes))
{
    throw new ArgumentException($"--memory={memory} is not a size");
}

// --like=godocker: the container exactly as GoDocker shapes it (docker-init, the output-redirecting sh,
// the job directory bind mount, capabilities dropped), to separate the container's cost from GoDocker's.
var likeGoDocker = Opt("like", "") == "godocker";
var jobDir = Directory.CreateTempSubdirectory("godocker-bench-job-").FullName;

switch (mode)
{
    case "raw":
        await RawAsync();
        break;
    case "raw-latency":
        await RawLatencyAsync();
        break;
    case "godocker":
        await GoDockerAsync();
        break;
    case "submit":
        await SubmitRateAsync();
        break;
    case "tes-submit":
        await TesSubmitRateAsync();
        break;
    case "latency":
        await LatencyAsync();
        break;
    case "cycle":
        return CycleBench.Run(Opt);
    case "submit-latency":
        await SubmitLatencyAsync();
        break;
    case "store-read":
        return await StoreBench.RunAsync(Opt);
    case "server-cycle":
        return await ServerCycleBench.RunAsync(Opt);
    case "api-latency":
        return await MonitoringBench.ApiLatencyAsync(Opt);
    case "series-memory":
        return MonitoringBench.SeriesMemory(Opt);
    default:
        Console.Error.WriteLine("usage: GoDocker.Bench raw|raw-latency|godocker|submit|tes-submit|submit-latency|latency|cycle|store-read|server-cycle|api-latency|series-memory --n=200 --c=8 --url=... --image=...");
        return 2;
}
return 0;

DockerClient Docker() => new DockerClientBuilder().WithEndpoint(new Uri(Opt("docker", "unix:///var/run/docker.sock"))).Build();

CreateContainerParameters RawContainer(string name)
{
    var container = new CreateContainerParameters
    {
        Name = name,
        Image = image,
        Cmd = ["true"],
        Labels = new Dictionary<string, string> { ["godocker.bench"] = "raw" },
        HostConfig = new HostConfig
        {
            NanoCPUs = (long)(cpus * 1e9),
            Memory = memoryBytes,
            MemorySwap = memoryBytes,
            PidsLimit = 4096,
            NetworkMode = network,
        },
    };
    if (likeGoDocker)
    {
        container.Entrypoint = ["/bin/sh", "-c", "exec \"$0\" \"$@\" >>/godocker/job/stdout 2>>/godocker/job/stderr"];
        container.HostConfig.Init = true;
        container.HostConfig.Binds = [$"{jobDir}:/godocker/job:rw"];
        container.HostConfig.CapDrop = ["ALL"];
        container.HostConfig.SecurityOpt = ["no-new-privileges"];
    }
    return container;
}

async Task RawAsync()
{
    using var docker = Docker();
    var prefix = "bench-raw-" + Guid.NewGuid().ToString("N")[..6];
    var next = -1;
    var clock = Stopwatch.StartNew();
    var workers = Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < n)
        {
            var id = (await docker.Containers.CreateContainerAsync(RawContainer($"{prefix}-{i}"))).ID;
            await docker.Containers.StartContainerAsync(id, new ContainerStartParameters());
            await docker.Containers.WaitContainerAsync(id);
            await docker.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true });
        }
    });
    await Task.WhenAll(workers);
    var seconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine(Invariant($"RESULT raw{(likeGoDocker ? "-like-godocker" : "")} n={n} c={concurrency} seconds={seconds:0.00} rate={n / seconds:0.00}"));
}

async Task RawLatencyAsync()
{
    using var docker = Docker();
    var prefix = "bench-rawlat-" + Guid.NewGuid().ToString("N")[..6];
    var samples = new List<double>();
    for (var i = 0; i < n; i++)
    {
        var clock = Stopwatch.StartNew();
        var id = (await docker.Containers.CreateContainerAsync(RawContainer($"{prefix}-{i}"))).ID;
        await docker.Containers.StartContainerAsync(id, new ContainerStartParameters());
        samples.Add(clock.Elapsed.TotalMilliseconds);
        await docker.Containers.WaitContainerAsync(id);
        await docker.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true });
    }
    Console.WriteLine(Invariant($"RESULT raw-latency n={n} p50_ms={Percentile(samples, 50):0.0} p95_ms={Percentile(samples, 95):0.0}"));
}

async Task GoDockerAsync()
{
    using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(5) };
    var tag = "bench-" + Guid.NewGuid().ToString("N")[..8];
    var spec = new JobSpec { Command = ["true"], Image = image, Cpus = cpus, Memory = memory, Tags = [tag] };
    var next = -1;
    var clock = Stopwatch.StartNew();
    var submitters = Enumerable.Range(0, concurrency).Select(async _ =>
    {
        while (Interlocked.Increment(ref next) < n)
        {
            using var response = await http.PostAsJsonAsync("/api/v1/jobs", spec, GoDockerJson.Default.JobSpec);
            response.EnsureSuccessStatusCode();
        }
    });
    await Task.WhenAll(submitters);
    var submitted = clock.Elapsed.TotalSeconds;
    long ended;
    do
    {
        await Task.Delay(50);
        var done = await http.GetFromJsonAsync($"/api/v1/jobs?tag={tag}&state=Succeeded,Failed,Killed&limit=1", GoDockerJson.Default.JobList);
        ended = done!.Total;
    }
    while (ended < n);
    var seconds = clock.Elapsed.TotalSeconds;
    var failed = (await http.GetFromJsonAsync($"/api/v1/jobs?tag={tag}&state=Failed,Killed&limit=1", GoDockerJson.Default.JobList))!.Total;
    Console.WriteLine(Invariant($"RESULT godocker n={n} c={concurrency} seconds={seconds:0.00} rate={n / seconds:0.00} submit_seconds={submitted:0.00} failed={failed}"));
}

async Task SubmitRateAsync()
{
    using var handler = new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = concurrency };
    using var http = new HttpClient(handler) { BaseAddress = new Uri(url) };
    var spec = new JobSpec { Command = ["true"], Image = image, Cpus = cpus, Memory = memory, Tags = ["bench-submit"] };
    var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(spec, GoDockerJson.Default.JobSpec);
    // Warm up connections and the server's JIT.
    for (var i = 0; i < 200; i++)
    {
        await PostAsync();
    }
    var next = -1;
    var latencies = new double[n];
    var clock = Stopwatch.StartNew();
    var clients = Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < n)
        {
            var start = clock.Elapsed;
            await PostAsync();
            latencies[i] = (clock.Elapsed - start).TotalMilliseconds;
        }
    });
    await Task.WhenAll(clients);
    var seconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine(Invariant(
        $"RESULT submit n={n} clients={concurrency} seconds={seconds:0.00} rate={n / seconds:0} p50_ms={Percentile(latencies, 50):0.00} p95_ms={Percentile(latencies, 95):0.00}"));

    async Task PostAsync()
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync("/api/v1/jobs", content);
        if ((int)response.StatusCode != 201)
        {
            throw new InvalidOperationException($"submit refused: {(int)response.StatusCode}");
        }
    }
}

async Task TesSubmitRateAsync()
{
    using var handler = new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = concurrency };
    using var http = new HttpClient(handler) { BaseAddress = new Uri(url) };
    var volume = Opt("volume-path", "/tmp");
    var work = "/work/3f/9a2b";
    var task = new System.Text.Json.Nodes.JsonObject
    {
        ["name"] = "nf-ALIGN_(sample_1)",
        ["inputs"] = new System.Text.Json.Nodes.JsonArray(
            new System.Text.Json.Nodes.JsonObject { ["url"] = $"file://{volume}/reads_1.fq.gz", ["path"] = $"{work}/reads_1.fq.gz" },
            new System.Text.Json.Nodes.JsonObject { ["url"] = $"file://{volume}/genome.fa", ["path"] = $"{work}/genome.fa" },
            new System.Text.Json.Nodes.JsonObject { ["content"] = new string('#', 2048), ["path"] = $"{work}/.command.sh" }),
        ["outputs"] = new System.Text.Json.Nodes.JsonArray([.. ((IEnumerable<string>)[".exitcode", ".command.out", ".command.err", ".command.trace", "aligned.bam"])
            .Select(f => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject { ["url"] = $"file://{volume}/out/{f}", ["path"] = $"{work}/{f}" })]),
        ["resources"] = new System.Text.Json.Nodes.JsonObject { ["cpu_cores"] = 1, ["ram_gb"] = 0.0625 },
        ["executors"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject
        {
            ["image"] = image,
            ["command"] = new System.Text.Json.Nodes.JsonArray("bash", "-o", "pipefail", "-c", $"bash {work}/.command.sh 2>&1 | tee {work}/.command.log"),
            ["workdir"] = work,
        }),
        ["tags"] = new System.Text.Json.Nodes.JsonObject { ["bench"] = "tes-submit" },
    };
    var body = System.Text.Encoding.UTF8.GetBytes(task.ToJsonString());
    var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
    for (var i = 0; i < 200; i++)
    {
        ids.Add(await PostAsync());
    }
    var (seconds, latencies) = await RunClientsAsync(async () => ids.Add(await PostAsync()));
    Console.WriteLine(Invariant(
        $"RESULT tes-submit n={n} clients={concurrency} seconds={seconds:0.00} rate={n / seconds:0} p50_ms={Percentile(latencies, 50):0.00} p95_ms={Percentile(latencies, 95):0.00} body_bytes={body.Length}"));
    var some = ids.Take(1000).ToArray();
    var (getSeconds, getLatencies) = await RunClientsAsync(async () =>
    {
        using var response = await http.GetAsync($"/ga4gh/tes/v1/tasks/{some[Random.Shared.Next(some.Length)]}");
        response.EnsureSuccessStatusCode();
    });
    Console.WriteLine(Invariant(
        $"RESULT tes-get n={n} clients={concurrency} seconds={getSeconds:0.00} rate={n / getSeconds:0} p50_ms={Percentile(getLatencies, 50):0.00} p95_ms={Percentile(getLatencies, 95):0.00}"));

    async Task<(double Seconds, double[] Latencies)> RunClientsAsync(Func<Task> call)
    {
        var next = -1;
        var latencies = new double[n];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < n)
            {
                var start = clock.Elapsed;
                await call();
                latencies[i] = (clock.Elapsed - start).TotalMilliseconds;
            }
        }));
        return (clock.Elapsed.TotalSeconds, latencies);
    }

    async Task<string> PostAsync()
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync("/ga4gh/tes/v1/tasks", content);
        if ((int)response.StatusCode != 200)
        {
            throw new InvalidOperationException($"task refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        return System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }
}

async Task SubmitLatencyAsync()
{
    using var handler = new SocketsHttpHandler { UseProxy = false };
    using var http = new HttpClient(handler) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(5) };
    var spec = new JobSpec { Command = ["true"], Image = image, Cpus = cpus, Memory = memory, Tags = ["bench-submit-latency"] };
    var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(spec, GoDockerJson.Default.JobSpec);
    // Warm up the connection and the server's submit path (--warmup submits: a fresh server needs about a thousand to
    // reach its steady state); then wait until a cycle has taken in whatever was submitted before (after a preload,
    // the first cycle writes every new job's reason), so what follows is the steady state.
    var warmup = int.Parse(Opt("warmup", "20"), CultureInfo.InvariantCulture);
    for (var i = 0; i < warmup; i++)
    {
        await PostAsync(readJob: false);
    }
    var settled = await UntilACycleSeesAsync();
    var pending = (await http.GetFromJsonAsync("/api/v1/jobs?state=Pending&limit=1", GoDockerJson.Default.JobList))!.Total;
    Console.Error.WriteLine(Invariant($"[submit-latency] {pending} pending; a cycle took in the queue after {settled:0} ms"));

    // For a while rather than a count: each submit pokes the scheduler, so cycles run back to back all along.
    var seconds = double.Parse(Opt("seconds", "10"), CultureInfo.InvariantCulture);
    var samples = new List<double>();
    var window = Stopwatch.StartNew();
    while (window.Elapsed.TotalSeconds < seconds)
    {
        var start = Stopwatch.GetTimestamp();
        await PostAsync(readJob: false);
        samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }
    var waits = new List<double>();
    for (var i = 0; i < 5; i++)
    {
        waits.Add(await UntilACycleSeesAsync());
    }
    Console.WriteLine(Invariant(
        $"RESULT submit-latency pending={pending} seconds={seconds:0} n={samples.Count} p50_ms={Percentile(samples, 50):0.00} p95_ms={Percentile(samples, 95):0.00} p99_ms={Percentile(samples, 99):0.00} max_ms={samples.Max():0.00} reason_ms={Percentile(waits, 50):0}"));

    // How long a new job waits until a cycle that saw it is applied (its pending reason changes from the one it was
    // submitted with): one to two cycles of the server's scheduler, reading the store included. Up to three minutes.
    async Task<double> UntilACycleSeesAsync()
    {
        var start = Stopwatch.GetTimestamp();
        var submitted = (await PostAsync(readJob: true))!;
        JobView? view;
        do
        {
            await Task.Delay(5);
            view = await http.GetFromJsonAsync($"/api/v1/jobs/{submitted.Id}", GoDockerJson.Default.JobView);
        }
        while (view is { State: JobState.Pending } && view.Reason == submitted.Reason && Stopwatch.GetElapsedTime(start) < TimeSpan.FromMinutes(3));
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    async Task<JobView?> PostAsync(bool readJob)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync("/api/v1/jobs", content);
        if ((int)response.StatusCode != 201)
        {
            throw new InvalidOperationException($"submit refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        return readJob ? await response.Content.ReadFromJsonAsync(GoDockerJson.Default.JobView) : null;
    }
}

async Task LatencyAsync()
{
    using var http = new HttpClient { BaseAddress = new Uri(url) };
    var samples = new List<double>();
    for (var i = 0; i < n; i++)
    {
        using var response = await http.PostAsJsonAsync("/api/v1/jobs",
            new JobSpec { Command = ["true"], Image = image, Cpus = cpus, Memory = memory, Tags = ["bench-latency"] }, GoDockerJson.Default.JobSpec);
        var job = (await response.Content.ReadFromJsonAsync(GoDockerJson.Default.JobView))!;
        JobView view;
        do
        {
            await Task.Delay(20);
            view = (await http.GetFromJsonAsync($"/api/v1/jobs/{job.Id}", GoDockerJson.Default.JobView))!;
        }
        while (!view.State.IsTerminal());
        if (view.StartedAt is { } started)
        {
            samples.Add((started - view.SubmittedAt).TotalMilliseconds);
        }
    }
    Console.WriteLine(Invariant($"RESULT latency n={n} p50_ms={Percentile(samples, 50):0.0} p95_ms={Percentile(samples, 95):0.0}"));
}

static double Percentile(IEnumerable<double> values, double p)
{
    var sorted = values.Order().ToArray();
    if (sorted.Length == 0)
    {
        return double.NaN;
    }
    var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
    return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
}

static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
