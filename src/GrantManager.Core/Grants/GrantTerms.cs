using System.Text.Json;
using GrantManager.Core.Applications;
using GrantManager.Core.Monitoring;
using GrantManager.Core.Workflows;

namespace GrantManager.Core.Grants;

/// <summary>
/// What a grant will be on acceptance: the amount awarded, the conditions, the outcome targets (as the
/// offer set them), the payments by the fund's plan and the progress reports by its monitoring settings.
/// The offer page shows these and the award-grant step makes the grant from them, so the two agree.
/// </summary>
public sealed record GrantTerms(decimal Amount, string? Conditions, IReadOnlyList<GrantTarget> Targets, DateOnly Start, DateOnly End,
    List<Instalment> Instalments, List<MonitoringReturn> Returns)
{
    /// <summary>The conditions with their kinds; an older decision's plain words are one condition for the life of the grant.</summary>
    public IReadOnlyList<OfferCondition> ConditionList { get; init; } = [];

    /// <param name="application">With its outcomes and fund.</param>
    /// <param name="instanceData">The application workflow's data, where the decision put the amount, conditions and any adjusted targets.</param>
    public static GrantTerms For(Application application, string instanceData, MonitoringSettings settings, DateTime now)
    {
        var data = Workflows.SubjectData.Read(instanceData);
        var amount = data.TryGetValue("amountAwarded", out var awarded) && awarded.ValueKind == JsonValueKind.Number
            ? awarded.GetDecimal() : application.AmountRequested ?? 0;
        var conditions = data.TryGetValue("conditions", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        // Targets the decider adjusted in the offer, else the applicant's own.
        var targets = data.TryGetValue("targets", out var t) && t.ValueKind == JsonValueKind.String
            ? JsonSerializer.Deserialize<Dictionary<string, decimal>>(t.GetString()!)!
            : application.Outcomes.ToDictionary(o => o.MeasureCode, o => o.Target);
        var start = application.StartDate ?? DateOnly.FromDateTime(now);
        var end = application.EndDate ?? start.AddMonths(12);
        var instalments = PaymentPlan.Split(amount, application.Fund!.PaymentPlan, now);
        var returns = MonitoringSchedules.Plan(start, end, settings, instalments);
        var grantTargets = application.Outcomes.OrderBy(o => o.Id)
            .Select(o => new GrantTarget { MeasureCode = o.MeasureCode, Target = targets.GetValueOrDefault(o.MeasureCode, o.Target) }).ToList();
        return new GrantTerms(amount, conditions, grantTargets, start, end, instalments, returns) { ConditionList = OfferCondition.FromCase(data) };
    }

    /// <summary>When a payment is made, in words: on acceptance, or when the report that releases it is accepted.</summary>
    public string WhenPaid(Instalment instalment)
    {
        var report = Returns.FirstOrDefault(r => r.ReleasesInstalment == instalment.Sequence);
        return instalment.ReleasedBy switch
        {
            "acceptance" => "when you accept the offer",
            _ when report is { IsFinal: true } => $"when we accept your final report, due {GrantWorkflows.DayText(report.DueOn)}",
            _ when report is not null => $"when we accept your progress report due {GrantWorkflows.DayText(report.DueOn)}",
            "final" => "when we accept your final report",
            _ => "when we accept your mid-point progress report",
        };
    }

    /// <summary>The payments as lines for an email: "- £1,500 when you accept the offer".</summary>
    public string PaymentsText() =>
        string.Join("\n", Instalments.Select(i => $"- {Money.Format(i.Amount)} ({i.Percent}%) {WhenPaid(i)}"));

    /// <summary>The progress reports as lines for an email: "- Quarter to 30 June 2027: send it by 30 June 2027".</summary>
    public string ReportsText() =>
        string.Join("\n", Returns.Select(r => $"- {r.Period}: send it by {GrantWorkflows.DayText(r.DueOn)}"));
}
