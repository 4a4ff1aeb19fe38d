using System.Globalization;
using GrantManager.Core.Data;
using GrantManager.Core.Tasks;
using GrantManager.Core.Email;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Applications;

/// <summary>What a bulk action did to one case: done, or refused and why.</summary>
public sealed record BulkOutcome(int ApplicationId, string Reference, bool Done, string Message);

/// <summary>A message written for the selected applicants, filled in for one of them.</summary>
public sealed record BulkMessagePreview(string Reference, string To, RenderedEmail Email, int Recipients, IReadOnlyList<string> WithoutContact);

/// <summary>
/// Actions a grant officer takes on applications chosen in the register: give each one's open task
/// to a person, or send its applicant a message written in Liquid. Each case is its own unit of work,
/// so one refusal never leaves another case half-done, and each case touched gets a
/// <see cref="HistoryKind"/> entry in its journal, shown on the case file, naming the action and how
/// many cases it covered.
/// </summary>
public sealed class BulkActions(GrantDbContext db, WorkflowRuntime runtime, Outbox outbox, TimeProvider time)
{
    public const string HistoryKind = "bulk-action";
    /// <summary>The most cases one action may cover: two register pages.</summary>
    public const int MaxCases = 100;
    public const int MaxSubjectLength = 200;
    public const int MaxBodyLength = 10_000;

    public static bool MayAct(Actor actor) => actor.HasRole(Roles.GrantOfficer);

    /// <summary>Refuses an action on no applications, or on more than <see cref="MaxCases"/>, before anything is written or asked.</summary>
    public static void CheckSelection(IReadOnlyCollection<int> ids)
    {
        if (ids.Count == 0) throw new InputException(new Dictionary<string, string[]> { ["ids"] = ["Select the applications to act on"] });
        if (ids.Count > MaxCases)
            throw new InputException(new Dictionary<string, string[]> { ["ids"] = [$"Select at most {MaxCases} applications at once"] });
    }

    private sealed record Case(int Id, string Reference, string? ProjectTitle, string OrganisationName, string? ContactEmail, string? ContactName,
        string FundName, string RoundName, decimal? AmountRequested, Guid? InstanceId);

    private async Task<List<Case>> CasesAsync(Actor actor, IReadOnlyCollection<int> ids, CancellationToken ct)
    {
        if (!MayAct(actor)) throw new ForbiddenException("Only grant officers can act on several applications at once");
        CheckSelection(ids);
        var found = await db.Applications.AsNoTracking().Where(a => ids.Contains(a.Id))
            .Select(a => new Case(a.Id, a.Reference, a.ProjectTitle, a.Organisation!.Name, a.Organisation.ContactEmail, a.Organisation.ContactName,
                a.Fund!.Name, a.Round!.Name, a.AmountRequested, a.WorkflowInstanceId))
            .ToListAsync(ct);
        return found.OrderBy(c => c.Reference, StringComparer.Ordinal).ToList();
    }

    /// <summary>The people who may take the open staff task of at least one of the cases, each with how many of them.</summary>
    public async Task<List<(TaskCandidate Person, int Cases)>> CandidatesAsync(Actor actor, IReadOnlyCollection<int> ids, CancellationToken ct = default)
    {
        var cases = await CasesAsync(actor, ids, ct);
        var tasks = await OpenTasksAsync(cases, ct);
        var eligibility = await TaskEligibility.ForAsync(db, tasks, ct);
        return tasks.SelectMany(t => eligibility.GetValueOrDefault(t.Id)?.Candidates.Select(c => (t.InstanceId, c)) ?? [])
            .DistinctBy(x => (x.InstanceId, x.c.Id))
            .GroupBy(x => x.c.Id)
            .Select(g => (g.First().c, g.Count()))
            .OrderBy(x => x.Item1.StandIn).ThenBy(x => x.Item1.Name, StringComparer.CurrentCulture).ToList();
    }

    private async Task<List<InboxTask>> OpenTasksAsync(List<Case> cases, CancellationToken ct)
    {
        var instances = cases.Select(c => c.InstanceId).OfType<Guid>().ToList();
        return await db.InboxTasks.AsNoTracking().WithConflicts()
            .Where(t => instances.Contains(t.InstanceId) && t.Status == InboxTaskStatus.Open && t.Role != Roles.Applicant)
            .OrderBy(t => t.Id).ToListAsync(ct);
    }

