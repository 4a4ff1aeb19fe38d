using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Grants;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Monitoring;

/// <summary>
/// What a staff task on a progress report is about: the report and its grant (as the reader may see
/// them), the names of the grant's outcome measures, the evidence sent, and when changes are due if the
/// reviewer sets no date (the fund's monitoring settings).
/// </summary>
public sealed record ReturnTaskSubject(MonitoringReturn Return, Grant Grant, IReadOnlyDictionary<string, string> MeasureNames, List<Attachment> Evidence, DateOnly ChangesDueDefault)
{
    /// <summary>Null when the task's case is not a progress report.</summary>
    public static async Task<ReturnTaskSubject?> ForAsync(GrantDbContext db, ReturnService returns, AttachmentStore store, MonitoringSchedules schedules,
        WorkflowInstance instance, Actor actor, DateTime now, CancellationToken ct = default)
    {
        if (GrantWorkflows.SubjectId(instance, GrantWorkflows.ReturnSubject) is not int returnId) return null;
        var (r, grant) = await returns.ForReadingAsync(returnId, actor, ct);
        var names = await db.OutcomeMeasures.AsNoTracking().Where(m => m.FundId == grant.FundId).ToDictionaryAsync(m => m.Code, m => $"{m.Name} ({m.Unit})", ct);
        var fundCode = await db.Funds.Where(f => f.Id == grant.FundId).Select(f => f.Code).SingleAsync(ct);
        return new(r, grant, names, await store.ForReturnAsync(returnId, ct), schedules.For(fundCode).ChangesDueFrom(Configuration.UkTime.DayOf(now)));
    }
}
