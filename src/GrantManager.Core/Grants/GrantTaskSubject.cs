using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Grants;

/// <summary>What a staff task on a grant's payment or closure is about: the grant with its conditions (and for a closure its payments), and the payment to make.</summary>
public sealed record GrantTaskSubject(Grant Grant, Instalment? Instalment)
{
    /// <summary>Null when the task's case is not a payment or a closure.</summary>
    public static async Task<GrantTaskSubject?> ForAsync(GrantDbContext db, WorkflowInstance instance, CancellationToken ct = default)
    {
        if (GrantWorkflows.SubjectId(instance, GrantWorkflows.InstalmentSubject) is int instalmentId)
        {
            var instalment = await db.Set<Instalment>().AsNoTracking().SingleAsync(i => i.Id == instalmentId, ct);
            return new(await db.Grants.AsNoTracking().Include(g => g.ConditionList).SingleAsync(g => g.Id == instalment.GrantId, ct), instalment);
        }
        if (GrantWorkflows.SubjectId(instance, GrantClosure.Subject) is int closingId)
            return new(await db.Grants.AsNoTracking().Include(g => g.ConditionList).Include(g => g.Instalments).SingleAsync(g => g.Id == closingId, ct), null);
        return null;
    }
}
