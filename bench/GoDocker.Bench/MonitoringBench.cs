using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using GoDocker.Contracts;
using GoDocker.Usage;

namespace GoDocker.Bench;

/// <summary>
/// What live sampling costs (bench/monitoring.sh): the API's read latency while the server samples its running jobs,
/// and the server memory one running job's series takes at its fullest.
/// </summary>
internal static class MonitoringBench
{
    /// <summary>
    /// api-latency: for --seconds, one request after another, alternating the list of running jobs (a page of 20) and one
    /// running job by id: p50 and p95 of each request, in ms.
    /// </summary>
    public static async Task<int> ApiLatencyAsync(Func<string, string, string> opt)
    {
        var url = opt("url", "http://127.0.0.1:8080");
        var seconds = double.Parse(opt("seconds", "10"), CultureInfo.InvariantCulture);
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        var running = await http.GetFromJsonAsync("/api/v1/jobs?state=Running&limit=1", GoDockerJson.Default.JobList);
        if (running is not { Items: [var first, ..] })
        {
            Console.Error.WriteLine("api-latency: no running job to read");
            return 1;
        }
        var paths = new[] { "/api/v1/jobs?state=Running&limit=20", $"/api/v1/jobs/{first.Id}" };
        for (var i = 0; i < 50; i++)
        {
            (await http.GetAsync(paths[i % 2])).EnsureSuccessStatusCode();
        }
        var times = new List<double>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            var start = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(paths[times.Count % 2]);
            response.EnsureSuccessStatusCode();
            await response.Content.LoadIntoBufferAsync();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        times.Sort();
        double At(double q) => times[Math.Min(times.Count - 1, (int)(q * times.Count))];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT api-latency requests={times.Count} p50_ms={At(0.5):0.00} p95_ms={At(0.95):0.00}"));
        return 0;
    }

    /// <summary>
    /// series-memory: the managed memory one attempt's series holds in the sampler, filled to --points (its capacity) and
    /// past it (each point then stands for several samples): 1,000 series measured together, divided by 1,000.
    /// </summary>
    public static int SeriesMemory(Func<string, string, string> opt)
    {
        var capacity = int.Parse(opt("points", UsageSeries.DefaultCapacity.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        const int Count = 1_000;
        var start = DateTimeOffset.UnixEpoch;
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var kept = new UsageSeries[Count];
        for (var s = 0; s < Count; s++)
        {
            var series = new UsageSeries(s, 1, capacity, start);
            // Three times its capacity in samples: full, merged at least once, as a long job's series is.
            for (var i = 1; i <= 3 * capacity; i++)
            {
                series.Add(new UsageSample(start.AddSeconds(5 * i), i * 1_000_000_000L, 200L << 20, 10L << 20, i * 4096L, i * 8192L, i * 100L, i * 50L, 12));
            }
            kept[s] = series;
        }
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(kept);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT series-memory points={kept[0].Points.Count} capacity={capacity} bytes_per_series={(after - before) / Count}"));
        return 0;
    }
}
