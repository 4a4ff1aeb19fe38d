using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.Email;
using GrantManager.Core.Grants;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GrantManager.Bench;

/// <summary>
/// A quarter end for N grants on calendar quarters: every return is at its due day, so N "due today"
/// reminders of the repository's monitoring-return workflow fall due at once. Prints the time for the
/// timer processor to fire them all into the outbox, the rate the dispatcher delivers them to a local
/// SMTP server, and memory sampled through both.
/// </summary>
internal static class ReminderBench
{
    public static async Task RunAsync(int grants)
    {
        var workflows = BenchHost.FindRepositoryWorkflows();
        var smtp = new CountingSmtpServer();
        var connections = new EmailOptions().Connections;
        await using var host = new BenchHost(workflows, more: services =>
        {
            BenchHost.AddGrantHandlers(services, workflows);
            AddSmtp(services, smtp, connections);
        });
        await host.MigrateAsync();
        Console.WriteLine($"Reminder benchmark: {grants:N0} grants on calendar quarters, SQLite {await host.DurabilityAsync()}, {Environment.ProcessorCount} cores");

        var seed = Stopwatch.StartNew();
        await SeedAsync(host, grants);
        Console.WriteLine($"  seeded {grants:N0} returns at their due day, one pending due-day reminder each, in {seed.Elapsed.TotalSeconds:N1} s");

        using var sampler = new MemorySampler(liveEvery: TimeSpan.FromSeconds(2));
        var fire = Stopwatch.StartNew();
        var fired = await host.Services.GetRequiredService<TimerProcessor>().RunDueAsync();
        fire.Stop();
        var fireMemory = sampler.Take();
        var outbox = await WithDb(host, db => db.OutboxEmails.CountAsync());
        var firedGoal = grants * 20.0 / 100_000;
        Console.WriteLine($"  fired {fired:N0} reminders into the outbox ({outbox:N0} emails) in {fire.Elapsed.TotalSeconds:N1} s: {fired / fire.Elapsed.TotalSeconds:N0}/s "
            + $"(goal: 100,000 in 20 s, at least 5,000/s: {(fire.Elapsed.TotalSeconds <= firedGoal ? "met" : "NOT MET")})");
        Console.WriteLine($"  memory while firing: {fireMemory}");
        if (await WithDb(host, db => db.WorkflowTimers.Where(t => t.LastError != null).OrderBy(t => t.Id).Select(t => t.LastError).FirstOrDefaultAsync()) is { } failure)
            Console.WriteLine($"  FAILED timers: {await WithDb(host, db => db.WorkflowTimers.CountAsync(t => t.LastError != null))} "
                + $"({await WithDb(host, db => db.WorkflowIncidents.CountAsync())} incidents); the first: {string.Join("\n    ", failure.Split('\n').Take(6))}");

        var (sent, delivered) = await DeliverAsync(host, smtp, connections, sampler, grants);
        var lost = grants - fired;
        Console.WriteLine(lost == 0 && delivered ? "  every reminder fired once and was delivered once"
            : $"  MISMATCH: {lost} not fired, {sent} sent, {smtp.Received} received, {smtp.Distinct} distinct");
        await smtp.DisposeAsync();
    }

