using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;
using Riok.Mapperly.Abstractions;

namespace GrantManager.Core.Cases;

public sealed record BudgetLineView(string Item, decimal Amount);
public sealed record OutcomeView(string Measure, decimal Target);
public sealed record HistoryView(DateTime At, string Stage, string? Actor, string Kind, string? Trigger, string? Comment);

/// <summary>
/// An application as its applicant's pages and the API show it: its answers, status and stage, and the
/// history the reader may see (applicants the stages it passed through; staff as much as their work needs).
/// </summary>
public sealed record ApplicationView(int Id, string Reference, string Status, string? Stage, string? StageTitle, int FundId, string FundName,
    int OrganisationId, string OrganisationName, string? ProjectTitle, string? ProjectSummary, string? Innovation, string? Beneficiaries,
    IReadOnlyList<string> Districts, DateOnly? StartDate, DateOnly? EndDate, decimal? AmountRequested, List<BudgetLineView> Budget,
    List<OutcomeView> Outcomes, DateTime? SubmittedAt, int Version, List<HistoryView> History, Guid? WorkflowInstanceId)
{
        public static async Task<ApplicationView> ForAsync(GrantDbContext db, WorkflowRegistry registry, Application a, Actor actor, CancellationToken ct = default)
        {
            WorkflowInstance? instance = a.WorkflowInstanceId is Guid id ? await db.WorkflowInstances.AsNoTracking().SingleAsync(i => i.Id == id, ct) : null;
            var definition = instance is null ? null : registry.Get(instance.DefinitionId, instance.DefinitionVersion);
            string Title(string? state) => state is not null && definition?.States.GetValueOrDefault(state) is { } s ? s.Title ?? state : state ?? "";
            var history = new List<HistoryView>();
            if (instance is not null)
            {
                var staff = Roles.Staff.Any(actor.HasRole);
                var entries = await db.WorkflowHistory.AsNoTracking().Where(h => h.InstanceId == instance.Id).OrderBy(h => h.Id).ToListAsync(ct);
                // Applicants see the stages their application passed through; staff as much as their work needs.
                history = CaseAccess.Filter(entries, await CaseAccess.ForAsync(db, instance, actor, ct) ?? JournalView.Stages, actor)
                    .Select(h => new HistoryView(h.At, Title(h.ToState ?? instance.State), staff ? h.ActorName : null, h.Kind, h.Trigger, staff ? h.Comment : null))
                    .ToList();
            }
            return new ApplicationView(a.Id, a.Reference, ApplicationService.StatusOf(a, instance, registry), instance?.State, instance is null ? null : Title(instance.State),
                a.FundId, a.Fund!.Name, a.OrganisationId, a.Organisation!.Name, a.ProjectTitle, a.ProjectSummary, a.Innovation, a.Beneficiaries,
                a.DistrictList, a.StartDate, a.EndDate, a.AmountRequested,
                a.Budget.Select(l => l.ToView()).ToList(), a.Outcomes.Select(o => o.ToView()).ToList(),
                a.SubmittedAt, a.Version, history, a.WorkflowInstanceId);
        }
}

/// <summary>Budget lines and outcome targets → their views, generated at compile time (a view member with no source is a build error).</summary>
[Mapper(RequiredMappingStrategy = RequiredMappingStrategy.Target)]
internal static partial class ApplicationViewMappings
{
    public static partial BudgetLineView ToView(this BudgetLine line);

    [MapProperty(nameof(OutcomeTarget.MeasureCode), nameof(OutcomeView.Measure))]
    public static partial OutcomeView ToView(this OutcomeTarget target);
}
