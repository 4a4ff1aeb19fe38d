using System.Text.Json;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using GrantManager.Web.Hosting;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Api;

/// <summary>Workflow definitions, diagrams, instance journals and incidents, for staff.</summary>
internal static class WorkflowsApi
{
    public sealed record StateSummary(string Name, string? Title, string? Status, bool Final);
    public sealed record DefinitionSummary(string Id, int Version, string Name, string? Description, List<StateSummary> States);
    public sealed record HistoryItem(DateTime At, string Actor, string Kind, string? From, string? To, string? Trigger, string? Comment);
    /// <param name="Version">The instance's own version, for optimistic concurrency; <paramref name="DefinitionVersion"/> is the definition's it runs on.</param>
    public sealed record InstanceView(Guid Id, string DefinitionId, int DefinitionVersion, string SubjectType, string SubjectId,
        string? Reference, string State, string? StageTitle, bool Completed, int Version, List<HistoryItem> History,
        bool Paused, List<PendingTimerView> PendingTimers, string? LastError);
    public sealed record PendingTimerView(long Id, DateTime DueAt, string Description, bool Paused);
    public sealed record VersionView(int Version, DateTime? PublishedAt, string? PublishedBy, string Source, string? Reason);
    public sealed record ProblemItem(string Path, string Message);
    public sealed record ValidationView(List<ProblemItem> Problems);
    public sealed record PublishedView(string Id, int Version);
    public sealed record ReasonRequest(string? Reason);
    /// <param name="Missed">What to do with timers that fell due while paused: fire (each once, now) or skip.</param>
    public sealed record ResumeRequest(string? Reason, string? Missed);
    public sealed record MoveRequest(string? State, string? Reason);
    public sealed record RescheduleRequest(DateTime? DueAt, string? Reason);
    public sealed record MigrateRequest(string? WorkflowId, int FromVersion, int ToVersion, Dictionary<string, string>? StateMap,
        List<Guid>? InstanceIds, bool DryRun, string? Reason);
    public sealed record MigratedView(List<MigrationOutcome> Instances);
    public sealed record ActionRequest(string? Comment, int? Version);
    public sealed record ActionResult(Guid Id, string From, string State, int Version);
    public sealed record IncidentView(long Id, long TimerId, Guid InstanceId, string Description, string Error, DateTime CreatedAt, DateTime? ResolvedAt, string? ResolvedBy);

