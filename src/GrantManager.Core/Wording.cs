using System.Globalization;

namespace GrantManager.Core;

/// <summary>Counts in words, one way everywhere: "1 grant", "2,000 grants", "this application", "these 3 applications".</summary>
public static class Wording
{
    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>The noun for a count: <paramref name="one"/> for 1, otherwise <paramref name="many"/> (by default <paramref name="one"/> with an s).</summary>
    public static string Noun(long count, string one, string? many = null) => count == 1 ? one : many ?? one + "s";

    /// <summary>The count and its noun: "1 grant", "2,000 grants".</summary>
    public static string Count(long count, string one, string? many = null) => $"{count.ToString("#,0", EnGb)} {Noun(count, one, many)}";

    /// <summary>"this application" for one, "these 3 applications" for more.</summary>
    public static string These(long count, string one, string? many = null) => count == 1 ? $"this {one}" : $"these {Count(count, one, many)}";
}
