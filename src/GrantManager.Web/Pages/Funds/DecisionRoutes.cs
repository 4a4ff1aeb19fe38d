using System.Globalization;
using System.Text.RegularExpressions;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;

namespace GrantManager.Web.Pages.Funds;

/// <summary>
/// How a fund's applications are decided, read from its workflow definition: who assesses, and
/// who decides for which amounts (the <c>amountRequested</c> conditions on the way into each
/// decision stage).
/// </summary>
public static partial class DecisionRoutes
{
    public sealed record Route(string Who, string Amounts);

    [GeneratedRegex(@"amountRequested\s*(<=|<|>=|>)\s*(\d+(?:\.\d+)?)")]
    private static partial Regex AmountCondition();

    public static int Assessors(WorkflowDefinition definition) =>
        definition.States.Values.SelectMany(s => s.Tasks).Where(t => t.Form == Core.Applications.AssessmentForm.Name).Select(t => t.Count).DefaultIfEmpty(0).Max();

    public static List<Route> Decisions(WorkflowDefinition definition)
    {
        var routes = new List<Route>();
        foreach (var (name, state) in definition.States)
        {
            var task = state.Tasks.FirstOrDefault(t => t.Form == Core.Grants.DecisionForm.Name);
            if (task is null) continue;
            var amounts = definition.States.Values.SelectMany(s => s.Transitions).Where(t => t.To == name && t.When is not null)
                .Select(t => AmountCondition().Match(t.When!)).Where(m => m.Success)
                .Select(m => Describe(m.Groups[1].Value, decimal.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
                .Distinct().ToList();
            var who = task.Role switch
            {
                Roles.GrantOfficer => "A grant officer, under delegated authority",
                Roles.PanelMember => "The grants panel",
                var role => Roles.Describe(role),
            };
            if (routes.Any(r => r.Who == who)) continue;
            routes.Add(new Route(who, amounts.Count == 0 ? "Any amount" : string.Join(" or ", amounts)));
        }
        return routes;
    }

    private static string Describe(string op, decimal amount) => op switch
    {
        "<=" => $"Up to {Money(amount)}",
        "<" => $"Less than {Money(amount)}",
        ">" => $"More than {Money(amount)}",
        _ => $"{Money(amount)} or more",
    };

    private static string Money(decimal pounds) => Formats.Money(pounds);
}
