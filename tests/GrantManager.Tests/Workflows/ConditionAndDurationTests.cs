using System.Text.Json;
using GrantManager.Core.Workflows;

namespace GrantManager.Tests.Workflows;

public sealed class ConditionAndDurationTests
{
    private static readonly Dictionary<string, FieldDefinition> Fields = new()
    {
        ["amount"] = new() { Type = "money" }, ["district"] = new() { Type = "text" },
        ["urgent"] = new() { Type = "boolean" }, ["start"] = new() { Type = "date" },
    };

    private static bool Eval(string condition, object? amount = null, string[]? outcomes = null, int open = 0, string? district = null, bool? urgent = null)
    {
        var fields = new Dictionary<string, JsonElement>();
        if (amount is not null) fields["amount"] = JsonSerializer.SerializeToElement(amount);
        if (district is not null) fields["district"] = JsonSerializer.SerializeToElement(district);
        if (urgent is not null) fields["urgent"] = JsonSerializer.SerializeToElement(urgent);
        fields["start"] = JsonSerializer.SerializeToElement(new DateTime(2027, 4, 1, 0, 0, 0, DateTimeKind.Utc));
        return ConditionCompiler.Compile(condition, Fields).Evaluate(new ConditionContext { Fields = fields, CompletedOutcomes = outcomes ?? [], OpenTasks = open });
    }

    [Theory]
    [InlineData("amount <= 5000", 5000, true)]
    [InlineData("amount <= 5000", 5000.01, false)]
    [InlineData("amount > 5000", 5000.01, true)]
    [InlineData("amount == 250.5", 250.5, true)]
    [InlineData("not (amount < 100 or amount > 200)", 150, true)]
    [InlineData("amount >= 100 and amount != 150", 150, false)]
    public void Numbers_compare_as_money(string condition, double amount, bool expected) =>
        Assert.Equal(expected, Eval(condition, (decimal)amount));

    [Fact]
    public void Built_in_names_see_the_tasks_of_the_stage()
    {
        Assert.True(Eval("allTasksComplete and anyOutcome == \"reject\"", outcomes: ["fund", "reject"]));
        Assert.False(Eval("allTasksComplete", outcomes: ["fund"], open: 1));
        Assert.True(Eval("allOutcomes == 'fund'", outcomes: ["fund", "fund"]));
        Assert.False(Eval("allOutcomes == 'fund'", outcomes: []));
        Assert.True(Eval("completedTasks == 2 and openTasks == 0", outcomes: ["a", "b"]));
        Assert.True(Eval("anyOutcome != \"reject\"", outcomes: ["fund"]));
    }

    [Fact]
    public void Text_booleans_and_dates_compare()
    {
        Assert.True(Eval("district == \"Swale\" and urgent", district: "Swale", urgent: true));
        Assert.False(Eval("urgent == true", urgent: false));
        Assert.False(Eval("district == \"Dover\""));
    }

    [Fact]
    public void A_missing_value_is_not_equal_to_anything() => Assert.False(Eval("amount <= 5000"));

    [Theory]
    [InlineData("amount <", "ends too early")]
    [InlineData("amount = 5", "unknown operator '='")]
    [InlineData("district < \"b\"", "compare only with == or !=")]
    [InlineData("amount", "is not a yes/no condition")]
    [InlineData("anyOutcome > \"x\"", "compare with == or != and a text")]
    [InlineData("amount <= 5 extra", "unexpected 'extra'")]
    [InlineData("(amount <= 5", "missing ')'")]
    [InlineData("district == \"open", "unclosed text")]
    [InlineData("amount and urgent", "needs yes/no conditions on both sides")]
    public void Mistakes_are_refused_at_load_time_with_a_reason(string condition, string message)
    {
        var error = Assert.Throws<ConditionException>(() => ConditionCompiler.Compile(condition, Fields));
        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData("P14D", "2027-01-15T09:00:00")]
    [InlineData("-P3D", "2026-12-29T09:00:00")]
    [InlineData("P0D", "2027-01-01T09:00:00")]
    [InlineData("P3M", "2027-04-01T09:00:00")]
    [InlineData("P1Y2M", "2028-03-01T09:00:00")]
    [InlineData("P2W", "2027-01-15T09:00:00")]
    [InlineData("PT36H", "2027-01-02T21:00:00")]
    [InlineData("-PT30M", "2027-01-01T08:30:00")]
    public void Durations_add_calendar_time(string duration, string expected) =>
        Assert.Equal(DateTime.Parse(expected), WorkflowDuration.Parse(duration).AddTo(new DateTime(2027, 1, 1, 9, 0, 0)));

    [Fact]
    public void A_month_from_the_thirty_first_lands_on_the_last_day() =>
        Assert.Equal(new DateTime(2027, 2, 28), WorkflowDuration.Parse("P1M").AddTo(new DateTime(2027, 1, 31)));

    [Theory]
    [InlineData("14D")]
    [InlineData("P")]
    [InlineData("PT")]
    [InlineData("P1.5D")]
    [InlineData("")]
    [InlineData("P3X")]
    public void Malformed_durations_are_refused(string text) => Assert.False(WorkflowDuration.TryParse(text, out _));
}
