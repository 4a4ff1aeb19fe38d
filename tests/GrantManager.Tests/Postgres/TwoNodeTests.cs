using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GrantManager.Core.Data;
using GrantManager.Core.Email;
using GrantManager.Core.Workflows;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace GrantManager.Tests.Postgres;

/// <summary>
/// Two real processes of the service (the built GrantManager.Web.dll, each on its own port) over one
/// PostgreSQL database, sharing cookie keys and one SMTP server, both running timers and the email
/// dispatcher: a new applicant's journey whose steps alternate between the nodes, then a burst of
/// due reminders during which one node is killed and the other carries on.
/// </summary>
public sealed partial class TwoNodeTests : IAsyncLifetime
{
    private const int Reminders = 1500;
    private const int Connections = 2, BatchSize = 20;
    private readonly string _database = "grantmanager_nodes_" + Guid.NewGuid().ToString("N")[..12];
    private readonly TempDirectory _shared = new();
    private readonly TestSmtpServer _smtp = new();
    private readonly List<Node> _nodes = [];

    private string ConnectionString => new NpgsqlConnectionStringBuilder(Server) { Database = _database }.ConnectionString;

    private static string Server => Environment.GetEnvironmentVariable("GRANTMANAGER_TEST_POSTGRES")
        ?? throw new InvalidOperationException("GRANTMANAGER_TEST_POSTGRES is not set: run the tests with ./test.sh, which starts PostgreSQL");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes) node.Dispose();
        await _smtp.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Server);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
        _shared.Dispose();
    }

    [Fact]
    public async Task A_journey_alternates_between_two_nodes_and_when_one_is_killed_mid_burst_the_other_fires_and_sends_everything()
    {
        var a = await StartAsync("a");
        var b = await StartAsync("b");
        var cookies = new CookieContainer();
        using var onA = a.Client(cookies);
        using var onB = b.Client(cookies);

        // Registers on node A; the emailed link is followed on node B.
        var email = $"newcomer-{Guid.NewGuid():N}"[..20] + "@example.net";
        var registered = await onA.SubmitFormAsync("/Account/Register", new()
        {
            ["Input.FullName"] = "Nia Twonode", ["Input.Email"] = email, ["Input.OrganisationName"] = "Two Towns Befriending",
            ["Input.OrganisationType"] = "CharitableIncorporatedOrganisation", ["Input.Password"] = NewApplicant.Password, ["Input.ConfirmPassword"] = NewApplicant.Password,
        });
        Assert.Equal(HttpStatusCode.Redirect, registered.StatusCode);
        var confirmation = await _smtp.WaitForAsync(email, "Confirm your email address");
        var link = ConfirmLink().Match(confirmation.TextBody!).Value;
        Assert.Equal("Email address confirmed", (await onB.GetPageAsync(new Uri(link).PathAndQuery)).QuerySelector("h1")!.TextContent.Trim());

        // Signs in on B; the cookie works on A (shared keys), where the organisation's details are completed.
        var signedIn = await onB.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = NewApplicant.Password });
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var profile = await onA.SubmitFormAsync("/Applicant/Organisation", new()
        {
            ["Input.Name"] = "Two Towns Befriending CIC", ["Input.OrganisationType"] = "CommunityInterestCompany", ["Input.CharityNumber"] = "",
            ["Input.CompanyNumber"] = "7654321", ["Input.AddressLine1"] = "1 Market Square", ["Input.AddressLine2"] = "",
            ["Input.Town"] = "Dover", ["Input.Postcode"] = "ct16 1pb", ["Input.ContactName"] = "Nia Twonode",
            ["Input.ContactEmail"] = "walks@twotowns.example", ["Input.ContactPhone"] = "01304 654321",
        });
        Assert.Equal(HttpStatusCode.Redirect, profile.StatusCode);

        // Signs in on A through the API; the token works on B (shared keys): the application is written on B and submitted on A.
        var token = await TokenAsync(onA, email, NewApplicant.Password);
        var fundId = (await Bearer(onB, token).GetFromJsonAsync<JsonElement>("/api/funds")).EnumerateArray().First().GetProperty("id").GetInt32();
        var created = await Bearer(onB, token).PostAsJsonAsync("/api/applications", new
        {
            fundId, projectTitle = "Walk and talk in two towns", projectSummary = "Weekly walks.", innovation = "Run with the bus company.",
            beneficiaries = "Older people living alone", districts = new[] { "Dover" }, startDate = DateTime.UtcNow.AddMonths(1).ToString("yyyy-MM-01"),
            endDate = DateTime.UtcNow.AddMonths(12).ToString("yyyy-MM-01"), amountRequested = 2400m,
            budget = new[] { new { item = "Walk leaders' expenses", amount = 2400m } }, outcomes = new[] { new { measure = "people-supported", target = 40m } },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var submitted = await Bearer(onA, token).PostAsJsonAsync($"/api/applications/{id}/submit", new { declaration = true });
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());

        // The officer finds the task on B and completes it on A.
        var officer = await TokenAsync(onB, "officer@example.org", DemoData.Password);
        var task = (await Bearer(onB, officer).GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray().Single(t => t.GetProperty("applicationId").GetInt32() == id);
        (await Bearer(onA, officer).PostAsJsonAsync($"/api/tasks/{task.GetProperty("id").GetInt64()}/complete", new { outcome = "eligible" })).EnsureSuccessStatusCode();
        var view = await Bearer(onB, token).GetFromJsonAsync<JsonElement>($"/api/applications/{id}");
        Assert.Equal("assessment", view.GetProperty("stage").GetString());
        await _smtp.WaitForAsync("assessor@example.org", "New task: Assess the application");

        // A quarter end: many reminders fall due at once and both nodes fire and send them.
        await SeedDueRemindersAsync();
        await WaitUntilAsync(() => Reminded().Count >= 150, TimeSpan.FromSeconds(60), "the burst to start");
        a.Kill();
        var atKill = Reminded().Count;
        Assert.True(atKill < Reminders, $"Node A was killed only after the burst ended ({atKill} of {Reminders} delivered)");

        // B carries on: it takes over A's batches once their short leases run out.
        await WaitUntilAsync(() => Reminded().Select(m => m.MessageId).Distinct().Count() == Reminders, TimeSpan.FromSeconds(120), "every reminder to arrive");
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/health")).StatusCode);

        await using var db = Db();
        // Every timer fired exactly once: done, one history entry and one email each.
        Assert.Equal(Reminders, await db.WorkflowTimers.CountAsync(t => t.TimerKey == "reminder-due-day" && t.Status == WorkflowTimerStatus.Done));
        Assert.Equal(Reminders, await db.WorkflowHistory.CountAsync(h => h.Kind == HistoryKinds.Timer && h.Comment!.Contains("reminder-due-day")));
        var outbox = await db.OutboxEmails.Where(m => m.Template == "return-due-today").ToListAsync();
        Assert.Equal(Reminders, outbox.Count);
        await WaitUntilAsync(() => db.OutboxEmails.AsNoTracking().Count(m => m.Template == "return-due-today" && m.Status == OutboxStatus.Sent) == Reminders,
            TimeSpan.FromSeconds(30), "every reminder to be recorded as sent");
        // Repeats are possible only for what the killed node had sent but not yet recorded, and carry the same Message-Id.
        var repeats = Reminded().Count - Reminders;
        Assert.InRange(repeats, 0, Connections * BatchSize);

        // The journey's emails went once each, though both nodes were sending.
        Assert.Single(_smtp.To(email), m => m.Subject!.Contains("Confirm your email address"));
        Assert.Single(_smtp.To("assessor@example.org"), m => m.Subject!.Contains("Assess the application"));
        Assert.Equal(outbox.Select(m => m.MessageId("kent.example.gov.uk")).Order(), Reminded().Select(m => m.MessageId).Distinct().Order());
    }

    private List<MimeKit.MimeMessage> Reminded() =>
        _smtp.Messages.Where(m => m.To.Mailboxes.Any(x => x.Address.StartsWith("holder", StringComparison.Ordinal))).ToList();

    private GrantDbContext Db() => new PostgresGrantDbContext(new DbContextOptionsBuilder<PostgresGrantDbContext>().UseNpgsql(ConnectionString).Options);

    /// <summary>Returns waiting in "due" on their last day, as in the reminders benchmark: each with its due-day reminder pending now.</summary>
    private async Task SeedDueRemindersAsync()
    {
        await using var db = Db();
        var now = DateTime.UtcNow.AddSeconds(-1);
        var dueOn = DateOnly.FromDateTime(now);
        for (var i = 0; i < Reminders; i++)
        {
            var reference = $"LWK-NODE-{i + 1:D5}";
            var data = new Dictionary<string, object?>
            {
                ["grantReference"] = reference, ["period"] = "Quarter to 31 March 2027", ["dueOn"] = Core.Grants.GrantWorkflows.DayText(dueOn),
                ["dueAt"] = Core.Configuration.UkTime.EndOfDay(dueOn), ["remindFrom"] = now, ["isFinal"] = false, ["releasesInstalment"] = false,
                ["projectTitle"] = $"Project {i + 1}", ["organisationName"] = $"Group {i + 1}", ["fundName"] = "Live Well Kent innovation grant",
            };
            var instance = new WorkflowInstance
            {
                Id = Guid.CreateVersion7(), DefinitionId = "monitoring-return", DefinitionVersion = 1, SubjectType = Core.Grants.GrantWorkflows.ReturnSubject,
                SubjectId = $"node-{i + 1}", SubjectReference = reference + "/R4", SubjectPath = $"/Applicant/Returns/{i + 1}",
                ContactEmail = $"holder{i + 1}@example.net", ContactName = $"Holder {i + 1}", State = "due", StageEntry = 2,
                StageEnteredAt = now.AddDays(-14), Data = JsonSerializer.Serialize(data), CreatedAt = now.AddDays(-90), UpdatedAt = now.AddDays(-14), Version = 2,
            };
            db.Add(instance);
            db.Add(new WorkflowTimer
            {
                InstanceId = instance.Id, State = "due", StageEntry = 2, TimerKey = "reminder-due-day", DueAt = now, RunAt = now, Status = WorkflowTimerStatus.Pending,
            });
        }
        await db.SaveChangesAsync();
    }

    private static HttpClient Bearer(HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<string> TokenAsync(HttpClient client, string email, string password)
    {
        var login = await client.PostAsJsonAsync("/api/identity/login?useCookies=false", new { email, password });
        login.EnsureSuccessStatusCode();
        return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited {timeout.TotalSeconds:N0} s for {what}");
            await Task.Delay(100);
        }
    }

    private async Task<Node> StartAsync(string name)
    {
        var node = new Node(name, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["Database__Provider"] = "PostgreSql",
            ["ConnectionStrings__GrantManager"] = ConnectionString,
            ["Seed__Demo"] = "true",
            ["DataProtection__KeysPath"] = Path.Combine(_shared.Path, "keys"),
            ["Attachments__Path"] = Path.Combine(_shared.Path, "attachments"),
            ["Email__From"] = "grants@kent.example.gov.uk",
            ["Email__Smtp__Host"] = "127.0.0.1",
            ["Email__Smtp__Port"] = _smtp.Port.ToString(),
            ["Email__Smtp__UseStartTls"] = "false",
            ["Email__Connections"] = Connections.ToString(),
            ["Email__BatchSize"] = BatchSize.ToString(),
            ["Email__Lease"] = "00:00:03",
            ["Email__DispatchInterval"] = "00:00:01",
            ["Workflows__TimerInterval"] = "00:00:01",
            ["Workflows__TimerLease"] = "00:00:05",
        });
        _nodes.Add(node);
        await node.WaitUntilHealthyAsync();
        return node;
    }

    [GeneratedRegex(@"https?://\S+/Account/ConfirmEmail\?\S+")]
    private static partial Regex ConfirmLink();

    /// <summary>One process of the service: <c>dotnet GrantManager.Web.dll</c> on a free port.</summary>
    private sealed class Node : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        public string Name { get; }
        public Uri Address { get; }

        public Node(string name, Dictionary<string, string> environment)
        {
            Name = name;
            Address = new Uri($"http://127.0.0.1:{FreePort()}");
            var web = WebProject();
            var start = new ProcessStartInfo("dotnet", Path.Combine(web, "bin", Configuration(), "net10.0", "GrantManager.Web.dll"))
            {
                WorkingDirectory = web, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var (key, value) in environment) start.Environment[key] = value;
            start.Environment["ASPNETCORE_URLS"] = Address.ToString();
            _process = Process.Start(start)!;
            _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
            _process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public HttpClient Client(CookieContainer cookies) =>
            new(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = Address };

        public async Task WaitUntilHealthyAsync()
        {
            using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow.AddSeconds(40);
            while (DateTime.UtcNow < deadline)
            {
                if (_process.HasExited) break;
                try
                {
                    if ((await client.GetAsync("/health")).StatusCode == HttpStatusCode.OK) return;
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) { }
                await Task.Delay(200);
            }
            string log;
            lock (_output) log = _output.ToString();
            throw new InvalidOperationException($"Node {Name} did not become healthy:\n{log[Math.Max(0, log.Length - 4000)..]}");
        }

        /// <summary>Ends the process at once, as kill -9 does: nothing is finished or released.</summary>
        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited) Kill();
            _process.Dispose();
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        /// <summary>The build the tests were built with (Debug or Release), from the test binaries' own path.</summary>
        private static string Configuration() =>
            AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar).Contains("Release") ? "Release" : "Debug";

        private static string WebProject()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "src", "GrantManager.Web", "GrantManager.Web.csproj"))) return Path.Combine(dir.FullName, "src", "GrantManager.Web");
            throw new DirectoryNotFoundException("src/GrantManager.Web not found above the test binaries");
        }
    }
}
