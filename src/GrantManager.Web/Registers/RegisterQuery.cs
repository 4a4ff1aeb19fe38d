using System.Globalization;
using GrantManager.Core.Applications;
using Microsoft.AspNetCore.WebUtilities;

namespace GrantManager.Web.Registers;

/// <summary>
/// Reads a register's filters from the address (the page and the API take the same names) and
/// writes them back, so that a view can be bookmarked, shared, paged, sorted and exported as it is.
/// A value that cannot be read is an error naming its field.
/// </summary>
public static class RegisterQuery
{
    public static readonly string[] Names = ["q", "fundId", "roundId", "status", "stage", "district", "assignedTo", "amountFrom", "amountTo", "submittedFrom", "submittedTo", "sort", "desc"];

    public static (RegisterFilter Filter, Dictionary<string, string[]> Errors) Read(IQueryCollection query)
    {
        var errors = new Dictionary<string, string[]>();
        string? Text(string name) => query.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v.ToString()) ? v.ToString().Trim() : null;
        int? Int(string name, string label)
        {
            if (Text(name) is not { } t) return null;
            if (int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return n;
            errors[name] = [$"{label} must be chosen from the list"];
            return null;
        }
        decimal? Pounds(string name, string label)
        {
            if (Text(name) is not { } t) return null;
            if (decimal.TryParse(t.TrimStart('£').Replace(",", ""), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d) && d < 100_000_000m) return d;
            errors[name] = [$"{label} must be an amount in pounds, like 2500"];
            return null;
        }
        DateOnly? Day(string name, string label)
        {
            if (Text(name) is not { } t) return null;
            if (DateOnly.TryParseExact(t, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                || DateOnly.TryParseExact(t, ["d/M/yyyy", "d M yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out d)) return d;
            errors[name] = [$"{label} must be a date, like 31/3/2027"];
            return null;
        }
        var sort = Text("sort");
        if (sort is not null && !ApplicationRegister.SortColumns.Contains(sort))
        {
            errors["sort"] = [$"Sort by one of {string.Join(", ", ApplicationRegister.SortColumns)}"];
            sort = null;
        }
        var status = Text("status");
        if (status is not null && !ApplicationStatus.All.Contains(status))
        {
            errors["status"] = [$"Status must be one of {string.Join(", ", ApplicationStatus.All)}"];
            status = null;
        }
        var filter = new RegisterFilter
        {
            Q = Text("q") is { Length: > 200 } tooLong ? tooLong[..200] : Text("q"),
            FundId = Int("fundId", "Fund"), RoundId = Int("roundId", "Round"), Status = status, Stage = Text("stage"), District = Text("district"),
            AssignedTo = Text("assignedTo"), AmountFrom = Pounds("amountFrom", "Amount from"), AmountTo = Pounds("amountTo", "Amount to"),
            SubmittedFrom = Day("submittedFrom", "Submitted from"), SubmittedTo = Day("submittedTo", "Submitted to"), Sort = sort,
            Descending = Text("desc") is { } d ? d is "true" or "1" : null,
        };
        if (filter.AmountFrom > filter.AmountTo) errors["amountTo"] = ["Amount to must be the same as or more than amount from"];
        if (filter.SubmittedFrom > filter.SubmittedTo) errors["submittedTo"] = ["Submitted to must be the same as or after submitted from"];
        return (filter, errors);
    }

    /// <summary>The filter as query-string pairs, in a stable order.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Pairs(RegisterFilter f) => new KeyValuePair<string, string?>[]
    {
        new("q", f.Q), new("fundId", f.FundId?.ToString(CultureInfo.InvariantCulture)), new("roundId", f.RoundId?.ToString(CultureInfo.InvariantCulture)),
        new("status", f.Status), new("stage", f.Stage), new("district", f.District), new("assignedTo", f.AssignedTo),
        new("amountFrom", f.AmountFrom?.ToString(CultureInfo.InvariantCulture)), new("amountTo", f.AmountTo?.ToString(CultureInfo.InvariantCulture)),
        new("submittedFrom", f.SubmittedFrom?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        new("submittedTo", f.SubmittedTo?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        new("sort", f.Sort), new("desc", f.Descending is bool d ? (d ? "true" : "false") : null),
    }.Where(p => !string.IsNullOrEmpty(p.Value));

    public static string Url(string path, RegisterFilter f, params (string Key, string? Value)[] extra) =>
        QueryHelpers.AddQueryString(path, Pairs(f).Concat(extra.Where(e => e.Value is not null).Select(e => new KeyValuePair<string, string?>(e.Key, e.Value))));
}
