using GrantManager.Core.Grants;
using GrantManager.Core.Monitoring;
using GrantManager.Core.Workflows;
using GrantManager.Tests.Support;

namespace GrantManager.Tests.Applications;

public sealed class ReturnScheduleTests
{
    private static readonly List<Instalment> Plan = PaymentPlan.Split(10_000m, PaymentPlan.Default, DateTime.UtcNow);

    [Fact]
    public void Calendar_quarters_give_a_return_a_month_after_each_quarter_end_then_the_final_report()
    {
        var returns = MonitoringSchedules.Plan(new DateOnly(2027, 4, 1), new DateOnly(2028, 3, 31), MonitoringSettings.Default, Plan);

        Assert.Equal(["Quarter to 30 June 2027", "Quarter to 30 September 2027", "Quarter to 31 December 2027", "Final report"], returns.Select(r => r.Period));
        Assert.Equal([new DateOnly(2027, 6, 30), new DateOnly(2027, 9, 30), new DateOnly(2027, 12, 31), new DateOnly(2028, 3, 31)], returns.Select(r => r.PeriodEnd));
        // Each is due a month (dueAfter, P1M by default) after its quarter ends; the final report a month (finalReport) after the end.
        Assert.Equal([new DateOnly(2027, 7, 30), new DateOnly(2027, 10, 30), new DateOnly(2028, 1, 31), new DateOnly(2028, 4, 30)], returns.Select(r => r.DueOn));
        // The end of the due day in the UK: 11pm UTC in summer time.
        Assert.Equal(new DateTime(2027, 7, 30, 22, 59, 59, DateTimeKind.Utc), returns[0].DueAt);
        Assert.Equal(new DateTime(2028, 1, 31, 23, 59, 59, DateTimeKind.Utc), returns[2].DueAt);
        Assert.Equal([null, 2, null, 3], returns.Select(r => r.ReleasesInstalment));
        Assert.Equal([1, 2, 3, 4], returns.Select(r => r.Sequence));
    }

    [Fact]
    public void From_the_start_date_each_period_counts_from_the_grant_start()
    {
        var settings = new MonitoringSettings(WorkflowDuration.Parse("P3M"), CalendarQuarters: false, WorkflowDuration.Parse("P1M"), new TimeOnly(9, 0));
        var returns = MonitoringSchedules.Plan(new DateOnly(2027, 5, 15), new DateOnly(2028, 5, 14), settings, Plan);

        Assert.Equal([new DateOnly(2027, 9, 14), new DateOnly(2027, 12, 14), new DateOnly(2028, 3, 14), new DateOnly(2028, 6, 14)], returns.Select(r => r.DueOn));
        Assert.Equal("15 May 2027 to 14 August 2027", returns[0].Period);
        Assert.True(returns[^1].IsFinal);
    }

    [Theory]
    [InlineData("P0D", 6, 30)]
    [InlineData("P14D", 7, 14)]
    [InlineData("P2M", 8, 30)]
    public void The_fund_sets_how_long_after_its_period_each_return_is_due_and_the_final_report_keeps_its_own(string dueAfter, int month, int day)
    {
        using var folder = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(folder.Path, "funds"));
        File.WriteAllText(Path.Combine(folder.Path, "funds", "LWK.json"), $$"""{ "fund": "LWK", "monitoring": { "dueAfter": "{{dueAfter}}", "finalReport": "P6W" } }""");

        var settings = MonitoringSchedules.Load(folder.Path).For("LWK");
        var returns = MonitoringSchedules.Plan(new DateOnly(2027, 4, 1), new DateOnly(2028, 3, 31), settings, Plan);

