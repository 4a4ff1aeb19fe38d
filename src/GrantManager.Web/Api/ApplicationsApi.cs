using GrantManager.Core.Applications;
using GrantManager.Core.Cases;
using GrantManager.Core.Data;
using GrantManager.Core.Email;
using GrantManager.Core.Inbox;
using GrantManager.Core.Workflows;
using GrantManager.Web.Hosting;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using GrantManager.Core;

namespace GrantManager.Web.Api;

/// <summary>The applications and workflow inbox API: a contract for integrations and acceptance checks.</summary>
public static class ApplicationsApi
{
    public sealed record Created(int Id, string Reference, string Status);
    public sealed record SubmitRequest(bool Declaration);
    public sealed record WithdrawRequest(string? Reason);
    public sealed record DeclareRequest(bool HasConflict, string? Details);
    /// <param name="Conditions">Plain words (one condition for the life of the grant) or a list of {text, kind, payment}.</param>
    public sealed record CompleteRequest(string? Outcome, string? Comment, Dictionary<string, int>? Scores, decimal? AmountAwarded, System.Text.Json.JsonElement? Conditions,
        DateOnly? NewDueOn = null, string? PaymentReference = null, Dictionary<string, decimal>? Targets = null, string? MessageToApplicant = null,
        decimal? AmountReceived = null, DateOnly? ReceivedOn = null);
    public sealed record AssignRequest(string? UserId);
    /// <summary>Where a task's case stands afterwards: its stage, and whether this moved it there.</summary>
    public sealed record TaskResult(Guid InstanceId, string Stage, bool Moved);
    public sealed record OverrideRequest(string? Reason);
    public sealed record EmailView(Guid Id, string To, string Subject, string Template, string Status, int Attempts, DateTime CreatedAt, DateTime? SentAt, string? LastError);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/applications", async Task<Results<Created<Created>, ValidationProblem>> (ApplicationInput input, ApplicationService service, WorkflowActors actors, HttpContext http) =>
        {
            var application = await service.CreateDraftAsync(await actors.ForAsync(http.User), input);
            return TypedResults.Created($"/api/applications/{application.Id}", new Created(application.Id, application.Reference, ApplicationStatus.Draft));
        }).WithName("CreateApplication").WithSummary("Start a draft for the caller's organisation");

        api.MapPut("/applications/{id:int}", async (int id, ApplicationInput input, int? version, ApplicationService service, WorkflowActors actors, HttpContext http, GrantDbContext db, WorkflowRegistry registry) =>
        {
            var actor = await actors.ForAsync(http.User);
            await service.UpdateDraftAsync(id, actor, input, version);
            return TypedResults.Ok(await ApplicationView.ForAsync(db, registry, await service.ForReadingAsync(id, actor), actor));
        }).WithName("UpdateApplication").WithSummary("Change a draft (only before it is submitted); ?version= guards against overwriting");

        api.MapDelete("/applications/{id:int}", async (int id, ApplicationService service, AttachmentStore store, WorkflowActors actors, HttpContext http) =>
        {
            store.DeleteFiles(await service.DeleteDraftAsync(id, await actors.ForAsync(http.User)));
            return TypedResults.NoContent();
        }).WithName("DeleteApplication").WithSummary("Delete a draft (only before it is submitted) with its answers and documents");

        api.MapPost("/applications/{id:int}/submit", async (int id, SubmitRequest? body, ApplicationService service, WorkflowActors actors, HttpContext http, GrantDbContext db, WorkflowRegistry registry) =>
        {
            var actor = await actors.ForAsync(http.User);
            await service.SubmitAsync(id, actor, body?.Declaration == true);
            return TypedResults.Ok(await ApplicationView.ForAsync(db, registry, await service.ForReadingAsync(id, actor), actor));
        }).WithName("SubmitApplication").WithSummary("Submit with {declaration: true}; 400 lists whatever is missing");

        api.MapPost("/applications/{id:int}/withdraw", async (int id, WithdrawRequest? body, ApplicationService service, WorkflowActors actors, HttpContext http, GrantDbContext db, WorkflowRegistry registry) =>
        {
            var actor = await actors.ForAsync(http.User);
            await service.WithdrawAsync(id, actor, body?.Reason);
            return TypedResults.Ok(await ApplicationView.ForAsync(db, registry, await service.ForReadingAsync(id, actor), actor));
        }).WithName("WithdrawApplication").WithSummary("Withdraw a submitted application, any time before the decision");

        api.MapGet("/applications/{id:int}", async (int id, ApplicationService service, WorkflowActors actors, HttpContext http, GrantDbContext db, WorkflowRegistry registry) =>
        {
            var actor = await actors.ForAsync(http.User);
            return TypedResults.Ok(await ApplicationView.ForAsync(db, registry, await service.ForReadingAsync(id, actor), actor));
        }).WithName("GetApplication").WithSummary("An application with its status, stage and history; another organisation's answers 404");

        api.MapGet("/applications", async (ApplicationRegister register, WorkflowActors actors, HttpContext http, string? page, string? pageSize) =>
        {
            var actor = await actors.ForAsync(http.User);
            var (p, size) = Paging.Check(page, pageSize);
            var (filter, errors) = Registers.RegisterQuery.Read(http.Request.Query);
            if (errors.Count > 0) throw new InputException(errors);
            var result = await register.PageAsync(actor, filter, p, size);
            Paging.AddHeaders(http, result.Total, p, size);
            return TypedResults.Ok(result.Rows);
        }).WithName("ListApplications").WithSummary("The applications register: the caller's organisation's applications, or for grant officers, panel members, finance officers and "
            + "administrators every organisation's; ?q= searches reference, project title, organisation, charity or company number and postcode; "
            + "?fundId=, roundId, status, stage, district, assignedTo (a user id), amountFrom, amountTo, submittedFrom, submittedTo (yyyy-MM-dd), "
            + "sort (reference, title, organisation, fund, round, status, amount, submitted) and desc=true; paged like /api/tasks");

        api.MapGet("/applications/{id:int}/emails", async (int id, GrantDbContext db, ApplicationService service, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            if (!Roles.Staff.Any(actor.HasRole)) throw new ForbiddenException("Only council staff can see the email log");
            await service.ForReadingAsync(id, actor);
            var key = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Ok(await db.OutboxEmails.AsNoTracking().Where(m => m.SubjectType == ApplicationService.SubjectType && m.SubjectId == key)
                .OrderBy(m => m.CreatedAt)
                .ProjectToView()
                .ToListAsync());
        }).WithName("ListApplicationEmails").WithSummary("Every email about the application and its delivery (staff)");

        api.MapGet("/tasks", async (WorkList list, WorkflowActors actors, HttpContext http, TimeProvider time, string? page, string? pageSize,
            int? applicationId, int? fundId, string? stage, bool? everyone) =>
        {
            var actor = await actors.ForAsync(http.User);
            var (p, size) = Paging.Check(page, pageSize);
            var result = await list.PageAsync(actor, new WorkListFilter(fundId, stage, everyone == true, applicationId), p, size, time.GetUtcNow().UtcDateTime);
            Paging.AddHeaders(http, result.Total, p, size);
            return TypedResults.Ok(result.Tasks);
        }).WithName("ListTasks").WithSummary("The caller's inbox, overdue and soonest due first: tasks for their roles, assigned to them, or (applicants) for their organisation; "
            + "?applicationId= (with its grant's returns and payments), ?fundId=, ?stage=, ?everyone=true (grant officers); paged by ?page= and ?pageSize= (50, at most 200) "
            + "with X-Total-Count and a Link rel=\"next\" header");

        api.MapPost("/tasks/{id:long}/claim", async (long id, WorkflowRuntime runtime, WorkflowActors actors, HttpContext http) =>
        {
            await runtime.ClaimTaskAsync(id, await actors.ForAsync(http.User));
            return TypedResults.NoContent();
        }).WithName("ClaimTask").WithSummary("Take a task");

        api.MapPost("/tasks/{id:long}/release", async (long id, WorkflowRuntime runtime, WorkflowActors actors, HttpContext http) =>
        {
            await runtime.ReleaseTaskAsync(id, await actors.ForAsync(http.User));
            return TypedResults.NoContent();
        }).WithName("ReleaseTask").WithSummary("Put a task back in the pool");

        api.MapPost("/tasks/{id:long}/assign", async (long id, AssignRequest body, WorkflowRuntime runtime, WorkflowActors actors, HttpContext http) =>
        {
            if (string.IsNullOrWhiteSpace(body.UserId))
                throw new WorkflowInvalidException("Choose someone to assign the task to", "userId");
            await runtime.AssignTaskAsync(id, body.UserId, await actors.ForAsync(http.User));
            return TypedResults.NoContent();
        }).WithName("AssignTask").WithSummary("Give a task to a named person (grant officers)");

        api.MapPost("/tasks/{id:long}/override", async (long id, OverrideRequest? body, WorkflowRuntime runtime, WorkflowActors actors, HttpContext http) =>
        {
            var result = await runtime.OverrideTaskAsync(id, body?.Reason, await actors.ForAsync(http.User));
            return TypedResults.Ok(new TaskResult(result.InstanceId, result.ToState, result.Moved));
        }).WithName("OverrideTask").WithSummary("Set aside a task nobody may take, with {reason} (grant officers); the stage goes on with the outcomes already given; 409 if someone can still take it");

        api.MapPost("/tasks/{id:long}/declare", async (long id, DeclareRequest body, WorkflowRuntime runtime, WorkflowActors actors, HttpContext http) =>
        {
            if (body.HasConflict && string.IsNullOrWhiteSpace(body.Details))
                throw new WorkflowInvalidException("Describe the conflict of interest", "details");
            await runtime.DeclareConflictAsync(id, body.HasConflict, body.Details?.Trim(), await actors.ForAsync(http.User));
            return TypedResults.NoContent();
        }).WithName("DeclareConflict").WithSummary("Declare whether you have a conflict of interest; with one, the task goes back to the pool");

        api.MapPost("/tasks/{id:long}/complete", async (long id, CompleteRequest body, Core.Tasks.TaskService tasks, WorkflowActors actors, HttpContext http) =>
        {
            var result = await tasks.CompleteAsync(id, await actors.ForAsync(http.User),
                new TaskCompletion(body.Outcome, body.Comment, body.Scores, body.AmountAwarded)
                {
                    ConditionList = Core.Grants.OfferCondition.FromJson(body.Conditions),
                    NewDueOn = body.NewDueOn, PaymentReference = body.PaymentReference, Targets = body.Targets,
                    MessageToApplicant = body.MessageToApplicant, AmountReceived = body.AmountReceived, ReceivedOn = body.ReceivedOn,
                });
            return TypedResults.Ok(new TaskResult(result.InstanceId, result.ToState, result.Moved));
        }).WithName("CompleteTask").WithSummary("Complete with {outcome, comment (note for the file), messageToApplicant, scores, amountAwarded, conditions (text, or [{text, kind: before-first-payment | before-payment | ongoing, payment}]), targets, newDueOn, paymentReference, amountReceived and receivedOn (a repaid underspend)}; 409 if already completed or the application moved on");
    }
}
