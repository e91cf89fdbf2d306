using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace GoDocker.IntegrationTests.Fuzz;

/// <summary>A route of the OpenAPI document: its method and template (/api/v1/jobs/{id}/files/{path}).</summary>
public sealed record FuzzRoute(string Method, string Template);

/// <summary>What the generator draws real values from, so that some requests reach deep into the handlers.</summary>
public sealed record FuzzTargets(IReadOnlyList<long> JobIds, IReadOnlyList<string> Tokens, IReadOnlyList<string> Logins, int Port);

/// <summary>
/// Builds requests from the API's own routes: valid examples of every body, mutated (types swapped, huge numbers,
/// NaN-like strings, deep nesting, unicode and NUL, long strings, duplicate and missing keys), odd path segments and
/// query values, and random headers (Content-Type, lying Content-Length, Origin, Host, Idempotency-Key, Authorization).
/// Deterministic for a seed.
/// </summary>
public sealed class RequestGenerator(Random random, IReadOnlyList<FuzzRoute> routes, FuzzTargets targets)
{
    /// <summary>A valid body per body-taking route (method and template), the starting point of every mutation.</summary>
    private static readonly Dictionary<string, string[]> Examples = new()
    {
        ["POST /api/v1/jobs"] =
        [
            """{"name":"fuzz","script":"echo hi","image":"godocker/busybox:latest","cpus":0.25,"memory":"64M","env":{"A":"b"},"workdir":"/tmp","tags":["t1"],"project":"default","walltime":"1h","labels":{"k":"v"},"root":false,"volumes":["data"],"gpus":0,"constraints":["node==local"],"hold":true}""",
            """{"command":["sh","-c","true"],"array":"1-3:1%2","dependency":"afterok:1","hold":true}""",
            """{"script":"#!/bin/sh\n#GODOCKER --cpus 0.5\ntrue\n","hold":false}""",
        ],
        ["POST /api/v1/jobs/{id}/priority"] = ["""{"adjustment":5}"""],
        ["PUT /api/v1/limits/{kind}/{name}"] =
            ["""{"shares":2,"priority":1,"maxRunningJobs":3,"maxCpus":4,"maxMemory":"8G","maxGpus":0,"maxCpuHours":10,"maxPendingJobs":100}"""],
        ["POST /api/v1/users"] =
            ["""{"login":"u1","uid":5001,"gid":5001,"secondaryGids":[5002],"groups":["g"],"home":"/home/u1","email":"u1@example.org","admin":false,"password":"pw-123456"}"""],
        ["PATCH /api/v1/users/{login}"] = ["""{"email":"x@example.org","groups":["g2"],"secondaryGids":[7],"home":"/home/x"}"""],
        ["POST /api/v1/projects"] = ["""{"name":"p1","priority":3}"""],
        ["POST /api/v1/auth/login"] = ["""{"login":"nobody","password":"wrong"}"""],
        ["POST /api/v1/auth/session"] = ["""{"login":"nobody","password":"wrong"}"""],
        ["POST /api/v1/tokens"] = ["""{"name":"t","expiresInDays":3}"""],
        ["POST /api/1.0/authenticate"] = ["""{"user":"nobody","apikey":"gd_wrong"}"""],
        ["PUT /api/1.0/task/{id}"] = ["""{"name":"cpu","value":"2"}"""],
        ["POST /api/1.0/task"] =
        [
            """{"user":{"id":"fuzz","project":"default"},"date":1733300000.0,"meta":{"name":"f","description":"d","tags":["galaxy","batch:b1"]},"requirements":{"cpu":1,"ram":1,"gpus":0,"array":{"values":"1:3:1"},"label":[],"failure_policy":0,"tasks":[],"tmpstorage":null,"executor":null},"container":{"image":"godocker/busybox:latest","volumes":[{"name":"data","acl":"ro"}],"network":true,"id":null,"meta":null,"stats":null,"ports":[],"root":false},"command":{"interactive":false,"cmd":"echo hi"},"notify":{"email":false},"status":{"primary":null,"secondary":null}}""",
        ],
    };

    private static readonly string[] OddSegments =
    [
        "-1", "0", "1", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551616", "1.5", "1e3", "0x10",
        "%00", "..", "%2e%2e", "..%2F..%2Fetc%2Fpasswd", "%2F", "%", "%zz", "%C0%AE", "%F0%9F%98%80", "%E2%80%AE", "%FF", "%20", "+1",
        "null", "undefined", "NaN", "Infinity", "a%0d%0aX-Injected:%201", "%3Cscript%3E", "~", "*", "local", "default", "user", "project",
    ];