        Assert.Equal(new DateOnly(2027, month, day), returns[0].DueOn);
        Assert.Equal(new DateOnly(2027, 6, 30), returns[0].PeriodEnd);
        Assert.Equal(new DateOnly(2028, 5, 12), returns[^1].DueOn);
    }

    [Theory]
    [InlineData("monthly", "'monthly' is not an ISO 8601 duration")]
    [InlineData("-P1M", "'-P1M' must not be negative")]
    [InlineData("P2Y", "'P2Y' is longer than a year")]
    [InlineData("P99999999999D", "'P99999999999D' is not an ISO 8601 duration")]
    public void A_bad_due_after_setting_is_refused_naming_the_file_and_the_setting(string dueAfter, string message)
    {
        using var folder = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(folder.Path, "funds"));
        File.WriteAllText(Path.Combine(folder.Path, "funds", "LWK.json"), $$"""{ "fund": "LWK", "monitoring": { "dueAfter": "{{dueAfter}}" } }""");

        var error = Assert.Throws<WorkflowLoadException>(() => MonitoringSchedules.Load(folder.Path));

        var problem = Assert.Single(error.Problems);
        Assert.Equal(("funds/LWK.json", "$.monitoring.dueAfter"), (problem.File, problem.JsonPath));
        Assert.StartsWith(message, problem.Message);
    }

    [Fact]
    public async Task A_bad_due_after_setting_stops_the_service_starting()
    {
        using var folder = new Workflows.WorkflowFolder(withTestDefinitions: false);
        Directory.CreateDirectory(Path.Combine(folder.Path, "funds"));
        folder.Write("funds/LWK.json", """{ "fund": "LWK", "monitoring": { "dueAfter": "a month" } }""");
        await using var app = new GrantManagerFactory().Set("Workflows:Path", folder.Path);

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        var load = error as WorkflowLoadException ?? error.InnerException as WorkflowLoadException;
        Assert.NotNull(load);
        Assert.Contains(load.Problems, p => p.File == "funds/LWK.json" && p.JsonPath == "$.monitoring.dueAfter" && p.Message.StartsWith("'a month' is not an ISO 8601 duration"));
        Assert.Contains("funds/LWK.json", load.Message);
    }

    [Fact]
    public void A_bad_setting_stops_start_up_naming_the_file_and_the_setting()
    {
        using var folder = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(folder.Path, "funds"));
        File.WriteAllText(Path.Combine(folder.Path, "funds", "LWK.json"), """{ "fund": "LWK", "monitoring": { "period": "quarterly", "align": "fortnightly", "reminderTime": "9am", "changesDue": "two weeks" } }""");

        var error = Assert.Throws<WorkflowLoadException>(() => MonitoringSchedules.Load(folder.Path));

        Assert.Contains(error.Problems, p => p.File == "funds/LWK.json" && p.JsonPath == "$.monitoring.period" && p.Message.Contains("'quarterly' is not an ISO 8601 duration"));
        Assert.Contains(error.Problems, p => p.JsonPath == "$.monitoring.align" && p.Message == "'fortnightly' is not calendar-quarters or start-date");
        Assert.Contains(error.Problems, p => p.JsonPath == "$.monitoring.reminderTime" && p.Message == "'9am' is not a time of day like 09:00");
        Assert.Contains(error.Problems, p => p.JsonPath == "$.monitoring.changesDue" && p.Message.Contains("'two weeks' is not an ISO 8601 duration"));
    }

    [Fact]
    public void A_fund_can_set_when_reminders_go_and_how_long_changes_take()
    {
        using var folder = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(folder.Path, "funds"));
        File.WriteAllText(Path.Combine(folder.Path, "funds", "LWK.json"), """{ "fund": "LWK", "monitoring": { "reminderTime": "10:30", "changesDue": "P21D" } }""");

        var settings = MonitoringSchedules.Load(folder.Path).For("LWK");

        Assert.Equal(new TimeOnly(10, 30), settings.ReminderTime);
        Assert.Equal(new DateOnly(2027, 7, 22), settings.ChangesDueFrom(new DateOnly(2027, 7, 1)));
        // 10:30 in British Summer Time is 09:30 UTC.
        Assert.Equal(new DateTime(2027, 7, 22, 9, 30, 0, DateTimeKind.Utc), GrantWorkflows.RemindFrom(new DateOnly(2027, 7, 22), settings));
    }

    [Fact]
    public void The_repository_settings_load() =>
        Assert.True(MonitoringSchedules.Load(Workflows.WorkflowFolder.FindRepositoryWorkflows()).For("LWK").CalendarQuarters);
}
