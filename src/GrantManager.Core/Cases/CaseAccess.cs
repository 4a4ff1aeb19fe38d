using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Grants;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Cases;

/// <summary>How much of a case's journal someone may read.</summary>
public enum JournalView
{
    /// <summary>The stages it passed through, without anyone's comments (applicants; finance on an application).</summary>
    Stages,
    /// <summary>Everything except what other people wrote and decided: an assessor before their own assessment is done.</summary>
    OwnCommentsOnly,
    /// <summary>The whole journal.</summary>
    Full,
}

/// <summary>
/// Who may see a workflow instance (its stage, diagram and journal), by what their work needs. Grant
/// officers and administrators see every case. An assessor sees an application once they have
/// declared no conflict of interest on it (never with a conflict), and other people's comments and
/// outcomes only after completing their own assessment, so one assessor never reads the other's
/// recommendation first. A panel member sees the applications that come to the panel, assessments
/// included. A finance officer sees the payments in full and, of an application, only the stages
/// of one that became a grant: the grant, its payments and conditions are theirs, the assessment is
/// not. An applicant sees the stages of their own organisation's cases. Anyone else: not found.
/// </summary>
public static class CaseAccess
{
    public static async Task<JournalView?> ForAsync(GrantDbContext db, WorkflowInstance instance, Actor actor, CancellationToken ct = default)
    {
        if (actor.IsSystem || actor.HasRole(Roles.GrantOfficer) || actor.HasRole(Roles.Administrator)) return JournalView.Full;
        var tasks = db.InboxTasks.AsNoTracking().Where(t => t.InstanceId == instance.Id);
        if (instance.SubjectType == ApplicationService.SubjectType)
        {
            if (actor.HasRole(Roles.PanelMember) && await tasks.AnyAsync(t => t.Role == Roles.PanelMember, ct)) return JournalView.Full;
            if (actor.HasRole(Roles.Assessor) && await ApplicationService.MayAssessorSeeAsync(db, instance.Id, actor, ct))
                return await tasks.AnyAsync(t => t.Form == "assessment" && t.CompletedById == actor.UserId, ct) ? JournalView.Full : JournalView.OwnCommentsOnly;
            if (actor.HasRole(Roles.FinanceOfficer) && int.TryParse(instance.SubjectId, out var applicationId)
                && await db.Grants.AnyAsync(g => g.ApplicationId == applicationId, ct)) return JournalView.Stages;
        }
        else if (actor.HasRole(Roles.FinanceOfficer))
            return instance.SubjectType == GrantWorkflows.InstalmentSubject ? JournalView.Full : instance.SubjectType == GrantWorkflows.ReturnSubject ? JournalView.Stages : null;
        if (actor.HasRole(Roles.Applicant) && actor.OrganisationId is not null && actor.OrganisationId == instance.OrganisationId) return JournalView.Stages;
        return null;
    }

    /// <summary>The journal entries the view allows, in order; the entries must be untracked (their hidden parts are cleared).</summary>
    public static List<WorkflowHistoryEntry> Filter(IEnumerable<WorkflowHistoryEntry> entries, JournalView view, Actor actor)
    {
        var shown = new List<WorkflowHistoryEntry>();
        foreach (var h in entries)
        {
            switch (view)
            {
                case JournalView.Stages when h.Kind is not (HistoryKinds.Started or HistoryKinds.Transition):
                    continue;
                case JournalView.Stages:
                    h.Comment = null;
                    break;
                case JournalView.OwnCommentsOnly when h.ActorId != actor.UserId:
                    h.Comment = null;
                    if (h.Kind is HistoryKinds.TaskCompleted or HistoryKinds.ConflictDeclared) h.Trigger = null;
                    break;
            }
            shown.Add(h);
        }
        return shown;
    }
}
