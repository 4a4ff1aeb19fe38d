using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.Grants;
using GrantManager.Core.Organisations;
using GrantManager.Core.Places;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GrantManager.Core.OpenData;

/// <summary>How the council publishes its awards as 360Giving open data (<c>OpenData:…</c>).</summary>
public sealed class OpenDataOptions
{
    public const string Section = "OpenData";
    /// <summary>The council's registered 360Giving prefix after "360G-": grants are <c>360G-{Prefix}-{reference}</c>.</summary>
    public string Prefix { get; set; } = "example-council";
    /// <summary>The council's own organisation identifier (an English council's is on the GB-LAE list).</summary>
    public string FunderIdentifier { get; set; } = "GB-LAE-KEN";
    /// <summary>How long after its award a grant is published.</summary>
    public TimeSpan PublishAfter { get; set; } = TimeSpan.Zero;
    /// <summary>The licence the data is published under (its canonical address).</summary>
    public string Licence { get; set; } = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/";
}

/// <summary>One published grant, flat: what the JSON, CSV and XLSX all say.</summary>
public sealed record PublishedGrant(
    string Identifier, string Title, string Description, decimal AmountAppliedFor, decimal AmountAwarded, decimal AmountDisbursed,
    DateOnly AwardDate, DateOnly StartDate, DateOnly EndDate, int DurationMonths,
    string RecipientIdentifier, string RecipientName, string? CharityNumber, string? CompanyNumber, string? PostalCode,
    IReadOnlyList<Place> Locations, string FunderIdentifier, string FunderName, string ProgrammeCode, string ProgrammeTitle, DateTime LastModified);

/// <summary>
/// Awarded grants as 360Giving Data Standard data: a JSON data package, and CSV with the standard's
/// column titles. Nothing personal is published: no contact names, email addresses or telephone numbers.
/// Rows are read and written one at a time, so memory stays flat however many grants there are.
/// </summary>
public sealed class ThreeSixtyGiving(GrantDbContext db, Districts districts, IOptions<OpenDataOptions> options, IOptions<CouncilOptions> council, TimeProvider time)
{
    private OpenDataOptions Options => options.Value;

    /// <summary>The standard's identifier for a grant: 360G-{prefix}-{reference}.</summary>
    public static string GrantIdentifier(string prefix, string reference) => $"360G-{prefix}-{reference}";

    /// <summary>
    /// The recipient's org-id from what its profile holds: its charity number (GB-CHC; a Scottish one, SC
    /// and six digits, is on the Scottish register, GB-SC), else its Companies House number with its leading
    /// zeros (GB-COH), else a stable identifier of the council's own.
    /// </summary>
    public static string RecipientIdentifier(string prefix, int organisationId, string? charityNumber, string? companyNumber) =>
        !string.IsNullOrWhiteSpace(charityNumber)
            ? charityNumber.Trim().ToUpperInvariant() is var c && c.StartsWith("SC", StringComparison.Ordinal) ? $"GB-SC-{c}" : $"GB-CHC-{charityNumber.Trim()}"
        : !string.IsNullOrWhiteSpace(companyNumber) ? $"GB-COH-{companyNumber.Trim().ToUpperInvariant()}"
        : $"360G-{prefix}-org-{organisationId.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Whole months from start to end, counting a part month as one (a 1 April to 31 March project is 12).</summary>
    public static int Months(DateOnly start, DateOnly end)
    {
        var after = end.AddDays(1);
        var months = (after.Year - start.Year) * 12 + after.Month - start.Month;
        if (start.AddMonths(months) > after) months--;
        if (start.AddMonths(months) < after) months++;
        return Math.Max(1, months);
    }

