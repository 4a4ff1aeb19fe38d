using GrantManager.Core;
using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Grants;
using GrantManager.Core.Monitoring;
using GrantManager.Web.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Api;

/// <summary>Awarded grants and their progress reports: the caller's own, or for staff all they may see.</summary>
public static class GrantsApi
{
    public sealed record ConditionOutcome(string? Status, string? Reason);
    public sealed record UnderspendDeclaration(decimal? Amount);
    public sealed record EndGrant(string? Reason);
    public sealed record VariationRequest(DateOnly? EndDate, List<BudgetLineInput>? Budget, Dictionary<string, decimal>? Targets, decimal? Amount, string? Reason);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/grants", async (GrantRegister register, ReturnService returns, WorkflowActors actors, HttpContext http, string? page, string? pageSize) =>
        {
            var actor = await actors.ForAsync(http.User);
            var (p, size) = Paging.Check(page, pageSize);
            var (filter, errors) = Registers.RegisterQuery.ReadGrants(http.Request.Query);
            if (errors.Count > 0) throw new InputException(errors);
            // The register chooses and orders the page; the grants are then read in full for those ids.
            var result = await register.PageAsync(actor, filter, p, size);
            var views = await GrantView.ForAsync(returns.VisibleGrants(actor), result.Rows.Select(r => r.Id).ToList());
            Paging.AddHeaders(http, result.Total, p, size);
            return TypedResults.Ok(views);
        }).WithName("ListGrants").WithSummary("The caller's grants; for staff, every grant. Takes the grants register's ?q= (reference, project title, organisation, charity or "
            + "company number, postcode), fundId, status (active, closed), district, late=true, amountFrom, amountTo, awardedFrom, awardedTo (days, yyyy-MM-dd), sort (reference, organisation, amount, "
            + "paid, next-report, late, awarded) and desc=true; newest award first; paged like /api/tasks");

        api.MapGet("/grants/{id:int}", async (int id, ReturnService returns, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            return TypedResults.Ok(await GrantView.ForAsync(returns.VisibleGrants(actor), id));
        }).WithName("GetGrant").WithSummary("A grant with its conditions, payment schedule, outcome targets and closure (underspend, repayment requested and received, or ended early); another organisation's answers 404");

        api.MapPost("/grants/{id:int}/conditions/{conditionId:int}", async (int id, int conditionId, ConditionOutcome body, GrantConditionService conditions,
            WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            var condition = await conditions.RecordOutcomeAsync(id, conditionId, actor, body.Status, body.Reason);
            return TypedResults.Ok(ConditionView.Of(condition));
        }).WithName("RecordGrantCondition").WithSummary("Record a condition {status: met | not-met, reason} (grant officers; a reason is needed for not-met); meeting the last condition on a held payment releases it to finance");

        api.MapPost("/grants/{id:int}/underspend", async (int id, UnderspendDeclaration body, GrantClosureService closure, ReturnService returns, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            await closure.DeclareUnderspendAsync(id, actor, body.Amount);
            return TypedResults.Ok(await GrantView.ForAsync(returns.VisibleGrants(actor), id));
        }).WithName("DeclareUnderspend").WithSummary("The grant holder declares the money not spent {amount} (0 when it was all spent; no more than paid so far) once the final report "
            + "is accepted: with an underspend, repayment is requested and finance records its receipt through its task; with none, the grant closes at once; 409 before closure opens or once declared");

        api.MapPost("/grants/{id:int}/end", async (int id, EndGrant body, GrantClosureService closure, ReturnService returns, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            await closure.EndEarlyAsync(id, actor, body.Reason);
            return TypedResults.Ok(await GrantView.ForAsync(returns.VisibleGrants(actor), id));
        }).WithName("EndGrant").WithSummary("End a grant early {reason} (grant officers and administrators): payments not yet made and progress reports not yet accepted are "
            + "cancelled with their reminders, the grant closes and the grant holder is emailed the reason; 409 if it has already closed");

        api.MapPost("/grants/{id:int}/variations", async (int id, VariationRequest body, GrantVariations variations, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            var variation = await variations.RequestAsync(id, actor, new VariationInput
            {
                EndDate = body.EndDate, Budget = body.Budget, Targets = body.Targets, Amount = body.Amount, Reason = body.Reason,
            });
            return TypedResults.Created($"/api/grants/{id}", VariationView.Of(variation));
        }).WithName("RequestGrantVariation").WithSummary("Ask for a change to a grant {endDate?, budget?: [{item, amount}], targets?: {measureCode: target}, amount?, reason} "
            + "(the grant holder, or a grant officer for them); a grant officer reviews it through the task endpoints, the panel when the new amount is above the delegated limit");

        api.MapGet("/grants/{id:int}/returns", async (int id, GrantDbContext db, ReturnService returns, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            var grant = await returns.VisibleGrants(actor).AsNoTracking().SingleOrDefaultAsync(g => g.Id == id) ?? throw new NotFoundException("No such grant");
            var list = await db.Set<MonitoringReturn>().AsNoTracking().Where(r => r.GrantId == grant.Id).OrderBy(r => r.Sequence).ToListAsync();
            return TypedResults.Ok(list.Select(ReturnView.Of).ToList());
        }).WithName("ListGrantReturns").WithSummary("The grant's progress reports: period, due date and status");

        api.MapGet("/returns/{id:int}", async (int id, ReturnService returns, AttachmentStore store, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            return TypedResults.Ok(await ReturnDetail.ForAsync(returns, store, id, actor));
        }).WithName("GetReturn").WithSummary("A progress report with what it says so far");

        api.MapPut("/returns/{id:int}", async (int id, ReturnInput input, int? version, ReturnService returns, AttachmentStore store, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            await returns.SaveDraftAsync(id, actor, input, version);
            return TypedResults.Ok(await ReturnDetail.ForAsync(returns, store, id, actor));
        }).WithName("UpdateReturn").WithSummary("Save a draft of a progress report (the grant holder, until it is sent); ?version= guards against overwriting");

        api.MapPost("/returns/{id:int}/submit", async (int id, ReturnInput? input, ReturnService returns, AttachmentStore store, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            await returns.SubmitAsync(id, actor, input);
            return TypedResults.Ok(await ReturnDetail.ForAsync(returns, store, id, actor));
        }).WithName("SubmitReturn").WithSummary("Send a progress report for review; 400 lists whatever is missing");
    }
}
