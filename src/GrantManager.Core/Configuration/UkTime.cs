namespace GrantManager.Core.Configuration;

/// <summary>The UK's clock: dates people see and deadlines are UK days, stored as UTC.</summary>
public static class UkTime
{
    public static readonly TimeZoneInfo London = Find();

    /// <summary>The first moment of a UK day, in UTC.</summary>
    public static DateTime StartOfDay(DateOnly day) => TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(TimeOnly.MinValue), London);

    /// <summary>The UK day a UTC moment falls on.</summary>
    public static DateOnly DayOf(DateTime utc) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), London));

    /// <summary>The last second of a UK day, in UTC.</summary>
    public static DateTime EndOfDay(DateOnly day) => StartOfDay(day.AddDays(1)).AddSeconds(-1);

    /// <summary>A UTC moment as UK time in the service's one style: "1 March 2027 at 8:07pm".</summary>
    public static string DateAndTime(DateTime utc) => $"{Local(utc).ToString("d MMMM yyyy", EnGb)} at {Time(utc)}";

    /// <summary>A UTC moment's UK time of day: "8:07pm", "9:00am".</summary>
    public static string Time(DateTime utc) =>
        Local(utc).ToString("h:mm", EnGb) + (Local(utc).Hour < 12 ? "am" : "pm");

    private static DateTime Local(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), London);

    private static readonly System.Globalization.CultureInfo EnGb = System.Globalization.CultureInfo.GetCultureInfo("en-GB");

    private static TimeZoneInfo Find()
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById("Europe/London"); }
        catch (TimeZoneNotFoundException) { return TimeZoneInfo.Utc; }
    }
}
