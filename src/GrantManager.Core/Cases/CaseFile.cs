using System.Globalization;
using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Email;
using GrantManager.Core.Grants;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Cases;

/// <summary>A completed eligibility check, assessment or decision: who, what, why and (for assessments) the weighted score.</summary>
public sealed record CaseJudgement(string Title, string Form, string? By, string Outcome, string? Comment, decimal? WeightedScore, DateTime? At)
{
    /// <summary>The panel meeting that made this decision, if one did; the comment is then the meeting's note on it.</summary>
    public CasePanel? Panel { get; init; }
}

/// <summary>A panel meeting as the case file names it: its title and day, linked to the meeting.</summary>
public sealed record CasePanel(int Id, string Title, DateOnly MeetsOn);

/// <summary>An open task on the case; <see cref="CopyOf"/> tells copies of one task at one stage apart, as the inbox does (" (1 of 2)").</summary>
public sealed record CaseTask(long Id, string Title, string Role, string? Assignee, DateTime? DueAt, string Reference, string State)
{
    public string CopyOf { get; init; } = "";
}

public sealed record CaseTimer(string Reference, string State, string TimerKey, DateTime DueAt);

public sealed record CaseHistory(DateTime At, string Reference, string Actor, string Kind, string? From, string? To, string? Trigger, string? Comment);

/// <summary>
/// Everything about one case in one place: the application, its documents, the judgements made on it,
/// its grant with payments and progress reports, every email, the whole history and the workflow's
/// open tasks and pending timers (its returns' and payments' too). Who may open it is
/// <see cref="ApplicationService.ForReadingAsync"/>'s rule (an assessor only once they have declared no
/// conflict); an assessor sees other assessors' judgements and the notes in the history only once they
/// have completed their own assessment, as on the task page.
/// </summary>
public sealed class CaseFile
{
    public required Application Application { get; init; }
    public required WorkflowInstance? Instance { get; init; }
    public required string Status { get; init; }
    public required string? StageTitle { get; init; }
    public required List<Attachment> Documents { get; init; }
    public required List<CaseJudgement> Judgements { get; init; }
    /// <summary>False for an assessor who has not yet completed their own assessment: others' judgements and notes are held back.</summary>
    public required bool SeesOthersJudgements { get; init; }
    public required Grant? Grant { get; init; }
    public required List<OutboxEmail> Emails { get; init; }
    public required List<CaseHistory> History { get; init; }
    public required List<CaseTask> OpenTasks { get; init; }
    public required List<CaseTimer> Timers { get; init; }
    /// <summary>The most a weighted score on this fund can be (<see cref="AssessmentForm.ScoreOutOf"/>).</summary>
    public int ScoreOutOf { get; init; } = 100;

