using System.Globalization;

namespace GrantManager.Core;

/// <summary>Money as people read and type it: pounds with pence when there are any, in en-GB.</summary>
public static class Money
{
    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>The largest amount the service takes anywhere: more than any grant, and well inside what storage in pence holds.</summary>
    public const decimal Largest = 1_000_000_000m;

    /// <summary>£4,500.50, or £3,000 for whole pounds: the same on pages, in emails and in exports.</summary>
    public static string Format(decimal pounds) =>
        pounds.ToString(pounds == decimal.Truncate(pounds) ? "C0" : "C2", EnGb);

    public enum ParseResult { Empty, Ok, NotAnAmount, TooPrecise, TooLarge, Negative }

    /// <summary>Reads what someone typed: "£4,500.50", "4500.5", " 250 ". Pounds and pence only, up to <see cref="Largest"/>.</summary>
    public static ParseResult TryParse(string? text, out decimal pounds)
    {
        pounds = 0;
        var cleaned = text?.Replace("£", "").Replace(",", "").Replace(" ", "").Trim();
        if (string.IsNullOrEmpty(cleaned)) return ParseResult.Empty;
        // Digits with at most one point: no exponents, no signs other than a leading minus, nothing a decimal cannot hold.
        if (!System.Text.RegularExpressions.Regex.IsMatch(cleaned, @"^-?\d{1,15}(\.\d+)?$")) return
            System.Text.RegularExpressions.Regex.IsMatch(cleaned, @"^-?\d+(\.\d+)?$") ? ParseResult.TooLarge : ParseResult.NotAnAmount;
        if (!decimal.TryParse(cleaned, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out pounds))
            return ParseResult.NotAnAmount;
        if (pounds < 0) return ParseResult.Negative;
        if (pounds > Largest) return ParseResult.TooLarge;
        if (decimal.Round(pounds, 2) != pounds) return ParseResult.TooPrecise;
        return ParseResult.Ok;
    }

    /// <summary>What to tell someone whose amount could not be read, naming the field.</summary>
    public static string Problem(ParseResult result, string label) => result switch
    {
        ParseResult.TooPrecise => $"{label} must be in pounds and pence, with no more than 2 decimal places",
        ParseResult.TooLarge => $"{label} must be {Format(Largest)} or less",
        ParseResult.Negative => $"{label} must not be a negative amount",
        _ => $"{label} must be in pounds, like 4,500 or 4,500.50",
    };
}