    private static readonly string[] OddFilePaths =
    [
        "stdout", "stderr", "script.sh", "../../../etc/passwd", "..%2F..%2F..%2Fetc%2Fshadow", "a/../../b", "%00", "sub/dir/", "/etc/passwd",
        ".", "..", "a%00b", "%2e%2e/%2e%2e/godocker.db", "very/" + string.Concat(Enumerable.Repeat("deep/", 60)) + "x",
    ];

    private static readonly string[] QueryNames =
        ["state", "owner", "project", "tag", "array", "offset", "limit", "follow", "path", "manager", "kind", "name", "user", "since", "x"];

    private static readonly string[] QueryValues =
    [
        "", "0", "-1", "1", "2147483648", "9223372036854775808", "1e9", "true", "false", "yes", "Pending", "pending,running", "Bogus", ",,,",
        "fuzz", "admin", "default", "%00", "..%2F..", "%F0%9F%98%80", "%FF%FE", "NaN", string.Concat(Enumerable.Repeat("a", 3000)),
    ];

    private static readonly string[] ContentTypes =
    [
        "application/json; charset=utf-8", "application/json; charset=utf-16", "application/merge-patch+json", "application/problem+json",
        "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=zz", "application/jsonx", "json", "////",
        "application/json; charset=\"", "APPLICATION/JSON", "application/json;;;", "",
    ];

    private static readonly string[] Origins =
        ["null", "http://evil.example", "https://127.0.0.1", "http://localhost", "file://", "http://[::1]", "not a url", "http://127.0.0.1:1"];

    private static readonly string[] IdempotencyKeys =
        ["", "\"\"", "k", "\"k\"", "a b", "\"unterminated", "\\", string.Concat(Enumerable.Repeat("k", 256)), string.Concat(Enumerable.Repeat("k", 255)), "\t", "\"a\",\"b\""];

    private const string Raw = "__raw__";

    /// <summary>JSON values to put where a valid one was; <see cref="Raw"/>N stands for the raw text of the same index in <see cref="RawValues"/>.</summary>
    private static readonly Func<Random, JsonNode?>[] OddValues =
    [
        _ => null, _ => true, _ => 0, _ => -1, _ => long.MaxValue, _ => long.MinValue, _ => 1.7976931348623157e308, _ => -4.9e-324, _ => 0.5,
        _ => "NaN", _ => "Infinity", _ => "-Infinity", _ => "", _ => "   ", _ => "\u0000", _ => "a\u0000b", _ => "😀\u202e\u2028é",
        _ => "1e999", _ => "99999999999999999999G", _ => "-5", _ => "0", _ => "1-1000000", _ => "1-99999999999", _ => "0-0:0", _ => "1-5:0%0",
        _ => "afterok:-1", _ => "afterok:99999999999999999999", _ => "afterany:1,afterok:", _ => "../../etc", _ => "/etc", _ => "node==",
        _ => "==", _ => "%", _ => "5000000d", _ => "999999999h", _ => "P1D", _ => "-1s", _ => "1.5", _ => "9223372036854775807",
        _ => "godocker/busybox:latest\n", _ => "root", _ => "a b", _ => "A=B", _ => "GODOCKER_JOB_ID",
        r => new string((char)r.Next(32, 0x2FFF), r.Next(1, 100_000)),
        _ => new JsonArray(), _ => new JsonObject(), _ => new JsonArray(1, "x", null), _ => new JsonObject { ["a"] = new JsonObject { ["b"] = 1 } },
        _ => Raw + "0", _ => Raw + "1", _ => Raw + "2", _ => Raw + "3", _ => Raw + "4", _ => Raw + "5", _ => Raw + "6",
    ];

    /// <summary>Values System.Text.Json will not write: numbers out of range, a lone surrogate, deep nesting, a literal NaN.</summary>
    private static readonly string[] RawValues =
    [
        "1e400", "-1e400", "\"\\uD800\"", string.Concat(Enumerable.Repeat("[", 5000)) + string.Concat(Enumerable.Repeat("]", 5000)),
        "NaN", "123456789012345678901234567890", string.Concat(Enumerable.Repeat("{\"a\":", 70)) + "1" + string.Concat(Enumerable.Repeat("}", 70)),
    ];

    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

