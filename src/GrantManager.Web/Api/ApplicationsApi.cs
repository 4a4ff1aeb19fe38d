using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Email;
using GrantManager.Core.Workflows;
using GrantManager.Web.Hosting;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Api;

/// <summary>The applications and workflow inbox API: a contract for integrations and acceptance checks.</summary>
public static class ApplicationsApi
{
    public sealed record BudgetLineView(string Item, decimal Amount);
    public sealed record OutcomeView(string Measure, decimal Target);
    public sealed record HistoryView(DateTime At, string Stage, string? Actor, string Kind, string? Trigger, string? Comment);
    public sealed record ApplicationView(int Id, string Reference, string Status, string? Stage, string? StageTitle, int FundId, string FundName,
        int OrganisationId, string OrganisationName, string? ProjectTitle, string? ProjectSummary, string? Innovation, string? Beneficiaries,
        IReadOnlyList<string> Districts, DateOnly? StartDate, DateOnly? EndDate, decimal? AmountRequested, List<BudgetLineView> Budget,
        List<OutcomeView> Outcomes, DateTime? SubmittedAt, int Version, List<HistoryView> History);
    public sealed record Created(int Id, string Reference, string Status);
    public sealed record SubmitRequest(bool Declaration);
    public sealed record WithdrawRequest(string? Reason);
    public sealed record CriterionView(int Id, string Name, int Weight, int Max, string Guidance);
    public sealed record TaskView(long Id, int? ApplicationId, string? Reference, string Title, string Role, string? Assignee, DateTime? DueAt,
        bool Overdue, IReadOnlyList<string> Outcomes, List<CriterionView> Criteria, bool RequiresConflictDeclaration, bool ConflictDeclared, string Stage)
    {
        /// <summary>Nobody holding the task's role may take it: a grant officer must assign someone or set it aside.</summary>
        public bool NobodyEligible { get; init; }
    }
    public sealed record DeclareRequest(bool HasConflict, string? Details);
    public sealed record CompleteRequest(string? Outcome, string? Comment, Dictionary<string, int>? Scores, decimal? AmountAwarded, string? Conditions,
        DateOnly? NewDueOn = null, string? PaymentReference = null, Dictionary<string, decimal>? Targets = null, string? MessageToApplicant = null);
    public sealed record AssignRequest(string? UserId);
    public sealed record OverrideRequest(string? Reason);
    public sealed record EmailView(Guid Id, string To, string Subject, string Template, string Status, int Attempts, DateTime CreatedAt, DateTime? SentAt, string? LastError);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/applications", async Task<Results<Created<Created>, ValidationProblem>> (ApplicationInput input, ApplicationService service, WorkflowActors actors, HttpContext http) =>
        {
            var application = await service.CreateDraftAsync(await actors.ForAsync(http.User), input);
            return TypedResults.Created($"/api/applications/{application.Id}", new Created(application.Id, application.Reference, ApplicationStatus.Draft));
        }).WithSummary("Start a draft for the caller's organisation");

        api.MapPut("/applications/{id:int}", async (int id, ApplicationInput input, int? version, ApplicationService service, WorkflowActors actors, HttpContext http, GrantDbContext db, WorkflowRegistry registry) =>
        {
            var actor = await actors.ForAsync(http.User);
            await service.UpdateDraftAsync(id, actor, input, version);
            return TypedResults.Ok(await ViewAsync(db, registry, await service.ForReadingAsync(id, actor), actor));
        }).WithSummary("Change a draft (only before it is submitted); ?version= guards against overwriting");

        api.MapDelete("/applications/{id:int}", async (int id, ApplicationService service, AttachmentStore store, WorkflowActors actors, HttpContext http) =>
        {
            store.DeleteFiles(await service.DeleteDraftAsync(id, await actors.ForAsync(http.User)));
            return TypedResults.NoContent();
        }).WithSummary("Delete a draft (only before it is submitted) with its answers and documents");

        api.MapPost("/applications/{id:int}/submit", async (int id, SubmitRequest? body, ApplicationService service, WorkflowActors actors, HttpContext http, GrantDbContext db, WorkflowRegistry registry) =>
        {
            var actor = await actors.ForAsync(http.User);
            await service.SubmitAsync(id, actor, body?.Declaration == true);
            return TypedResults.Ok(await ViewAsync(db, registry, await service.ForReadingAsync(id, actor), actor));
        }).WithSummary("Submit with {declaration: true}; 400 lists whatever is missing");

        api.MapPost("/applications/{id:int}/withdraw", async (int id, WithdrawRequest? body, ApplicationService service, WorkflowActors actors, HttpContext http, GrantDbContext db, WorkflowRegistry registry) =>
        {
            var actor = await actors.ForAsync(http.User);
            await service.WithdrawAsync(id, actor, body?.Reason);
            return TypedResults.Ok(await ViewAsync(db, registry, await service.ForReadingAsync(id, actor), actor));
        }).WithSummary("Withdraw a submitted application, any time before the decision");

        api.MapGet("/applications/{id:int}", async (int id, ApplicationService service, WorkflowActors actors, HttpContext http, GrantDbContext db, WorkflowRegistry registry) =>
        {
            var actor = await actors.ForAsync(http.User);
            return TypedResults.Ok(await ViewAsync(db, registry, await service.ForReadingAsync(id, actor), actor));
        }).WithSummary("An application with its status, stage and history; another organisation's answers 404");

        api.MapGet("/applications", async (ApplicationService service, WorkflowActors actors, HttpContext http, GrantDbContext db, WorkflowRegistry registry) =>
        {
            var actor = await actors.ForAsync(http.User);
            if (!actor.HasRole(Roles.Applicant)) throw new WorkflowForbiddenException("Staff find applications through their inbox and the reports");
            var mine = await service.Query().AsNoTracking().Where(a => a.OrganisationId == actor.OrganisationId).OrderByDescending(a => a.Id).ToListAsync();
            var views = new List<ApplicationView>();
            foreach (var a in mine) views.Add(await ViewAsync(db, registry, a, actor));
            return TypedResults.Ok(views);
        }).WithSummary("The caller's organisation's applications");

        api.MapGet("/applications/{id:int}/emails", async (int id, GrantDbContext db, ApplicationService service, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            if (!Roles.Staff.Any(actor.HasRole)) throw new WorkflowForbiddenException("Only council staff can see the email log");
            await service.ForReadingAsync(id, actor);
            var key = id.ToString();
            return TypedResults.Ok(await db.OutboxEmails.AsNoTracking().Where(m => m.SubjectType == ApplicationService.SubjectType && m.SubjectId == key)
                .OrderBy(m => m.CreatedAt)
                .Select(m => new EmailView(m.Id, m.ToAddress, m.Subject, m.Template, m.Status.ToString(), m.Attempts, m.CreatedAt, m.SentAt, m.LastError))
                .ToListAsync());
        }).WithSummary("Every email about the application and its delivery (staff)");

        api.MapGet("/tasks", async (GrantDbContext db, WorkflowActors actors, HttpContext http, TimeProvider time) =>
        {
            var actor = await actors.ForAsync(http.User);
            return TypedResults.Ok(await InboxAsync(db, actor, time.GetUtcNow().UtcDateTime));
        }).WithSummary("The caller's inbox: tasks for their roles, assigned to them, or (applicants) for their organisation");

        api.MapPost("/tasks/{id:long}/claim", async (long id, WorkflowRuntime runtime, WorkflowActors actors, HttpContext http) =>
        {
            await runtime.ClaimTaskAsync(id, await actors.ForAsync(http.User));
            return TypedResults.NoContent();
        }).WithSummary("Take a task");

        api.MapPost("/tasks/{id:long}/release", async (long id, WorkflowRuntime runtime, WorkflowActors actors, HttpContext http) =>
        {
            await runtime.ReleaseTaskAsync(id, await actors.ForAsync(http.User));
            return TypedResults.NoContent();
        }).WithSummary("Put a task back in the pool");

        api.MapPost("/tasks/{id:long}/assign", async (long id, AssignRequest body, WorkflowRuntime runtime, WorkflowActors actors, HttpContext http) =>
        {
            if (string.IsNullOrWhiteSpace(body.UserId))
                throw new WorkflowInvalidException("Choose someone to assign the task to", "userId");
            await runtime.AssignTaskAsync(id, body.UserId, await actors.ForAsync(http.User));
            return TypedResults.NoContent();
        }).WithSummary("Give a task to a named person (grant officers)");

        api.MapPost("/tasks/{id:long}/override", async (long id, OverrideRequest? body, WorkflowRuntime runtime, WorkflowActors actors, HttpContext http) =>
        {
            var result = await runtime.OverrideTaskAsync(id, body?.Reason, await actors.ForAsync(http.User));
            return TypedResults.Ok(new { result.InstanceId, stage = result.ToState, moved = result.Moved });
        }).WithSummary("Set aside a task nobody may take, with {reason} (grant officers); the stage goes on with the outcomes already given; 409 if someone can still take it");

        api.MapPost("/tasks/{id:long}/declare", async (long id, DeclareRequest body, WorkflowRuntime runtime, WorkflowActors actors, HttpContext http) =>
        {
            if (body.HasConflict && string.IsNullOrWhiteSpace(body.Details))
                throw new WorkflowInvalidException("Describe the conflict of interest", "details");
            await runtime.DeclareConflictAsync(id, body.HasConflict, body.Details?.Trim(), await actors.ForAsync(http.User));
            return TypedResults.NoContent();
        }).WithSummary("Declare whether you have a conflict of interest; with one, the task goes back to the pool");

        api.MapPost("/tasks/{id:long}/complete", async (long id, CompleteRequest body, Core.Tasks.TaskService tasks, WorkflowActors actors, HttpContext http) =>
        {
            var result = await tasks.CompleteAsync(id, await actors.ForAsync(http.User),
                new TaskCompletion(body.Outcome, body.Comment, body.Scores, body.AmountAwarded, body.Conditions)
                {
                    NewDueOn = body.NewDueOn, PaymentReference = body.PaymentReference, Targets = body.Targets,
                    MessageToApplicant = body.MessageToApplicant,
                });
            return TypedResults.Ok(new { result.InstanceId, stage = result.ToState, moved = result.Moved });
        }).WithSummary("Complete with {outcome, comment (note for the file), messageToApplicant, scores, amountAwarded, conditions, targets, newDueOn, paymentReference}; 409 if already completed or the application moved on");
    }

    /// <param name="everyone">Every open staff task, whoever holds it (a grant officer sharing out the work).</param>
    public static async Task<List<TaskView>> InboxAsync(GrantDbContext db, Actor actor, DateTime now, bool everyone = false)
    {
        var roles = actor.Roles.Where(r => r != Roles.Applicant).ToList();
        var userId = actor.UserId ?? "";
        var organisationId = actor.HasRole(Roles.Applicant) ? actor.OrganisationId : null;
        var tasks = await db.InboxTasks.AsNoTracking().Include(t => t.Instance)
            .Where(t => t.Status == InboxTaskStatus.Open)
            .Where(t => (everyone && t.Role != Roles.Applicant)
                || (t.Role == Roles.Applicant && organisationId != null && t.Instance!.OrganisationId == organisationId)
                || (t.Role != Roles.Applicant && roles.Contains(t.Role) && (t.AssigneeId == null || t.AssigneeId == userId) && !t.ExcludedUserIds.Contains(userId))
                // A grant officer standing in for a role they do not hold.
                || (t.Role != Roles.Applicant && userId != "" && t.AssigneeId == userId))
            .OrderBy(t => t.DueAt == null).ThenBy(t => t.DueAt).ThenBy(t => t.Id)
            .ToListAsync();
        if (everyone) return await ViewsAsync(db, tasks, now);
        // Of several parallel copies (two assessors), show one unless you already hold one.
        tasks = tasks.GroupBy(t => (t.InstanceId, t.StageEntry, t.TaskKey))
            .SelectMany(g => g.Any(t => t.AssigneeId == userId) ? g.Where(t => t.AssigneeId == userId)
                : g.Any(t => t.CompletedById == userId) ? [] : g.Take(1))
            .ToList();
        // Only the instances on the list matter: a person's whole history of completed tasks need not be read.
        var instanceIds = tasks.Select(t => t.InstanceId).Distinct().ToList();
        var held = await db.InboxTasks.AsNoTracking().Where(t => t.CompletedById == userId && instanceIds.Contains(t.InstanceId))
            .Select(t => new { t.InstanceId, t.StageEntry, t.TaskKey }).ToListAsync();
        tasks = tasks.Where(t => t.AssigneeId == userId || !held.Any(h => h.InstanceId == t.InstanceId && h.StageEntry == t.StageEntry && h.TaskKey == t.TaskKey)).ToList();

        return await ViewsAsync(db, tasks, now);
    }

    /// <summary>
    /// The application each task is about: its own subject, or for a grant's return or payment the
    /// application the grant came from (so the fund filter and project title apply to them too).
    /// </summary>
    private static async Task<Dictionary<Guid, int>> ApplicationsOfAsync(GrantDbContext db, List<InboxTask> tasks)
    {
        int? Id(InboxTask t, string type) => int.TryParse(t.Instance!.SubjectId, out var id) && t.Instance.SubjectType == type ? id : null;
        var result = new Dictionary<Guid, int>();
        var returns = tasks.Select(t => Id(t, Core.Grants.GrantWorkflows.ReturnSubject)).OfType<int>().Distinct().ToList();
        var instalments = tasks.Select(t => Id(t, Core.Grants.GrantWorkflows.InstalmentSubject)).OfType<int>().Distinct().ToList();
        var byReturn = returns.Count == 0 ? [] : await db.Set<Core.Grants.MonitoringReturn>().Where(r => returns.Contains(r.Id))
            .Join(db.Grants, r => r.GrantId, g => g.Id, (r, g) => new { r.Id, g.ApplicationId }).ToDictionaryAsync(x => x.Id, x => x.ApplicationId);
        var byInstalment = instalments.Count == 0 ? [] : await db.Set<Core.Grants.Instalment>().Where(i => instalments.Contains(i.Id))
            .Join(db.Grants, i => i.GrantId, g => g.Id, (i, g) => new { i.Id, g.ApplicationId }).ToDictionaryAsync(x => x.Id, x => x.ApplicationId);
        foreach (var t in tasks)
        {
            if (Id(t, ApplicationService.SubjectType) is int own) result[t.InstanceId] = own;
            if (Id(t, Core.Grants.GrantWorkflows.ReturnSubject) is int r && byReturn.TryGetValue(r, out var a)) result[t.InstanceId] = a;
            if (Id(t, Core.Grants.GrantWorkflows.InstalmentSubject) is int i && byInstalment.TryGetValue(i, out var b)) result[t.InstanceId] = b;
        }
        return result;
    }

    private static async Task<List<TaskView>> ViewsAsync(GrantDbContext db, List<InboxTask> tasks, DateTime now)
    {
        var applications = await ApplicationsOfAsync(db, tasks);
        var ids = applications.Values.Distinct().ToList();
        var funds = await db.Applications.AsNoTracking().Where(a => ids.Contains(a.Id)).Select(a => new { a.Id, a.FundId }).ToDictionaryAsync(a => a.Id, a => a.FundId);
        var criteria = await db.Criteria.AsNoTracking().OrderBy(c => c.Order).ToListAsync();
        var eligibility = await TaskEligibility.ForAsync(db, tasks);
        return tasks.Select(t =>
        {
            int? applicationId = applications.TryGetValue(t.InstanceId, out var found) ? found : null;
            var taskCriteria = t.Form == Core.Applications.AssessmentForm.Name && applicationId is int a && funds.TryGetValue(a, out var fundId)
                ? criteria.Where(c => c.FundId == fundId).Select(c => new CriterionView(c.Id, c.Name, c.Weight, c.Max, c.Guidance)).ToList()
                : [];
            return new TaskView(t.Id, applicationId, t.Instance!.SubjectReference, t.Title, t.Role, t.AssigneeName, t.DueAt, t.DueAt < now,
                t.OutcomeList, taskCriteria, t.RequiresConflictDeclaration, t.ConflictDeclared, t.State)
            {
                NobodyEligible = t.AssigneeId is null && eligibility.TryGetValue(t.Id, out var e) && e.NobodyEligible,
            };
        }).ToList();
    }

    public static async Task<ApplicationView> ViewAsync(GrantDbContext db, WorkflowRegistry registry, Application a, Actor actor)
    {
        WorkflowInstance? instance = a.WorkflowInstanceId is Guid id ? await db.WorkflowInstances.AsNoTracking().SingleAsync(i => i.Id == id) : null;
        var definition = instance is null ? null : registry.Get(instance.DefinitionId, instance.DefinitionVersion);
        string Title(string? state) => state is not null && definition?.States.GetValueOrDefault(state) is { } s ? s.Title ?? state : state ?? "";
        var history = new List<HistoryView>();
        if (instance is not null)
        {
            var staff = Roles.Staff.Any(actor.HasRole);
            var entries = await db.WorkflowHistory.AsNoTracking().Where(h => h.InstanceId == instance.Id).OrderBy(h => h.Id).ToListAsync();
            // Applicants see the stages their application passed through; staff as much as their work needs.
            history = CaseAccess.Filter(entries, await CaseAccess.ForAsync(db, instance, actor) ?? JournalView.Stages, actor)
                .Select(h => new HistoryView(h.At, Title(h.ToState ?? instance.State), staff ? h.ActorName : null, h.Kind, h.Trigger, staff ? h.Comment : null))
                .ToList();
        }
        return new ApplicationView(a.Id, a.Reference, ApplicationService.StatusOf(a, instance, registry), instance?.State, instance is null ? null : Title(instance.State),
            a.FundId, a.Fund!.Name, a.OrganisationId, a.Organisation!.Name, a.ProjectTitle, a.ProjectSummary, a.Innovation, a.Beneficiaries,
            a.DistrictList, a.StartDate, a.EndDate, a.AmountRequested,
            a.Budget.Select(l => new BudgetLineView(l.Item, l.Amount)).ToList(), a.Outcomes.Select(o => new OutcomeView(o.MeasureCode, o.Target)).ToList(),
            a.SubmittedAt, a.Version, history);
    }
}
