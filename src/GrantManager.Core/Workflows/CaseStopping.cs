using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Workflows;

/// <summary>Stopping a case before it finishes: the host decides who may (a grant ended early stops its returns and payments).</summary>
public sealed partial class WorkflowRuntime
{
    /// <summary>
    /// Stops the case where it is: its open tasks are cancelled and its waiting timers never fire (no reminder, no
    /// escalation), and it is finished, journaled with who and why. A finished case is left as it is (false).
    /// </summary>
    public Task<bool> StopAsync(Guid instanceId, string? reason, Actor actor, CancellationToken ct = default) =>
        InTransactionAsync(async work =>
        {
            var why = Reason(reason);
            var instance = await LoadInstanceAsync(work.Db, instanceId, ct);
            if (instance.CompletedAt is not null) return false;
            await LeaveAsync(work.Db, instance, ct);
            // Timers of tasks or earlier visits still waiting go too: nothing of a stopped case fires.
            await work.Db.Database.ExecuteSqlAsync($"""
                UPDATE "WorkflowTimers" SET "Status" = 'Cancelled' WHERE "InstanceId" = {instance.Id} AND "Status" IN ('Pending', 'Paused')
                """, ct);
            instance.CompletedAt = Now;
            AddHistory(work.Db, instance, actor, HistoryKinds.Stopped, instance.State, null, null, why);
            Touch(work.Db, instance);
            return true;
        }, ct);
}