    public FuzzRequest Next()
    {
        var route = routes[random.Next(routes.Count)];
        var method = Chance(0.1) ? Methods[random.Next(Methods.Length)] : route.Method;
        var path = Chance(0.03) ? RandomPath() : FillTemplate(route.Template) + Query();
        var exampleKey = $"{route.Method} {route.Template}";
        byte[]? body = null;
        if (Examples.TryGetValue(exampleKey, out var examples) && !Chance(0.05))
        {
            body = Chance(0.1) ? Encoding.UTF8.GetBytes(Pick(examples)) : MutatedBody(Pick(examples));
        }
        else if (Chance(0.1))
        {
            body = MutatedBody(Pick(Examples.Values.SelectMany(e => e).ToArray()));
        }
        var contentType = body is null ? (Chance(0.05) ? "application/json" : null)
            : Chance(0.8) ? "application/json" : Pick(ContentTypes);
        // Logging out revokes the token it is sent with: the fuzzer's own would leave it knocking at 401s.
        if (path.StartsWith("/api/v1/auth/session", StringComparison.OrdinalIgnoreCase) && method == "DELETE")
        {
            var logout = new FuzzRequest(method, path) { Body = body, ContentType = contentType };
            logout.Headers.Add(("Cookie", "godocker_session=" + Pick(["gd_x", "", "%00", new string('x', 5000)])));
            return logout;
        }
        if (Chance(0.03))
        {
            return RawRequest(method, path, body, contentType);
        }
        var request = new FuzzRequest(method, path) { Body = body, ContentType = contentType };
        AddHeaders(request);
        return request;
    }

    private void AddHeaders(FuzzRequest request)
    {
        var roll = random.NextDouble();
        if (Chance(0.05))
        {
            // The web session's cookie, unknown or malformed, with or without its CSRF header.
            request.Headers.Add(("Cookie", Pick(["godocker_session=gd_x", "godocker_session=", "godocker_session=%FF; godocker_session=gd_y", "a=b;;;"])));
            if (Chance(0.5))
            {
                request.Headers.Add(("X-CSRF-Token", Pick(["", "x", new string('x', 5000)])));
            }
        }
        if (roll < 0.45)
        {
            request.Headers.Add(("Authorization", "Bearer " + targets.Tokens[0]));
        }
        else if (roll < 0.85)
        {
            request.Headers.Add(("Authorization", "Bearer " + Pick(targets.Tokens)));
        }
        else if (roll < 0.95)
        {
            request.Headers.Add(("Authorization", Pick(["Bearer ", "Bearer gd_x", "Basic YTpi", "bearer " + targets.Tokens[0], "Bearer " + new string('x', 5000)])));
        }
        if (Chance(0.08))
        {
            request.Headers.Add(("Origin", Chance(0.5) ? $"http://127.0.0.1:{targets.Port}" : Pick(Origins)));
        }
        if (Chance(0.04))
        {
            request.Headers.Add(("Sec-Fetch-Site", Pick(["cross-site", "same-site", "same-origin", "none", "bogus"])));
        }
        if (Chance(0.05))
        {
            request.Headers.Add(("Host", Pick([$"evil.example:{targets.Port}", $"localhost:{targets.Port}", $"[::1]:{targets.Port}", "127.0.0.1", "localhost:1", "a..b", "[zz]:1", "1.2.3.4.5"])));
        }
        if (Chance(request.Method == "POST" ? 0.3 : 0.03))
        {
            request.Headers.Add(("Idempotency-Key", Chance(0.5) ? Guid.NewGuid().ToString() : Pick(IdempotencyKeys)));
        }
        if (Chance(0.02))
        {
            request.Headers.Add(("Accept", Pick(["text/html", "*/*", "application/xml", "", "a/b;q=x"])));
        }
    }