    /// <summary>Every grant awarded long enough ago to publish, oldest first.</summary>
    public async IAsyncEnumerable<PublishedGrant> GrantsAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        var publishBefore = time.GetUtcNow().UtcDateTime - Options.PublishAfter;
        var rows = from g in db.Grants.AsNoTracking()
                   where g.AwardedAt <= publishBefore
                   join a in db.Applications on g.ApplicationId equals a.Id
                   join o in db.Organisations on g.OrganisationId equals o.Id
                   join f in db.Funds on g.FundId equals f.Id
                   orderby g.AwardedAt, g.Id
                   select new
                   {
                       g.Reference, a.ProjectTitle, a.ProjectSummary, a.AmountRequested, g.Amount, g.AwardedAt, g.StartDate, g.EndDate, g.ClosedAt,
                       OrganisationId = o.Id, o.Name, o.Type, o.CharityNumber, o.CompanyNumber, o.Postcode, a.UpdatedAt, FundCode = f.Code, FundName = f.Name,
                       Paid = g.Instalments.Where(i => i.Status == InstalmentStatus.Paid).Select(i => (decimal?)i.Amount).ToList(),
                       LastPaid = g.Instalments.Max(i => i.PaidAt),
                       Districts = a.Districts.OrderBy(d => d.Position).Select(d => d.District).ToList(),
                   };
        var prefix = Options.Prefix;
        await foreach (var r in rows.AsAsyncEnumerable().WithCancellation(ct))
        {
            var places = r.Districts.Select(districts.Find).OfType<Place>().ToList();
            var modified = new[] { r.AwardedAt, r.LastPaid ?? DateTime.MinValue, r.ClosedAt ?? DateTime.MinValue }.Max();
            yield return new PublishedGrant(
                GrantIdentifier(prefix, r.Reference), r.ProjectTitle ?? r.Reference, r.ProjectSummary ?? r.ProjectTitle ?? r.Reference,
                r.AmountRequested ?? r.Amount, r.Amount, r.Paid.Sum(p => p ?? 0), UkTime.DayOf(r.AwardedAt), r.StartDate, r.EndDate, Months(r.StartDate, r.EndDate),
                RecipientIdentifier(prefix, r.OrganisationId, r.CharityNumber, r.CompanyNumber), r.Name,
                string.IsNullOrWhiteSpace(r.CharityNumber) ? null : r.CharityNumber, string.IsNullOrWhiteSpace(r.CompanyNumber) ? null : r.CompanyNumber,
                // A postcode is published for organisations, never for an unregistered group (it may be someone's home).
                r.Type == OrganisationType.UnregisteredGroup ? null : r.Postcode,
                places.Count > 0 ? places : [districts.Area], Options.FunderIdentifier, council.Value.Name, r.FundCode, r.FundName,
                DateTime.SpecifyKind(modified, DateTimeKind.Utc));
        }
    }

    /// <summary>Writes the 360Giving data package: metadata, then each grant as it is read.</summary>
    public async Task WriteJsonAsync(Stream output, string dataSource, CancellationToken ct = default)
    {
        await using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false });
        var now = time.GetUtcNow().UtcDateTime;
        json.WriteStartObject();
        json.WriteString("title", $"{council.Value.Name} grants");
        json.WriteString("description", $"Grants awarded by {council.Value.Name}, published in the 360Giving Data Standard.");
        json.WriteString("identifier", $"360G-{Options.Prefix}-grants");
        json.WriteString("issued", now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        json.WriteString("modified", now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        json.WriteString("license", Options.Licence);
        json.WriteString("version", "1.4");
        json.WriteStartObject("publisher");
        json.WriteString("identifier", Options.FunderIdentifier);
        json.WriteString("name", council.Value.Name);
        json.WriteEndObject();
        json.WriteStartArray("grants");
        var count = 0;
        await foreach (var g in GrantsAsync(ct))
        {
            WriteGrant(json, g, dataSource);
            if (++count % 500 == 0) await json.FlushAsync(ct);
        }
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(ct);
    }

    private static void WriteGrant(Utf8JsonWriter json, PublishedGrant g, string dataSource)
    {
        json.WriteStartObject();
        json.WriteString("id", g.Identifier);
        json.WriteString("title", g.Title);
        json.WriteString("description", g.Description);
        json.WriteString("currency", "GBP");
        json.WriteNumber("amountAppliedFor", g.AmountAppliedFor);
        json.WriteNumber("amountAwarded", g.AmountAwarded);
        json.WriteNumber("amountDisbursed", g.AmountDisbursed);
        json.WriteString("awardDate", Day(g.AwardDate));
        json.WriteStartArray("plannedDates");
        json.WriteStartObject();
        json.WriteString("startDate", Day(g.StartDate));
        json.WriteString("endDate", Day(g.EndDate));
        json.WriteNumber("duration", g.DurationMonths);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteStartArray("recipientOrganization");
        json.WriteStartObject();
        json.WriteString("id", g.RecipientIdentifier);
        json.WriteString("name", g.RecipientName);
        if (g.CharityNumber is not null) json.WriteString("charityNumber", g.CharityNumber);
        if (g.CompanyNumber is not null) json.WriteString("companyNumber", g.CompanyNumber);
        if (g.PostalCode is not null) json.WriteString("postalCode", g.PostalCode);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteStartArray("beneficiaryLocation");
        foreach (var place in g.Locations)
        {
            json.WriteStartObject();
            json.WriteString("name", place.Name);
            json.WriteString("countryCode", "GB");
            json.WriteString("geoCode", place.Code);
            json.WriteString("geoCodeType", place.CodeType);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("fundingOrganization");
        json.WriteStartObject();
        json.WriteString("id", g.FunderIdentifier);
        json.WriteString("name", g.FunderName);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteStartArray("grantProgramme");
        json.WriteStartObject();
        json.WriteString("code", g.ProgrammeCode);
        json.WriteString("title", g.ProgrammeTitle);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteString("fromOpenCall", "Yes");
        json.WriteString("dateModified", g.LastModified.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        json.WriteString("dataSource", dataSource);
        json.WriteEndObject();
    }

    /// <summary>The standard's column titles, in the order the CSV gives them; a grant with several places fills the numbered location columns.</summary>
    public static IReadOnlyList<string> Columns(int locations)
    {
        var columns = new List<string>
        {
            "Identifier", "Title", "Description", "Currency", "Amount Applied For", "Amount Awarded", "Amount Disbursed", "Award Date",
            "Planned Dates:Start Date", "Planned Dates:End Date", "Planned Dates:Duration (months)",
            "Recipient Org:Identifier", "Recipient Org:Name", "Recipient Org:Charity Number", "Recipient Org:Company Number", "Recipient Org:Postal Code",
        };
        for (var i = 0; i < Math.Max(1, locations); i++)
        {
            var prefix = i == 0 ? "Beneficiary Location" : $"Beneficiary Location:{i}";
            columns.AddRange([$"{prefix}:Name", $"{prefix}:Country Code", $"{prefix}:Geographic Code", $"{prefix}:Geographic Code Type"]);
        }
        columns.AddRange(["Funding Org:Identifier", "Funding Org:Name", "Grant Programme:Code", "Grant Programme:Title", "From An Open Call?", "Last Modified", "Data Source"]);
        return columns;
    }

    /// <summary>The most districts any published grant serves: how many location columns the CSV needs.</summary>
    public async Task<int> MostLocationsAsync(CancellationToken ct = default)
    {
        var publishBefore = time.GetUtcNow().UtcDateTime - Options.PublishAfter;
        var longest = await db.Grants.Where(g => g.AwardedAt <= publishBefore)
            .Select(g => (int?)db.ApplicationDistricts.Count(d => d.ApplicationId == g.ApplicationId)).MaxAsync(ct);
        return Math.Max(longest ?? 1, 1);
    }

    /// <summary>One CSV row per grant, as the standard's flat format has it.</summary>
    public static IEnumerable<string> Cells(PublishedGrant g, int locations, string dataSource)
    {
        var cells = new List<string>
        {
            g.Identifier, g.Title, g.Description, "GBP", Number(g.AmountAppliedFor), Number(g.AmountAwarded), Number(g.AmountDisbursed), Day(g.AwardDate),
            Day(g.StartDate), Day(g.EndDate), g.DurationMonths.ToString(CultureInfo.InvariantCulture),
            g.RecipientIdentifier, g.RecipientName, g.CharityNumber ?? "", g.CompanyNumber ?? "", g.PostalCode ?? "",
        };
        for (var i = 0; i < Math.Max(1, locations); i++)
        {
            var place = i < g.Locations.Count ? g.Locations[i] : null;
            cells.AddRange(place is null ? ["", "", "", ""] : [place.Name, "GB", place.Code, place.CodeType]);
        }
        cells.AddRange([g.FunderIdentifier, g.FunderName, g.ProgrammeCode, g.ProgrammeTitle, "Yes",
            g.LastModified.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), dataSource]);
        return cells;
    }

    public async Task WriteCsvAsync(Stream output, string dataSource, CancellationToken ct = default)
    {
        var locations = await MostLocationsAsync(ct);
        await using var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), leaveOpen: true);
        await writer.WriteLineAsync(string.Join(',', Columns(locations).Select(Csv.Cell)));
        var count = 0;
        await foreach (var g in GrantsAsync(ct))
        {
            await writer.WriteLineAsync(string.Join(',', Cells(g, locations, dataSource).Select(Csv.Cell)));
            if (++count % 500 == 0) await writer.FlushAsync(ct);
        }
    }

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    private static string Number(decimal d) => d.ToString("0.##", CultureInfo.InvariantCulture);
}