    /// <summary>
    /// Delivery alone: N emails of a reminder's size put straight in the outbox, then the dispatcher
    /// delivers them to the local SMTP server in passes as the hosted service runs it.
    /// </summary>
    public static async Task DeliveryAsync(int emails)
    {
        var smtp = new CountingSmtpServer();
        var connections = new EmailOptions().Connections;
        await using var host = new BenchHost(BenchHost.FindRepositoryWorkflows(), more: services => AddSmtp(services, smtp, connections));
        await host.MigrateAsync();
        Console.WriteLine($"Delivery benchmark: {emails:N0} emails, SQLite {await host.DurabilityAsync()}, {Environment.ProcessorCount} cores");
        var now = DateTime.UtcNow.AddSeconds(-1);
        for (var start = 0; start < emails; start += 5000)
        {
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GrantDbContext>();
            for (var i = start; i < Math.Min(emails, start + 5000); i++)
            {
                var reference = $"LWK-2027-{i + 1:D6}";
                db.OutboxEmails.Add(new OutboxEmail
                {
                    Id = Guid.CreateVersion7(), ToAddress = $"holder{i + 1}@bench.example", ToName = $"Holder {i + 1}",
                    Subject = $"Your monitoring report for {reference} is due today", Template = "return-due-day",
                    TextBody = string.Join("\n", Enumerable.Repeat($"Your report for Community project {i + 1} ({reference}), quarter to 31 March 2027, is due today.", 12)),
                    HtmlBody = string.Join("", Enumerable.Repeat($"<p class=\"govuk-body\">Your report for Community project {i + 1} ({reference}), quarter to 31 March 2027, is due today.</p>", 16)),
                    SubjectType = GrantWorkflows.ReturnSubject, SubjectId = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), Status = OutboxStatus.Pending,
                    Priority = OutboxEmail.NormalPriority, CreatedAt = now, NextAttemptAt = now,
                });
            }
            await db.SaveChangesAsync();
        }
        Console.WriteLine($"  put {emails:N0} emails in the outbox");
        using var sampler = new MemorySampler(liveEvery: TimeSpan.FromSeconds(1));
        var (_, delivered) = await DeliverAsync(host, smtp, connections, sampler, emails);
        Console.WriteLine(delivered ? "  every email was delivered once" : "  MISMATCH: not every email was delivered exactly once");
        await smtp.DisposeAsync();
    }

    private static void AddSmtp(IServiceCollection services, CountingSmtpServer smtp, int connections)
    {
        services.Replace(ServiceDescriptor.Singleton(Options.Create(new EmailOptions
        {
            From = "grants@bench.example", BatchSize = 200, Connections = connections,
            Smtp = new SmtpOptions { Host = "127.0.0.1", Port = smtp.Port, UseStartTls = false },
        })));
        services.AddSingleton<IEmailTransport>(sp => new SmtpEmailTransport(sp.GetRequiredService<IOptions<EmailOptions>>().Value.Smtp));
        services.AddSingleton(sp => new EmailDispatcher(sp.GetRequiredService<IServiceScopeFactory>(), sp.GetRequiredService<IEmailTransport>(),
            TimeProvider.System, sp.GetRequiredService<IOptions<EmailOptions>>(), NullLogger<EmailDispatcher>.Instance));
    }

    /// <summary>Runs dispatcher passes until nothing is due; prints the rate, what arrived and the memory while delivering.</summary>
    private static async Task<(int Sent, bool Once)> DeliverAsync(BenchHost host, CountingSmtpServer smtp, int connections, MemorySampler sampler, int expected)
    {
        sampler.Take();
        var dispatch = Stopwatch.StartNew();
        var dispatcher = host.Services.GetRequiredService<EmailDispatcher>();
        var sent = 0;
        while (true)
        {
            var n = await dispatcher.DispatchDueAsync();
            if (n == 0) break;
            sent += n;
        }
        dispatch.Stop();
        var sendMemory = sampler.Take();
        var twice = await WithDb(host, db => db.OutboxEmails.CountAsync(m => m.Attempts > 1));
        var pending = await WithDb(host, db => db.OutboxEmails.CountAsync(m => m.Status != OutboxStatus.Sent));
        Console.WriteLine($"  outbox afterwards: {pending:N0} not sent, {twice:N0} sent more than once");
        var rate = sent / dispatch.Elapsed.TotalSeconds;
        Console.WriteLine($"  delivered {sent:N0} emails to the local SMTP server over {connections} connections ({smtp.Received:N0} received, {smtp.Distinct:N0} distinct Message-Ids) "
            + $"in {dispatch.Elapsed.TotalSeconds:N1} s: {rate:N0}/s (goal: at least 2,000/s: {(rate >= 2000 ? "met" : "NOT MET")})");
        Console.WriteLine($"  memory while delivering: {sendMemory}");
        return (sent, sent == expected && smtp.Received == expected && smtp.Distinct == expected && twice == 0 && pending == 0);
    }

    private static async Task<T> WithDb<T>(BenchHost host, Func<GrantDbContext, Task<T>> use)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await use(scope.ServiceProvider.GetRequiredService<GrantDbContext>());
    }

    /// <summary>The state a quarter end leaves: each return's instance waiting in "due" with its due-day reminder pending now.</summary>
    private static async Task SeedAsync(BenchHost host, int grants)
    {
        var now = DateTime.UtcNow.AddSeconds(-1);
        var dueOn = DateOnly.FromDateTime(now);
        for (var start = 0; start < grants; start += 5000)
        {
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GrantDbContext>();
            for (var i = start; i < Math.Min(grants, start + 5000); i++)
            {
                var reference = $"LWK-2027-{i + 1:D6}";
                var data = new Dictionary<string, object?>
                {
                    ["grantReference"] = reference, ["period"] = "Quarter to 31 March 2027", ["dueOn"] = GrantWorkflows.DayText(dueOn),
                    ["dueAt"] = UkTime.EndOfDay(dueOn), ["remindFrom"] = now, ["isFinal"] = false, ["releasesInstalment"] = false,
                    ["projectTitle"] = $"Community project {i + 1}", ["organisationName"] = $"Community group {i + 1}", ["fundName"] = "Live Well Kent innovation grant",
                };
                var instance = new WorkflowInstance
                {
                    Id = Guid.CreateVersion7(), DefinitionId = "monitoring-return", DefinitionVersion = 1, SubjectType = GrantWorkflows.ReturnSubject,
                    SubjectId = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), SubjectReference = reference + "/R4", SubjectPath = $"/Applicant/Returns/{i + 1}",
                    ContactEmail = $"holder{i + 1}@bench.example", ContactName = $"Holder {i + 1}", State = "due", StageEntry = 2,
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
    }

    /// <summary>
    /// Samples the process's working set and managed heap every 100 ms. The heap as it stands includes
    /// garbage not yet collected, which says little about what is kept; so, when asked, every
    /// <c>liveEvery</c> it also forces a full collection and samples what survives (the live heap).
    /// Those collections cost the measured work a little time, so the figures beside them are if
    /// anything slower than without.
    /// </summary>
    internal sealed class MemorySampler : IDisposable
    {
        private readonly Timer _timer;
        private readonly object _gate = new();
        private readonly int _liveEveryTicks;
        private long _peakWorkingSet, _peakHeap, _firstWorkingSet, _lastWorkingSet;
        private int _samples, _ticks;
        private readonly List<(TimeSpan At, long Bytes)> _live = [];
        private readonly Stopwatch _since = Stopwatch.StartNew();

        public MemorySampler(TimeSpan? liveEvery = null)
        {
            _liveEveryTicks = liveEvery is { } every ? Math.Max(1, (int)(every.TotalMilliseconds / 100)) : 0;
            _timer = new Timer(_ => Tick(), null, 0, 100);
        }

        private void Tick()
        {
            Sample();
            if (_liveEveryTicks > 0 && Interlocked.Increment(ref _ticks) % _liveEveryTicks == 0) SampleLive();
        }

        private void Sample()
        {
            var ws = Environment.WorkingSet;
            var heap = GC.GetTotalMemory(false);
            lock (_gate)
            {
                if (_samples++ == 0) _firstWorkingSet = ws;
                _lastWorkingSet = ws;
                _peakWorkingSet = Math.Max(_peakWorkingSet, ws);
                _peakHeap = Math.Max(_peakHeap, heap);
            }
        }

        private void SampleLive()
        {
            var live = GC.GetTotalMemory(forceFullCollection: true);
            lock (_gate) _live.Add((_since.Elapsed, live));
        }

        /// <summary>The largest managed heap seen so far.</summary>
        public long PeakHeap()
        {
            Sample();
            lock (_gate) return _peakHeap;
        }

        /// <summary>The figures since the last call, then starts again.</summary>
        public string Take()
        {
            Sample();
            if (_liveEveryTicks > 0) SampleLive();
            lock (_gate)
            {
                var text = $"working set {Mb(_firstWorkingSet)} at the start, peak {Mb(_peakWorkingSet)}, {Mb(_lastWorkingSet)} at the end; "
                    + $"managed heap including garbage not yet collected at most {Mb(_peakHeap)} ({_samples} samples)";
                if (_live.Count > 0)
                {
                    // Quarters of the phase's time: flat memory means the last holds no more than the first.
                    var start = _live[0].At;
                    var length = _live[^1].At - start;
                    double Quarter(int q) => _live.Where(l => length <= TimeSpan.Zero || (int)Math.Min(3, (l.At - start) / length * 4) == q)
                        .Select(l => (double)l.Bytes).DefaultIfEmpty(double.NaN).Average();
                    text += $"\n    live heap after a full collection every {_liveEveryTicks / 10.0:0.#} s ({_live.Count} samples): "
                        + $"first quarter {Mb(Quarter(0))}, last quarter {Mb(Quarter(3))}, at most {Mb(_live.Max(l => l.Bytes))}";
                }
                _samples = 0;
                _peakWorkingSet = _peakHeap = 0;
                _live.Clear();
                _since.Restart();
                return text;
            }
        }

        private static string Mb(double bytes) => double.IsNaN(bytes) ? "-" : $"{bytes / 1024.0 / 1024.0:N0} MB";

        public void Dispose() => _timer.Dispose();
    }

    /// <summary>
    /// A local SMTP server that counts what it receives and keeps nothing. It answers each command at
    /// once with Nagle's algorithm off, as a production server answers pipelined commands; the test
    /// suite's SmtpServer package writes each reply of a pipelined pair separately, and the second
    /// then waits about 40 ms for the client's delayed acknowledgement, which would measure that
    /// server rather than the dispatcher.
    /// </summary>
    private sealed class CountingSmtpServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _running;
        private int _received;
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _messageIds = new();
        public int Port { get; }
        public int Received => Volatile.Read(ref _received);
        /// <summary>Different Message-Ids received: equal to <see cref="Received"/> when nothing came twice.</summary>
        public int Distinct => _messageIds.Count;

        public CountingSmtpServer()
        {
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _running = AcceptAsync();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket socket;
                try { socket = await _listener.AcceptSocketAsync(_stop.Token); }
                catch (OperationCanceledException) { return; }
                socket.NoDelay = true;
                _ = Task.Run(() => SessionAsync(socket));
            }
        }

        private async Task SessionAsync(Socket socket)
        {
            using var stream = new NetworkStream(socket, ownsSocket: true);
            using var reader = new StreamReader(stream, System.Text.Encoding.ASCII);
            await using var writer = new StreamWriter(stream, System.Text.Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 localhost ready");
            try
            {
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    var verb = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                    switch (verb)
                    {
                        case "EHLO": await writer.WriteAsync("250-localhost\r\n250-PIPELINING\r\n250 8BITMIME\r\n"); break;
                        case "DATA":
                            await writer.WriteLineAsync("354 end with <CRLF>.<CRLF>");
                            while (await reader.ReadLineAsync(_stop.Token) is { } body && body != ".")
                                if (body.StartsWith("Message-Id:", StringComparison.OrdinalIgnoreCase)) _messageIds.TryAdd(body, true);
                            Interlocked.Increment(ref _received);
                            await writer.WriteLineAsync("250 Ok");
                            break;
                        case "QUIT": await writer.WriteLineAsync("221 Bye"); return;
                        default: await writer.WriteLineAsync("250 Ok"); break;
                    }
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException) { }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try { await _running; } catch (OperationCanceledException) { }
        }
    }
}