    private FuzzRequest RawRequest(string method, string path, byte[]? body, string? contentType)
    {
        body ??= [];
        var head = new StringBuilder().Append(method).Append(' ').Append(path).Append(Chance(0.1) ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
        if (!Chance(0.1))
        {
            head.Append("Host: ").Append(Chance(0.2) ? "ünïcode.example" : $"127.0.0.1:{targets.Port}").Append("\r\n");
        }
        head.Append("Authorization: Bearer ").Append(targets.Tokens[0]).Append("\r\n").Append("Connection: close\r\n");
        if (contentType is not null)
        {
            head.Append("Content-Type: ").Append(contentType).Append("\r\n");
        }
        if (Chance(0.3))
        {
            head.Append("Idempotency-Key: ").Append(Pick(["clé", "\u00ff", "k\u0001", Guid.NewGuid().ToString()])).Append("\r\n");
        }
        var declared = random.Next(4) switch
        {
            0 => body.Length - Math.Min(body.Length, random.Next(1, 10)),
            1 => body.Length,
            2 => -1,
            _ => body.Length + random.Next(1, 10),
        };
        if (declared >= 0)
        {
            head.Append("Content-Length: ").Append(declared).Append("\r\n");
        }
        else
        {
            head.Append("Transfer-Encoding: chunked\r\n");
        }
        head.Append("\r\n");
        var bytes = new List<byte>(Encoding.UTF8.GetBytes(head.ToString()));
        if (declared < 0)
        {
            bytes.AddRange(Encoding.ASCII.GetBytes(body.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"));
            bytes.AddRange(body);
            bytes.AddRange("\r\n0\r\n\r\n"u8.ToArray());
        }
        else
        {
            bytes.AddRange(body);
        }
        return new FuzzRequest(method, path) { Raw = [.. bytes] };
    }

    private string FillTemplate(string template)
    {
        var path = new StringBuilder();
        foreach (var segment in template.Split('/'))
        {
            if (path.Length > 0 || segment.Length > 0)
            {
                path.Append('/');
            }
            if (!segment.StartsWith('{'))
            {
                path.Append(segment);
                continue;
            }
            var name = segment.Trim('{', '}', '*').Split(':')[0];
            path.Append(name switch
            {
                // Token ids are not drawn from the real ones: revoking the fuzzer's own tokens would leave it knocking at 401s.
                "id" when template.Contains("/tokens/", StringComparison.Ordinal) => Pick(OddSegments.Where(o => o is not ("0" or "1" or "+1")).ToArray()),
                "id" => Chance(0.5) ? targets.JobIds[random.Next(targets.JobIds.Count)].ToString(CultureInfo.InvariantCulture) : Pick(OddSegments),
                "path" => Pick(OddFilePaths),
                "skip" or "limit" => Chance(0.5) ? Pick(["0", "1", "10", "1000"]) : Pick(OddSegments),
                "login" => Chance(0.5) ? Pick(targets.Logins) : Pick(OddSegments),
                "kind" => Chance(0.6) ? Pick(["user", "project"]) : Pick(OddSegments),
                "name" => Chance(0.5) ? Pick(["default", "local", "fuzz", "p1"]) : Pick(OddSegments),
                _ => Pick(OddSegments),
            });
        }
        if (Chance(0.03))
        {
            path.Append('/').Append(Pick(OddSegments));
        }
        return path.ToString();
    }

    private string Query()
    {
        if (Chance(0.6))
        {
            return "";
        }
        var parts = Enumerable.Range(0, random.Next(1, 4)).Select(_ => Pick(QueryNames) + "=" + Pick(QueryValues));
        return "?" + string.Join('&', parts);
    }

    private string RandomPath() =>
        "/" + string.Join('/', Enumerable.Range(0, random.Next(1, 6)).Select(_ => Chance(0.5) ? Pick(["api", "v1", "jobs", "users", "files"]) : Pick(OddSegments)));

    private byte[] MutatedBody(string example)
    {
        var node = JsonNode.Parse(example)!;
        var mutations = random.Next(1, 4);
        for (var i = 0; i < mutations; i++)
        {
            node = Mutate(node);
        }
        var text = node?.ToJsonString() ?? "null";
        for (var i = 0; i < RawValues.Length; i++)
        {
            text = text.Replace($"\"{Raw}{i}\"", RawValues[i], StringComparison.Ordinal);
        }
        if (Chance(0.1) && text.EndsWith('}') && text.Length > 2)
        {
            // A duplicate key: JsonNode cannot hold one, the text can.
            var first = text.IndexOf('"', StringComparison.Ordinal);
            var colon = text.IndexOf(':', first);
            text = text[..^1] + "," + text[first..colon] + ":\"dup\"}";
        }
        var bytes = Encoding.UTF8.GetBytes(text);
        return random.Next(20) switch
        {
            0 => bytes[..random.Next(bytes.Length + 1)],
            1 => [0xEF, 0xBB, 0xBF, .. bytes],
            2 => [.. bytes.Take(bytes.Length / 2), 0xFF, 0xC0, .. bytes.Skip(bytes.Length / 2)],
            3 => [.. bytes.Select(b => random.Next(50) == 0 ? (byte)random.Next(256) : b)],
            _ => bytes,
        };
    }

    private JsonNode? Mutate(JsonNode? node)
    {
        if (node is not JsonObject obj || obj.Count == 0 || Chance(0.04))
        {
            return Pick<Func<JsonNode?>>([() => new JsonArray(), () => "string", () => 1, () => null, () => new JsonObject(), () => Odd()])();
        }
        var keys = obj.Select(p => p.Key).ToList();
        var key = Pick(keys.ToArray());
        switch (random.Next(6))
        {
            case 0:
                obj.Remove(key);
                break;
            case 1:
                obj[Pick(["zzz", "Script", "ID", "owner", "state", "runAs", "mounts", "__proto__", ""])] = Odd();
                break;
            case 2 when obj[key] is JsonObject inner:
                inner[Pick(["A", "", "GODOCKER_JOB_ID", "a=b", "a\nb", "x\u0000"])] = Odd() is JsonValue v ? v : "v";
                break;
            case 3 when obj[key] is JsonArray array:
                array.Add(Odd());
                break;
            default:
                obj[key] = Odd();
                break;
        }
        return obj;
    }

    private JsonNode? Odd() => OddValues[random.Next(OddValues.Length)](random);

    private bool Chance(double p) => random.NextDouble() < p;

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
