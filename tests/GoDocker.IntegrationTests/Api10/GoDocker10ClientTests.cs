using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests.Api10;

/// <summary>
/// The original GoDocker 1.0 REST API under /api/1.0 (docs/notes/godocker10-design.md) against a real server and engine,
/// replaying the requests Galaxy's godocker runner and the godjob CLI send (lib/galaxy/jobs/runners/godocker.py and
/// go-docker-cli, read for the note): the same methods, paths, headers and body fields, rebuilt here as raw JSON.
/// </summary>
public sealed class GoDocker10ClientTests(GoDocker10ClientTests.Site site) : IClassFixture<GoDocker10ClientTests.Site>
{
    /// <summary>A site with local accounts (alice, bob), a personal API key each, and "data": the same path on the host and in the container, as Galaxy's shared filesystem is.</summary>
    public sealed class Site : IAsyncLifetime
    {
        private string passwordFile = null!;
        public ServerProcess Server { get; private set; } = null!;
        public string Root { get; } = Directory.CreateTempSubdirectory("godocker-api10-").FullName;
        public Dictionary<string, string> ApiKeys { get; } = [];
        public string AdminToken { get; private set; } = "";

        public string Data => Path.Combine(Root, "data");

        public async Task InitializeAsync()
        {
            Directory.CreateDirectory(Data);
            File.SetUnixFileMode(Data, (UnixFileMode)0b111_111_111);
            passwordFile = Path.GetTempFileName();
            await File.WriteAllTextAsync(passwordFile, "admin-secret-1");
            Server = await ServerProcess.StartAsync(new Dictionary<string, string>
            {
                ["Auth:Provider"] = "local",
                ["Auth:BootstrapAdmin"] = "admin",
                ["Auth:BootstrapAdminPasswordFile"] = passwordFile,
                ["Compat:GoDocker10:Enabled"] = "true",
                ["Volumes:0:Name"] = "data",
                ["Volumes:0:HostPath"] = Data,
                ["Volumes:0:ContainerPath"] = Data,
                ["Volumes:0:AllowedRoot"] = Root,
                ["Volumes:1:Name"] = "secret",
                ["Volumes:1:HostPath"] = Root,
                ["Volumes:1:AllowedRoot"] = Root,
                ["Volumes:1:Who:Everyone"] = "false",
                ["Volumes:1:Who:Groups:0"] = "admins",
            });
            AdminToken = await LoginAsync("admin", "admin-secret-1");
            var uid = 3200;
            foreach (var login in (string[])["alice", "bob"])
            {
                using var admin = With(AdminToken);
                using var created = await admin.PostAsJsonAsync("/api/v1/users",
                    new UserRequest { Login = login, Uid = ++uid, Gid = uid, Password = $"{login}-password", Home = $"/home/{login}" },
                    GoDockerJson.Default.UserRequest);
                created.EnsureSuccessStatusCode();
                // The API key a user gives godjob or Galaxy: a personal token of today, made once through /api/v1/tokens.
                using var user = With(await LoginAsync(login, $"{login}-password"));
                using var key = await user.PostAsJsonAsync("/api/v1/tokens", new NewTokenRequest("galaxy", null), GoDockerJson.Default.NewTokenRequest);
                key.EnsureSuccessStatusCode();
                ApiKeys[login] = (await key.Content.ReadFromJsonAsync(GoDockerJson.Default.LoginResponse))!.Token;
            }
        }

        public async Task DisposeAsync()
        {
            await Server.DisposeAsync();
            File.Delete(passwordFile);
            Directory.Delete(Root, recursive: true);
        }

        public HttpClient With(string? token)
        {
            var client = new HttpClient { BaseAddress = Server.BaseUrl };
            if (token is not null)
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            return client;
        }