    public static async Task<CaseFile> LoadAsync(GrantDbContext db, ApplicationService applications, AttachmentStore store, WorkflowRegistry registry,
        int id, Actor actor, CancellationToken ct = default)
    {
        if (!Roles.Staff.Any(actor.HasRole)) throw new ForbiddenException("The case file is for council staff");
        var application = await applications.ForReadingAsync(id, actor, ct);
        var instance = application.WorkflowInstanceId is Guid iid ? await db.WorkflowInstances.AsNoTracking().SingleAsync(i => i.Id == iid, ct) : null;
        var instances = await db.WorkflowInstances.AsNoTracking().Where(i => i.CaseId == id || i.Id == application.WorkflowInstanceId).ToListAsync(ct);
        var instanceIds = instances.Select(i => i.Id).ToList();
        var references = instances.ToDictionary(i => i.Id, i => i.SubjectReference ?? application.Reference);
        string Title(WorkflowInstance i, string? state) =>
            state is null ? "" : registry.Find(i.DefinitionId, i.DefinitionVersion)?.States.GetValueOrDefault(state)?.Title ?? state;
        var byId = instances.ToDictionary(i => i.Id);

        var tasks = await db.InboxTasks.AsNoTracking().Where(t => instanceIds.Contains(t.InstanceId)).OrderBy(t => t.Id).ToListAsync(ct);
        var onlyOwn = actor.HasRole(Roles.Assessor) && !ApplicationRegister.SeesEveryOrganisation(actor)
            && !tasks.Any(t => t.Form == "assessment" && t.Status == InboxTaskStatus.Completed && t.CompletedById == actor.UserId);
        var judged = tasks.Where(t => t.Status is InboxTaskStatus.Completed or InboxTaskStatus.SetAside && t.Role != Roles.Applicant)
            .Where(t => t.Form is "eligibility" or "assessment" or "decision" || t.InstanceId == application.WorkflowInstanceId)
            .Where(t => !onlyOwn || t.CompletedById == actor.UserId || t.Form != "assessment")
            .ToList();
        // A decision made at a panel meeting names the meeting (its title and day) and shows the meeting's note on it.
        var judgedIds = judged.Select(t => t.Id).ToList();
        var panels = await db.Set<Panels.PanelItem>().AsNoTracking().Where(i => judgedIds.Contains(i.TaskId) && i.Outcome != null)
            .Join(db.Set<Panels.PanelMeeting>(), i => i.MeetingId, m => m.Id, (i, m) => new { i.TaskId, i.Note, m.Id, m.Title, m.MeetsOn })
            .ToDictionaryAsync(x => x.TaskId, ct);
        var judgements = judged.Select(t =>
            {
                var seen = !onlyOwn || t.CompletedById == actor.UserId;
                var panel = panels.GetValueOrDefault(t.Id);
                return new CaseJudgement(t.Title, t.Form ?? "", t.CompletedByName, t.Outcome ?? (t.Status == InboxTaskStatus.SetAside ? "set aside" : ""),
                    !seen ? null : panel is null ? t.Comment : panel.Note, TaskData.WeightedScore(t.Data), t.CompletedAt)
                {
                    Panel = panel is null ? null : new CasePanel(panel.Id, panel.Title, panel.MeetsOn),
                };
            })
            .ToList();

        var grant = await db.Grants.AsNoTracking().Include(g => g.Instalments).Include(g => g.Returns).Include(g => g.ConditionList).Include(g => g.Variations)
            .SingleOrDefaultAsync(g => g.ApplicationId == id, ct);
        var key = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var returnKeys = grant?.Returns.Select(r => r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList() ?? [];
        var instalmentKeys = grant?.Instalments.Select(i => i.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList() ?? [];
        var variationKeys = grant?.Variations.Select(v => v.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList() ?? [];
        var emails = await db.OutboxEmails.AsNoTracking()
            .Where(m => (m.SubjectType == ApplicationService.SubjectType && m.SubjectId == key)
                || (m.SubjectType == GrantWorkflows.ReturnSubject && returnKeys.Contains(m.SubjectId!))
                || (m.SubjectType == GrantWorkflows.InstalmentSubject && instalmentKeys.Contains(m.SubjectId!))
                || (m.SubjectType == GrantVariations.SubjectType && variationKeys.Contains(m.SubjectId!)))
            .OrderBy(m => m.CreatedAt).ToListAsync(ct);

        // Until an assessor has given their own view, what others did shows in the history only as done: the outcome
        // of a task they completed (another assessor's recommendation) and their notes stay hidden, as over the API.
        var history = (await db.WorkflowHistory.AsNoTracking().Where(h => instanceIds.Contains(h.InstanceId)).OrderBy(h => h.At).ThenBy(h => h.Id).ToListAsync(ct))
            .Select(h =>
            {
                var others = onlyOwn && h.ActorId != actor.UserId;
                var hideOutcome = others && h.Kind is HistoryKinds.TaskCompleted or HistoryKinds.ConflictDeclared;
                return new CaseHistory(h.At, references[h.InstanceId], h.ActorName, h.Kind, Title(byId[h.InstanceId], h.FromState), Title(byId[h.InstanceId], h.ToState),
                    hideOutcome ? null : h.Trigger, others ? null : h.Comment);
            })
            .ToList();
        var copies = tasks.GroupBy(t => (t.InstanceId, t.TaskKey, t.StageEntry)).Where(g => g.Count() > 1)
            .SelectMany(g => g.OrderBy(t => t.Id).Select((t, i) => (t.Id, Label: string.Create(CultureInfo.InvariantCulture, $" ({i + 1} of {g.Count()})"))))
            .ToDictionary(c => c.Id, c => c.Label);
        var open = tasks.Where(t => t.Status == InboxTaskStatus.Open)
            .Select(t => new CaseTask(t.Id, t.Title, t.Role, t.AssigneeName, t.DueAt, references[t.InstanceId], Title(byId[t.InstanceId], t.State))
            { CopyOf = copies.GetValueOrDefault(t.Id, "") }).ToList();
        var timers = await db.WorkflowTimers.AsNoTracking().Where(t => instanceIds.Contains(t.InstanceId) && t.Status == WorkflowTimerStatus.Pending)
            .OrderBy(t => t.DueAt).ToListAsync(ct);

        return new CaseFile
        {
            Application = application, Instance = instance, Status = ApplicationService.StatusOf(application, instance, registry),
            StageTitle = instance is null ? null : Title(instance, instance.State), Documents = await store.ForApplicationAsync(id, ct),
            ScoreOutOf = AssessmentForm.ScoreOutOf(await db.Criteria.AsNoTracking().Where(c => c.FundId == application.FundId).ToListAsync(ct)),
            Judgements = judgements, SeesOthersJudgements = !onlyOwn, Grant = grant, Emails = emails, History = history, OpenTasks = open,
            Timers = timers.Select(t => new CaseTimer(references[t.InstanceId], Title(byId[t.InstanceId], t.State), t.TimerKey, t.DueAt)).ToList(),
        };
    }
}
