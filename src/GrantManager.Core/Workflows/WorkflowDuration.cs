using System.Globalization;
using System.Text.RegularExpressions;

namespace GrantManager.Core.Workflows;

/// <summary>
/// An ISO 8601 duration such as <c>P14D</c>, <c>-P3D</c>, <c>P3M</c> or <c>PT12H</c>. Months and
/// years are calendar months (31 January + P1M = 28 or 29 February), so schedules stay on dates.
/// </summary>
public readonly partial record struct WorkflowDuration(bool Negative, int Years, int Months, int Days, TimeSpan Time)
{
    public static readonly WorkflowDuration Zero = new(false, 0, 0, 0, TimeSpan.Zero);

    public static bool TryParse(string? text, out WorkflowDuration duration)
    {
        duration = Zero;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var m = Pattern().Match(text.Trim());
        if (!m.Success || text.Trim() is "P" or "-P" || text.TrimEnd().EndsWith('T')) return false;
        // Figures too long for a number are not a duration anyone meant.
        if (CappedGroups.Any(g => m.Groups[g].Success && m.Groups[g].Value.Length > 6)
            || m.Groups["s"].Success && m.Groups["s"].Value.Length > 9) return false;
        int Int(string g) => m.Groups[g].Success ? int.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture) : 0;
        var weeks = Int("w");
        var time = new TimeSpan(Int("h"), Int("min"), 0)
            + (m.Groups["s"].Success ? TimeSpan.FromSeconds(double.Parse(m.Groups["s"].Value, CultureInfo.InvariantCulture)) : TimeSpan.Zero);
        duration = new WorkflowDuration(m.Groups["neg"].Success, Int("y"), Int("mo"), Int("d") + 7 * weeks, time);
        return true;
    }

    public static WorkflowDuration Parse(string text) =>
        TryParse(text, out var d) ? d : throw new FormatException($"'{text}' is not an ISO 8601 duration such as P14D, -P3D, P3M or PT12H");

    /// <summary>The moment this duration after (or, when negative, before) <paramref name="from"/>.</summary>
    public DateTime AddTo(DateTime from)
    {
        var sign = Negative ? -1 : 1;
        return from.AddYears(sign * Years).AddMonths(sign * Months).AddDays(sign * Days).Add(Negative ? -Time : Time);
    }

    public override string ToString()
    {
        var s = (Negative ? "-P" : "P") + (Years > 0 ? $"{Years}Y" : "") + (Months > 0 ? $"{Months}M" : "") + (Days > 0 ? $"{Days}D" : "");
        if (Time > TimeSpan.Zero)
            s += "T" + (Time.Hours > 0 ? $"{Time.Hours}H" : "") + (Time.Minutes > 0 ? $"{Time.Minutes}M" : "") + (Time.Seconds > 0 ? $"{Time.Seconds}S" : "");
        return s is "P" or "-P" ? "P0D" : s;
    }

    [GeneratedRegex(@"^(?<neg>-)?P(?:(?<y>\d+)Y)?(?:(?<mo>\d+)M)?(?:(?<w>\d+)W)?(?:(?<d>\d+)D)?(?:T(?:(?<h>\d+)H)?(?:(?<min>\d+)M)?(?:(?<s>\d+(?:\.\d+)?)S)?)?$")]
    private static partial Regex Pattern();

    private static readonly string[] CappedGroups = ["y", "mo", "w", "d", "h", "min"];
}
