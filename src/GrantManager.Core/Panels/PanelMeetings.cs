using GrantManager.Core.Applications;
using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.Funds;
using GrantManager.Core.Grants;
using GrantManager.Core.Workflows;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Panels;

public sealed record PanelMeetingInput(int? RoundId, DateOnly? MeetsOn, string? Title, IReadOnlyList<string>? MemberIds, string? ChairId, IReadOnlyList<int>? ApplicationIds);
public sealed record PanelViewInput(int ApplicationId, string? View, string? Comment);
/// <param name="Conditions">Plain words: one condition for the life of the grant (older callers).</param>
/// <param name="ConditionList">Conditions with their kinds, as the decision form takes them; when given, it is used instead of <paramref name="Conditions"/>.</param>
public sealed record PanelDecisionInput(int ApplicationId, string? Outcome, decimal? AmountAwarded, string? Conditions, string? MessageToApplicant, string? Note,
    IReadOnlyList<Grants.OfferCondition>? ConditionList = null);

/// <summary>An application waiting for the panel: its open panel decision task.</summary>
public sealed record AwaitingPanel(int ApplicationId, long TaskId, string Reference, string Organisation, string? ProjectTitle, decimal Requested);

public sealed record PackAssessment(string Assessor, string Recommendation, decimal? WeightedScore, string? Reasons);

/// <summary>One application in the pack, in rank order, with the running total of what the panel would spend.</summary>
public sealed record PackItem(int Rank, PanelItem Item, string Reference, string Organisation, string? ProjectTitle, string? Summary, string? Innovation,
    string? Beneficiaries, decimal Requested, decimal? AverageScore, List<PackAssessment> Assessments, decimal Amount, decimal RunningTotal, decimal LeftAfter)
{
    public bool WithinBudget => LeftAfter >= 0;
}

/// <summary>The panel pack (and, once decided, the minutes): ranked by average weighted score, against what the round has left for the meeting.</summary>
public sealed record PanelPack(PanelMeeting Meeting, string FundName, string RoundName, decimal RoundBudget, decimal CommittedElsewhere, List<PackItem> Items)
{
    public decimal Available => RoundBudget - CommittedElsewhere;
    /// <summary>The most a weighted score on the fund can be (<see cref="AssessmentForm.ScoreOutOf"/>).</summary>
    public int ScoreOutOf { get; init; } = 100;
}

