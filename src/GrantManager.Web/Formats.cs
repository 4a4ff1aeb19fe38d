using System.Globalization;

namespace GrantManager.Web;

/// <summary>How the service writes money and dates: en-GB, UK time.</summary>
public static class Formats
{
    public static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    public static DateTime ToLondon(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(System.DateTime.SpecifyKind(utc, DateTimeKind.Utc), Core.Configuration.UkTime.London);
    public static string Date(DateTime utc) => ToLondon(utc).ToString("d MMMM yyyy", EnGb);
    public static string DateAndTime(DateTime utc) => Core.Configuration.UkTime.DateAndTime(utc);
    public static string Time(DateTime utc) => Core.Configuration.UkTime.Time(Core.Configuration.UkTime.Local(utc));
    public static string Money(decimal pounds) => Core.Money.Format(pounds);
    /// <summary>A weighted score against its maximum: "67.0 out of 100" (empty when not scored).</summary>
    public static string Score(decimal? score, int outOf) => score is decimal s ? $"{s.ToString("0.0", EnGb)} out of {outOf.ToString(EnGb)}" : "";
    /// <summary>The noun for a count: "grant" for 1, "grants" otherwise.</summary>
    public static string Noun(long count, string one, string? many = null) => Core.Wording.Noun(count, one, many);
    /// <summary>The count and its noun: "1 grant", "2,000 grants".</summary>
    public static string Count(long count, string one, string? many = null) => Core.Wording.Count(count, one, many);
    /// <summary>"this application" for one, "these 3 applications" for more.</summary>
    public static string These(long count, string one, string? many = null) => Core.Wording.These(count, one, many);
}
