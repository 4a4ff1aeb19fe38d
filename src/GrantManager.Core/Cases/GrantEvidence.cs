using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Grants;
using GrantManager.Core.Monitoring;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Cases;

/// <summary>
/// Documents the grant holder sends after the award: evidence with a progress report, and evidence that a
/// condition is met. They are kept as the application's documents, checked and stored by the <see cref="AttachmentStore"/>.
/// </summary>
public sealed class GrantEvidence(GrantDbContext db, AttachmentStore store)
{
    /// <summary>Evidence for a progress report, while the grant holder can still change it.</summary>
    public async Task<Attachment> AddEvidenceAsync(int returnId, Actor actor, string? fileName, long length, Stream content, CancellationToken ct = default)
    {
        var (r, grant) = await ReturnOwnedAsync(returnId, actor, ct);
        if (!ReturnService.IsEditable(r)) throw new ConflictException("This return has been sent, so evidence can no longer be added");
        return await store.StoreAsync(new Attachment { ApplicationId = grant.ApplicationId, ReturnId = returnId, Kind = "evidence" }, actor, fileName, length, content, ct);
    }

    public async Task RemoveEvidenceAsync(Guid id, Actor actor, CancellationToken ct = default)
    {
        var attachment = await db.Set<Attachment>().SingleOrDefaultAsync(a => a.Id == id && a.ReturnId != null, ct) ?? throw new NotFoundException("No such document");
        var (r, _) = await ReturnOwnedAsync(attachment.ReturnId!.Value, actor, ct);
        if (!ReturnService.IsEditable(r)) throw new ConflictException("This return has been sent, so its evidence stays");
        db.Remove(attachment);
        await db.SaveChangesAsync(ct);
        store.DeleteFiles([id]);
    }

    /// <summary>A document showing a condition of the grant is met, from the grant holder, until the condition is met.</summary>
    public async Task<Attachment> AddConditionEvidenceAsync(int conditionId, Actor actor, string? fileName, long length, Stream content, CancellationToken ct = default)
    {
        if (!actor.HasRole(Roles.Applicant)) throw new ForbiddenException("Only the grant holder can add evidence");
        var condition = await db.Set<GrantCondition>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == conditionId, ct) ?? throw new NotFoundException("No such condition");
        var grant = await db.Grants.AsNoTracking().SingleAsync(g => g.Id == condition.GrantId, ct);
        if (grant.OrganisationId != actor.OrganisationId) throw new NotFoundException("No such condition");
        if (condition.Status == ConditionStatus.Met) throw new ConflictException("This condition has been met, so it needs no more evidence");
        return await store.StoreAsync(new Attachment { ApplicationId = grant.ApplicationId, ConditionId = conditionId, Kind = "condition" }, actor, fileName, length, content, ct);
    }

    private async Task<(MonitoringReturn, Grant)> ReturnOwnedAsync(int returnId, Actor actor, CancellationToken ct)
    {
        if (!actor.HasRole(Roles.Applicant)) throw new ForbiddenException("Only the grant holder can add evidence");
        var r = await db.Set<MonitoringReturn>().AsNoTracking().SingleOrDefaultAsync(x => x.Id == returnId, ct) ?? throw new NotFoundException("No such return");
        var grant = await db.Grants.AsNoTracking().SingleAsync(g => g.Id == r.GrantId, ct);
        if (grant.OrganisationId != actor.OrganisationId) throw new NotFoundException("No such return");
        return (r, grant);
    }
}