/// <summary>A CSV cell, quoted when it must be and with spreadsheet formulas neutralised (a leading =, +, - or @ is prefixed with ').</summary>
public static class Csv
{
    public static string Cell(string? value)
    {
        value = Neutral(value);
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"")}\"" : value;
    }

    /// <summary>Text a spreadsheet would run as a formula, made plain with a leading apostrophe (numbers such as -5 stay numbers).</summary>
    public static string Neutral(string? value)
    {
        value ??= "";
        return value.Length > 0 && "=+-@\t\r".Contains(value[0]) && !decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out _)
            ? "'" + value : value;
    }
}

/// <summary>The same rows as the CSV, as an Excel workbook written as it is read (SpreadCheetah streams; nothing is held in memory).</summary>
public static class ThreeSixtyGivingWorkbook
{
    public static async Task WriteAsync(ThreeSixtyGiving data, Stream output, string dataSource, CancellationToken ct = default)
    {
        var locations = await data.MostLocationsAsync(ct);
        await using var book = await SpreadCheetah.Spreadsheet.CreateNewAsync(output, cancellationToken: ct);
        await book.StartWorksheetAsync("grants", token: ct);
        await book.AddRowAsync(ThreeSixtyGiving.Columns(locations).Select(c => new SpreadCheetah.Cell(c)).ToList(), ct);
        await foreach (var g in data.GrantsAsync(ct))
        {
            var cells = ThreeSixtyGiving.Cells(g, locations, dataSource).ToList();
            var row = new List<SpreadCheetah.Cell>(cells.Count);
            for (var i = 0; i < cells.Count; i++)
                row.Add(i is 4 or 5 or 6 or 10 && decimal.TryParse(cells[i], NumberStyles.Number, CultureInfo.InvariantCulture, out var n)
                    ? new SpreadCheetah.Cell(n) : new SpreadCheetah.Cell(cells[i]));
            await book.AddRowAsync(row, ct);
        }
        await book.FinishAsync(ct);
    }
}

