using System.Diagnostics;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GrantManager.Bench;

/// <summary>
/// Stage transitions per second through the workflow runtime, against the raw rate of SQLite
/// transactions writing the same rows with plain ADO.NET, on the same file and settings.
/// </summary>
internal static class TransitionBench
{
    private static readonly Actor Officer = new("bench-officer", "Bench Officer", new HashSet<string> { Roles.GrantOfficer });

    public static async Task RunAsync(TimeSpan duration)
    {
        var folder = BenchHost.WorkflowFolder();
        await using var host = new BenchHost(folder);
        await host.MigrateAsync();
        Console.WriteLine($"SQLite file: {host.DatabasePath}");
        Console.WriteLine($"Durability: {await host.DurabilityAsync()} (as the application runs it: EF Core's defaults, WAL journal)");
        Console.WriteLine("One transition = update the instance, cancel the last task and timer, insert a history entry, a task, a timer and an email.");

        var instances = await CreateInstancesAsync(host, 400);
        // Warm up both paths (JIT, connection pool, statement cache).
        await RuntimeAsync(host, instances.Take(8).ToList(), 1, TimeSpan.FromSeconds(1));
        await RawAsync(host, instances.Skip(8).Take(8).ToList(), 1, TimeSpan.FromSeconds(1));

        var results = new List<(string, double, double)>();
        foreach (var callers in new[] { 1, 8 })
        {
            var runtime = await RuntimeAsync(host, instances.Take(200).ToList(), callers, duration);
            var raw = await RawAsync(host, instances.Skip(200).ToList(), callers, duration);
            results.Add(($"{callers} caller{(callers == 1 ? "" : "s")}", runtime, raw));
        }
        await VerifyAsync(host);

        Console.WriteLine();
        Console.WriteLine($"{"",-12}{"runtime /s",14}{"raw ADO.NET /s",18}{"ratio",10}");
        foreach (var (label, runtime, raw) in results)
            Console.WriteLine($"{label,-12}{runtime,14:F0}{raw,18:F0}{runtime / raw,10:F2}");
        Directory.Delete(folder, true);
    }

