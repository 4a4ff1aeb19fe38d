namespace GrantManager.Web.Pages.Shared;

/// <summary>
/// The questions an applicant answers before starting an application, as the fund's public page
/// lists them under "Who can apply".
/// </summary>
public static class EligibilityQuestions
{
    public sealed record Question(string Name, string Text, string Hint);

    public static IReadOnlyList<Question> For(Core.Funds.Fund fund) =>
    [
        new("InKent", "Will the project take place in Kent and benefit people who live here?", "Kent means the 12 districts of Kent County Council, not Medway."),
        new("Community", "Is your organisation a voluntary or community group, a charity or a community interest company?", "Councils, schools, NHS bodies and businesses run for profit cannot apply."),
        new("TwelveMonths", $"Will the project finish within {fund.MaxProjectMonths} months of starting?", ""),
        new("Wellbeing", "Is the project about mental health and wellbeing?", "For example: reducing isolation, peer support, activity, creativity or carers' wellbeing."),
    ];
}
