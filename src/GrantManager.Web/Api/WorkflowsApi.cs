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
    public sealed record InstanceView(Guid Id, string DefinitionId, int DefinitionVersion, string SubjectType, string SubjectId,
        string? Reference, string State, string? StageTitle, bool Completed, int Version, List<HistoryItem> History);
    public sealed record ActionRequest(string? Comment, int? Version);
    public sealed record ActionResult(Guid Id, string From, string State, int Version);
    public sealed record IncidentView(long Id, long TimerId, Guid InstanceId, string Description, string Error, DateTime CreatedAt, DateTime? ResolvedAt, string? ResolvedBy);

    public static void Map(RouteGroupBuilder api)
    {
        var staff = api.MapGroup("").RequireAuthorization(GrantManagerServices.ApiStaffPolicy);
        staff.MapGet("/workflows", (WorkflowRegistry registry) => registry.All.Select(Summary).ToList())
            .WithName("ListWorkflows").WithSummary("Every loaded workflow definition, each version");
        staff.MapGet("/workflows/{id}", Results<Ok<WorkflowDefinition>, ProblemHttpResult> (string id, int? version, WorkflowRegistry registry) =>
                registry.Find(id, version) is { } d ? TypedResults.Ok(d) : NotFound(id, version))
            .WithName("GetWorkflow").WithSummary("One definition: the newest, or ?version=");
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

    private static ProblemHttpResult NotFound(string id, int? version) =>
        TypedResults.Problem($"No workflow '{id}'{(version is null ? "" : $" version {version}")} is loaded", statusCode: 404);

    private static DefinitionSummary Summary(WorkflowDefinition d) => new(d.Id, d.Version, d.Name, d.Description,
        d.States.Select(s => new StateSummary(s.Key, s.Value.Title, s.Value.Status, s.Value.Final)).ToList());

    public static async Task<InstanceView?> InstanceAsync(GrantDbContext db, WorkflowRegistry registry, Guid id, Actor actor)
    {
        var i = await db.WorkflowInstances.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id);
        if (i is null || await Core.Applications.CaseAccess.ForAsync(db, i, actor) is not { } access) return null;
        var history = Core.Applications.CaseAccess.Filter(await db.WorkflowHistory.AsNoTracking().Where(h => h.InstanceId == id).OrderBy(h => h.Id).ToListAsync(), access, actor)
            .Select(h => new HistoryItem(h.At, h.ActorName, h.Kind, h.FromState, h.ToState, h.Trigger, h.Comment)).ToList();
        var title = registry.Find(i.DefinitionId, i.DefinitionVersion)?.States.GetValueOrDefault(i.State)?.Title;
        return new InstanceView(i.Id, i.DefinitionId, i.DefinitionVersion, i.SubjectType, i.SubjectId, i.SubjectReference, i.State, title,
            i.CompletedAt is not null, i.Version, history);
    }
}
