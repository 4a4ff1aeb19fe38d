using System.Globalization;
using System.Text;
using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.SocialValue;

/// <summary>A proxy as typed into the form or a row of the CSV: every field as text, checked by <see cref="SocialValueProxies"/>.</summary>
public sealed record ProxyInput(string? MeasureCode, string? PoundsPerUnit, string? Unit, string? Source, string? Licence, string? PriceYear,
    string? DeadweightPercent, string? AttributionPercent, string? AppliesFrom, string? Reason);

/// <summary>A problem in an imported CSV file: the spreadsheet row (the titles are row 1) and column.</summary>
public sealed record ImportProblem(int Row, string Column, string Message)
{
    public override string ToString() => Row == 0 ? Message : Column.Length == 0 ? $"Row {Row}: {Message}" : $"Row {Row}, column {Column}: {Message}";
}

public sealed record ImportResult(int Added, int Unchanged, IReadOnlyList<ImportProblem> Problems)
{
    public bool Stored => Problems.Count == 0;
}

/// <summary>
/// The council's social value proxies in the database: each change is a new version with who made it,
/// when and why; nothing is overwritten. Administrators record them one at a time or import a CSV file.
/// </summary>
public sealed class SocialValueProxies(GrantDbContext db, TimeProvider time)
{
    /// <summary>The CSV's columns, in the order the template gives them, with the field each fills.</summary>
    public static readonly (string Title, string Field)[] Columns =
    [
        ("Measure code", "measureCode"), ("£ per unit", "poundsPerUnit"), ("Unit", "unit"), ("Source", "source"), ("Licence", "licence"),
        ("Price year", "priceYear"), ("Deadweight %", "deadweightPercent"), ("Attribution %", "attributionPercent"),
        ("Applies from", "appliesFrom"), ("Reason", "reason"),
    ];
    public const int MaxImportBytes = 1024 * 1024;
    public const int MaxImportRows = 2000;

    public async Task<ProxyBook> BookAsync(CancellationToken ct = default) =>
        new(await db.Set<ProxyVersion>().AsNoTracking().OrderBy(v => v.MeasureCode).ThenBy(v => v.Version).ToListAsync(ct));

    /// <summary>Every outcome measure code any fund uses, with its name (the first fund's, when funds differ).</summary>
    public async Task<List<(string Code, string Name, string Unit)>> MeasuresAsync(CancellationToken ct = default)
    {
        var all = await db.OutcomeMeasures.AsNoTracking().OrderBy(m => m.FundId).ThenBy(m => m.Order).Select(m => new { m.Code, m.Name, m.Unit }).ToListAsync(ct);
        return all.GroupBy(m => m.Code).Select(g => (g.Key, g.First().Name, g.First().Unit)).ToList();
    }

    /// <summary>Records a new version of one measure's proxy; refused, naming each field, if anything is wrong or nothing changed.</summary>
    public async Task<ProxyVersion> RecordAsync(ProxyInput input, Actor actor, CancellationToken ct = default)
    {
        var known = (await MeasuresAsync(ct)).Select(m => m.Code).ToHashSet();
        var (proxy, errors) = Check(input, known, Today);
        var book = await BookAsync(ct);
        // Nothing changes if the newest version is the same, or the version already valuing that day gives the same figures.
        if (proxy is not null && (book.Latest(proxy.MeasureCode) is { } latest && latest.SameFiguresAs(proxy)
            || book.InForce(proxy.MeasureCode, proxy.AppliesFrom) is { } inForce && inForce.SameValueAs(proxy)))
            errors["poundsPerUnit"] = ["Nothing has changed: change a figure to record a new version"];
        if (errors.Count > 0 || proxy is null) throw new InputException(errors.ToDictionary(e => e.Key, e => e.Value));
        Stamp(proxy, actor, (book.Latest(proxy.MeasureCode)?.Version ?? 0) + 1);
        db.Add(proxy);
        await SaveVersionsAsync(ct);
        return proxy;
    }

