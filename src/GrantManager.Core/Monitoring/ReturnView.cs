using GrantManager.Core.Applications;
using GrantManager.Core.Grants;
using GrantManager.Core.Workflows;

namespace GrantManager.Core.Monitoring;

public sealed record ReturnView(int Id, string Period, DateOnly DueOn, DateTime DueAt, string Status, bool IsFinal, int? ReleasesInstalment)
{
    public static ReturnView Of(MonitoringReturn r) => new(r.Id, r.Period, r.DueOn, r.DueAt, ReturnDetail.StatusName(r.Status), r.IsFinal, r.ReleasesInstalment);
}

public sealed record SpendView(string Item, decimal Budgeted, decimal? Spent);
public sealed record ActualView(string Measure, decimal Target, decimal? Actual);
public sealed record EvidenceView(Guid Id, string FileName, long Size);

/// <summary>A progress report as the API shows it, with what it says so far and its evidence.</summary>
public sealed record ReturnDetail(int Id, int GrantId, string GrantReference, string Period, DateOnly PeriodStart, DateOnly PeriodEnd, DateOnly DueOn,
    DateTime DueAt, string Status, bool IsFinal, DateOnly? ChangesDueOn, string? ChangesRequested, string? Progress, List<SpendView> Spend,
    List<ActualView> Actuals, int? BeneficiariesReached, string? CaseStudy, List<EvidenceView> Evidence, DateTime? SubmittedAt, DateTime? AcceptedAt, int Version,
    Guid? WorkflowInstanceId)
{
    public static string StatusName(ReturnStatus status) => status == ReturnStatus.ChangesRequested ? "changes-requested" : status.ToString().ToLowerInvariant();

    /// <summary>The report as the caller may read it (see <see cref="ReturnService.ForReadingAsync"/>).</summary>
    public static async Task<ReturnDetail> ForAsync(ReturnService returns, AttachmentStore store, int id, Actor actor, CancellationToken ct = default)
    {
        var (r, grant) = await returns.ForReadingAsync(id, actor, ct);
        return Of(r, grant, await store.ForReturnAsync(r.Id, ct));
    }

    private static ReturnDetail Of(MonitoringReturn r, Grant grant, List<Attachment> evidence) =>
        new(r.Id, r.GrantId, grant.Reference, r.Period, r.PeriodStart, r.PeriodEnd, r.DueOn, r.DueAt, StatusName(r.Status), r.IsFinal, r.ChangesDueOn, r.ChangesRequested,
            r.Progress, r.Spend.Select(s => new SpendView(s.Item, s.Budgeted, s.Spent)).ToList(), r.Actuals.Select(a => new ActualView(a.MeasureCode, a.Target, a.Actual)).ToList(),
            r.BeneficiariesReached, r.CaseStudy, evidence.Select(e => new EvidenceView(e.Id, e.FileName, e.Size)).ToList(),
            r.SubmittedAt, r.AcceptedAt, r.Version, r.WorkflowInstanceId);
}