    /// <summary>
    /// Gives each case's open staff task to the person: the first one nobody has taken that they may take
    /// (see <see cref="TaskEligibility"/>). A case with no such task is refused with the reason.
    /// </summary>
    public async Task<List<BulkOutcome>> AssignAsync(Actor actor, IReadOnlyCollection<int> ids, string? userId, CancellationToken ct = default)
    {
        var cases = await CasesAsync(actor, ids, ct);
        var user = string.IsNullOrEmpty(userId) ? null : await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new { u.Id, u.DisplayName, u.Email }).SingleOrDefaultAsync(ct);
        if (user is null) throw new InputException(new Dictionary<string, string[]> { ["assigneeId"] = ["Choose the person to give the tasks to"] });
        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == user.Id select r.Name!).ToListAsync(ct);
        var tasks = await OpenTasksAsync(cases, ct);
        var eligibility = await TaskEligibility.ForAsync(db, tasks, ct);
        var outcomes = new List<BulkOutcome>();
        var given = new List<AssignedTasksEmail.Given>();
        foreach (var c in cases)
        {
            var open = tasks.Where(t => t.InstanceId == c.InstanceId).ToList();
            if (open.Count == 0)
            {
                outcomes.Add(new(c.Id, c.Reference, false, "It has no open task for staff"));
                continue;
            }
            var task = open.FirstOrDefault(t => t.AssigneeId == user.Id);
            if (task is not null)
            {
                outcomes.Add(new(c.Id, c.Reference, false, $"{user.DisplayName} already has ‘{task.Title}’"));
                continue;
            }
            task = open.FirstOrDefault(t => t.AssigneeId is null && eligibility.GetValueOrDefault(t.Id)?.Candidates.Any(p => p.Id == user.Id) == true);
            if (task is null)
            {
                var untaken = open.FirstOrDefault(t => t.AssigneeId is null);
                outcomes.Add(new(c.Id, c.Reference, false, untaken is null
                    ? $"Its open {(open.Count == 1 ? "task is" : "tasks are")} already taken by {string.Join(", ", open.Select(t => t.AssigneeName).Distinct())}"
                    : $"{user.DisplayName} may not take ‘{untaken.Title}’: {WhyNot(untaken, user.Id, roles, eligibility.GetValueOrDefault(untaken.Id))}"));
                continue;
            }
            try
            {
                await InCaseAsync(async () =>
                {
                    await runtime.AssignTaskAsync(task.Id, user.Id, actor, tell: false, ct);
                    Record(c.InstanceId!.Value, actor, $"Assigned ‘{task.Title}’ to {user.DisplayName}", cases.Count);
                }, ct);
                outcomes.Add(new(c.Id, c.Reference, true, $"‘{task.Title}’ given to {user.DisplayName}"));
                given.Add(new(task.Id, task.Title, c.Reference, task.DueAt));
            }
            catch (RefusedException e) when (e is WorkflowInvalidException or ConflictException or ForbiddenException)
            {
                outcomes.Add(new(c.Id, c.Reference, false, e.Message));
            }
        }
        // One email for everything given, after the cases are saved; a single case's email is listed in its case file.
        if (given.Count > 0 && user.Email is { } address)
        {
            var only = given.Count == 1 ? cases.Single(c => c.Reference == given[0].Reference) : null;
            AssignedTasksEmail.Add(outbox, db, new WorkflowPerson(user.Id, user.DisplayName, address), actor, given,
                only is null ? null : ApplicationService.SubjectType, only?.Id.ToString(CultureInfo.InvariantCulture));
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }
        return outcomes;
    }

    private static string WhyNot(InboxTask task, string userId, List<string> roles, TaskEligibilityResult? eligibility)
    {
        if (task.IsExcluded(userId)) return "they declared a conflict of interest on this application";
        var standIn = eligibility is { NobodyEligible: true };
        if (!roles.Contains(task.Role) && !(standIn && roles.Contains(Roles.GrantOfficer)))
            return $"they are not {WorkflowText.ARole(task.Role)}{(standIn ? " or a grant officer" : "")}";
        return "they are doing, or have done, another copy of it, and it needs two different people";
    }

    private static void CheckMessage(string? subject, string? body)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(subject)) errors["subject"] = ["Enter a subject"];
        else if (subject.Length > MaxSubjectLength) errors["subject"] = [$"The subject must be {MaxSubjectLength} characters or fewer"];
        if (string.IsNullOrWhiteSpace(body)) errors["body"] = ["Enter the message"];
        else if (body.Length > MaxBodyLength) errors["body"] = [$"The message must be {MaxBodyLength:#,0} characters or fewer"];
        if (errors.Count > 0) throw new InputException(errors);
    }

    /// <summary>What each template value is, for the page that explains them.</summary>
    public static readonly IReadOnlyList<(string Name, string Meaning)> Values =
    [
        ("recipient_name", "the organisation's contact"), ("reference", "the application's reference"), ("projectTitle", "the project's title"),
        ("organisationName", "the organisation"), ("fundName", "the fund"), ("roundName", "the round"),
        ("amountRequested", "the amount asked for (show it with | money)"), ("base_url", "this service's address"), ("path", "the application's page, after base_url"),
        ("council", "the council's name"), ("contact_email", "the grants team's email address"),
    ];

    private static Dictionary<string, object?> Model(Case c) => new(StringComparer.Ordinal)
    {
        ["reference"] = c.Reference, ["projectTitle"] = c.ProjectTitle, ["organisationName"] = c.OrganisationName, ["fundName"] = c.FundName,
        ["roundName"] = c.RoundName, ["amountRequested"] = c.AmountRequested, ["path"] = $"/Applicant/Applications/{c.Id}",
    };

    private static EmailRecipient? To(Case c) => string.IsNullOrWhiteSpace(c.ContactEmail) ? null : new EmailRecipient(c.ContactEmail, c.ContactName);

    /// <summary>The message filled in for the first selected case that has a contact, as its applicant would read it.</summary>
    public async Task<BulkMessagePreview> PreviewAsync(Actor actor, IReadOnlyCollection<int> ids, string? subject, string? body, CancellationToken ct = default)
    {
        var cases = await CasesAsync(actor, ids, ct);
        CheckMessage(subject, body);
        var reachable = cases.Where(c => To(c) is not null).ToList();
        var first = reachable.FirstOrDefault()
            ?? throw new InputException(new Dictionary<string, string[]> { ["ids"] = ["None of the selected applicants has a contact email address"] });
        var email = outbox.RenderWritten(subject!, body!, To(first)!, Model(first));
        return new BulkMessagePreview(first.Reference, To(first)!.Address, email, reachable.Count,
            cases.Where(c => To(c) is null).Select(c => c.Reference).ToList());
    }

    /// <summary>Writes the message, filled in for each case, to the outbox, and records it on each case's journal.</summary>
    public async Task<List<BulkOutcome>> SendAsync(Actor actor, IReadOnlyCollection<int> ids, string? subject, string? body, CancellationToken ct = default)
    {
        var cases = await CasesAsync(actor, ids, ct);
        CheckMessage(subject, body);
        // Checked once before anything is written, so a template that does not parse, or uses a value or filter
        // that does not exist, sends nothing.
        if (cases.Count > 0) outbox.RenderWritten(subject!, body!, new EmailRecipient("check@invalid", null), Model(cases[0]));
        var outcomes = new List<BulkOutcome>();
        foreach (var c in cases)
        {
            if (To(c) is not { } to)
            {
                outcomes.Add(new(c.Id, c.Reference, false, "The organisation has no contact email address"));
                continue;
            }
            await InCaseAsync(() =>
            {
                var message = outbox.AddWritten(db, "bulk-message", subject!, body!, to, Model(c), ApplicationService.SubjectType, c.Id.ToString(CultureInfo.InvariantCulture));
                if (c.InstanceId is Guid instance) Record(instance, actor, $"Sent a message to the applicant: ‘{message.Subject}’", cases.Count);
                return Task.CompletedTask;
            }, ct);
            outcomes.Add(new(c.Id, c.Reference, true, $"Message sent to {to.Address}"));
        }
        return outcomes;
    }

    private void Record(Guid instanceId, Actor actor, string what, int cases) =>
        db.WorkflowHistory.Add(new WorkflowHistoryEntry
        {
            InstanceId = instanceId, At = time.GetUtcNow().UtcDateTime, ActorId = actor.UserId, ActorName = actor.Name, Kind = HistoryKind,
            Comment = $"{what} (one of {Wording.Count(cases, "application")} acted on together)",
        });

    private async Task InCaseAsync(Func<Task> work, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await work();
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }
}
