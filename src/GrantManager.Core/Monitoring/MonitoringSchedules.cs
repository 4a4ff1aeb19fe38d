using System.Text.Json;
using GrantManager.Core.Grants;
using GrantManager.Core.Workflows;

namespace GrantManager.Core.Monitoring;

/// <summary>How a fund's grants report, from <c>workflows/funds/CODE.json</c>: every timing is an ISO 8601 duration.</summary>
/// <param name="ReminderTime">The UK time of day reminders go out, offsets counting from it on the due day.</param>
/// <param name="Workflow">The workflow each return runs on (its reminders and escalation are there, as durations).</param>
public sealed record MonitoringSettings(WorkflowDuration Period, bool CalendarQuarters, WorkflowDuration FinalReport,
    TimeOnly ReminderTime, string Workflow = MonitoringSettings.DefaultWorkflow)
{
    public const string DefaultWorkflow = "monitoring-return";
    public static readonly MonitoringSettings Default = new(WorkflowDuration.Parse("P3M"), true, WorkflowDuration.Parse("P1M"), new TimeOnly(9, 0));

    /// <summary>How long after the end of its period each periodic return is due (the final report has <see cref="FinalReport"/>).</summary>
    public WorkflowDuration DueAfter { get; init; } = WorkflowDuration.Parse("P1M");

    /// <summary>When a return sent back for changes is due again, unless the officer sets a date.</summary>
    public WorkflowDuration ChangesDue { get; init; } = WorkflowDuration.Parse("P14D");

    public DateOnly ChangesDueFrom(DateOnly today) => DateOnly.FromDateTime(ChangesDue.AddTo(today.ToDateTime(TimeOnly.MinValue)));
}

/// <summary>The funds' monitoring settings, read and checked at start-up.</summary>
public sealed class MonitoringSchedules(IReadOnlyDictionary<string, MonitoringSettings> byFund)
{
    public MonitoringSettings For(string fundCode) => byFund.GetValueOrDefault(fundCode, MonitoringSettings.Default);

    /// <summary>Every fund's return workflow, and the payment workflow, must be loaded: checked at start-up.</summary>
    public void CheckWorkflows(WorkflowRegistry registry)
    {
        var problems = byFund.Where(f => registry.Find(f.Value.Workflow) is null)
            .Select(f => new WorkflowProblem($"funds/{f.Key}.json", "$.monitoring.workflow", $"no workflow '{f.Value.Workflow}' is loaded"))
            .ToList();
        foreach (var id in new[] { MonitoringSettings.DefaultWorkflow, GrantWorkflows.PaymentWorkflow }.Where(id => registry.Find(id) is null))
            problems.Add(new WorkflowProblem($"{id}.json", "$", $"the workflow '{id}' that grants are monitored and paid with is missing"));
        if (problems.Count > 0) throw new WorkflowLoadException("funds", problems);
    }

