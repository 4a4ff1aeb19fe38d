using System.Globalization;
using GrantManager.Core.Applications;
using GrantManager.Core.Grants;
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

    /// <summary>Reads one field at a time, noting what cannot be read against its name.</summary>
    private sealed class Reader(IQueryCollection query)
    {
        public Dictionary<string, string[]> Errors { get; } = new();

        public string? Text(string name) => query.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v.ToString()) ? v.ToString().Trim() : null;

        public string? Search()
        {
            var q = Text("q") is { Length: > 200 } tooLong ? tooLong[..200] : Text("q");
            if (q is null || ApplicationRegister.Words(q).Count > 0) return q;
            // Only letters and digits are searched for, so "%" or "-" alone would otherwise match everything.
            Errors["q"] = ["Search must include a letter or a number"];
            return null;
        }

        public int? Int(string name, string label)
        {
            if (Text(name) is not { } t) return null;
            if (int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return n;
            Errors[name] = [$"{label} must be chosen from the list"];
            return null;
        }

        public decimal? Pounds(string name, string label)
        {
            if (Text(name) is not { } t) return null;
            if (decimal.TryParse(t.TrimStart('£').Replace(",", ""), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d) && d < 100_000_000m) return d;
            Errors[name] = [$"{label} must be an amount in pounds, like 2500"];
            return null;
        }

        public DateOnly? Day(string name, string label)
        {
            if (Text(name) is not { } t) return null;
            if (DateOnly.TryParseExact(t, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                || DateOnly.TryParseExact(t, ["d/M/yyyy", "d M yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out d)) return d;
            Errors[name] = [$"{label} must be a date, like 31/3/2027"];
            return null;
        }

        public string? OneOf(string name, string label, IReadOnlyCollection<string> allowed)
        {
            var value = Text(name);
            if (value is null || allowed.Contains(value)) return value;
            Errors[name] = [$"{label} must be one of {string.Join(", ", allowed)}"];
            return null;
        }

        public bool? Flag(string name) => Text(name) is { } d ? d is "true" or "1" : null;

        public void Range<T>(T? from, T? to, string name, string message) where T : struct, IComparable<T>
        {
            if (from is T f && to is T t && f.CompareTo(t) > 0) Errors[name] = [message];
        }
    }

    public static (RegisterFilter Filter, Dictionary<string, string[]> Errors) Read(IQueryCollection query)
    {
        var r = new Reader(query);
        var filter = new RegisterFilter
        {
            Q = r.Search(), FundId = r.Int("fundId", "Fund"), RoundId = r.Int("roundId", "Round"), Status = r.OneOf("status", "Status", ApplicationStatus.All),
            Stage = r.Text("stage"), District = r.Text("district"), AssignedTo = r.Text("assignedTo"),
            AmountFrom = r.Pounds("amountFrom", "Amount from"), AmountTo = r.Pounds("amountTo", "Amount to"),
            SubmittedFrom = r.Day("submittedFrom", "Submitted from"), SubmittedTo = r.Day("submittedTo", "Submitted to"),
            Sort = r.OneOf("sort", "Sort", ApplicationRegister.SortColumns), Descending = r.Flag("desc"),
        };
        r.Range(filter.AmountFrom, filter.AmountTo, "amountTo", "Amount to must be the same as or more than amount from");
        r.Range(filter.SubmittedFrom, filter.SubmittedTo, "submittedTo", "Submitted to must be the same as or after submitted from");
        return (filter, r.Errors);
    }

    public static (GrantFilter Filter, Dictionary<string, string[]> Errors) ReadGrants(IQueryCollection query)
    {
        var r = new Reader(query);
        var filter = new GrantFilter
        {
            Q = r.Search(), FundId = r.Int("fundId", "Fund"), Status = r.OneOf("status", "Status", GrantRegister.Statuses), District = r.Text("district"),
            Late = r.Flag("late") == true, AmountFrom = r.Pounds("amountFrom", "Amount from"), AmountTo = r.Pounds("amountTo", "Amount to"),
            AwardedFrom = r.Day("awardedFrom", "Awarded from"), AwardedTo = r.Day("awardedTo", "Awarded to"),
            Sort = r.OneOf("sort", "Sort", GrantRegister.SortColumns), Descending = r.Flag("desc"),
        };
        r.Range(filter.AmountFrom, filter.AmountTo, "amountTo", "Amount to must be the same as or more than amount from");
        r.Range(filter.AwardedFrom, filter.AwardedTo, "awardedTo", "Awarded to must be the same as or after awarded from");
        return (filter, r.Errors);
    }

    public static IEnumerable<KeyValuePair<string, string?>> Pairs(GrantFilter f) => new KeyValuePair<string, string?>[]
    {
        new("q", f.Q), new("fundId", f.FundId?.ToString(CultureInfo.InvariantCulture)), new("status", f.Status), new("district", f.District),
        new("late", f.Late ? "true" : null), new("amountFrom", f.AmountFrom?.ToString(CultureInfo.InvariantCulture)),
        new("amountTo", f.AmountTo?.ToString(CultureInfo.InvariantCulture)),
        new("awardedFrom", f.AwardedFrom?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), new("awardedTo", f.AwardedTo?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        new("sort", f.Sort), new("desc", f.Descending is bool d ? (d ? "true" : "false") : null),
    }.Where(p => !string.IsNullOrEmpty(p.Value));

    public static string Url(string path, GrantFilter f, params (string Key, string? Value)[] extra) =>
        QueryHelpers.AddQueryString(path, Pairs(f).Concat(extra.Where(e => e.Value is not null).Select(e => new KeyValuePair<string, string?>(e.Key, e.Value))));

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
