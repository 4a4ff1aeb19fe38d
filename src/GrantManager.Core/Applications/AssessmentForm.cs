using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Applications;

/// <summary>
/// An assessor's scores: every criterion of the fund from 0 to its maximum, with the reasons; the
/// weighted total (of 100) is kept with the scores for the decision-maker.
/// </summary>
public sealed class AssessmentForm(GrantDbContext db) : ITaskForm
{
    public static string Name => "assessment";

    /// <summary>The most a weighted score can be: each criterion's score counts as its share of the criterion's weight, so the weights added up (100 for a fund without criteria yet).</summary>
    public static int ScoreOutOf(IEnumerable<Funds.AssessmentCriterion> criteria) => criteria.Sum(c => c.Weight) is var total and > 0 ? total : 100;
    public static string Asks => "A score for each of the fund's criteria and the reasons for the scores and recommendation";
    public static IReadOnlyList<string> ActsOn => [];

    public async Task<TaskFormAnswer> CheckAsync(TaskFormContext context, Errors errors, CancellationToken ct)
    {
        if (context.Task.Instance!.SubjectType != ApplicationService.SubjectType || !int.TryParse(context.Task.Instance.SubjectId, out var applicationId))
            throw new WorkflowInvalidException("An assessment is of an application", "outcome");
        var criteria = await db.Criteria.AsNoTracking().Where(c => db.Applications.Any(a => a.Id == applicationId && a.FundId == c.FundId))
            .OrderBy(c => c.Order).ToListAsync(ct);
        var given = context.Completion.Scores ?? new Dictionary<string, int>();
        foreach (var c in criteria)
        {
            if (!given.TryGetValue(c.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), out var score)) errors.Add($"scores.{c.Id}", $"Score '{c.Name}' from 0 to {c.Max}");
            else if (score < 0 || score > c.Max) errors.Add($"scores.{c.Id}", $"The score for '{c.Name}' must be from 0 to {c.Max}");
        }
        foreach (var unknown in given.Keys.Where(k => !criteria.Any(c => c.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) == k)))
            errors.Add($"scores.{unknown}", $"'{unknown}' is not a criterion of this fund");
        if (string.IsNullOrWhiteSpace(context.Completion.Comment))
            errors.Add("comment", context.Outcome == "do-not-fund" ? "Give the reasons for your recommendation" : "Explain your scores and recommendation");
        if (errors.Any) return TaskFormAnswer.Nothing;
        return new TaskFormAnswer(TaskData: new Dictionary<string, object?>
        {
            ["scores"] = criteria.ToDictionary(c => c.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), c => given[c.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]),
            [TaskData.WeightedScoreField] = Math.Round(criteria.Sum(c => (decimal)given[c.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)] / c.Max * c.Weight), 1),
        });
    }
}
