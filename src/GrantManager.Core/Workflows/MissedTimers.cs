namespace GrantManager.Core.Workflows;

/// <summary>
/// What happens to a stage's timers whose moment had already passed when the stage was entered
/// (a return for a period long gone, opened on the day the grant is awarded). Without this rule
/// every one of them would fire at once: "due in three days", "due today" and "overdue" in the
/// same few seconds. The rule, in one place:
/// <list type="bullet">
/// <item>A timer is <em>missed</em> when its moment is more than <see cref="Grace"/> before the stage was entered;
/// within the grace it simply fires at once, as it always has.</item>
/// <item>A missed timer that fires a trigger still fires at once: it moves the flow on (the return opens, a deadline passes).</item>
/// <item>Of missed reminders (emails) only the latest to each recipient fires at once, and none to a recipient the
/// stage has just emailed on entry: they have just heard about it. Of missed escalations (tasks) only the latest
/// of each task opens.</item>
/// <item>Every other missed timer is skipped: kept as a <see cref="WorkflowTimerStatus.Skipped"/> row and in the
/// instance's history, never sent.</item>
/// </list>
/// </summary>
public static class MissedTimers
{
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(15);

    /// <summary>A timer the stage is about to set: its definition, its moment, and the task it belongs to (for taskDue timers).</summary>
    public sealed record Planned(TimerDefinition Spec, DateTime DueAt, InboxTask? Task);

    /// <summary>The planned timers to record as skipped rather than fire.</summary>
    /// <param name="emailedOnEntry">The recipients (<c>to</c>) of the emails the stage sent as it was entered.</param>
    public static IReadOnlySet<Planned> ToSkip(IReadOnlyList<Planned> planned, DateTime enteredAt, IEnumerable<string> emailedOnEntry)
    {
        var missed = planned.Where(p => p.DueAt < enteredAt - Grace && p.Spec.Fire is null).ToList();
        if (missed.Count == 0) return new HashSet<Planned>();
        var heard = emailedOnEntry.Select(Recipient).ToHashSet(StringComparer.Ordinal);
        var kept = missed.GroupBy(Kind).Select(g => g.MaxBy(p => p.DueAt)!)
            .Where(p => p.Spec.Email is null || !heard.Contains(Recipient(p.Spec.Email.To)));
        return missed.Except(kept).ToHashSet();
    }

    private static (string, InboxTask?) Kind(Planned p) =>
        p.Spec.Email is { } email ? ("email " + Recipient(email.To), p.Task) : ("task " + p.Spec.Task?.Id, p.Task);

    /// <summary>"role:Applicant" is the applicant too.</summary>
    private static string Recipient(string to) => to == "role:Applicant" ? "applicant" : to;
}