    public static void Map(RouteGroupBuilder api)
    {
        var staff = api.MapGroup("").RequireAuthorization(GrantManagerServices.ApiStaffPolicy);
        staff.MapGet("/workflows", (WorkflowRegistry registry) => registry.All.Select(Summary).ToList())
            .WithName("ListWorkflows").WithSummary("Every loaded workflow definition, each version");
        staff.MapGet("/workflows/{id}", Results<ContentHttpResult, ProblemHttpResult> (string id, int? version, WorkflowRegistry registry) =>
                registry.Find(id, version) is { } d ? TypedResults.Text(d.Source, "application/json") : NotFound(id, version))
            .Produces<WorkflowDefinition>(200, "application/json")
            .WithName("GetWorkflow").WithSummary("One definition in the format of workflows/*.json (it passes the schema and loads at start-up): the newest, or ?version=");
        staff.MapGet("/workflows/{id}/versions", async Task<Results<Ok<List<VersionView>>, ProblemHttpResult>> (string id, WorkflowRegistry registry, WorkflowVersions versions) =>
                registry.Find(id) is null ? NotFound(id, null)
                    : TypedResults.Ok((await versions.HistoryAsync(id)).Select(v => new VersionView(v.Version, v.PublishedAt, v.PublishedBy, v.Source, v.Reason)).ToList()))
            .WithName("ListWorkflowVersions").WithSummary("Every version of a definition, newest first: when, who, why and whether it was shipped as a file or published");
        staff.MapGet("/workflows/{id}/diagram", Results<ContentHttpResult, ProblemHttpResult> (string id, int? version, WorkflowRegistry registry) =>
                registry.Find(id, version) is { } d ? TypedResults.Text(WorkflowDiagram.Mermaid(d), "text/plain") : NotFound(id, version))
            .WithName("GetWorkflowDiagram").WithSummary("The definition as a Mermaid stateDiagram-v2");
        staff.MapGet("/workflow-instances/{id:guid}", async Task<Results<Ok<InstanceView>, ProblemHttpResult>> (Guid id, GrantDbContext db, WorkflowRegistry registry, WorkflowActors actors, HttpContext http) =>
                await InstanceAsync(db, registry, id, await actors.ForAsync(http.User)) is { } view ? TypedResults.Ok(view)
                    : TypedResults.Problem("No such workflow instance", statusCode: 404))
            .WithName("GetWorkflowInstance").WithSummary("An instance and its journal, as much as the caller's work needs; 404 for a case that is not theirs");

        // Direct actions (withdraw, and the like): the runtime checks the caller's roles and organisation.
        api.MapPost("/workflow-instances/{id:guid}/actions/{trigger}", async (Guid id, string trigger, ActionRequest? body, WorkflowRuntime runtime, WorkflowActors actors, HttpContext http) =>
            {
                var result = await runtime.FireAsync(id, trigger, await actors.ForAsync(http.User), body?.Comment, body?.Version);
                return TypedResults.Ok(new ActionResult(result.InstanceId, result.FromState, result.ToState, result.Version));
            })
            .WithName("FireWorkflowAction").WithSummary("Take an action on an instance; 409 if it changed since the version given");

        var admin = api.MapGroup("").RequireAuthorization(GrantManagerServices.ApiAdministratorPolicy);
        admin.MapPost("/workflows/validate", async (HttpRequest request, WorkflowCatalog catalog) =>
                TypedResults.Ok(new ValidationView(catalog.Check(await ReadAsync(request), out _).Select(p => new ProblemItem(p.JsonPath, p.Message)).ToList())))
            .Accepts<WorkflowDefinition>("application/json")
            .WithName("ValidateWorkflow").WithSummary("Check a definition as start-up checks a file: every problem with its JSON path and the loader's message; none when it would load");
        admin.MapPost("/workflows/{id}/versions", async (string id, string? reason, HttpRequest request, WorkflowVersions versions, WorkflowActors actors, HttpContext http) =>
            {
                var published = await versions.PublishAsync(id, await ReadAsync(request), reason, await actors.ForAsync(http.User));
                return TypedResults.Created($"/api/workflows/{Uri.EscapeDataString(id)}?version={published.Version}", new PublishedView(published.Id, published.Version));
            })
            .Accepts<WorkflowDefinition>("application/json")
            .WithName("PublishWorkflowVersion").WithSummary("Publish a definition as the next version (its version number is set): new cases start on it on every node within seconds; running cases stay on theirs. 400 names each problem by JSON path");
        admin.MapPost("/workflow-instances/{id:guid}/pause", async Task<NoContent> (Guid id, ReasonRequest? body, WorkflowRuntime runtime, WorkflowActors actors, HttpContext http) =>
            {
                await runtime.PauseAsync(id, body?.Reason, await actors.ForAsync(http.User));
                return TypedResults.NoContent();
            })
            .WithName("PauseWorkflowInstance").WithSummary("Pause the case's timers, with the reason: none fires until it is resumed");
        admin.MapPost("/workflow-instances/{id:guid}/resume", async Task<Ok<ResumedView>> (Guid id, ResumeRequest? body, WorkflowRuntime runtime, WorkflowActors actors, HttpContext http) =>
            {
                var missed = body?.Missed switch
                {
                    "fire" => MissedWhilePaused.Fire,
                    "skip" => MissedWhilePaused.Skip,
                    _ => throw new WorkflowInvalidException("Choose what happens to timers that fell due while paused: fire (each once, now) or skip", "missed"),
                };
                return TypedResults.Ok(new ResumedView(await runtime.ResumeAsync(id, missed, body?.Reason, await actors.ForAsync(http.User))));
            })
            .WithName("ResumeWorkflowInstance").WithSummary("Resume the case's timers; those that fell due while paused fire once (missed: fire) or are skipped (missed: skip)");
        admin.MapPost("/workflow-instances/{id:guid}/move", async Task<Ok<ActionResult>> (Guid id, MoveRequest? body, WorkflowRuntime runtime, WorkflowActors actors, HttpContext http) =>
            {
                var result = await runtime.MoveAsync(id, body?.State, body?.Reason, await actors.ForAsync(http.User));
                return TypedResults.Ok(new ActionResult(result.InstanceId, result.FromState, result.ToState, result.Version));
            })
            .WithName("MoveWorkflowInstance").WithSummary("Move the case to another stage of its version, with the reason: its open tasks and timers close and the stage is entered");
        admin.MapPost("/workflow-instances/{id:guid}/timers/{timerId:long}/reschedule", async Task<NoContent> (Guid id, long timerId, RescheduleRequest? body, WorkflowRuntime runtime, WorkflowActors actors, HttpContext http) =>
            {
                if (body?.DueAt is not DateTime due) throw new WorkflowInvalidException("Give the new moment (dueAt)", "dueAt");
                await runtime.RescheduleTimerAsync(id, timerId, due.ToUniversalTime(), body.Reason, await actors.ForAsync(http.User));
                return TypedResults.NoContent();
            })
            .WithName("RescheduleWorkflowTimer").WithSummary("Move one waiting timer to another moment, with the reason");
        admin.MapPost("/workflow-instances/{id:guid}/timers/{timerId:long}/cancel", async Task<NoContent> (Guid id, long timerId, ReasonRequest? body, WorkflowRuntime runtime, WorkflowActors actors, HttpContext http) =>
            {
                await runtime.CancelTimerAsync(id, timerId, body?.Reason, await actors.ForAsync(http.User));
                return TypedResults.NoContent();
            })
            .WithName("CancelWorkflowTimer").WithSummary("Cancel one waiting timer, with the reason: it never fires");
        admin.MapPost("/workflow-instances/migrate", async Task<Ok<MigratedView>> (MigrateRequest body, WorkflowRuntime runtime, WorkflowActors actors, HttpContext http) =>
                TypedResults.Ok(new MigratedView(await runtime.MigrateAsync(new MigrationPlan(body.WorkflowId ?? "", body.FromVersion, body.ToVersion, body.StateMap,
                    body.InstanceIds, body.DryRun, body.Reason), await actors.ForAsync(http.User)))))
            .WithName("MigrateWorkflowInstances").WithSummary("Move live cases from one version to another, one transaction per case, journaled; dryRun reports what would happen and changes nothing");
        admin.MapGet("/workflow-incidents", async (GrantDbContext db, bool? all) =>
                await db.WorkflowIncidents.Where(i => all == true || i.ResolvedAt == null).OrderByDescending(i => i.Id)
                    .Select(i => new IncidentView(i.Id, i.TimerId, i.InstanceId, i.Description, i.Error, i.CreatedAt, i.ResolvedAt, i.ResolvedBy)).ToListAsync())
            .WithName("ListWorkflowIncidents").WithSummary("Timers that kept failing (unresolved, or ?all=true)");
        admin.MapPost("/workflow-incidents/{id:long}/retry", async Task<Results<NoContent, ProblemHttpResult>> (long id, GrantDbContext db, TimeProvider time, HttpContext http) =>
                await TimerProcessor.RetryIncidentAsync(db, id, http.User.Identity?.Name ?? "administrator", time.GetUtcNow().UtcDateTime)
                    ? TypedResults.NoContent()
                    : TypedResults.Problem("No unresolved incident with that id", statusCode: 404))
            .WithName("RetryWorkflowIncident").WithSummary("Put the incident's timer back in the queue");
    }