    /// <summary>
    /// Imports a CSV file of proxies (the titles in row 1, one measure a row). Every row is checked first and
    /// every problem reported with its row and column; nothing is stored unless every row is right. A row
    /// the same as the measure's newest version is left alone.
    /// </summary>
    public async Task<ImportResult> ImportAsync(Stream csv, Actor actor, CancellationToken ct = default)
    {
        var problems = new List<ImportProblem>();
        string text;
        using (var limited = new MemoryStream())
        {
            await csv.CopyToAsync(limited, ct);
            if (limited.Length == 0) return new(0, 0, [new(0, "", "The file is empty")]);
            if (limited.Length > MaxImportBytes) return new(0, 0, [new(0, "", "The file must be smaller than 1 MB")]);
            try { text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(limited.ToArray()).TrimStart('\uFEFF'); }
            catch (DecoderFallbackException) { return new(0, 0, [new(0, "", "The file must be a CSV file saved as UTF-8")]); }
        }
        var rows = CsvRows(text, out var malformedRow);
        if (malformedRow is int bad) return new(0, 0, [new(bad, "", "a quoted cell is not closed: check the quotation marks")]);
        if (rows.Count < 2) return new(0, 0, [new(0, "", "The file has no proxies: put the column titles in row 1 and one measure in each row below")]);
        if (rows.Count - 1 > MaxImportRows) return new(0, 0, [new(0, "", $"The file must have {MaxImportRows} rows or fewer")]);

        // Row 1: the column titles, in any order.
        var index = new Dictionary<string, int>();
        for (var c = 0; c < rows[0].Count; c++)
        {
            var title = rows[0][c].Trim();
            var column = Columns.FirstOrDefault(x => string.Equals(x.Title, title, StringComparison.OrdinalIgnoreCase));
            if (column.Field is null) { if (title.Length > 0) problems.Add(new(1, Letter(c), $"'{Shorten(title)}' is not a column this file takes; the columns are {string.Join(", ", Columns.Select(x => x.Title))}")); }
            else if (!index.TryAdd(column.Field, c)) problems.Add(new(1, Letter(c), $"the column '{column.Title}' is given twice"));
        }
        foreach (var (title, field) in Columns.Where(x => x.Field != "reason" && !index.ContainsKey(x.Field)))
            problems.Add(new(1, "", $"the column '{title}' is missing"));
        if (problems.Count > 0) return new(0, 0, problems);

        string ColumnOf(string field) => index.TryGetValue(field, out var c) ? $"{Letter(c)} ({Columns.First(x => x.Field == field).Title})" : "";
        var known = (await MeasuresAsync(ct)).Select(m => m.Code).ToHashSet();
        var today = Today;
        var book = await BookAsync(ct);
        var proxies = new List<(int Row, ProxyVersion Proxy)>();
        var seen = new Dictionary<string, int>();
        var unchanged = 0;
        for (var r = 1; r < rows.Count; r++)
        {
            var cells = rows[r];
            if (cells.All(string.IsNullOrWhiteSpace)) continue;
            var rowNumber = r + 1;
            string? Cell(string field) => index.TryGetValue(field, out var c) && c < cells.Count ? cells[c] : null;
            foreach (var extra in Enumerable.Range(0, cells.Count).Where(c => c >= rows[0].Count && !string.IsNullOrWhiteSpace(cells[c])))
                problems.Add(new(rowNumber, Letter(extra), "this cell has no column title"));
            var (proxy, errors) = Check(new ProxyInput(Cell("measureCode"), Cell("poundsPerUnit"), Cell("unit"), Cell("source"), Cell("licence"),
                Cell("priceYear"), Cell("deadweightPercent"), Cell("attributionPercent"), Cell("appliesFrom"), Cell("reason")), known, today);
            foreach (var (field, messages) in errors.OrderBy(e => index.GetValueOrDefault(e.Key)))
                foreach (var message in messages)
                    problems.Add(new(rowNumber, ColumnOf(field), message));
            if (proxy is null) continue;
            if (seen.TryGetValue(proxy.MeasureCode, out var earlier))
            {
                problems.Add(new(rowNumber, ColumnOf("measureCode"), $"'{proxy.MeasureCode}' is already in row {earlier}: give each measure once"));
                continue;
            }
            seen[proxy.MeasureCode] = rowNumber;
            if (book.Latest(proxy.MeasureCode) is { } latest && latest.SameFiguresAs(proxy)) unchanged++;
            else proxies.Add((rowNumber, proxy));
        }
        if (problems.Count > 0) return new(0, 0, problems);
        foreach (var (_, proxy) in proxies)
        {
            Stamp(proxy, actor, (book.Latest(proxy.MeasureCode)?.Version ?? 0) + 1);
            db.Add(proxy);
        }
        await SaveVersionsAsync(ct);
        return new(proxies.Count, unchanged, []);
    }

