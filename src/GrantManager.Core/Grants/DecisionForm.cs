using System.Text.Json;
using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Monitoring;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Grants;

/// <summary>
/// A decision on an application. An approval sets the amount awarded (the amount requested unless the
/// decider awards less), any conditions and the outcome targets; the offer's terms (payments and
/// report dates, worked out as the award will) go into the case for the offer letter.
/// </summary>
public sealed class DecisionForm(GrantDbContext db, MonitoringSchedules schedules, Funds.RoundBudgets budgets) : ITaskForm
{
    public static string Name => "decision";
    public static string Asks => "For an approval: the amount to award, any conditions of the offer and the outcome targets for the grant";
    public static IReadOnlyList<string> ActsOn => ["approve"];

    public async Task<TaskFormAnswer> CheckAsync(TaskFormContext context, Errors errors, CancellationToken ct)
    {
        if (context.Outcome != "approve") return TaskFormAnswer.Nothing;
        var instance = context.Task.Instance!;
        if (instance.SubjectType != ApplicationService.SubjectType || !int.TryParse(instance.SubjectId, out var applicationId))
            throw new WorkflowInvalidException("A decision is on an application", "outcome");
        var completion = context.Completion;
        var requested = await db.Applications.Where(a => a.Id == applicationId).Select(a => a.AmountRequested).SingleAsync(ct) ?? 0;
        var awarded = completion.AmountAwarded ?? requested;
        if (awarded <= 0 || awarded > requested || decimal.Round(awarded, 2) != awarded)
            errors.Add("amountAwarded", $"The amount awarded must be more than £0 and no more than the {Money.Format(requested)} requested");
        else if (await budgets.ForApplicationAsync(applicationId, ct) is { } budget && budget.LeftAfter(awarded) < 0)
            errors.Add("amountAwarded", budget.Refusal(awarded));
        // Conditions come with kinds; plain words (older callers) are one condition for the life of the grant.
        var given = completion.ConditionList
            ?? (string.IsNullOrWhiteSpace(completion.Conditions) ? [] : [new OfferCondition(completion.Conditions.Trim(), ConditionKinds.Ongoing)]);
        var plan = await db.Applications.Where(a => a.Id == applicationId).Select(a => a.Fund!.PaymentPlan).SingleAsync(ct);
        var conditions = OfferCondition.Check(given, PaymentPlan.Parse(plan).Count, errors);
        var terms = new Dictionary<string, object?>
        {
            ["amountAwarded"] = awarded,
            ["conditions"] = OfferCondition.Words(conditions),
            [OfferCondition.CaseField] = JsonSerializer.Serialize(conditions, OfferCondition.Json),
        };
        if (completion.Targets is { Count: > 0 } changed)
        {
            // The decider may adjust the applicant's targets in the offer; the grant takes these.
            var proposed = await db.Applications.Where(a => a.Id == applicationId).SelectMany(a => a.Outcomes)
                .Select(o => new { o.MeasureCode, o.Target }).ToDictionaryAsync(o => o.MeasureCode, o => o.Target, ct);
            var names = await db.OutcomeMeasures.Where(m => db.Applications.Any(a => a.Id == applicationId && a.FundId == m.FundId))
                .ToDictionaryAsync(m => m.Code, m => m.Name, ct);
            foreach (var (code, target) in changed)
            {
                if (!proposed.ContainsKey(code)) errors.Add($"targets.{code}", $"'{code}' is not one of the application's outcome targets");
                else if (target <= 0 || target > 100_000_000) errors.Add($"targets.{code}", $"The target for {names.GetValueOrDefault(code, code)} must be more than 0");
                else proposed[code] = target;
            }
            terms["targets"] = JsonSerializer.Serialize(proposed);
            terms["targetsText"] = string.Join("\n", proposed.Select(p => $"- {names.GetValueOrDefault(p.Key, p.Key)}: {p.Value:#,0.##}"));
        }
        if (errors.Any) return TaskFormAnswer.Nothing;
        // The offer letter lists the payments and report dates the grant will have, worked out as the award will.
        var decided = await db.Applications.AsNoTracking().Include(a => a.Outcomes).Include(a => a.Fund).SingleAsync(a => a.Id == applicationId, ct);
        var grantTerms = GrantTerms.For(decided, SubjectData.With(instance.Data, terms), schedules.For(decided.Fund!.Code), context.Now);
        terms["paymentsText"] = grantTerms.PaymentsText();
        terms["reportsText"] = grantTerms.ReportsText();
        return new TaskFormAnswer(TaskData: new Dictionary<string, object?> { ["amountAwarded"] = awarded }, CaseData: terms);
    }

    /// <summary>The round's budget again, now that the transaction holds the round: another approval may have taken what was left.</summary>
    public async Task ConfirmAsync(TaskFormContext context, TaskFormAnswer answer, Errors errors, CancellationToken ct)
    {
        if (context.Outcome != "approve" || answer.TaskData?.GetValueOrDefault("amountAwarded") is not decimal awarded) return;
        var applicationId = int.Parse(context.Task.Instance!.SubjectId, System.Globalization.CultureInfo.InvariantCulture);
        var roundId = await db.Applications.Where(a => a.Id == applicationId).Select(a => a.RoundId).SingleAsync(ct);
        await budgets.CheckRoomAsync(roundId, awarded, "amountAwarded", errors, applicationId, ct);
    }
}
