using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Applications;

/// <summary>An organisation's application to a fund's round: a draft until it is submitted, then run by its workflow.</summary>
public sealed class Application
{
    public int Id { get; set; }
    /// <summary>e.g. LWK-2027-0001, given when the draft is created.</summary>
    public string Reference { get; set; } = "";
    public int FundId { get; set; }
    public Funds.Fund? Fund { get; set; }
    public int RoundId { get; set; }
    public Funds.Round? Round { get; set; }
    public int OrganisationId { get; set; }
    public Organisations.Organisation? Organisation { get; set; }
    public string CreatedById { get; set; } = "";
    public string? ProjectTitle { get; set; }
    public string? ProjectSummary { get; set; }
    /// <summary>What is new or different about the project.</summary>
    public string? Innovation { get; set; }
    public string? Beneficiaries { get; set; }
    /// <summary>The districts of the council's area the project serves, in the order chosen (see <see cref="DistrictList"/>).</summary>
    public List<ApplicationDistrict> Districts { get; private set; } = [];
    public DateOnly? StartDate { get; set; }
    public DateOnly? EndDate { get; set; }
    public decimal? AmountRequested { get; set; }
    public List<BudgetLine> Budget { get; set; } = [];
    public List<OutcomeTarget> Outcomes { get; set; } = [];
    public bool Declaration { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? SubmittedAt { get; set; }
    /// <summary>The workflow running it, from submission on.</summary>
    public Guid? WorkflowInstanceId { get; set; }
    /// <summary>
    /// The state its workflow is in (null for a draft), a copy of the instance's kept by the database's triggers
    /// (<see cref="Data.Migrations.WorkflowStateSql"/>) so the register counts, filters and sorts by it without a join. Never written by the service.
    /// </summary>
    public string? WorkflowState { get; private set; }
    public int Version { get; set; }

    /// <summary>The districts' names, in the order chosen.</summary>
    public IReadOnlyList<string> DistrictList => Districts.OrderBy(d => d.Position).Select(d => d.District).ToList();

    /// <summary>
    /// The districts served, in this order: those kept stay the same rows (only their place may change),
    /// those dropped are removed and new ones added, so each change is one row's.
    /// </summary>
    public void SetDistricts(IEnumerable<string> names)
    {
        var wanted = names.Distinct().ToList();
        Districts.RemoveAll(d => !wanted.Contains(d.District));
        for (var i = 0; i < wanted.Count; i++)
        {
            if (Districts.Find(d => d.District == wanted[i]) is { } kept) kept.Position = i;
            else Districts.Add(new ApplicationDistrict { District = wanted[i], Position = i });
        }
    }
}

/// <summary>A district the project serves: one row each, so the registers filter by district through an index.</summary>
public sealed class ApplicationDistrict
{
    public int ApplicationId { get; set; }
    /// <summary>The district's name, as the council's districts list gives it.</summary>
    public string District { get; set; } = "";
    /// <summary>Its place in the order the districts were chosen, from 0.</summary>
    public int Position { get; set; }
}

public sealed class BudgetLine
{
    public int Id { get; set; }
    public int ApplicationId { get; set; }
    public string Item { get; set; } = "";
    public decimal Amount { get; set; }
}

/// <summary>Reading the districts of many applications at once, for lists and reports that do not load the applications themselves.</summary>
public static class DistrictsServed
{
    /// <summary>The districts each of these applications serves, in the order chosen.</summary>
    public static async Task<ILookup<int, string>> OfAsync(Data.GrantDbContext db, IReadOnlyCollection<int> applicationIds, CancellationToken ct) =>
        (await db.ApplicationDistricts.AsNoTracking().Where(d => applicationIds.Contains(d.ApplicationId))
            .OrderBy(d => d.ApplicationId).ThenBy(d => d.Position).Select(d => new { d.ApplicationId, d.District }).ToListAsync(ct))
        .ToLookup(d => d.ApplicationId, d => d.District);
}

/// <summary>A measure the applicant commits to, e.g. 120 people supported.</summary>
public sealed class OutcomeTarget
{
    public int Id { get; set; }
    public int ApplicationId { get; set; }
    public string MeasureCode { get; set; } = "";
    public decimal Target { get; set; }
}

/// <summary>What applicants and the API see: draft before submission, then the workflow stage's status.</summary>
public static class ApplicationStatus
{
    public const string Draft = "draft";
    public static readonly string[] All = ["draft", "submitted", "approved", "awarded", "rejected", "declined", "withdrawn"];
}
