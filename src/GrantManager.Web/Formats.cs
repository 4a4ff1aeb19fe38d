using System.Globalization;

namespace GrantManager.Web;

/// <summary>How the service writes money and dates: en-GB, UK time.</summary>
public static class Formats
{
    public static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");
    private static readonly TimeZoneInfo London = FindLondon();

    public static DateTime ToLondon(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(System.DateTime.SpecifyKind(utc, DateTimeKind.Utc), London);
    public static string Date(DateTime utc) => ToLondon(utc).ToString("d MMMM yyyy", EnGb);
    public static string DateAndTime(DateTime utc) => ToLondon(utc).ToString("d MMMM yyyy 'at' h:mmtt", EnGb).Replace("AM", "am").Replace("PM", "pm");
    public static string Money(decimal pounds) => pounds.ToString(pounds == decimal.Truncate(pounds) ? "C0" : "C2", EnGb);

    private static TimeZoneInfo FindLondon()
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById("Europe/London"); }
        catch (TimeZoneNotFoundException) { return TimeZoneInfo.Utc; }
    }
}
