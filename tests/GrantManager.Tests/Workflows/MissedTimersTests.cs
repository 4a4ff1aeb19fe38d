using GrantManager.Core.Workflows;

namespace GrantManager.Tests.Workflows;

/// <summary>The one rule for timers whose moment had passed when their stage began.</summary>
public sealed class MissedTimersTests
{
    private static readonly DateTime Entered = new(2027, 11, 20, 10, 0, 0, DateTimeKind.Utc);

    private static MissedTimers.Planned Email(string id, TimeSpan before, string to = "applicant") =>
        new(new TimerDefinition { Id = id, Email = new EmailDefinition { Template = "t", To = to } }, Entered - before, null);

    private static MissedTimers.Planned Task(string id, TimeSpan before) =>
        new(new TimerDefinition { Id = id, Task = new TaskDefinition { Id = "chase", Title = "Chase", Role = "GrantOfficer" } }, Entered - before, null);

    private static MissedTimers.Planned Trigger(string id, TimeSpan before) =>
        new(new TimerDefinition { Id = id, Fire = "open" }, Entered - before, null);

    private static List<string> Skipped(IEnumerable<MissedTimers.Planned> planned, params string[] emailedOnEntry) =>
        MissedTimers.ToSkip(planned.ToList(), Entered, emailedOnEntry).Select(p => p.Spec.Id).Order().ToList();

    [Fact]
    public void Of_missed_reminders_only_the_latest_to_each_recipient_fires()
    {
        var planned = new[]
        {
            Email("before", TimeSpan.FromDays(20)), Email("on-the-day", TimeSpan.FromDays(17)), Email("after", TimeSpan.FromDays(10)),
            Email("staff-early", TimeSpan.FromDays(9), "role:GrantOfficer"), Email("staff-late", TimeSpan.FromDays(2), "role:GrantOfficer"),
            Email("future", -TimeSpan.FromDays(3)),
        };
        Assert.Equal(["before", "on-the-day", "staff-early"], Skipped(planned));
    }

    [Fact]
    public void A_recipient_the_stage_has_just_emailed_gets_no_missed_reminder_and_an_escalation_opens_once()
    {
        var planned = new[] { Email("before", TimeSpan.FromDays(20)), Email("after", TimeSpan.FromDays(10)), Task("escalation", TimeSpan.FromDays(3)) };
        Assert.Equal(["after", "before"], Skipped(planned, "role:Applicant"));
    }

    [Fact]
    public void Triggers_always_fire_and_a_moment_within_the_grace_is_not_missed()
    {
        var planned = new[]
        {
            Trigger("opens", TimeSpan.FromDays(200)), Email("just-now", MissedTimers.Grace - TimeSpan.FromMinutes(1)),
            Email("earlier", TimeSpan.FromDays(1)),
        };
        Assert.Empty(Skipped(planned));
    }
}
