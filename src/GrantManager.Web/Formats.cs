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
}