/// <summary>A problem to fix before publishing, as the 360Giving Data Quality Tool would report it.</summary>
public sealed record QualityProblem(string GrantIdentifier, string Title, string Field, string Problem);

/// <summary>The 360Giving Data Quality Tool's kinds of check, run on what would be published.</summary>
public static partial class DataQuality
{
    private static readonly string[] KnownPrefixes = ["GB-CHC", "GB-COH", "GB-SC", "GB-NIC", "GB-LAE", "GB-LAS", "GB-PLA", "GB-GOR", "GB-EDU", "GB-NHS", "GB-MPR", "360G"];

    public static IEnumerable<QualityProblem> Check(PublishedGrant g, DateOnly today)
    {
        QualityProblem P(string field, string problem) => new(g.Identifier, g.Title, field, problem);
        if (g.AmountAwarded <= 0) yield return P("Amount Awarded", "the amount awarded is £0");
        if (g.Title.Length > 140) yield return P("Title", $"the title is {g.Title.Length} characters; keep it to 140 or fewer");
        if (string.Equals(g.Title.Trim(), g.Description.Trim(), StringComparison.OrdinalIgnoreCase)) yield return P("Description", "the description is the same as the title");
        if (g.CharityNumber is { } charity)
        {
            if (Postcode().IsMatch(charity)) yield return P("Recipient Org:Charity Number", $"'{charity}' looks like a postcode");
            else if (!Charity().IsMatch(charity)) yield return P("Recipient Org:Charity Number", $"'{charity}' is not a charity number (6 or 7 digits, with an optional 2-letter prefix)");
        }
        if (g.CompanyNumber is { } company)
        {
            if (Postcode().IsMatch(company)) yield return P("Recipient Org:Company Number", $"'{company}' looks like a postcode");
            else if (!Company().IsMatch(company)) yield return P("Recipient Org:Company Number", $"'{company}' is not a Companies House number (8 characters, like 01234567 or SC123456)");
        }
        if (!KnownPrefixes.Any(p => g.RecipientIdentifier.StartsWith(p + "-", StringComparison.Ordinal)))
            yield return P("Recipient Org:Identifier", $"'{g.RecipientIdentifier}' does not start with a known org-id prefix");
        if (!KnownPrefixes.Any(p => g.FunderIdentifier.StartsWith(p + "-", StringComparison.Ordinal)))
            yield return P("Funding Org:Identifier", $"'{g.FunderIdentifier}' does not start with a known org-id prefix");
        if (g.AwardDate > today) yield return P("Award Date", $"the award date {g.AwardDate:d MMMM yyyy} is in the future");
        if (g.EndDate < g.StartDate) yield return P("Planned Dates:End Date", "the project ends before it starts");
        if (g.StartDate > today.AddYears(5) || g.EndDate > today.AddYears(10) || g.StartDate.Year < 2000)
            yield return P("Planned Dates:Start Date", $"the planned dates ({g.StartDate:d MMMM yyyy} to {g.EndDate:d MMMM yyyy}) are implausible");
        if (g.Locations.Count == 0) yield return P("Beneficiary Location", "the grant has no beneficiary location");
        if (string.IsNullOrWhiteSpace(g.ProgrammeCode)) yield return P("Grant Programme", "the grant has no programme");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^([A-Z]{2})?\d{6,7}$")]
    private static partial System.Text.RegularExpressions.Regex Charity();

    [System.Text.RegularExpressions.GeneratedRegex(@"^([A-Z]{2}\d{6}|\d{8})$")]
    private static partial System.Text.RegularExpressions.Regex Company();

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex Postcode();
}
