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

    /// <summary>
    /// The last UK day on which an application is accepted. <see cref="ClosesAt"/> is the first moment
    /// after it: a round closing at 00:00 on 1 March has 28 February as its last day.
    /// </summary>
    public DateOnly LastDay => LastDayOf(ClosesAt);

    public static DateOnly LastDayOf(DateTime closesAt) => Configuration.UkTime.DayOf(closesAt.AddTicks(-1));

    /// <summary>How every page and email says when the round closes: "28 February 2027", or with the time when it is not midnight.</summary>
    public string Deadline => DeadlineText(ClosesAt);

    public static string DeadlineText(DateTime closesAt)
    {
        {
            var ClosesAt = closesAt;
            var last = Configuration.UkTime.DayOf(ClosesAt.AddTicks(-1));
            var day = last.ToString("d MMMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("en-GB"));
            if (Configuration.UkTime.StartOfDay(last.AddDays(1)) == ClosesAt) return $"11:59pm on {day}";
            var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(ClosesAt, DateTimeKind.Utc), Configuration.UkTime.London);
            return $"{Configuration.UkTime.Time(local)} on {Configuration.UkTime.DayOf(ClosesAt).ToString("d MMMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("en-GB"))}";
        }
    }
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

    /// <summary>A measure counted in money (its unit is pounds): its targets and actuals are amounts.</summary>
    public bool InPounds => Unit.Trim() is var u && (u.Equals("pounds", StringComparison.OrdinalIgnoreCase) || u == "£");

    /// <summary>A target or actual as people read it: "£2,000" for a measure in pounds, else "2,000".</summary>
    public static string Amount(IEnumerable<OutcomeMeasure>? measures, string code, decimal value) =>
        measures?.Any(m => m.Code == code && m.InPounds) == true ? Money.Format(value)
            : value.ToString("#,0.##", System.Globalization.CultureInfo.GetCultureInfo("en-GB"));
}
