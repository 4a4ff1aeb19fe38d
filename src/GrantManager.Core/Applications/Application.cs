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
    /// <summary>Districts of Kent served, separated by '|'.</summary>
    public string Districts { get; set; } = "";
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

    public IReadOnlyList<string> DistrictList => Districts.Split('|', StringSplitOptions.RemoveEmptyEntries);
}

public sealed class BudgetLine
{
    public int Id { get; set; }
    public int ApplicationId { get; set; }
    public string Item { get; set; } = "";
    public decimal Amount { get; set; }
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
