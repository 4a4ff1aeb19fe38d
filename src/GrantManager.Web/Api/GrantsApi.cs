using GrantManager.Core.Cases;
using GrantManager.Core.Monitoring;
using GrantManager.Core;
using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Grants;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Api;

/// <summary>Awarded grants and their progress reports: the caller's own, or for staff all they may see.</summary>
public static class GrantsApi
{
    public sealed record InstalmentView(int Sequence, int Percent, decimal Amount, string ReleasedBy, string Status, DateTime? DueAt, DateTime? PaidAt, string? PaymentReference,
        string? HeldReason, List<int> HeldFor, string? FailureReason);
    public sealed record ConditionView(int Id, int Sequence, string Text, string Kind, int? Payment, string Status, string? EvidenceNote, DateTime? EvidenceSentAt,
        string? Reason, DateTime? DecidedAt);
    public sealed record ConditionOutcome(string? Status, string? Reason);
    public sealed record TargetView(string Measure, decimal Target);
    /// <param name="State">not-started, declaring (waiting for the underspend declaration), repayment-requested, closed or ended-early.</param>
    public sealed record ClosureView(string State, decimal PaidSoFar, decimal? Underspend, DateTime? UnderspendDeclaredAt, bool RepaymentRequested, DateTime? RepaymentRequestedAt,
        decimal? RepaymentReceived, DateOnly? RepaymentReceivedOn, string? RepaymentReference, decimal? RepaymentOutstanding, DateTime? EndedAt, string? EndReason);
    public sealed record UnderspendDeclaration(decimal? Amount);
    public sealed record EndGrant(string? Reason);
    public sealed record ReturnView(int Id, string Period, DateOnly DueOn, DateTime DueAt, string Status, bool IsFinal, int? ReleasesInstalment);
    public sealed record GrantView(int Id, string Reference, int ApplicationId, int FundId, int OrganisationId, decimal Amount, DateOnly StartDate,
        DateOnly EndDate, string? ConditionsText, List<ConditionView> Conditions, string Status, DateTime AwardedAt, DateTime? ClosedAt, List<InstalmentView> Instalments, List<TargetView> Targets,
        ClosureView Closure, List<VariationView> Variations);
    public sealed record BudgetLineView(string Item, decimal Amount);
    /// <summary>A variation: what was asked for (null where nothing changes), the grant before it, and the decision.</summary>
    public sealed record VariationView(int Id, int Sequence, string Status, string Reason, DateTime RequestedAt, string RequestedBy,
        DateOnly? EndDate, decimal? Amount, List<BudgetLineView>? Budget, Dictionary<string, decimal>? Targets,
        DateOnly EndDateBefore, decimal AmountBefore, List<BudgetLineView> BudgetBefore, Dictionary<string, decimal> TargetsBefore,
        int? Amendment, string? Replanned, DateTime? DecidedAt, string? DecisionMessage, Guid? WorkflowInstanceId);
    public sealed record VariationRequest(DateOnly? EndDate, List<BudgetLineInput>? Budget, Dictionary<string, decimal>? Targets, decimal? Amount, string? Reason);
    public sealed record SpendView(string Item, decimal Budgeted, decimal? Spent);
    public sealed record ActualView(string Measure, decimal Target, decimal? Actual);
    public sealed record EvidenceView(Guid Id, string FileName, long Size);
    public sealed record ReturnDetail(int Id, int GrantId, string GrantReference, string Period, DateOnly PeriodStart, DateOnly PeriodEnd, DateOnly DueOn,
        DateTime DueAt, string Status, bool IsFinal, DateOnly? ChangesDueOn, string? ChangesRequested, string? Progress, List<SpendView> Spend,
        List<ActualView> Actuals, int? BeneficiariesReached, string? CaseStudy, List<EvidenceView> Evidence, DateTime? SubmittedAt, DateTime? AcceptedAt, int Version,
        Guid? WorkflowInstanceId);

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
            var ids = result.Rows.Select(r => r.Id).ToList();
            var grants = (await Include(returns.VisibleGrants(actor)).Where(g => ids.Contains(g.Id)).ToListAsync()).ToDictionary(g => g.Id);
            Paging.AddHeaders(http, result.Total, p, size);
            return TypedResults.Ok(ids.Where(grants.ContainsKey).Select(id => View(grants[id])).ToList());
        }).WithName("ListGrants").WithSummary("The caller's grants; for staff, every grant. Takes the grants register's ?q= (reference, project title, organisation, charity or "
            + "company number, postcode), fundId, status (active, closed), district, late=true, amountFrom, amountTo, awardedFrom, awardedTo (days, yyyy-MM-dd), sort (reference, organisation, amount, "
            + "paid, next-report, late, awarded) and desc=true; newest award first; paged like /api/tasks");

        api.MapGet("/grants/{id:int}", async (int id, ReturnService returns, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            var grant = await Include(returns.VisibleGrants(actor)).SingleOrDefaultAsync(g => g.Id == id) ?? throw new NotFoundException("No such grant");
            return TypedResults.Ok(View(grant));
        }).WithName("GetGrant").WithSummary("A grant with its conditions, payment schedule, outcome targets and closure (underspend, repayment requested and received, or ended early); another organisation's answers 404");

        api.MapPost("/grants/{id:int}/conditions/{conditionId:int}", async (int id, int conditionId, ConditionOutcome body, GrantConditionService conditions,
            WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            var condition = await conditions.RecordOutcomeAsync(id, conditionId, actor, body.Status, body.Reason);
            return TypedResults.Ok(ConditionViewOf(condition));
        }).WithName("RecordGrantCondition").WithSummary("Record a condition {status: met | not-met, reason} (grant officers; a reason is needed for not-met); meeting the last condition on a held payment releases it to finance");

        api.MapPost("/grants/{id:int}/underspend", async (int id, UnderspendDeclaration body, GrantClosureService closure, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            await closure.DeclareUnderspendAsync(id, actor, body.Amount);
            return TypedResults.Ok(await ViewAsync(id, actor, http));
        }).WithName("DeclareUnderspend").WithSummary("The grant holder declares the money not spent {amount} (0 when it was all spent; no more than paid so far) once the final report "
            + "is accepted: with an underspend, repayment is requested and finance records its receipt through its task; with none, the grant closes at once; 409 before closure opens or once declared");

        api.MapPost("/grants/{id:int}/end", async (int id, EndGrant body, GrantClosureService closure, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            await closure.EndEarlyAsync(id, actor, body.Reason);
            return TypedResults.Ok(await ViewAsync(id, actor, http));
        }).WithName("EndGrant").WithSummary("End a grant early {reason} (grant officers and administrators): payments not yet made and progress reports not yet accepted are "
            + "cancelled with their reminders, the grant closes and the grant holder is emailed the reason; 409 if it has already closed");

        api.MapPost("/grants/{id:int}/variations", async (int id, VariationRequest body, GrantVariations variations, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            var variation = await variations.RequestAsync(id, actor, new VariationInput
            {
                EndDate = body.EndDate, Budget = body.Budget, Targets = body.Targets, Amount = body.Amount, Reason = body.Reason,
            });
            return TypedResults.Created($"/api/grants/{id}", VariationViewOf(variation));
        }).WithName("RequestGrantVariation").WithSummary("Ask for a change to a grant {endDate?, budget?: [{item, amount}], targets?: {measureCode: target}, amount?, reason} "
            + "(the grant holder, or a grant officer for them); a grant officer reviews it through the task endpoints, the panel when the new amount is above the delegated limit");

        api.MapGet("/grants/{id:int}/returns", async (int id, GrantDbContext db, ReturnService returns, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            var grant = await returns.VisibleGrants(actor).AsNoTracking().SingleOrDefaultAsync(g => g.Id == id) ?? throw new NotFoundException("No such grant");
            var list = await db.Set<MonitoringReturn>().AsNoTracking().Where(r => r.GrantId == grant.Id).OrderBy(r => r.Sequence).ToListAsync();
            return TypedResults.Ok(list.Select(r => new ReturnView(r.Id, r.Period, r.DueOn, r.DueAt, Status(r.Status), r.IsFinal, r.ReleasesInstalment)).ToList());
        }).WithName("ListGrantReturns").WithSummary("The grant's progress reports: period, due date and status");

        api.MapGet("/returns/{id:int}", async (int id, ReturnService returns, AttachmentStore store, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            var (r, grant) = await returns.ForReadingAsync(id, actor);
            return TypedResults.Ok(await DetailAsync(r, grant, store));
        }).WithName("GetReturn").WithSummary("A progress report with what it says so far");

        api.MapPut("/returns/{id:int}", async (int id, ReturnInput input, int? version, ReturnService returns, AttachmentStore store, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            await returns.SaveDraftAsync(id, actor, input, version);
            var (r, grant) = await returns.ForReadingAsync(id, actor);
            return TypedResults.Ok(await DetailAsync(r, grant, store));
        }).WithName("UpdateReturn").WithSummary("Save a draft of a progress report (the grant holder, until it is sent); ?version= guards against overwriting");

        api.MapPost("/returns/{id:int}/submit", async (int id, ReturnInput? input, ReturnService returns, AttachmentStore store, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            await returns.SubmitAsync(id, actor, input);
            var (r, grant) = await returns.ForReadingAsync(id, actor);
            return TypedResults.Ok(await DetailAsync(r, grant, store));
        }).WithName("SubmitReturn").WithSummary("Send a progress report for review; 400 lists whatever is missing");
    }

    private static async Task<GrantView> ViewAsync(int id, Actor actor, HttpContext http) =>
        View(await Include(http.RequestServices.GetRequiredService<ReturnService>().VisibleGrants(actor)).SingleAsync(g => g.Id == id));

    public static string Status(ReturnStatus status) => status == ReturnStatus.ChangesRequested ? "changes-requested" : status.ToString().ToLowerInvariant();

    private static async Task<ReturnDetail> DetailAsync(MonitoringReturn r, Grant grant, AttachmentStore store) =>
        new(r.Id, r.GrantId, grant.Reference, r.Period, r.PeriodStart, r.PeriodEnd, r.DueOn, r.DueAt, Status(r.Status), r.IsFinal, r.ChangesDueOn, r.ChangesRequested,
            r.Progress, r.Spend.Select(s => new SpendView(s.Item, s.Budgeted, s.Spent)).ToList(), r.Actuals.Select(a => new ActualView(a.MeasureCode, a.Target, a.Actual)).ToList(),
            r.BeneficiariesReached, r.CaseStudy, (await store.ForReturnAsync(r.Id)).Select(e => new EvidenceView(e.Id, e.FileName, e.Size)).ToList(),
            r.SubmittedAt, r.AcceptedAt, r.Version, r.WorkflowInstanceId);

    private static IQueryable<Grant> Include(IQueryable<Grant> grants) =>
        grants.AsNoTracking().Include(g => g.Instalments).Include(g => g.Targets).Include(g => g.ConditionList).Include(g => g.Variations);

    public static VariationView VariationViewOf(GrantVariation v) => new(v.Id, v.Sequence, VariationJson.Status(v.Status), v.Reason, v.RequestedAt, v.RequestedByName,
        v.NewEndDate, v.NewAmount, v.BudgetAfterLines?.Select(l => new BudgetLineView(l.Item, l.Amount)).ToList(), v.TargetsAfterMap,
        v.EndDateBefore, v.AmountBefore, v.BudgetBeforeLines.Select(l => new BudgetLineView(l.Item, l.Amount)).ToList(), v.TargetsBeforeMap,
        v.Amendment, v.Replanned, v.DecidedAt, v.DecisionMessage, v.WorkflowInstanceId);

    public static ConditionView ConditionViewOf(GrantCondition c) => new(c.Id, c.Sequence, c.Text, c.Kind, c.HoldsPayment, ConditionKinds.Status(c.Status),
        c.EvidenceNote, c.EvidenceSentAt, c.Reason, c.DecidedAt);

    private static GrantView View(Grant g) => new(g.Id, g.Reference, g.ApplicationId, g.FundId, g.OrganisationId, g.Amount, g.StartDate, g.EndDate,
        g.Conditions, g.ConditionList.OrderBy(c => c.Sequence).Select(ConditionViewOf).ToList(), g.Status.ToString().ToLowerInvariant(), g.AwardedAt, g.ClosedAt,
        g.Instalments.OrderBy(i => i.Sequence).Select(i => new InstalmentView(i.Sequence, i.Percent, i.Amount, i.ReleasedBy, i.Status.ToString().ToLowerInvariant(), i.DueAt, i.PaidAt,
            i.PaymentReference, i.HeldReason, g.ConditionList.Where(c => c.Holds(i)).Select(c => c.Id).ToList(), i.FailureReason)).ToList(),
        g.Targets.OrderBy(t => t.Id).Select(t => t.ToView()).ToList(),
        new ClosureView(GrantClosure.State(g), GrantClosure.PaidSoFar(g), g.Underspend, g.UnderspendDeclaredAt, g.RepaymentRequestedAt is not null, g.RepaymentRequestedAt,
            g.RepaymentReceived, g.RepaymentReceivedOn, g.RepaymentReference, GrantClosure.Outstanding(g), g.EndedAt, g.EndReason), g.Variations.OrderBy(v => v.Sequence).Select(VariationViewOf).ToList());
}
