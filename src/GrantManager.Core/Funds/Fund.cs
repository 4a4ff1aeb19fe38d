namespace GrantManager.Core.Funds;

/// <summary>A grant programme, such as the Live Well Kent innovation grant.</summary>
public sealed class Fund
{
    public int Id { get; set; }
    /// <summary>Short code used in application references, e.g. LWK.</summary>
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
    public string Summary { get; set; } = "";
    public string Description { get; set; } = "";
    public string Eligibility { get; set; } = "";
    public decimal MinimumAward { get; set; }
    public decimal MaximumAward { get; set; }
    public decimal Budget { get; set; }
    /// <summary>The longest project the fund pays for.</summary>
    public int MaxProjectMonths { get; set; } = 12;
    /// <summary>How grants are paid, e.g. 50:acceptance,25:midpoint,25:final.</summary>
    public string PaymentPlan { get; set; } = Grants.PaymentPlan.Default;
    /// <summary>The workflow definition id applications to this fund run on.</summary>
    public string WorkflowId { get; set; } = "";
    public List<Round> Rounds { get; set; } = [];
    public List<AssessmentCriterion> Criteria { get; set; } = [];
    public List<OutcomeMeasure> Measures { get; set; } = [];
    public DateTime CreatedAt { get; set; }
}

/// <summary>A window in which a fund accepts applications.</summary>
public sealed class Round
{
    public int Id { get; set; }
    public int FundId { get; set; }
    public Fund? Fund { get; set; }
    public string Name { get; set; } = "";
    public DateTime OpensAt { get; set; }
    public DateTime ClosesAt { get; set; }
    public decimal Budget { get; set; }

    public bool IsOpenAt(DateTime utcNow) => OpensAt <= utcNow && utcNow < ClosesAt;
}

/// <summary>A criterion assessors score from 0 to <see cref="Max"/>, weighted in the total.</summary>
public sealed class AssessmentCriterion
{
    public int Id { get; set; }
    public int FundId { get; set; }
    public string Name { get; set; } = "";
    public string Guidance { get; set; } = "";
    /// <summary>Percentage weight in the total score.</summary>
    public int Weight { get; set; }
    public int Max { get; set; } = 5;
    public int Order { get; set; }
}

/// <summary>An outcome an applicant can commit to, such as people supported or volunteer hours.</summary>
public sealed class OutcomeMeasure
{
    public int Id { get; set; }
    public int FundId { get; set; }
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
    public string Unit { get; set; } = "";
    public int Order { get; set; }
}
