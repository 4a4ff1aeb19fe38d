using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ModelBinding.Metadata;

namespace GrantManager.Web.Forms;

/// <summary>
/// A GOV.UK date input as typed: day, month and year, posted as <c>PREFIXDay</c>, <c>PREFIXMonth</c>
/// and <c>PREFIXYear</c> (<c>Input.StartDay</c> for a property <c>Start</c> bound under <c>Input</c>).
/// Bound by <see cref="GovUkDateBinder"/>, which reports what is wrong with it in GOV.UK's words.
/// </summary>
public sealed record GovUkDate(string? Day, string? Month, string? Year)
{
    public static readonly GovUkDate Empty = new(null, null, null);

    /// <summary>The first year and last year the service takes in a date field.</summary>
    public const int FirstYear = 2000, LastYear = 2100;

    public static GovUkDate Of(DateOnly? date) => date is { } d
        ? new(d.Day.ToString(CultureInfo.InvariantCulture), d.Month.ToString(CultureInfo.InvariantCulture), d.Year.ToString(CultureInfo.InvariantCulture))
        : Empty;

    /// <summary>Anything typed in any of the three fields.</summary>
    public bool Given => !Blank(Day) || !Blank(Month) || !Blank(Year);

    /// <summary>The date, when the three fields make a real one from <see cref="FirstYear"/> to <see cref="LastYear"/>.</summary>
    public DateOnly? Date =>
        int.TryParse(Day, NumberStyles.Integer, CultureInfo.InvariantCulture, out var d)
        && int.TryParse(Month, NumberStyles.Integer, CultureInfo.InvariantCulture, out var m)
        && int.TryParse(Year, NumberStyles.Integer, CultureInfo.InvariantCulture, out var y)
        && y is >= FirstYear and <= LastYear && m is >= 1 and <= 12 && d >= 1 && d <= DateTime.DaysInMonth(y, m)
            ? new DateOnly(y, m, d) : null;

    /// <summary>The parts left blank when others were typed, in the order the page shows them.</summary>
    public IReadOnlyList<string> Missing => !Given ? [] :
        new[] { ("day", Day), ("month", Month), ("year", Year) }.Where(p => Blank(p.Item2)).Select(p => p.Item1).ToList();

    /// <summary>What the binder found wrong: the field (Day, Month or Year) it belongs to and the message.</summary>
    public (string Part, string Message)? Problem { get; init; }

    /// <summary>Puts the problem back on the page's fields (for a page that clears its model state before checking its own form).</summary>
    public void Report(ModelStateDictionary state, string prefix)
    {
        if (Problem is { } p) state.AddModelError(prefix + p.Part, p.Message);
    }

    private static bool Blank(string? s) => string.IsNullOrWhiteSpace(s);
}

/// <summary>
/// Marks a <see cref="GovUkDate"/> property and names it for its messages: <c>[DateInput("the start date")]</c>.
/// <see cref="Example"/> ends "must be a real date" with ", like …"; <see cref="Required"/> makes a blank
/// date "Enter the start date".
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class DateInputAttribute(string name) : ModelBinderAttribute(typeof(GovUkDateBinder))
{
    /// <summary>As it reads inside a sentence: "the start date".</summary>
    public string Label { get; } = name;
    public string? Example { get; init; }
    public bool Required { get; init; }
}

public sealed class GovUkDateBinder : IModelBinder
{
    private static readonly string[] Parts = ["Day", "Month", "Year"];

    public Task BindModelAsync(ModelBindingContext bindingContext)
    {
        var prefix = bindingContext.ModelName;
        var values = new string?[3];
        for (var i = 0; i < Parts.Length; i++)
        {
            var key = prefix + Parts[i];
            var value = bindingContext.ValueProvider.GetValue(key);
            if (value == ValueProviderResult.None) continue;
            bindingContext.ModelState.SetModelValue(key, value);
            // Validation visits the property, not its three fields: each is valid unless its problem is added below.
            bindingContext.ModelState.MarkFieldValid(key);
            values[i] = value.FirstValue?.Trim();
        }
        var date = new GovUkDate(values[0], values[1], values[2]);
        var attribute = (bindingContext.ModelMetadata as DefaultModelMetadata)?.Attributes.Attributes.OfType<DateInputAttribute>().FirstOrDefault();
        var problem = ProblemWith(date, attribute?.Label ?? "the date", attribute?.Example, attribute?.Required ?? false);
        if (problem is { } p) bindingContext.ModelState.TryAddModelError(prefix + p.Part, p.Message);
        bindingContext.Result = ModelBindingResult.Success(date with { Problem = problem });
        return Task.CompletedTask;
    }

    /// <summary>GOV.UK's messages for a date input: enter it, what it must include, or that it must be a real date.</summary>
    public static (string Part, string Message)? ProblemWith(GovUkDate date, string name, string? example, bool required)
    {
        var Name = char.ToUpperInvariant(name[0]) + name[1..];
        if (!date.Given) return required ? ("Day", $"Enter {name}") : null;
        if (date.Missing is { Count: > 0 } missing)
            return (char.ToUpperInvariant(missing[0][0]) + missing[0][1..], $"{Name} must include a {string.Join(" and ", missing)}");
        if (date.Date is null) return ("Day", $"{Name} must be a real date" + (example is null ? "" : $", like {example}"));
        return null;
    }
}
