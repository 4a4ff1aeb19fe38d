using System.Text.Json;
using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Monitoring;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Grants;

/// <summary>An award: made when the applicant accepts the offer, then monitored to its end.</summary>
public sealed class Grant
{
    public int Id { get; set; }
    /// <summary>The application's reference, kept for the life of the grant.</summary>
    public string Reference { get; set; } = "";
    public int ApplicationId { get; set; }
    public int FundId { get; set; }
    public int OrganisationId { get; set; }
    public decimal Amount { get; set; }
    public DateOnly StartDate { get; set; }
    public DateOnly EndDate { get; set; }
    /// <summary>The conditions in the words of the offer letter.</summary>
    public string? Conditions { get; set; }
    public GrantStatus Status { get; set; }
    public DateTime AwardedAt { get; set; }
    /// <summary>When the grant closed: its closure settled (see <see cref="GrantClosure"/>), or it was ended early.</summary>
    public DateTime? ClosedAt { get; set; }
    /// <summary>The closure workflow, started when the final report is accepted.</summary>
    public Guid? ClosureInstanceId { get; set; }
    /// <summary>The money not spent, as the grant holder declared it at closure (0 when it was all spent).</summary>
    public decimal? Underspend { get; set; }
    public DateTime? UnderspendDeclaredAt { get; set; }
    /// <summary>When the repayment of the underspend was asked for.</summary>
    public DateTime? RepaymentRequestedAt { get; set; }
    /// <summary>What finance has recorded as repaid so far, with the date and reference of the last receipt.</summary>
    public decimal? RepaymentReceived { get; set; }
    public DateOnly? RepaymentReceivedOn { get; set; }
    public string? RepaymentReference { get; set; }
    /// <summary>Ended early by an officer: when, why and by whom.</summary>
    public DateTime? EndedAt { get; set; }
    public string? EndReason { get; set; }
    public string? EndedByName { get; set; }
    public List<Instalment> Instalments { get; set; } = [];
    public List<GrantTarget> Targets { get; set; } = [];
    public List<MonitoringReturn> Returns { get; set; } = [];
    /// <summary>The offer's conditions, each with its kind and whether it is met.</summary>
    public List<GrantCondition> ConditionList { get; set; } = [];
    /// <summary>Changes asked for after the award, each with what it changed.</summary>
    public List<GrantVariation> Variations { get; set; } = [];
}

public enum GrantStatus { Active, Closed }

/// <summary>One payment of the grant, released by acceptance or by an accepted return.</summary>
public sealed class Instalment
{
    public int Id { get; set; }
    public int GrantId { get; set; }
    public int Sequence { get; set; }
    public int Percent { get; set; }
    public decimal Amount { get; set; }
    /// <summary>acceptance, midpoint (the return at the middle of the project) or final (the final report).</summary>
    public string ReleasedBy { get; set; } = "";
    public InstalmentStatus Status { get; set; }
    public DateTime? DueAt { get; set; }
    public DateTime? PaidAt { get; set; }
    public string? PaymentReference { get; set; }
    public string? PaidByName { get; set; }
    /// <summary>The payment workflow started when the instalment was released.</summary>
    public Guid? WorkflowInstanceId { get; set; }
    /// <summary>Why finance is holding it (a payment held for a condition has no reason here: its conditions say why).</summary>
    public string? HeldReason { get; set; }
    /// <summary>Why the last attempt to pay it failed, until it is paid.</summary>
    public string? FailureReason { get; set; }
    public int Version { get; set; }
}

/// <summary>Held: released but waiting, for a condition to be met (no payment task yet) or because finance put it on hold. Cancelled: the grant was ended early before it was paid.</summary>
public enum InstalmentStatus { Scheduled, Due, Held, Paid, Cancelled }

/// <summary>An outcome target the grant commits to, copied from the application.</summary>
public sealed class GrantTarget
{
    public int Id { get; set; }
    public int GrantId { get; set; }
    public string MeasureCode { get; set; } = "";
    public decimal Target { get; set; }
}

/// <summary>
/// How a fund pays its grants, as "percent:releasedBy" parts, e.g. "50:acceptance,25:midpoint,25:final".
/// </summary>
public static class PaymentPlan
{
    public const string Default = "50:acceptance,25:midpoint,25:final";
    public static readonly string[] Releases = ["acceptance", "midpoint", "final"];

    /// <summary>What releases a payment, in words for a table: "When the offer is accepted".</summary>
    public static string Describe(string releasedBy) => releasedBy switch
    {
        "acceptance" => "When the offer is accepted",
        "midpoint" => "When the mid-point report is accepted",
        _ => "When the final report is accepted",
    };

    public static IReadOnlyList<(int Percent, string ReleasedBy)> Parse(string plan) =>
        plan.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split(':', StringSplitOptions.TrimEntries))
            .Select(p => (int.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture), p[1]))
            .ToList();

    /// <summary>Null when the plan is good, else what is wrong with it.</summary>
    public static string? Problem(string? plan)
    {
        if (string.IsNullOrWhiteSpace(plan)) return "Enter the payment plan, like 50:acceptance, 25:midpoint, 25:final";
        var parts = plan.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var total = 0;
        foreach (var part in parts)
        {
            var p = part.Split(':', StringSplitOptions.TrimEntries);
            if (p.Length != 2 || !int.TryParse(p[0], out var percent) || percent is < 1 or > 100 || !Releases.Contains(p[1]))
                return $"'{part}' is not a percentage and one of {string.Join(", ", Releases)}, like 50:acceptance";
            total += percent;
        }
        return total == 100 ? null : $"The payments add up to {total}%; they must add up to 100%";
    }

    /// <summary>Splits an amount by the plan in pence, the last payment taking what rounding leaves.</summary>
    public static List<Instalment> Split(decimal amount, string plan, DateTime now)
    {
        var parts = Parse(plan);
        var instalments = new List<Instalment>();
        var left = amount;
        for (var i = 0; i < parts.Count; i++)
        {
            var share = i == parts.Count - 1 ? left : decimal.Round(amount * parts[i].Percent / 100m, 2, MidpointRounding.ToZero);
            left -= share;
            var atOnce = parts[i].ReleasedBy == "acceptance";
            instalments.Add(new Instalment
            {
                Sequence = i + 1, Percent = parts[i].Percent, Amount = share, ReleasedBy = parts[i].ReleasedBy,
                // Released (due, or held by a condition) by GrantWorkflows.ReleaseInstalmentAsync, the one place a payment is released.
                Status = InstalmentStatus.Scheduled, DueAt = atOnce ? now : null,
            });
        }
        return instalments;
    }
}