        private async Task<string> LoginAsync(string login, string password)
        {
            using var anonymous = With(null);
            using var response = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest(login, password), GoDockerJson.Default.LoginRequest);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync(GoDockerJson.Default.LoginResponse))!.Token;
        }
    }

    /// <summary>Both clients' request: headers Content-type and Accept application/json, a token as 'Bearer ' + token when they have one.</summary>
    private static HttpRequestMessage Request(HttpMethod method, string path, string? token, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.ParseAdd("application/json");
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        }
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        return request;
    }

    private async Task<(HttpStatusCode Status, JsonObject Body, string ContentType)> SendAsync(HttpMethod method, string path, string? token, string? json = null)
    {
        using var client = site.With(null);
        using var request = Request(method, path, token, json);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        // Every answer is JSON, errors too: godjob parses the body of anything but 401/403/404, Galaxy calls .json() on DELETE.
        var body = JsonNode.Parse(text) as JsonObject;
        Assert.True(body is not null, $"{method} {path}: {(int)response.StatusCode} {text}");
        return (response.StatusCode, body, response.Content.Headers.ContentType?.MediaType ?? "");
    }

    /// <summary>Galaxy's login(): POST /authenticate {"user", "apikey"} → res.json()['token'].</summary>
    private async Task<string> AuthenticateAsync(string login)
    {
        var (status, body, _) = await SendAsync(HttpMethod.Post, "/api/1.0/authenticate", null,
            $$"""{"user": "{{login}}", "apikey": "{{site.ApiKeys[login]}}"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        return body["token"]!.GetValue<string>();
    }

    /// <summary>The body of the runner's post_task, field for field (its godocker_project unset: no "user").</summary>
    private static string GalaxyTask(string toolName, string cmd, string volumes = """[{"name": "data"}]""") => $$"""
        {
          "date": 1733300000.0,
          "meta": {"name": "{{toolName}}", "description": "galaxy job", "tags": ["galaxy", "toolshed.g2.bx.psu.edu/repos/devteam/{{toolName}}/0.1"]},
          "requirements": {"cpu": 1, "ram": 1, "array": {"values": null}, "label": [], "tasks": [], "tmpstorage": null},
          "container": {"image": "godocker/busybox:latest", "volumes": {{volumes}}, "network": true, "id": null, "meta": null, "stats": null, "ports": [], "root": false},
          "command": {"interactive": false, "cmd": {{System.Text.Json.JsonSerializer.Serialize(cmd)}}},
          "status": {"primary": null, "secondary": null}
        }
        """;

    private async Task<long> PostTaskAsync(string token, string json)
    {
        var (status, body, _) = await SendAsync(HttpMethod.Post, "/api/1.0/task", token, json);
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        Assert.IsType<string>(body["msg"]!.GetValue<string>());
        return body["id"]!.GetValue<long>();
    }

    /// <summary>check_watched_item's loop: GET /task/{id} until the condition holds on the document.</summary>
    private async Task<JsonObject> PollAsync(string token, long id, Func<JsonObject, bool> until)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var (status, task, _) = await SendAsync(HttpMethod.Get, $"/api/1.0/task/{id}", token);
            Assert.Equal(HttpStatusCode.OK, status);
            if (until(task))
            {
                return task;
            }
            Assert.True(DateTime.UtcNow < deadline, $"task {id} never reached the condition: {task.ToJsonString()}");
            await Task.Delay(250);
        }
    }

    private static string? Primary(JsonObject task) => (string?)task["status"]!["primary"];

    [Fact]
    public async Task Authenticate_answers_a_token_for_the_users_API_key_and_refuses_anything_else()
    {
        var token = await AuthenticateAsync("alice");
        // The token is usable as the clients use it, on the next call.
        var (status, _, _) = await SendAsync(HttpMethod.Get, "/api/1.0/task/999999", token);
        Assert.Equal(HttpStatusCode.NotFound, status);

        foreach (var body in (string[])[
            $$"""{"user": "alice", "apikey": "gd_not-a-key"}""",
            // bob's valid key given for alice: not alice's session.
            $$"""{"user": "alice", "apikey": "{{site.ApiKeys["bob"]}}"}""",
            $$"""{"user": "nobody", "apikey": "{{site.ApiKeys["bob"]}}"}"""])
        {
            var (refused, error, type) = await SendAsync(HttpMethod.Post, "/api/1.0/authenticate", null, body);
            Assert.Equal(HttpStatusCode.Unauthorized, refused);
            Assert.Equal("invalid user or API key", (string?)error["msg"]);
            Assert.Equal("application/problem+json", type);
        }

        // A property given twice is refused as the body, before anything reads it (ApiFuzzTests found a 500 here).
        var (twice, _, _) = await SendAsync(HttpMethod.Post, "/api/1.0/authenticate", null, $$"""{"user": "bob", "user": "alice", "apikey": "{{site.ApiKeys["alice"]}}"}""");
        Assert.Equal(HttpStatusCode.BadRequest, twice);

        var (missing, problem, _) = await SendAsync(HttpMethod.Post, "/api/1.0/authenticate", null, """{"user": "alice"}""");
        Assert.Equal(HttpStatusCode.BadRequest, missing);
        Assert.NotNull(problem["errors"]!["apikey"]);

        // Without a token nothing but authenticate and config answers.
        using var anonymous = site.With(null);
        using var noToken = await anonymous.GetAsync("/api/1.0/task/1");
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        using var badToken = await site.With("gd_forged").GetAsync("/api/1.0/task/1");
        Assert.Equal(HttpStatusCode.Unauthorized, badToken.StatusCode);
    }

    [Fact]
    public async Task Config_answers_without_a_token_with_the_sites_images_volumes_and_features()
    {
        // godjob sends GET /config with no header at all (Utils.get_config_infos: headers {}).
        using var anonymous = site.With(null);
        using var response = await anonymous.GetAsync("/api/1.0/config");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var config = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        var image = Assert.Single(config["images"]!.AsArray());
        Assert.Equal("godocker/busybox:latest", (string?)image!["url"]);
        Assert.False((bool)image["interactive"]!);
        var volumes = config["volumes"]!.AsArray().Select(v => ((string?)v!["name"], (string?)v["acl"])).ToList();
        Assert.Equal([("data", "rw"), ("secret", "rw")], volumes);
        // No host path of a volume is told anonymously (only the container path, here equal to the host's by choice).
        Assert.All(config["volumes"]!.AsArray(), v => Assert.False(v!.AsObject().ContainsKey("path")));
        Assert.Equal(site.Data, (string?)config["volumes"]![0]!["mount"]);
        Assert.False(config["volumes"]![1]!.AsObject().ContainsKey("mount"));
        Assert.Equal(["pause"], config["executor_features"]!.AsArray().Select(f => (string?)f));
        Assert.IsType<JsonArray>(config["constraints"]);
    }

    [Fact]
    public async Task Galaxys_runner_submits_polls_until_over_and_reads_the_exit_code_and_files()
    {
        // __init__ → login(): one authenticate for the life of the process.
        var token = await AuthenticateAsync("alice");
        var workdir = Path.Combine(site.Data, "galaxy-job-1");
        Directory.CreateDirectory(workdir);
        File.SetUnixFileMode(workdir, (UnixFileMode)0b111_111_111);
        // The runner's cmd: a script that changes into Galaxy's working directory (on the shared filesystem) and runs the
        // tool's command line. Galaxy writes #!/bin/bash; the test image has only sh.
        var id = await PostTaskAsync(token, GalaxyTask("cat1", $"#!/bin/sh\ncd {workdir}\necho galaxy-output > out.txt\necho to-stdout\necho to-stderr >&2\nexit 3\n"));

        var task = await PollAsync(token, id, t => Primary(t) == "over");
        Assert.Equal(3, (int)task["status"]!["exitcode"]!);
        Assert.Null(task["status"]!["secondary"]);
        Assert.NotNull(task["status"]!["date_running"]);
        Assert.NotNull(task["status"]!["date_over"]);
        Assert.Equal("galaxy-output\n", await File.ReadAllTextAsync(Path.Combine(workdir, "out.txt")));
        // create_log_file reads the output from the "go-docker" volume's path on its own filesystem.
        var jobVolume = task["container"]!["volumes"]!.AsArray().Single(v => (string?)v!["name"] == "go-docker")!;
        var jobDirectory = (string)jobVolume["path"]!;
        // create_log_file: god.log and god.err, read by Galaxy at that path on its own filesystem.
        Assert.Equal("to-stdout\n", await File.ReadAllTextAsync(Path.Combine(jobDirectory, "god.log")));
        Assert.Equal("to-stderr\n", await File.ReadAllTextAsync(Path.Combine(jobDirectory, "god.err")));
        // The same through the files API, where they are links like any the job could make (and stay inside its folder).
        using (var files = site.With(token))
        {
            Assert.Equal("to-stdout\n", await files.GetStringAsync($"/api/1.0/task/{id}/files/god.log"));
            Assert.Equal("to-stderr\n", await files.GetStringAsync($"/api/v1/jobs/{id}/files/god.err"));
        }
        Assert.Contains(task["container"]!["volumes"]!.AsArray(), v => (string?)v!["name"] == "data" && (string?)v["path"] == site.Data);

        // The document as the clients index it.
        Assert.Equal(id, (long)task["id"]!);
        Assert.Equal("alice", (string?)task["user"]!["id"]);
        Assert.Equal("default", (string?)task["user"]!["project"]);
        Assert.Equal(3201, (int)task["user"]!["uid"]!);
        Assert.Equal("cat1", (string?)task["meta"]!["name"]);
        Assert.Equal("galaxy job", (string?)task["meta"]!["description"]);
        // A toolshed tool id is not a tag of today: the document keeps it as sent, the job is tagged "galaxy".
        Assert.Equal(["galaxy", "toolshed.g2.bx.psu.edu/repos/devteam/cat1/0.1"], task["meta"]!["tags"]!.AsArray().Select(t => (string?)t));
        Assert.Equal(1.0, (double)task["requirements"]!["cpu"]!);
        Assert.Equal(1.0, (double)task["requirements"]!["ram"]!);
        Assert.Equal("godocker/busybox:latest", (string?)task["container"]!["image"]);
        Assert.Equal(3, (int)task["container"]!["meta"]!["State"]!["ExitCode"]!);
        Assert.Equal("exited", (string?)task["status"]!["end_cause"]);

        // The same job through today's API: owner, tags and accounting are the submission use case's.
        var job = await site.Server.Api.WaitForAsync(id, j => j.State.IsTerminal(), null, site.AdminToken);
        Assert.Equal(JobState.Failed, job.State);
        Assert.Equal("alice", job.Owner);
        Assert.Equal(1.0, job.Cpus);
        Assert.Equal(1L << 30, job.MemoryBytes);
        Assert.Equal(["galaxy"], job.Tags);

        // A finished task is not stopped again, and the answer is still a 200 JSON document.
        var (killed, afterKill, _) = await SendAsync(HttpMethod.Delete, $"/api/1.0/task/{id}", token);
        Assert.Equal(HttpStatusCode.OK, killed);
        Assert.Equal("over", Primary(afterKill));
        Assert.Equal(3, (int)afterKill["status"]!["exitcode"]!);
    }

    [Fact]
    public async Task Galaxys_stop_job_reads_the_status_then_deletes_a_running_task()
    {
        var token = await AuthenticateAsync("alice");
        var id = await PostTaskAsync(token, GalaxyTask("sleeper", "#!/bin/sh\nsleep 300\n"));
        await PollAsync(token, id, t => Primary(t) == "running");

        var (status, current, _) = await SendAsync(HttpMethod.Get, $"/api/1.0/task/{id}/status", token);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("running", (string?)current["status"]!["primary"]);
        Assert.Equal("running", (string?)current["primary"]);

        var (deleted, answer, type) = await SendAsync(HttpMethod.Delete, $"/api/1.0/task/{id}", token);
        Assert.Equal(HttpStatusCode.OK, deleted);
        Assert.Equal("application/json", type);
        Assert.Equal(id, (long)answer["id"]!);

        var over = await PollAsync(token, id, t => Primary(t) == "over");
        Assert.Equal("killed", (string?)over["status"]!["secondary"]);
        // is_finish (godjob create --wait): date_running present and date_over set.
        Assert.NotNull(over["status"]!["date_running"]);
        Assert.NotNull(over["status"]!["date_over"]);
    }

    [Fact]
    public async Task Godjob_suspend_and_resume_are_GETs_that_pause_and_thaw_the_container()
    {
        var token = await AuthenticateAsync("alice");
        var id = await PostTaskAsync(token, GalaxyTask("pausable", "#!/bin/sh\nsleep 300\n"));
        await PollAsync(token, id, t => Primary(t) == "running");

        var (suspended, document, _) = await SendAsync(HttpMethod.Get, $"/api/1.0/task/{id}/suspend", token);
        Assert.Equal(HttpStatusCode.OK, suspended);
        Assert.Equal("running", Primary(document));
        Assert.Equal("suspended", (string?)document["status"]!["secondary"]);
        Assert.Equal(JobState.Suspended, (await site.Server.Api.WaitForAsync(id, _ => true, null, site.AdminToken)).State);

        // Suspending again is a conflict, told as JSON naming what is wrong.
        var (again, conflict, _) = await SendAsync(HttpMethod.Get, $"/api/1.0/task/{id}/suspend", token);
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.False(string.IsNullOrEmpty((string?)conflict["msg"]));

        var (resumed, thawed, _) = await SendAsync(HttpMethod.Get, $"/api/1.0/task/{id}/resume", token);
        Assert.Equal(HttpStatusCode.OK, resumed);
        Assert.Equal("running", Primary(thawed));
        Assert.Null(thawed["status"]!["secondary"]);
        Assert.Equal(JobState.Running, (await site.Server.Api.WaitForAsync(id, _ => true, null, site.AdminToken)).State);

        var (killed, _, _) = await SendAsync(HttpMethod.Delete, $"/api/1.0/task/{id}", token);
        Assert.Equal(HttpStatusCode.OK, killed);
    }

    [Fact]
    public async Task Suspend_and_resume_of_an_array_id_act_on_every_task_of_the_array()
    {
        var token = await AuthenticateAsync("alice");
        var id = await PostTaskAsync(token, $$"""
            {
              "user": {"id": "alice", "uid": 1, "gid": 1, "project": "default"},
              "meta": {"name": "pair", "description": "", "tags": []},
              "requirements": {"cpu": 1, "ram": 1, "array": {"values": "1:2:1"}, "label": [], "tasks": []},
              "container": {"image": "godocker/busybox:latest", "volumes": [], "root": false},
              "command": {"interactive": false, "cmd": "sleep 300"},
              "status": {"primary": null, "secondary": null}
            }
            """);
        var parent = await PollAsync(token, id, _ => true);
        var tasks = parent["requirements"]!["array"]!["tasks"]!.AsArray().Select(t => (long)t!).ToList();
        Assert.Equal(2, tasks.Count);
        foreach (var task in tasks)
        {
            await site.Server.Api.WaitForAsync(task, j => j.State == JobState.Running, TimeSpan.FromSeconds(90), site.AdminToken);
        }

        var (suspended, document, _) = await SendAsync(HttpMethod.Get, $"/api/1.0/task/{id}/suspend", token);
        Assert.Equal(HttpStatusCode.OK, suspended);
        Assert.Equal(tasks, document["requirements"]!["array"]!["tasks"]!.AsArray().Select(t => (long)t!));
        foreach (var task in tasks)
        {
            Assert.Equal(JobState.Suspended, (await site.Server.Api.WaitForAsync(task, _ => true, null, site.AdminToken)).State);
        }
        var (again, conflict, _) = await SendAsync(HttpMethod.Get, $"/api/1.0/task/{id}/suspend", token);
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Contains($"no task of array {id} is running", (string?)conflict["msg"], StringComparison.Ordinal);
        // Another user may not suspend or resume alice's array, and nothing changes.
        var bob = await AuthenticateAsync("bob");
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/api/1.0/task/{id}/resume", bob)).Status);

        var (resumed, _, _) = await SendAsync(HttpMethod.Get, $"/api/1.0/task/{id}/resume", token);
        Assert.Equal(HttpStatusCode.OK, resumed);
        foreach (var task in tasks)
        {
            Assert.Equal(JobState.Running, (await site.Server.Api.WaitForAsync(task, _ => true, null, site.AdminToken)).State);
        }
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(HttpMethod.Get, $"/api/1.0/task/{id}/resume", token)).Status);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Delete, $"/api/1.0/task/{id}", token)).Status);
        foreach (var task in tasks)
        {
            Assert.Equal(JobState.Killed, (await site.Server.Api.WaitForAsync(task, j => j.State.IsTerminal(), TimeSpan.FromSeconds(90), site.AdminToken)).State);
        }
    }

    [Fact]
    public async Task Godjobs_create_body_maps_array_labels_parents_and_the_callers_identity()
    {
        var token = await AuthenticateAsync("alice");
        var parent = await PostTaskAsync(token, GalaxyTask("parent", "#!/bin/sh\ntrue\n"));
        // godjob create -n arr --array 1:3:1 --parent PARENT -v data --retry 1 (its body, with get_userInfos' id/uid/gid).
        var id = await PostTaskAsync(token, $$"""
            {
              "user": {"id": "alice", "uid": 1, "gid": 1, "project": "default"},
              "date": 1733300000.0,
              "meta": {"name": "arr", "description": "", "tags": ["batch:b1"]},
              "requirements": {"cpu": 1, "ram": 1, "gpus": 0, "array": {"values": "1:3:1"}, "label": [], "failure_policy": 1,
                               "tasks": ["{{parent}}"], "tmpstorage": null, "executor": null},
              "container": {"image": "godocker/busybox:latest", "volumes": [{"name": "data", "acl": "ro"}], "network": true,
                            "id": null, "meta": null, "stats": null, "ports": [], "root": false},
              "command": {"interactive": false, "cmd": "echo task $GODOCKER_TASK_ID"},
              "status": {"primary": null, "secondary": null}
            }
            """);
        var task = await PollAsync(token, id, _ => true);
        Assert.Equal("1:3:1", (string?)task["requirements"]!["array"]!["values"]);
        Assert.Equal([parent.ToString(System.Globalization.CultureInfo.InvariantCulture)], task["requirements"]!["tasks"]!.AsArray().Select(t => (string?)t));
        Assert.Equal("", (string?)task["meta"]!["description"]);
        Assert.Equal(3201, (int)task["user"]!["uid"]!);
        Assert.Contains(task["container"]!["volumes"]!.AsArray(), v => (string?)v!["name"] == "data" && (string?)v["acl"] == "ro");
        // The array's id answers the 1.0 parent document: its values and its tasks, one status over them.
        Assert.False(task.ContainsKey("parent_task_id"));
        var tasks = task["requirements"]!["array"]!["tasks"]!.AsArray().Select(t => (long)t!).ToList();
        Assert.Equal(3, tasks.Count);
        Assert.Equal(id, tasks[0]);
        var over = await PollAsync(token, id, t => Primary(t) == "over");
        Assert.Equal(0, (int)over["status"]!["exitcode"]!);
        Assert.Equal(3, (int)over["requirements"]!["array"]!["nb_tasks_over"]!);
        foreach (var taskId in tasks)
        {
            Assert.Equal(JobState.Succeeded, (await site.Server.Api.WaitForAsync(taskId, j => j.State.IsTerminal(), null, site.AdminToken)).State);
        }
        // godbatch's "batch:NAME" is no tag today: echoed back as sent, while the tags that are valid stay tags.
        Assert.Equal(["batch:b1"], task["meta"]!["tags"]!.AsArray().Select(t => (string?)t));
    }

    [Fact]
    public async Task A_refused_document_is_a_400_naming_the_field_with_a_null_id_and_nothing_is_submitted()
    {
        var token = await AuthenticateAsync("alice");
        using var v1 = site.With(site.ApiKeys["alice"]);
        var before = Ids(await v1.GetStringAsync("/api/v1/jobs?limit=1000"));
        (string Body, string Field)[] cases =
        [
            (GalaxyTask("t", "true").Replace("\"tmpstorage\": null", "\"tmpstorage\": {\"size\": 10, \"path\": null}"), "requirements.tmpstorage"),
            (GalaxyTask("t", "true").Replace("\"interactive\": false", "\"interactive\": true"), "command.interactive"),
            (GalaxyTask("t", "true").Replace("\"ports\": []", "\"ports\": [22]"), "container.ports"),
            (GalaxyTask("t", "true").Replace("\"date\"", "\"surprise\": 1, \"date\""), "surprise"),
            (GalaxyTask("t", "true").Replace("\"cpu\": 1", "\"cpu\": \"one\""), "requirements.cpu"),
            (GalaxyTask("t", "true").Replace("\"date\"", "\"user\": {\"id\": \"bob\"}, \"date\""), "user.id"),
            (GalaxyTask("t", "true").Replace("\"cpu\": 1", "\"cpu\": -1"), "requirements.cpu"),
            // Policy refusals of the submission use case: a volume not granted to alice, an image not allowed.
            (GalaxyTask("t", "true", """[{"name": "secret"}]"""), "container.volumes"),
            (GalaxyTask("t", "true").Replace("godocker/busybox:latest", "evil/miner:1"), "container.image"),
            (GalaxyTask("t", "   "), "command.cmd"),
            ("[1, 2]", "body"),
            // Found by ApiFuzzTests: read lazily, these threw inside the handler (500) instead of being refused.
            (GalaxyTask("t", "true").Replace("\"date\"", "\"meta\": {\"name\": \"twice\"}, \"date\""), "body"),
            (GalaxyTask("t", "true").Replace("galaxy job", "\\uD800"), "body"),
            ("{not json", "body"),
        ];
        foreach (var (body, field) in cases)
        {
            var (status, problem, type) = await SendAsync(HttpMethod.Post, "/api/1.0/task", token, body);
            Assert.True(status == HttpStatusCode.BadRequest, $"{field}: {(int)status} {problem.ToJsonString()}");
            Assert.Equal("application/problem+json", type);
            Assert.True(problem["errors"]!.AsObject().ContainsKey(field), $"{field}: {problem.ToJsonString()}");
            Assert.Contains(field, (string?)problem["msg"], StringComparison.Ordinal);
            if (field != "body")
            {
                Assert.True(problem.ContainsKey("id") && problem["id"] is null, problem.ToJsonString());
            }
        }
        Assert.Equal(before, Ids(await v1.GetStringAsync("/api/v1/jobs?limit=1000")));
    }

    private static List<string> Ids(string jobs) =>
        [.. System.Text.RegularExpressions.Regex.Matches(jobs, "\"id\":([0-9]+)").Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Another_users_task_is_not_found_for_reading_nor_for_control()
    {
        var alice = await AuthenticateAsync("alice");
        var bob = await AuthenticateAsync("bob");
        var id = await PostTaskAsync(alice, GalaxyTask("private", "#!/bin/sh\nsleep 300\n"));
        foreach (var (method, path) in (ValueTuple<HttpMethod, string>[])[
            (HttpMethod.Get, $"/api/1.0/task/{id}"), (HttpMethod.Get, $"/api/1.0/task/{id}/status"), (HttpMethod.Delete, $"/api/1.0/task/{id}"),
            (HttpMethod.Get, $"/api/1.0/task/{id}/suspend"), (HttpMethod.Get, $"/api/1.0/task/{id}/resume")])
        {
            var (status, problem, _) = await SendAsync(method, path, bob);
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Equal(["id"], problem["errors"]!.AsObject().Select(e => e.Key));
        }
        var (malformed, _, _) = await SendAsync(HttpMethod.Get, "/api/1.0/task/01", alice);
        Assert.Equal(HttpStatusCode.NotFound, malformed);
        // Bob's attempt changed nothing.
        var (_, task, _) = await SendAsync(HttpMethod.Get, $"/api/1.0/task/{id}", alice);
        Assert.NotEqual("over", Primary(task));
        Assert.NotEqual("kill requested", (string?)task["status"]!["secondary"]);
        await SendAsync(HttpMethod.Delete, $"/api/1.0/task/{id}", alice);
    }
    [Fact]
    public async Task Godjobs_projects_and_lists_answer_the_callers_own_tasks()
    {
        var alice = await AuthenticateAsync("alice");
        var bob = await AuthenticateAsync("bob");
        // Before every godjob command: GET /user/{login}/project, "default" among the choices (create's default).
        using (var client = site.With(alice))
        {
            var projects = JsonNode.Parse(await client.GetStringAsync("/api/1.0/user/alice/project"))!.AsArray();
            Assert.Equal("default", (string?)projects[0]!["id"]);
        }
        using (var asBob = site.With(bob))
        using (var others = await asBob.GetAsync("/api/1.0/user/alice/project"))
        using (var profile = await asBob.GetAsync("/api/1.0/user/alice"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, others.StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, profile.StatusCode);
        }
        // godjob create: user.id/uid/gid of its body come from GET /user/{login}; the API key is never shown.
        var (found, user, _) = await SendAsync(HttpMethod.Get, "/api/1.0/user/alice", alice);
        Assert.Equal(HttpStatusCode.OK, found);
        Assert.Equal("alice", (string?)user["id"]);
        Assert.Equal(3201, (int)user["uid"]!);
        Assert.Equal(3201, (int)user["gid"]!);
        Assert.Equal("", (string?)user["credentials"]!["apikey"]);
        var (adminView, _, _) = await SendAsync(HttpMethod.Get, "/api/1.0/user/alice", site.AdminToken);
        Assert.Equal(HttpStatusCode.OK, adminView);
        var (nobody, _, _) = await SendAsync(HttpMethod.Get, "/api/1.0/user/nobody", site.AdminToken);
        Assert.Equal(HttpStatusCode.NotFound, nobody);

        var ended = await PostTaskAsync(alice, GalaxyTask("ended", "#!/bin/sh\ntrue\n"));
        await PollAsync(alice, ended, t => Primary(t) == "over");
        var running = await PostTaskAsync(alice, GalaxyTask("running", "#!/bin/sh\nsleep 300\n"));
        var bobs = await PostTaskAsync(bob, GalaxyTask("bobs", "#!/bin/sh\ntrue\n"));
        await PollAsync(bob, bobs, t => Primary(t) == "over");

        // godjob list over: POST /task/over/0/0 with Content-type and Accept, no body; ?project= for --project.
        using var http = site.With(null);
        foreach (var path in (string[])["/api/1.0/task/over/0/0", "/api/1.0/task/over/0/0?project=default"])
        {
            using var request = Request(HttpMethod.Post, path, alice);
            request.Content = new ByteArrayContent([]);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var over = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
            var ids = over.Select(t => (long)t!["id"]!).ToList();
            Assert.Contains(ended, ids);
            Assert.DoesNotContain(running, ids);
            Assert.DoesNotContain(bobs, ids);
            Assert.All(over, t => Assert.Equal("over", Primary(t!.AsObject())));
        }
        using (var client = site.With(alice))
        {
            Assert.Empty(JsonNode.Parse(await client.GetStringAsync("/api/1.0/task/over/0/0?project=genomics"))!.AsArray());
            var one = JsonNode.Parse(await client.GetStringAsync("/api/1.0/task/over/0/1"))!.AsArray();
            Assert.Single(one);
            using var bad = await client.GetAsync("/api/1.0/task/over/x/1");
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.NotNull(JsonNode.Parse(await bad.Content.ReadAsStringAsync())!["errors"]!["skip"]);

            var active = JsonNode.Parse(await client.GetStringAsync("/api/1.0/task/active"))!.AsArray().Select(t => (long)t!["id"]!).ToList();
            Assert.Contains(running, active);
            Assert.DoesNotContain(ended, active);
            Assert.DoesNotContain(bobs, active);

            // Not this server's API: absent from its OpenAPI description.
            Assert.DoesNotContain("/api/1.0", await client.GetStringAsync("/api/v1/openapi.json"), StringComparison.Ordinal);
        }
        await SendAsync(HttpMethod.Delete, $"/api/1.0/task/{running}", alice);
    }

    [Fact]
    public async Task A_job_that_links_god_log_elsewhere_gets_nothing_served_from_outside_its_directory()
    {
        var token = await AuthenticateAsync("alice");
        // A file of the server's host the job must not read (root's, 0600), by absolute path and by climbing out.
        var secret = Path.Combine(site.Root, "server-only.txt");
        await File.WriteAllTextAsync(secret, "top secret\n");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var id = await PostTaskAsync(token, GalaxyTask("swapper",
            $"#!/bin/sh\ncd \"$GODOCKER_JOB_DIR\"\necho mine\nrm -f god.log god.err\nln -s {secret} god.log\nln -s {string.Concat(Enumerable.Repeat("../", 30))}{secret.TrimStart('/')} god.err\nls -l god.log god.err >&2\n"));
        var task = await PollAsync(token, id, t => Primary(t) == "over");
        Assert.True(0 == (int)task["status"]!["exitcode"]!, task.ToJsonString());
        var jobDirectory = (string)task["container"]!["volumes"]!.AsArray().Single(v => (string?)v!["name"] == "go-docker")!["path"]!;
        // The job did replace them: the links point where it said.
        Assert.Equal(secret, new FileInfo(Path.Combine(jobDirectory, "god.log")).LinkTarget);

        using var client = site.With(token);
        foreach (var path in (string[])[$"/api/1.0/task/{id}/files/god.log", $"/api/1.0/task/{id}/files/god.err",
                     $"/api/v1/jobs/{id}/files/god.log", $"/api/v1/jobs/{id}/files/god.err"])
        {
            using var response = await client.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{path}: {(int)response.StatusCode} {body}");
            Assert.DoesNotContain("top secret", body, StringComparison.Ordinal);
        }
        // The job's own output is still served.
        Assert.Equal("mine\n", await client.GetStringAsync($"/api/1.0/task/{id}/files/stdout"));
    }

    [Fact]
    public async Task Godjobs_files_usage_archive_and_admin_lists_go_through_the_same_checks()
    {
        var alice = await AuthenticateAsync("alice");
        var bob = await AuthenticateAsync("bob");
        var ended = await PostTaskAsync(alice, GalaxyTask("usage", "#!/bin/sh\nmkdir -p sub\necho nested > sub/f.txt\nmkfifo pipe\necho out\nsleep 1\n"));
        await PollAsync(alice, ended, t => Primary(t) == "over");
        var bobsRunning = await PostTaskAsync(bob, GalaxyTask("bobs-sleeper", "#!/bin/sh\nsleep 300\n"));
        var running = await PostTaskAsync(alice, GalaxyTask("alices-sleeper", "#!/bin/sh\nsleep 300\n"));
        await PollAsync(alice, running, t => Primary(t) == "running");

        using var asAlice = site.With(alice);
        using var asBob = site.With(bob);
        // Files: a listing of the job directory, a file's bytes, the v1 refusals.
        var listing = JsonNode.Parse(await asAlice.GetStringAsync($"/api/1.0/task/{ended}/files"))!.AsArray();
        Assert.Contains(listing, e => (string?)e!["name"] == "stdout" && (string?)e["type"] == "file" && (long)e["size"]! == 4);
        Assert.Contains(listing, e => (string?)e!["name"] == "god.log" && (string?)e["type"] == "link");
        Assert.Contains(listing, e => (string?)e!["name"] == "sub" && (string?)e["type"] == "dir");
        var sub = JsonNode.Parse(await asAlice.GetStringAsync($"/api/1.0/task/{ended}/files/sub"))!.AsArray();
        Assert.Equal("sub/f.txt", (string?)Assert.Single(sub)!["path"]);
        Assert.Equal("nested\n", await asAlice.GetStringAsync($"/api/1.0/task/{ended}/files/sub/f.txt"));
        foreach (var (path, expected) in (ValueTuple<string, HttpStatusCode>[])[
            // A literal '..' never reaches the route (the URL is normalised first); a backslash is read as '/' by the check.
            ("sub%5C..%5C..%5Cx", HttpStatusCode.BadRequest), ("pipe", HttpStatusCode.Forbidden), ("missing", HttpStatusCode.NotFound)])
        {
            var (status, problem, _) = await SendAsync(HttpMethod.Get, $"/api/1.0/task/{ended}/files/{path}", alice);
            Assert.True(expected == status, $"{path}: {(int)status} {problem.ToJsonString()}");
            Assert.NotNull(problem["msg"]);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/api/1.0/task/{ended}/files/stdout", bob)).Status);

        // Usage: today's row (UTC) counts the ended task; someone else's usage is an admin's to read.
        var today = DateTime.UtcNow.ToString("yyyy_MM_dd", System.Globalization.CultureInfo.InvariantCulture);
        JsonObject? row = null;
        for (var i = 0; i < 40 && row is null; i++, await Task.Delay(250))
        {
            row = JsonNode.Parse(await asAlice.GetStringAsync("/api/1.0/user/alice/usage"))!.AsArray().Select(r => r!.AsObject()).FirstOrDefault(r => (string?)r["date"] == today);
        }
        Assert.NotNull(row);
        Assert.True((double)row["time"]! >= 1, row.ToJsonString());
        Assert.True((double)row["cpu"]! >= 1, row.ToJsonString());
        Assert.True((double)row["ram"]! > 0, row.ToJsonString());
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, "/api/1.0/user/alice/usage", bob)).Status);
        using (var admin = site.With(site.AdminToken))
        {
            var alicesUsage = JsonNode.Parse(await admin.GetStringAsync("/api/1.0/user/alice/usage"))!.AsArray();
            Assert.Contains(alicesUsage, r => (string?)r!["date"] == today);
        }
        // The user document carries the quotas that apply (none set here: null).
        var (_, user, _) = await SendAsync(HttpMethod.Get, "/api/1.0/user/alice", alice);
        Assert.True(user["usage"]!.AsObject().ContainsKey("quota_cpu"));

        // activeall / overall: every user's, for an admin; a 403 for others.
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, "/api/1.0/task/active/all", alice)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Post, "/api/1.0/task/over/all/0/0", alice)).Status);
        using var asAdmin = site.With(site.AdminToken);
        var active = JsonNode.Parse(await asAdmin.GetStringAsync("/api/1.0/task/active/all"))!.AsArray().Select(t => (long)t!["id"]!).ToList();
        Assert.Contains(running, active);
        Assert.Contains(bobsRunning, active);
        Assert.DoesNotContain(ended, active);
        using (var request = Request(HttpMethod.Post, "/api/1.0/task/over/all/0/0", site.AdminToken))
        {
            request.Content = new ByteArrayContent([]);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var http = site.With(null);
            using var response = await http.SendAsync(request);
            var over = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray().Select(t => (long)t!["id"]!).ToList();
            Assert.Contains(ended, over);
            Assert.DoesNotContain(running, over);
        }

        // Archive: not while it runs; an ended task's directory becomes its archive, still served.
        var jobDirectory = (string)(await SendAsync(HttpMethod.Get, $"/api/1.0/task/{ended}", alice)).Body["container"]!["volumes"]!.AsArray()
            .Single(v => (string?)v!["name"] == "go-docker")!["path"]!;
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(HttpMethod.Get, $"/api/1.0/task/{running}/archive", alice)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/api/1.0/task/{ended}/archive", bob)).Status);
        Assert.True(Directory.Exists(jobDirectory));
        var (archived, document, _) = await SendAsync(HttpMethod.Get, $"/api/1.0/task/{ended}/archive", alice);
        Assert.Equal(HttpStatusCode.OK, archived);
        Assert.Equal(ended, (long)document["id"]!);
        Assert.False(Directory.Exists(jobDirectory));
        Assert.Equal("out\n", await asAlice.GetStringAsync($"/api/1.0/task/{ended}/files/stdout"));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"/api/1.0/task/{ended}/archive", alice)).Status);
        // --purge: records are accounting.
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Delete, $"/api/1.0/task/{ended}/archive", alice)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"/api/1.0/task/{ended}", alice)).Status);

        await SendAsync(HttpMethod.Delete, $"/api/1.0/task/{running}", alice);
        await SendAsync(HttpMethod.Delete, $"/api/1.0/task/{bobsRunning}", bob);
    }

    [Fact]
    public async Task Godjob_killall_kills_the_logins_unfinished_tasks_by_tag_and_nobody_elses()
    {
        var alice = await AuthenticateAsync("alice");
        var bob = await AuthenticateAsync("bob");
        string Tagged(string tag) => GalaxyTask("killall", "#!/bin/sh\nsleep 300\n").Replace("""["galaxy", "toolshed.g2.bx.psu.edu/repos/devteam/killall/0.1"]""", $"[\"{tag}\"]");
        var batch = await PostTaskAsync(alice, Tagged("batch:b7"));
        var other = await PostTaskAsync(alice, Tagged("other"));
        var bobs = await PostTaskAsync(bob, Tagged("batch:b7"));

        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Delete, "/api/1.0/user/alice/task", bob)).Status);
        var (status, answer, _) = await SendAsync(HttpMethod.Delete, "/api/1.0/user/alice/task?tag=batch:b7", alice);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([batch], answer["tasks"]!.AsArray().Select(t => (long)t!));
        await PollAsync(alice, batch, t => Primary(t) == "over");
        var (_, untouched, _) = await SendAsync(HttpMethod.Get, $"/api/1.0/task/{other}", alice);
        Assert.NotEqual("over", Primary(untouched));
        Assert.NotEqual("kill requested", (string?)untouched["status"]!["secondary"]);

        (status, answer, _) = await SendAsync(HttpMethod.Delete, "/api/1.0/user/alice/task", alice);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(other, answer["tasks"]!.AsArray().Select(t => (long)t!));
        await PollAsync(alice, other, t => Primary(t) == "over");
        // Bob's task with the same tag was not alice's to kill.
        var (_, bobsTask, _) = await SendAsync(HttpMethod.Get, $"/api/1.0/task/{bobs}", bob);
        Assert.NotEqual("over", Primary(bobsTask));
        Assert.Null((string?)bobsTask["status"]!["secondary"]);

        // An admin's killall of bob: the same use case, on bob's tasks.
        (status, answer, _) = await SendAsync(HttpMethod.Delete, "/api/1.0/user/bob/task", site.AdminToken);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(bobs, answer["tasks"]!.AsArray().Select(t => (long)t!));
        await PollAsync(bob, bobs, t => Primary(t) == "over");
    }

    [Fact]
    public async Task Authenticate_is_throttled_like_the_password_login_per_user_and_address()
    {
        using (var admin = site.With(site.AdminToken))
        using (var created = await admin.PostAsJsonAsync("/api/v1/users",
            new UserRequest { Login = "carol", Uid = 3299, Gid = 3299, Password = "carol-password", Home = "/home/carol" }, GoDockerJson.Default.UserRequest))
        {
            created.EnsureSuccessStatusCode();
        }
        string key;
        using (var anonymous = site.With(null))
        using (var login = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest("carol", "carol-password"), GoDockerJson.Default.LoginRequest))
        using (var carol = site.With((await login.Content.ReadFromJsonAsync(GoDockerJson.Default.LoginResponse))!.Token))
        using (var made = await carol.PostAsJsonAsync("/api/v1/tokens", new NewTokenRequest("galaxy", null), GoDockerJson.Default.NewTokenRequest))
        {
            made.EnsureSuccessStatusCode();
            key = (await made.Content.ReadFromJsonAsync(GoDockerJson.Default.LoginResponse))!.Token;
        }
        // Auth:MaxFailedLogins (5) wrong keys are checked and refused; the next attempt is not checked at all.
        for (var i = 0; i < 5; i++)
        {
            var (refused, _, _) = await SendAsync(HttpMethod.Post, "/api/1.0/authenticate", null, $$"""{"user": "carol", "apikey": "gd_guess-{{i}}"}""");
            Assert.Equal(HttpStatusCode.Unauthorized, refused);
        }
        using var anonymousClient = site.With(null);
        foreach (var apikey in (string[])["gd_guess-6", key])
        {
            using var request = Request(HttpMethod.Post, "/api/1.0/authenticate", null, $$"""{"user": "carol", "apikey": "{{apikey}}"}""");
            using var response = await anonymousClient.SendAsync(request);
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, response.Headers.ToString());
            Assert.Contains("try again", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["msg"], StringComparison.Ordinal);
        }
        // The same counts as the v1 login: carol's password is not checked either from here now.
        using (var v1 = await anonymousClient.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest("carol", "carol-password"), GoDockerJson.Default.LoginRequest))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, v1.StatusCode);
        }
        // Another user from the same address is not locked out.
        Assert.False(string.IsNullOrEmpty(await AuthenticateAsync("alice")));
    }
}
