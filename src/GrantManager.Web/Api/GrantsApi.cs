using GrantManager.Core.Data;
using GrantManager.Core.Grants;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Api;

/// <summary>Awarded grants: the caller's own, or for staff all they may see.</summary>
public static class GrantsApi
{
    public sealed record InstalmentView(int Sequence, int Percent, decimal Amount, string ReleasedBy, string Status, DateTime? DueAt, DateTime? PaidAt);
    public sealed record TargetView(string Measure, decimal Target);
    public sealed record ReturnView(int Id, string Period, DateOnly DueOn, DateTime DueAt, string Status, bool IsFinal, int? ReleasesInstalment);
    public sealed record GrantView(int Id, string Reference, int ApplicationId, int FundId, int OrganisationId, decimal Amount, DateOnly StartDate,
        DateOnly EndDate, string? Conditions, string Status, DateTime AwardedAt, List<InstalmentView> Instalments, List<TargetView> Targets);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/grants", async (GrantDbContext db, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            var grants = await Visible(db, actor).OrderByDescending(g => g.Id).ToListAsync();
            return TypedResults.Ok(grants.Select(View).ToList());
        }).WithSummary("The caller's grants; for staff, every grant");

        api.MapGet("/grants/{id:int}", async (int id, GrantDbContext db, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            var grant = await Visible(db, actor).SingleOrDefaultAsync(g => g.Id == id) ?? throw new WorkflowNotFoundException("No such grant");
            return TypedResults.Ok(View(grant));
        }).WithSummary("A grant with its payment schedule and outcome targets; another organisation's answers 404");

        api.MapGet("/grants/{id:int}/returns", async (int id, GrantDbContext db, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            var grant = await Visible(db, actor).SingleOrDefaultAsync(g => g.Id == id) ?? throw new WorkflowNotFoundException("No such grant");
            var returns = await db.Set<MonitoringReturn>().AsNoTracking().Where(r => r.GrantId == grant.Id).OrderBy(r => r.Sequence).ToListAsync();
            return TypedResults.Ok(returns.Select(r => new ReturnView(r.Id, r.Period, r.DueOn, r.DueAt, r.Status.ToString().ToLowerInvariant(), r.IsFinal, r.ReleasesInstalment)).ToList());
        }).WithSummary("The grant's progress reports: period, due date and status");
    }

    private static IQueryable<Grant> Visible(GrantDbContext db, Actor actor)
    {
        var grants = db.Grants.AsNoTracking().Include(g => g.Instalments).Include(g => g.Targets);
        if (actor.HasRole(Roles.GrantOfficer) || actor.HasRole(Roles.FinanceOfficer) || actor.HasRole(Roles.PanelMember) || actor.HasRole(Roles.Administrator))
            return grants;
        if (actor.HasRole(Roles.Applicant) && actor.OrganisationId is int organisation)
            return grants.Where(g => g.OrganisationId == organisation);
        throw new WorkflowForbiddenException("Your role does not see grants");
    }

    private static GrantView View(Grant g) => new(g.Id, g.Reference, g.ApplicationId, g.FundId, g.OrganisationId, g.Amount, g.StartDate, g.EndDate,
        g.Conditions, g.Status.ToString().ToLowerInvariant(), g.AwardedAt,
        g.Instalments.OrderBy(i => i.Sequence).Select(i => new InstalmentView(i.Sequence, i.Percent, i.Amount, i.ReleasedBy, i.Status.ToString().ToLowerInvariant(), i.DueAt, i.PaidAt)).ToList(),
        g.Targets.OrderBy(t => t.Id).Select(t => new TargetView(t.MeasureCode, t.Target)).ToList());
}
