using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GrantManager.Core.Workflows;

/// <summary>
/// Fires due workflow timers. Each pass claims a batch with a lease (so a node that dies
/// mid-batch hands its timers on when the lease runs out) and fires them in chunks, a chunk to a
/// transaction. If anything in a chunk fails, none of the chunk is kept and its timers are fired again
/// one at a time, each in its own transaction, so only the failing timer waits, retries and after
/// repeated failures becomes an incident for an administrator; the others' work is kept.
/// On PostgreSQL the claim uses FOR UPDATE SKIP LOCKED, so several nodes share the work.
/// </summary>
public sealed class TimerProcessor(IServiceScopeFactory scopes, TimeProvider time, IOptions<WorkflowOptions> options, ILogger<TimerProcessor> logger)
{
    private const int BatchSize = 1000;
    /// <summary>Timers fired together in one transaction: one commit (one fsync) for many reminders.</summary>
    private const int ChunkSize = 500;

    /// <summary>Fires everything due now. Returns how many timers fired.</summary>
    public async Task<int> RunDueAsync(CancellationToken ct = default)
    {
        var fired = 0;
        while (!ct.IsCancellationRequested)
        {
            var owner = Guid.NewGuid();
            var claimed = await ClaimAsync(owner, ct);
            if (claimed.Count == 0) break;
            foreach (var chunk in claimed.Chunk(ChunkSize))
            {
                if (ct.IsCancellationRequested) break;
                if (await FireChunkAsync(chunk, owner, ct) is int n) { fired += n; continue; }
                // Something in the chunk failed and nothing of it was kept: one at a time, so only the failing timer waits and retries.
                foreach (var id in chunk)
                {
                    if (ct.IsCancellationRequested) break;
                    if (await FireOneAsync(id, owner, ct)) fired++;
                }
            }
            if (claimed.Count < BatchSize) break;
        }
        return fired;
    }

    private async Task<List<long>> ClaimAsync(Guid owner, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GrantDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        var leaseUntil = now + options.Value.TimerLease;
        if (db.Database.IsNpgsql())
        {
            return await db.Database.SqlQuery<long>($"""
                UPDATE "WorkflowTimers" SET "LeaseUntil" = {leaseUntil}, "LeaseOwner" = {owner}
                WHERE "Id" IN (SELECT "Id" FROM "WorkflowTimers"
                               WHERE "Status" = 'Pending' AND "RunAt" <= {now} AND ("LeaseUntil" IS NULL OR "LeaseUntil" < {now})
                               ORDER BY "RunAt" LIMIT {BatchSize} FOR UPDATE SKIP LOCKED)
                RETURNING "Id" AS "Value"
                """).ToListAsync(ct);
        }
        var due = db.Set<WorkflowTimer>()
            .Where(t => t.Status == WorkflowTimerStatus.Pending && t.RunAt <= now && (t.LeaseUntil == null || t.LeaseUntil < now))
            .OrderBy(t => t.RunAt).Take(BatchSize).Select(t => t.Id);
        // One statement, so two claims racing for a timer cannot both win it (SQLite runs one writer at a time).
        var count = await db.Set<WorkflowTimer>().Where(t => due.Contains(t.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.LeaseUntil, leaseUntil).SetProperty(t => t.LeaseOwner, owner), ct);
        return count == 0 ? [] : await db.Set<WorkflowTimer>().Where(t => t.LeaseOwner == owner).OrderBy(t => t.RunAt).Select(t => t.Id).ToListAsync(ct);
    }

    /// <summary>Fires a chunk of timers in one transaction; null if any failed (then none of them is kept).</summary>
    private async Task<int?> FireChunkAsync(long[] ids, Guid owner, CancellationToken ct)
    {
        if (ids.Length == 1) return null;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<WorkflowRuntime>().FireTimersAsync(ids, owner, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogDebug(e, "A chunk of {Count} timers failed together; firing them one by one", ids.Length);
            return null;
        }
    }

    private async Task<bool> FireOneAsync(long id, Guid owner, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<WorkflowRuntime>().FireTimerAsync(id, owner, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await RecordFailureAsync(id, owner, e, ct);
            return false;
        }
    }

    private async Task RecordFailureAsync(long id, Guid owner, Exception error, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GrantDbContext>();
        var timer = await db.Set<WorkflowTimer>().SingleOrDefaultAsync(t => t.Id == id && t.LeaseOwner == owner, ct);
        if (timer is null) return;
        var now = time.GetUtcNow().UtcDateTime;
        timer.Attempts++;
        var message = error.GetBaseException().Message;
        timer.LastError = message;
        timer.LeaseOwner = null;
        timer.LeaseUntil = null;
        if (timer.Attempts >= options.Value.TimerMaxAttempts)
        {
            timer.Status = WorkflowTimerStatus.Failed;
            db.Add(new WorkflowIncident
            {
                TimerId = timer.Id, InstanceId = timer.InstanceId, CreatedAt = now, Error = message,
                Description = $"Timer '{timer.TimerKey}' at stage '{timer.State}' failed {timer.Attempts} times",
            });
            logger.LogError(error, "Workflow timer {TimerId} failed {Attempts} times; recorded as an incident", id, timer.Attempts);
        }
        else
        {
            timer.RunAt = now + Backoff.After(timer.Attempts);
            logger.LogWarning(error, "Workflow timer {TimerId} failed (attempt {Attempts}); trying again at {RunAt}", id, timer.Attempts, timer.RunAt);
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>An administrator's retry: the timer goes back in the queue and the incident is closed.</summary>
    public static async Task<bool> RetryIncidentAsync(GrantDbContext db, long incidentId, string who, DateTime now, CancellationToken ct = default)
    {
        var incident = await db.Set<WorkflowIncident>().SingleOrDefaultAsync(i => i.Id == incidentId && i.ResolvedAt == null, ct);
        if (incident is null) return false;
        var timer = await db.Set<WorkflowTimer>().SingleAsync(t => t.Id == incident.TimerId, ct);
        timer.Status = WorkflowTimerStatus.Pending;
        timer.Attempts = 0;
        timer.RunAt = now;
        incident.ResolvedAt = now;
        incident.ResolvedBy = who;
        await db.SaveChangesAsync(ct);
        return true;
    }
}