    public sealed record ResumedView(int FellDue);

    /// <summary>A request's body as sent: a definition is checked as written, its problems named by JSON path.</summary>
    private static async Task<string> ReadAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        return await reader.ReadToEndAsync();
    }

    private static ProblemHttpResult NotFound(string id, int? version) =>
        TypedResults.Problem($"No workflow '{id}'{(version is null ? "" : $" version {version}")} is loaded", statusCode: 404);

    private static DefinitionSummary Summary(WorkflowDefinition d) => new(d.Id, d.Version, d.Name, d.Description,
        d.States.Select(s => new StateSummary(s.Key, s.Value.Title, s.Value.Status, s.Value.Final)).ToList());

    public static async Task<InstanceView?> InstanceAsync(GrantDbContext db, WorkflowRegistry registry, Guid id, Actor actor)
    {
        var i = await db.WorkflowInstances.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id);
        if (i is null || await Core.Cases.CaseAccess.ForAsync(db, i, actor) is not { } access) return null;
        var history = Core.Cases.CaseAccess.Filter(await db.WorkflowHistory.AsNoTracking().Where(h => h.InstanceId == id).OrderBy(h => h.Id).ToListAsync(), access, actor)
            .Select(h => new HistoryItem(h.At, h.ActorName, h.Kind, h.FromState, h.ToState, h.Trigger, h.Comment)).ToList();
        var definition = registry.Find(i.DefinitionId, i.DefinitionVersion);
        var title = definition?.States.GetValueOrDefault(i.State)?.Title;
        var timers = await db.WorkflowTimers.AsNoTracking().Where(t => t.InstanceId == id && (t.Status == WorkflowTimerStatus.Pending || t.Status == WorkflowTimerStatus.Paused))
            .OrderBy(t => t.DueAt).ToListAsync();
        var lastError = await db.WorkflowTimers.AsNoTracking().Where(t => t.InstanceId == id && t.LastError != null).OrderByDescending(t => t.Id).Select(t => t.LastError).FirstOrDefaultAsync();
        return new InstanceView(i.Id, i.DefinitionId, i.DefinitionVersion, i.SubjectType, i.SubjectId, i.SubjectReference, i.State, title,
            i.CompletedAt is not null, i.Version, history, i.PausedAt is not null,
            timers.Select(t => new PendingTimerView(t.Id, t.DueAt, TimerDescriptions.Describe(definition, t), t.Status == WorkflowTimerStatus.Paused)).ToList(), lastError);
    }
}
