namespace GrantManager.Core.Monitoring;

/// <summary>A progress report the grant holder owes: one per period, and the final report.</summary>
public sealed class MonitoringReturn
{
    public int Id { get; set; }
    public int GrantId { get; set; }
    public int Sequence { get; set; }
    /// <summary>e.g. "Quarter to 30 June 2027" or "Final report".</summary>
    public string Period { get; set; } = "";
    public DateOnly PeriodStart { get; set; }
    public DateOnly PeriodEnd { get; set; }
    /// <summary>The last day to send it; DueAt is the end of that day in the UK.</summary>
    public DateOnly DueOn { get; set; }
    public DateTime DueAt { get; set; }
    public bool IsFinal { get; set; }
    /// <summary>The instalment whose release waits for this return to be accepted, if any.</summary>
    public int? ReleasesInstalment { get; set; }
    public ReturnStatus Status { get; set; }
    /// <summary>The monitoring-return workflow instance that chases, reviews and accepts it.</summary>
    public Guid? WorkflowInstanceId { get; set; }

    // What the grant holder reports (a draft until submitted).
    public string? Progress { get; set; }
    public int? BeneficiariesReached { get; set; }
    public string? CaseStudy { get; set; }
    public List<ReturnSpend> Spend { get; set; } = [];
    public List<ReturnActual> Actuals { get; set; } = [];
    public DateTime? DraftSavedAt { get; set; }
    public DateTime? SubmittedAt { get; set; }
    public DateTime? AcceptedAt { get; set; }
    /// <summary>The new last day to send it, when changes were requested.</summary>
    public DateOnly? ChangesDueOn { get; set; }
    /// <summary>What the officer asked to be changed, last time.</summary>
    public string? ChangesRequested { get; set; }
    public int Version { get; set; }
}

/// <summary>Cancelled: the grant was ended early before the return was accepted.</summary>
public enum ReturnStatus { Upcoming, Due, Submitted, ChangesRequested, Accepted, Cancelled }

/// <summary>Spend to date against one line of the approved budget.</summary>
public sealed class ReturnSpend
{
    public int Id { get; set; }
    public int ReturnId { get; set; }
    public string Item { get; set; } = "";
    public decimal Budgeted { get; set; }
    public decimal? Spent { get; set; }
}

/// <summary>The achieved figure, to date, for one of the grant's outcome targets.</summary>
public sealed class ReturnActual
{
    public int Id { get; set; }
    public int ReturnId { get; set; }
    public string MeasureCode { get; set; } = "";
    public decimal Target { get; set; }
    public decimal? Actual { get; set; }
}