/// <summary>
/// Panel meetings: a grant officer sets one up on a round's applications awaiting the panel; members record their
/// views; the chair records every decision in one go, each completing that application's panel decision task through
/// <see cref="Tasks.TaskService"/> (the decision form's checks, the round's budget, the workflow's move and emails),
/// all in one transaction, journaled with the meeting.
/// </summary>
public sealed class PanelMeetings(GrantDbContext db, Tasks.TaskService tasks, RoundBudgets budgets, UserManager<User> users, TimeProvider time)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Applications of the round whose panel decision task is open and which no meeting still to decide holds.</summary>
    public async Task<List<AwaitingPanel>> AwaitingAsync(int roundId, int? besides = null, CancellationToken ct = default)
    {
        var held = db.Set<PanelItem>().Where(i => i.MeetingId != besides && db.Set<PanelMeeting>().Any(m => m.Id == i.MeetingId && m.DecidedAt == null)).Select(i => i.TaskId);
        var rows = await (from t in db.InboxTasks.AsNoTracking()
                          join i in db.WorkflowInstances.AsNoTracking() on t.InstanceId equals i.Id
                          join a in db.Applications.AsNoTracking() on i.Id equals a.WorkflowInstanceId
                          where t.Status == InboxTaskStatus.Open && t.Role == Roles.PanelMember && t.Form == DecisionForm.Name
                              && i.SubjectType == ApplicationService.SubjectType && a.RoundId == roundId && !held.Contains(t.Id)
                          orderby a.Reference
                          select new AwaitingPanel(a.Id, t.Id, a.Reference, a.Organisation!.Name, a.ProjectTitle, a.AmountRequested ?? 0)).ToListAsync(ct);
        return rows;
    }

    /// <summary>The panel members who can sit on a meeting.</summary>
    public async Task<List<User>> PanelMembersAsync(CancellationToken ct = default) =>
        (await users.GetUsersInRoleAsync(Roles.PanelMember)).OrderBy(u => u.DisplayName).ToList();

    public async Task<PanelMeeting> CreateAsync(Actor actor, PanelMeetingInput input, CancellationToken ct = default)
    {
        if (!actor.HasRole(Roles.GrantOfficer)) throw new ForbiddenException("Only grant officers set up panel meetings");
        var e = new Errors();
        var round = input.RoundId is int roundId ? await db.Rounds.AsNoTracking().SingleOrDefaultAsync(r => r.Id == roundId, ct) : null;
        if (round is null) e.Add("roundId", "Choose the round the meeting decides");
        var today = UkTime.DayOf(Now);
        if (input.MeetsOn is not DateOnly on) e.Add("meetsOn", "Enter the date of the meeting");
        else if (on < today) e.Add("meetsOn", "The meeting's date must be today or later");
        var title = string.IsNullOrWhiteSpace(input.Title) ? null : input.Title.Trim();
        if (title is { Length: > 200 }) e.Add("title", "The title must be 200 characters or fewer");

        var memberIds = (input.MemberIds ?? []).Where(m => !string.IsNullOrWhiteSpace(m)).Distinct().ToList();
        var panel = (await PanelMembersAsync(ct)).ToDictionary(u => u.Id);
        if (memberIds.Count == 0) e.Add("memberIds", "Choose at least one panel member");
        else if (memberIds.FirstOrDefault(m => !panel.ContainsKey(m)) is { } stranger)
            e.Add("memberIds", $"'{stranger}' is not a panel member");
        // A panel of one is its own chair.
        var chairId = string.IsNullOrWhiteSpace(input.ChairId) ? memberIds.Count == 1 ? memberIds[0] : null : input.ChairId;
        if (memberIds.Count > 0 && chairId is null) e.Add("chairId", "Choose who chairs the meeting");
        else if (chairId is not null && !memberIds.Contains(chairId)) e.Add("chairId", "The chair must be one of the members");

        var applicationIds = (input.ApplicationIds ?? []).Distinct().ToList();
        var awaiting = round is null ? [] : (await AwaitingAsync(round.Id, ct: ct)).ToDictionary(a => a.ApplicationId);
        if (applicationIds.Count == 0) e.Add("applicationIds", "Choose the applications the meeting decides");
        else if (round is not null && applicationIds.FirstOrDefault(a => !awaiting.ContainsKey(a)) is var missing && missing != 0)
            e.Add("applicationIds", $"Application {missing} is not waiting for a panel decision in {round.Name}, or another meeting has it");
        e.ThrowIfAny();

        var meeting = new PanelMeeting
        {
            FundId = round!.FundId, RoundId = round.Id, MeetsOn = input.MeetsOn!.Value,
            Title = title ?? $"{round.Name} panel",
            CreatedById = actor.UserId ?? "", CreatedByName = actor.Name, CreatedAt = Now, Version = 1,
            Members = memberIds.Select(m => new PanelMember { UserId = m, Name = panel[m].DisplayName, IsChair = m == chairId }).ToList(),
            Items = applicationIds.Select(a => new PanelItem { ApplicationId = a, TaskId = awaiting[a].TaskId }).ToList(),
        };
        db.Add(meeting);
        await db.SaveChangesAsync(ct);
        return meeting;
    }

    /// <summary>Meetings the actor may see, soonest last decided first: grant officers all of them, panel members those they sit on.</summary>
    public async Task<List<PanelMeeting>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        if (!actor.HasRole(Roles.GrantOfficer) && !actor.HasRole(Roles.PanelMember)) throw new ForbiddenException("Only grant officers and panel members see panel meetings");
        var meetings = db.Set<PanelMeeting>().AsNoTracking().Include(m => m.Members).Include(m => m.Items).AsQueryable();
        if (!actor.HasRole(Roles.GrantOfficer)) meetings = meetings.Where(m => m.Members.Any(p => p.UserId == actor.UserId));
        return await meetings.OrderBy(m => m.DecidedAt != null).ThenByDescending(m => m.MeetsOn).ThenByDescending(m => m.Id).ToListAsync(ct);
    }

    /// <summary>The meeting, for grant officers and its own members; anyone else is refused.</summary>
    public async Task<PanelMeeting> GetAsync(int id, Actor actor, CancellationToken ct = default)
    {
        var meeting = await db.Set<PanelMeeting>().AsNoTracking().Include(m => m.Members).Include(m => m.Items).ThenInclude(i => i.Views)
            .AsSplitQuery().SingleOrDefaultAsync(m => m.Id == id, ct);
        if (meeting is null || !(actor.HasRole(Roles.GrantOfficer) || actor.HasRole(Roles.PanelMember)))
            throw new NotFoundException("No such panel meeting");
        if (!actor.HasRole(Roles.GrantOfficer) && !meeting.HasMember(actor.UserId))
            throw new ForbiddenException("You are not a member of this panel meeting");
        return meeting;
    }

    /// <summary>The pack: each application's summary, assessments and recommendations, ranked by average weighted score, with the running total.</summary>
    public async Task<PanelPack> PackAsync(int id, Actor actor, CancellationToken ct = default)
    {
        var meeting = await GetAsync(id, actor, ct);
        var ids = meeting.Items.Select(i => i.ApplicationId).ToList();
        var applications = await db.Applications.AsNoTracking().Include(a => a.Organisation).Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
        var instanceIds = applications.Values.Select(a => a.WorkflowInstanceId).ToList();
        var assessments = (await db.InboxTasks.AsNoTracking()
                .Where(t => instanceIds.Contains(t.InstanceId) && t.Form == AssessmentForm.Name && t.Status == InboxTaskStatus.Completed)
                .OrderBy(t => t.Id).ToListAsync(ct))
            .GroupBy(t => t.InstanceId).ToDictionary(g => g.Key, g => g.Select(t => new PackAssessment(t.CompletedByName ?? "", t.Outcome ?? "", TaskData.WeightedScore(t.Data), t.Comment)).ToList());
        var round = await db.Rounds.AsNoTracking().Include(r => r.Fund).SingleAsync(r => r.Id == meeting.RoundId, ct);
        var budget = (await budgets.ForRoundAsync(round.Id, ids, ct))!;

        var ranked = meeting.Items.Select(item =>
            {
                var a = applications[item.ApplicationId];
                var list = assessments.GetValueOrDefault(a.WorkflowInstanceId!.Value) ?? [];
                var scores = list.Where(s => s.WeightedScore is not null).Select(s => s.WeightedScore!.Value).ToList();
                return (Item: item, Application: a, Assessments: list, Average: scores.Count == 0 ? (decimal?)null : decimal.Round(scores.Average(), 1));
            })
            .OrderByDescending(x => x.Average ?? -1).ThenBy(x => x.Application.Reference).ToList();
        var items = new List<PackItem>();
        var running = 0m;
        foreach (var (x, rank) in ranked.Select((x, i) => (x, i + 1)))
        {
            // Decided: what was awarded (nothing for a refusal); before: what is asked for.
            var amount = x.Item.Outcome switch { "approve" => x.Item.AmountAwarded ?? 0, "reject" => 0, _ => x.Application.AmountRequested ?? 0 };
            running += amount;
            items.Add(new PackItem(rank, x.Item, x.Application.Reference, x.Application.Organisation!.Name, x.Application.ProjectTitle, x.Application.ProjectSummary,
                x.Application.Innovation, x.Application.Beneficiaries, x.Application.AmountRequested ?? 0, x.Average, x.Assessments, amount, running,
                budget.Remaining - running));
        }
        return new PanelPack(meeting, round.Fund!.Name, round.Name, budget.Budget, budget.Committed, items)
        {
            ScoreOutOf = AssessmentForm.ScoreOutOf(await db.Criteria.AsNoTracking().Where(c => c.FundId == round.FundId).ToListAsync(ct)),
        };
    }

    /// <summary>A member records their view on any of the meeting's applications; a later view replaces their earlier one.</summary>
    public async Task RecordViewsAsync(int id, Actor actor, IReadOnlyList<PanelViewInput> views, CancellationToken ct = default)
    {
        var meeting = await LoadForChangeAsync(id, actor, ct);
        if (!meeting.HasMember(actor.UserId)) throw new ForbiddenException("Only the meeting's members record their views");
        if (meeting.Decided) throw new ConflictException($"The meeting's decisions were recorded on {UkTime.DateAndTime(meeting.DecidedAt!.Value)}");
        var e = new Errors();
        if (views.Count == 0) e.Add("views", "Give your view on at least one application");
        foreach (var (v, i) in views.Select((v, i) => (v, i)))
        {
            if (meeting.Items.All(it => it.ApplicationId != v.ApplicationId)) e.Add($"views[{i}].applicationId", $"Application {v.ApplicationId} is not on this meeting's agenda");
            if (v.View is null || !PanelViews.All.Contains(v.View)) e.Add($"views[{i}].view", "Choose fund, do not fund or abstain");
            if (v.Comment is { Length: > 3000 }) e.Add($"views[{i}].comment", "The comment must be 3,000 characters or fewer");
        }
        e.ThrowIfAny();
        foreach (var v in views)
        {
            var item = meeting.Items.Single(it => it.ApplicationId == v.ApplicationId);
            item.Views.RemoveAll(x => x.UserId == actor.UserId);
            item.Views.Add(new PanelView { UserId = actor.UserId!, Name = actor.Name, View = v.View!, Comment = string.IsNullOrWhiteSpace(v.Comment) ? null : v.Comment.Trim(), RecordedAt = Now });
        }
        meeting.Version++;
        await SaveAsync(ct);
    }

    /// <summary>
    /// The chair records a decision on every application of the meeting, from its day on. Each completes the application's
    /// panel decision task as the chair, with the meeting named in its journal; the first problem with any of them
    /// (a decision past the round's budget, a refusal without reasons) keeps them all from being recorded.
    /// </summary>
    public async Task RecordDecisionsAsync(int id, Actor actor, IReadOnlyList<PanelDecisionInput> decisions, CancellationToken ct = default)
    {
        var meeting = await LoadForChangeAsync(id, actor, ct);
        if (meeting.Chair?.UserId != actor.UserId) throw new ForbiddenException("Only the meeting's chair records its decisions");
        if (meeting.Decided) throw new ConflictException($"The meeting's decisions were recorded on {UkTime.DateAndTime(meeting.DecidedAt!.Value)}");
        var e = new Errors();
        if (UkTime.DayOf(Now) < meeting.MeetsOn)
            e.Add("decisions", $"The meeting is on {meeting.MeetsOn.ToString("d MMMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("en-GB"))}: its decisions are recorded from that day");
        var byApplication = new Dictionary<int, (PanelDecisionInput Decision, int Index)>();
        foreach (var (d, i) in decisions.Select((d, i) => (d, i)))
        {
            if (meeting.Items.All(it => it.ApplicationId != d.ApplicationId)) e.Add($"decisions[{i}].applicationId", $"Application {d.ApplicationId} is not on this meeting's agenda");
            else if (!byApplication.TryAdd(d.ApplicationId, (d, i))) e.Add($"decisions[{i}].applicationId", $"Application {d.ApplicationId} is decided twice");
            if (d.Outcome is not ("approve" or "reject")) e.Add($"decisions[{i}].outcome", "Choose approve or reject");
            if (d.Note is { Length: > 4000 }) e.Add($"decisions[{i}].note", "The note must be 4,000 characters or fewer");
        }
        var references = await db.Applications.AsNoTracking().Where(a => meeting.Items.Select(i => i.ApplicationId).Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Reference, ct);
        foreach (var item in meeting.Items.Where(it => !byApplication.ContainsKey(it.ApplicationId)))
            e.Add("decisions", $"Record a decision on {references[item.ApplicationId]}: the meeting decides every application on its agenda");
        e.ThrowIfAny();

        // Every decision and the meeting's record commit together, or none does.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            foreach (var item in meeting.Items)
            {
                var (d, i) = byApplication[item.ApplicationId];
                var journal = $"Decided at {meeting.Describe()}" + (string.IsNullOrWhiteSpace(d.Note) ? "" : $": {d.Note.Trim()}");
                try
                {
                    await tasks.CompleteAsync(item.TaskId, actor, new TaskCompletion(d.Outcome, journal, AmountAwarded: d.AmountAwarded,
                        Conditions: d.Outcome == "approve" ? d.Conditions : null)
                    {
                        ConditionList = d.Outcome == "approve" ? d.ConditionList : null,
                        MessageToApplicant = d.MessageToApplicant, CommentStandsInForMessage = false,
                    }, ct);
                }
                catch (InputException problem)
                {
                    foreach (var (field, messages) in problem.Errors)
                        foreach (var message in messages) e.Add(field == "comment" ? $"decisions[{i}].note" : $"decisions[{i}].{field}", $"{references[item.ApplicationId]}: {message}");
                    continue;
                }
                catch (RefusedException refused) when (refused is not NotFoundException)
                {
                    e.Add($"decisions[{i}].outcome", $"{references[item.ApplicationId]}: {refused.Message}");
                    continue;
                }
                item.Outcome = d.Outcome;
                item.AmountAwarded = d.Outcome == "approve" ? await AwardedAsync(item.TaskId, ct) : null;
                item.Conditions = d.Outcome != "approve" ? null
                    : d.ConditionList is { } list ? Grants.OfferCondition.Words(list.Select(c => c with { Text = c.Text.Trim() }).ToList())
                    : string.IsNullOrWhiteSpace(d.Conditions) ? null : d.Conditions.Trim();
                item.MessageToApplicant = string.IsNullOrWhiteSpace(d.MessageToApplicant) ? null : d.MessageToApplicant.Trim();
                item.Note = string.IsNullOrWhiteSpace(d.Note) ? null : d.Note.Trim();
            }
            if (e.Any)
            {
                await tx.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                e.ThrowIfAny();
            }
            meeting.DecidedAt = Now;
            meeting.DecidedByName = actor.Name;
            meeting.Version++;
            await SaveAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch
        {
            db.ChangeTracker.Clear();
            throw;
        }
    }

    private async Task<decimal?> AwardedAsync(long taskId, CancellationToken ct)
    {
        var data = await db.InboxTasks.AsNoTracking().Where(t => t.Id == taskId).Select(t => t.Data).SingleAsync(ct);
        return TaskData.AmountAwarded(data);
    }

    private async Task<PanelMeeting> LoadForChangeAsync(int id, Actor actor, CancellationToken ct)
    {
        await GetAsync(id, actor, ct);
        return await db.Set<PanelMeeting>().Include(m => m.Members).Include(m => m.Items).ThenInclude(i => i.Views).AsSplitQuery().SingleAsync(m => m.Id == id, ct);
    }

    private async Task SaveAsync(CancellationToken ct)
    {
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException) { throw new ConflictException("Someone else changed this meeting at the same moment. Reload it to see what they did."); }
    }
}
