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

    private static TimeZoneInfo Find()
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById("Europe/London"); }
        catch (TimeZoneNotFoundException) { return TimeZoneInfo.Utc; }
    }
}