    public static MonitoringSchedules Load(string workflowsFolder)
    {
        var folder = Path.Combine(workflowsFolder, "funds");
        var settings = new Dictionary<string, MonitoringSettings>(StringComparer.Ordinal);
        var problems = new List<WorkflowProblem>();
        if (!Directory.Exists(folder)) return new MonitoringSchedules(settings);
        foreach (var path in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            var file = "funds/" + Path.GetFileName(path);
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(path));
                var root = doc.RootElement;
                var fund = root.TryGetProperty("fund", out var f) ? f.GetString() : null;
                if (string.IsNullOrWhiteSpace(fund)) { problems.Add(new(file, "$.fund", "name the fund by its code, like LWK")); continue; }
                if (!root.TryGetProperty("monitoring", out var m)) { problems.Add(new(file, "$.monitoring", "the monitoring settings are missing")); continue; }
                WorkflowDuration Duration(string name, string fallback)
                {
                    var text = m.TryGetProperty(name, out var v) ? v.GetString() : fallback;
                    var parsed = WorkflowDuration.TryParse(text, out var d);
                    if (parsed && !d.Negative) return d;
                    problems.Add(new(file, $"$.monitoring.{name}", parsed ? $"'{text}' must not be negative: a duration such as P3M" : $"'{text}' is not an ISO 8601 duration such as P3M"));
                    return WorkflowDuration.Zero;
                }
                var period = Duration("period", "P3M");
                var final = Duration("finalReport", "P1M");
                var changesDue = Duration("changesDue", "P14D");
                var dueAfter = Duration("dueAfter", "P1M");
                // Longer than a year would put a return after the next ones, and is surely a slip.
                if (!AtMostAYear(dueAfter))
                    problems.Add(new(file, "$.monitoring.dueAfter", $"'{dueAfter}' is longer than a year: a return is due this long after its period ends, like P1M"));
                var align = m.TryGetProperty("align", out var a) ? a.GetString() : "calendar-quarters";
                if (align is not ("calendar-quarters" or "start-date"))
                    problems.Add(new(file, "$.monitoring.align", $"'{align}' is not calendar-quarters or start-date"));
                if (period == WorkflowDuration.Zero) problems.Add(new(file, "$.monitoring.period", "the period must be longer than nothing"));
                var timeText = m.TryGetProperty("reminderTime", out var rt) ? rt.GetString() : "09:00";
                if (!TimeOnly.TryParseExact(timeText, "HH:mm", out var reminderTime))
                    problems.Add(new(file, "$.monitoring.reminderTime", $"'{timeText}' is not a time of day like 09:00"));
                var workflow = m.TryGetProperty("workflow", out var w) ? w.GetString() : MonitoringSettings.DefaultWorkflow;
                if (string.IsNullOrWhiteSpace(workflow)) problems.Add(new(file, "$.monitoring.workflow", "name the workflow returns run on, like monitoring-return"));
                settings[fund!] = new MonitoringSettings(period, align == "calendar-quarters", final, reminderTime, workflow ?? MonitoringSettings.DefaultWorkflow)
                {
                    ChangesDue = changesDue,
                    DueAfter = dueAfter,
                };
            }
            catch (JsonException e)
            {
                problems.Add(new(file, e.Path ?? "$", $"not valid JSON: {e.Message}"));
            }
        }
        if (problems.Count > 0) throw new WorkflowLoadException(folder, problems);
        return new MonitoringSchedules(settings);
    }

    /// <summary>
    /// The returns for a grant: one per period (to each calendar quarter's end, or every period from
    /// the start date) up to the end, each due <see cref="MonitoringSettings.DueAfter"/> after its period ends, then the final report. The return nearest the middle releases
    /// the midpoint payment; the final report releases the final one.
    /// </summary>
    public static List<MonitoringReturn> Plan(DateOnly start, DateOnly end, MonitoringSettings settings, IReadOnlyList<Instalment> instalments)
    {
        var returns = new List<MonitoringReturn>();
        var periodStart = start;
        while (true)
        {
            var periodEnd = settings.CalendarQuarters ? QuarterEnd(periodStart) : DateOnly.FromDateTime(settings.Period.AddTo(periodStart.ToDateTime(TimeOnly.MinValue))).AddDays(-1);
            if (periodEnd >= end) break;
            returns.Add(new MonitoringReturn
            {
                Period = settings.CalendarQuarters ? $"Quarter to {periodEnd:d MMMM yyyy}" : $"{periodStart:d MMMM yyyy} to {periodEnd:d MMMM yyyy}",
                PeriodStart = periodStart, PeriodEnd = periodEnd, DueOn = After(periodEnd, settings.DueAfter),
            });
            periodStart = periodEnd.AddDays(1);
        }
        var finalDue = After(end, settings.FinalReport);
        returns.Add(new MonitoringReturn { Period = "Final report", PeriodStart = start, PeriodEnd = end, DueOn = finalDue, IsFinal = true });

        var middle = start.AddDays((end.DayNumber - start.DayNumber) / 2);
        var midpoint = returns.Where(r => !r.IsFinal).MinBy(r => Math.Abs(r.PeriodEnd.DayNumber - middle.DayNumber));
        foreach (var (r, i) in returns.Select((r, i) => (r, i)))
        {
            r.Sequence = i + 1;
            r.DueAt = Configuration.UkTime.EndOfDay(r.DueOn);
            r.Status = ReturnStatus.Upcoming;
            var releases = r.IsFinal ? "final" : r == midpoint ? "midpoint" : null;
            r.ReleasesInstalment = releases is null ? null : instalments.FirstOrDefault(x => x.ReleasedBy == releases)?.Sequence;
        }
        return returns;
    }

    private static bool AtMostAYear(WorkflowDuration d)
    {
        try { return d.AddTo(new DateTime(2027, 1, 1)) <= new DateTime(2028, 1, 1); }
        catch (ArgumentOutOfRangeException) { return false; }
    }

    private static DateOnly After(DateOnly day, WorkflowDuration duration) => DateOnly.FromDateTime(duration.AddTo(day.ToDateTime(TimeOnly.MinValue)));

    private static DateOnly QuarterEnd(DateOnly day)
    {
        var quarterEndMonth = ((day.Month - 1) / 3 + 1) * 3;
        return new DateOnly(day.Year, quarterEndMonth, DateTime.DaysInMonth(day.Year, quarterEndMonth));
    }
}