    private static async Task<List<Guid>> CreateInstancesAsync(BenchHost host, int count)
    {
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            await using var scope = host.Services.CreateAsyncScope();
            var runtime = scope.ServiceProvider.GetRequiredService<WorkflowRuntime>();
            var instance = await runtime.StartAsync("bench", new WorkflowSubject("bench", i.ToString(System.Globalization.CultureInfo.InvariantCulture), new Dictionary<string, object?> { ["amount"] = 2500m })
            {
                Reference = $"BENCH-{i:D4}", ContactEmail = $"applicant{i}@bench.example", ContactName = "Bench Applicant",
            }, Officer);
            ids.Add(instance.Id);
        }
        return ids;
    }

    /// <summary>Each caller owns a share of the instances and fires "next" on them in turn.</summary>
    private static async Task<double> RuntimeAsync(BenchHost host, List<Guid> instances, int callers, TimeSpan duration)
    {
        var stop = Stopwatch.StartNew();
        var counts = await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            var mine = instances.Where((_, i) => i % callers == c).ToList();
            var done = 0;
            while (stop.Elapsed < duration)
            {
                await using var scope = host.Services.CreateAsyncScope();
                var runtime = scope.ServiceProvider.GetRequiredService<WorkflowRuntime>();
                await runtime.FireAsync(mine[done % mine.Count], "next", Officer);
                done++;
            }
            return done;
        })));
        return counts.Sum() / stop.Elapsed.TotalSeconds;
    }

    private static async Task<double> RawAsync(BenchHost host, List<Guid> instances, int callers, TimeSpan duration)
    {
        // The same email the runtime writes, rendered once: the rows are the same size.
        var email = host.Services.GetRequiredService<GrantManager.Core.Email.EmailTemplates>().Render("bench-notice", new Dictionary<string, object?>
        {
            ["reference"] = "BENCH-0001", ["stage"] = "Pong", ["amount"] = 2500m, ["council"] = "Kent County Council", ["recipient_name"] = "Bench Applicant",
        });
        var stop = Stopwatch.StartNew();
        var counts = await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            var mine = instances.Where((_, i) => i % callers == c).ToList();
            // Foreign keys on, as EF Core turns them on for the runtime's connections.
            await using var connection = new SqliteConnection(host.ConnectionString + ";Foreign Keys=True");
            await connection.OpenAsync();
            var done = 0;
            while (stop.Elapsed < duration)
            {
                await RawTransitionAsync(connection, mine[done % mine.Count], email);
                done++;
            }
            return done;
        })));
        return counts.Sum() / stop.Elapsed.TotalSeconds;
    }

    /// <summary>The same reads and writes as a runtime transition, by hand.</summary>
    private static async Task RawTransitionAsync(SqliteConnection connection, Guid id, GrantManager.Core.Email.RenderedEmail email)
    {
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
        var now = DateTime.UtcNow;
        string state; int entry; int version;
        await using (var read = Command(connection, tx, "SELECT State, StageEntry, Version FROM WorkflowInstances WHERE Id = $id", ("$id", id.ToString().ToUpperInvariant())))
        await using (var r = await read.ExecuteReaderAsync())
        {
            await r.ReadAsync();
            (state, entry, version) = (r.GetString(0), r.GetInt32(1), r.GetInt32(2));
        }
        var next = state == "ping" ? "pong" : "ping";
        var idText = id.ToString().ToUpperInvariant();
        await Exec(connection, tx, "UPDATE InboxTasks SET Status = 'Cancelled', Version = Version + 1 WHERE InstanceId = $id AND StageEntry = $e AND Status = 'Open'", ("$id", idText), ("$e", entry));
        await Exec(connection, tx, "UPDATE WorkflowTimers SET Status = 'Cancelled' WHERE InstanceId = $id AND StageEntry = $e AND Status = 'Pending'", ("$id", idText), ("$e", entry));
        await Exec(connection, tx, "INSERT INTO WorkflowHistory (InstanceId, At, ActorId, ActorName, Kind, FromState, ToState, Trigger) VALUES ($id, $now, 'bench-officer', 'Bench Officer', 'transition', $from, $to, 'next')",
            ("$id", idText), ("$now", now), ("$from", state), ("$to", next));
        var updated = await Exec(connection, tx, "UPDATE WorkflowInstances SET State = $to, StageEntry = $e + 1, StageEnteredAt = $now, UpdatedAt = $now, Version = $v + 1 WHERE Id = $id AND Version = $v",
            ("$id", idText), ("$to", next), ("$e", entry), ("$now", now), ("$v", version));
        if (updated != 1) throw new InvalidOperationException("lost a race");
        var taskId = await ScalarAsync(connection, tx, """
            INSERT INTO InboxTasks (InstanceId, State, StageEntry, TaskKey, Title, Role, Outcomes, RequiresConflictDeclaration, ConflictDeclared, Status, CreatedAt, DueAt, Version)
            VALUES ($id, $to, $e + 1, $to || '-task', 'Ping task', 'GrantOfficer', 'next', 0, 0, 'Open', $now, $due, 1) RETURNING Id
            """, ("$id", idText), ("$to", next), ("$e", entry), ("$now", now), ("$due", now.AddDays(5)));
        await Exec(connection, tx, "INSERT INTO WorkflowTimers (InstanceId, State, StageEntry, TimerKey, TaskId, DueAt, RunAt, Status, Attempts) VALUES ($id, $to, $e + 1, $to || '-reminder', NULL, $due, $due, 'Pending', 0)",
            ("$id", idText), ("$to", next), ("$e", entry), ("$due", now.AddDays(1)));
        await Exec(connection, tx, """
            INSERT INTO OutboxEmails (Id, ToAddress, ToName, Subject, TextBody, HtmlBody, Template, SubjectType, SubjectId, Status, Attempts, CreatedAt, NextAttemptAt)
            VALUES ($mid, 'applicant@bench.example', 'Bench Applicant', $subject, $text, $html, 'bench-notice', 'bench', $sid, 'Pending', 0, $now, $now)
            """, ("$mid", Guid.NewGuid().ToString().ToUpperInvariant()), ("$sid", taskId.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("$now", now),
            ("$subject", email.Subject), ("$text", email.Text), ("$html", email.Html));
        await tx.CommitAsync();
    }

    private static SqliteCommand Command(SqliteConnection c, SqliteTransaction tx, string sql, params (string, object)[] args)
    {
        var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value);
        return cmd;
    }

    private static async Task<int> Exec(SqliteConnection c, SqliteTransaction tx, string sql, params (string, object)[] args)
    {
        await using var cmd = Command(c, tx, sql, args);
        return await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(SqliteConnection c, SqliteTransaction tx, string sql, params (string, object)[] args)
    {
        await using var cmd = Command(c, tx, sql, args);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>No transition lost: every instance's stage count matches its journal.</summary>
    private static async Task VerifyAsync(BenchHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GrantDbContext>();
        var entries = await db.WorkflowInstances.SumAsync(i => i.StageEntry - 1);
        var journal = await db.WorkflowHistory.CountAsync(h => h.Kind == HistoryKinds.Transition);
        var open = await db.InboxTasks.CountAsync(t => t.Status == InboxTaskStatus.Open);
        var instances = await db.WorkflowInstances.CountAsync();
        Console.WriteLine($"Check: {journal} transitions journalled, {entries} stage changes on the instances, {open} open tasks for {instances} instances: "
            + (entries == journal && open == instances ? "none lost, none doubled" : "MISMATCH"));
        if (entries != journal || open != instances) Environment.ExitCode = 1;
    }
}
