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

    /// <summary>A UTC moment as UK time in the service's one style: "1 March 2027 at 8:07pm", "4 January 2027 at 9am".</summary>
    public static string DateAndTime(DateTime utc) => $"{Local(utc).ToString("d MMMM yyyy", EnGb)} at {Time(Local(utc))}";

    /// <summary>A UTC moment in UK time.</summary>
    public static DateTime Local(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), London);

    private static readonly System.Globalization.CultureInfo EnGb = System.Globalization.CultureInfo.GetCultureInfo("en-GB");

    /// <summary>A UK wall-clock time as the service writes it: 8:07pm, 9am.</summary>
    public static string Time(DateTime local) =>
        (local.Minute == 0 ? local.ToString("%h", System.Globalization.CultureInfo.InvariantCulture) : local.ToString("h:mm", System.Globalization.CultureInfo.InvariantCulture))
        + (local.Hour < 12 ? "am" : "pm");

    // Without the time-zone data every deadline would be an hour out for half the year: refuse to start instead.
    private static TimeZoneInfo Find()
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById("Europe/London"); }
        catch (TimeZoneNotFoundException e)
        {
            throw new InvalidOperationException("The Europe/London time zone is not installed on this machine (install the tzdata package); GrantManager needs it for UK deadlines.", e);
        }
    }
}