    /// <summary>The current proxies as a CSV file in the import's columns: a template to change and import.</summary>
    public static string TemplateCsv(ProxyBook book, IEnumerable<string> codes)
    {
        var s = new StringBuilder();
        s.Append(string.Join(',', Columns.Select(c => OpenData.Csv.Cell(c.Title)))).Append("\r\n");
        foreach (var code in codes)
        {
            var p = book.Latest(code);
            string[] cells = p is null ? [code, "", "", "", "", "", "0", "100", "", ""]
                : [code, Number(p.PoundsPerUnit), p.Unit, p.Source, p.Licence, p.PriceYear.ToString(CultureInfo.InvariantCulture),
                    Number(p.DeadweightPercent), Number(p.AttributionPercent), p.AppliesFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ""];
            s.Append(string.Join(',', cells.Select(OpenData.Csv.Cell))).Append("\r\n");
        }
        return s.ToString();
    }

    /// <summary>Gives each measure that has no proxy yet the shipped value, as its version 1.</summary>
    public async Task EnsureShippedAsync(ShippedProxies shipped, CancellationToken ct = default)
    {
        var have = (await db.Set<ProxyVersion>().Select(v => v.MeasureCode).Distinct().ToListAsync(ct)).ToHashSet();
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var p in shipped.Proxies.Where(p => !have.Contains(p.MeasureCode)))
        {
            db.Add(new ProxyVersion
            {
                MeasureCode = p.MeasureCode, Version = 1, PoundsPerUnit = p.PoundsPerUnit, Unit = p.Unit, Source = p.Source, Licence = p.Licence,
                PriceYear = p.PriceYear, DeadweightPercent = p.DeadweightPercent, AttributionPercent = p.AttributionPercent, AppliesFrom = p.AppliesFrom,
                Illustrative = p.Illustrative, RecordedAt = now, RecordedBy = p.RecordedBy, Reason = p.Reason,
            });
        }
        try { await db.SaveChangesAsync(ct); }
        // Another node starting at the same moment gave them first: its versions stand.
        catch (DbUpdateException) { db.ChangeTracker.Clear(); }
    }

    /// <summary>Saves new versions; two administrators saving the same measure at once cannot both take its next number.</summary>
    private async Task SaveVersionsAsync(CancellationToken ct)
    {
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            throw new InputException(new Dictionary<string, string[]>
            {
                ["poundsPerUnit"] = ["Someone else recorded a version of this proxy at the same moment: look at the versions again, then save"],
            });
        }
    }

    private DateOnly Today => Configuration.UkTime.DayOf(time.GetUtcNow().UtcDateTime);

    private void Stamp(ProxyVersion proxy, Actor actor, int version)
    {
        proxy.Version = version;
        proxy.RecordedAt = time.GetUtcNow().UtcDateTime;
        proxy.RecordedById = actor.UserId;
        proxy.RecordedBy = actor.Name;
    }

    /// <summary>Checks one proxy's fields; the errors are keyed by field, as the API names them.</summary>
    public static (ProxyVersion? Proxy, Dictionary<string, string[]> Errors) Check(ProxyInput input, IReadOnlySet<string> knownCodes, DateOnly today)
    {
        var errors = new Dictionary<string, string[]>();
        void Fail(string field, string message) => errors.TryAdd(field, [message]);

        var code = input.MeasureCode?.Trim() ?? "";
        if (code.Length == 0) Fail("measureCode", "Enter the measure code, like people-supported");
        else if (!knownCodes.Contains(code)) Fail("measureCode", $"No fund has an outcome measure with the code '{Shorten(code)}'");

        decimal pounds = 0;
        var poundsResult = Money.TryParse(input.PoundsPerUnit, out pounds);
        if (poundsResult == Money.ParseResult.Empty) Fail("poundsPerUnit", "Enter the £ per unit, like 120 or 12.50");
        else if (poundsResult != Money.ParseResult.Ok) Fail("poundsPerUnit", Money.Problem(poundsResult, "The £ per unit"));

        string Text(string field, string? value, string label, int max, bool required)
        {
            var t = value?.Trim() ?? "";
            if (t.Length == 0) { if (required) Fail(field, $"Enter the {label}"); }
            else if (t.Length > max) Fail(field, $"The {label} must be {max} characters or fewer");
            // A cell a spreadsheet would run as a formula is refused, so no export can carry one.
            else if ("=+-@\t\r".Contains(t[0])) Fail(field, $"The {label} must not start with '{(t[0] is '\t' or '\r' ? "a tab" : t[0])}': a spreadsheet would read it as a formula");
            return t;
        }
        var unit = Text("unit", input.Unit, "unit (what one unit is, like person supported)", 100, true);
        var source = Text("source", input.Source, "source of the value", 500, true);
        var licence = Text("licence", input.Licence, "licence the value is used under", 200, true);
        var reason = Text("reason", input.Reason, "reason", 500, false);

        var year = 0;
        var yearText = input.PriceYear?.Trim() ?? "";
        if (yearText.Length == 0) Fail("priceYear", "Enter the price year, like 2025");
        else if (!int.TryParse(yearText, NumberStyles.None, CultureInfo.InvariantCulture, out year) || year is < 2000 or > 2100)
            Fail("priceYear", "The price year must be a year from 2000 to 2100, like 2025");

        decimal Percent(string field, string? value, string label, decimal empty)
        {
            var t = value?.Trim().TrimEnd('%').Trim() ?? "";
            if (t.Length == 0) return empty;
            if (!decimal.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var p) || p > 100)
                Fail(field, $"The {label} must be a percentage from 0 to 100, like 25");
            else if (p != decimal.Round(p, 2)) Fail(field, $"The {label} must have no more than 2 decimal places");
            return p;
        }
        var deadweight = Percent("deadweightPercent", input.DeadweightPercent, "deadweight", 0);
        var attribution = Percent("attributionPercent", input.AttributionPercent, "attribution", 100);

        var appliesFrom = today;
        var dayText = input.AppliesFrom?.Trim() ?? "";
        if (dayText.Length > 0)
        {
            if (!DateOnly.TryParseExact(dayText, ["yyyy-MM-dd", "d/M/yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out appliesFrom))
                Fail("appliesFrom", "The date it applies from must be a real date, like 2026-04-01 or 1/4/2026");
            else if (appliesFrom.Year is < 2000 or > 2100) Fail("appliesFrom", "The date it applies from must be between 2000 and 2100");
        }

        if (errors.Count > 0) return (null, errors);
        return (new ProxyVersion
        {
            MeasureCode = code, PoundsPerUnit = pounds, Unit = unit, Source = source, Licence = licence, PriceYear = year,
            DeadweightPercent = deadweight, AttributionPercent = attribution, AppliesFrom = appliesFrom, Reason = reason.Length == 0 ? null : reason,
        }, errors);
    }

    /// <summary>The rows of a CSV file (RFC 4180: quoted cells may hold commas, quotes and line breaks).</summary>
    public static List<List<string>> CsvRows(string text, out int? malformedRow)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        malformedRow = null;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else cell.Append(ch);
            }
            else if (ch == '"' && cell.Length == 0) quoted = true;
            else if (ch == ',') { row.Add(cell.ToString()); cell.Clear(); }
            else if (ch is '\r' or '\n')
            {
                if (ch == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                row.Add(cell.ToString()); cell.Clear();
                rows.Add(row); row = [];
            }
            else cell.Append(ch);
        }
        if (quoted) { malformedRow = rows.Count + 1; return rows; }
        if (cell.Length > 0 || row.Count > 0) { row.Add(cell.ToString()); rows.Add(row); }
        return rows;
    }

    private static string Letter(int column) => column < 26 ? ((char)('A' + column)).ToString() : $"{(char)('A' + column / 26 - 1)}{(char)('A' + column % 26)}";
    private static string Number(decimal d) => d.ToString("0.##", CultureInfo.InvariantCulture);
    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
