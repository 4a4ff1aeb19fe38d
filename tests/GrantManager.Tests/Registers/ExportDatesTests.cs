using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using GrantManager.Core.Configuration;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Tests.Registers;

/// <summary>Every export writes its dates one way: ISO 8601 text in CSV, real date cells with a date format in a workbook.</summary>
public sealed partial class ExportDatesTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    private DateOnly Start => app.Today().AddMonths(2);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex IsoDay();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")]
    private static partial Regex IsoMoment();

    /// <summary>A CSV download's rows, each a list of its cells (quotes undone).</summary>
    private static async Task<List<List<string>>> CsvAsync(HttpClient browser, string url)
    {
        var response = await browser.GetAsync(url);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var rows = GrantManager.Core.SocialValue.SocialValueProxies.CsvRows((await response.Content.ReadAsStringAsync()).TrimStart('\uFEFF'), out var malformed);
        Assert.Null(malformed);
        return rows;
    }

    private sealed record XlsxCell(string? Type, string? Value, string? Format);

    /// <summary>A workbook download's rows, each cell with its type attribute, its value and the number format of its style.</summary>
    private static async Task<List<List<XlsxCell>>> XlsxAsync(HttpClient browser, string url)
    {
        var response = await browser.GetAsync(url);
        using var zip = new System.IO.Compression.ZipArchive(await response.Content.ReadAsStreamAsync());
        XDocument Part(string name)
        {
            using var stream = zip.Entries.Single(e => e.FullName == name || (name.EndsWith('/') && e.FullName.StartsWith(name, StringComparison.Ordinal))).Open();
            return XDocument.Load(stream);
        }
        XNamespace ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        var styles = Part("xl/styles.xml");
        var formats = styles.Descendants(ns + "numFmt").ToDictionary(f => (string)f.Attribute("numFmtId")!, f => (string)f.Attribute("formatCode")!);
        var xfs = styles.Descendants(ns + "cellXfs").Single().Elements(ns + "xf").Select(x => (string?)x.Attribute("numFmtId")).ToList();
        return Part("xl/worksheets/").Descendants(ns + "row").Select(r => r.Elements(ns + "c").Select(c =>
        {
            var style = (string?)c.Attribute("s") is { } s ? xfs[int.Parse(s, CultureInfo.InvariantCulture)] : null;
            return new XlsxCell((string?)c.Attribute("t"), c.Descendants().FirstOrDefault(e => e.Name == ns + "v" || e.Name == ns + "t")?.Value,
                style is not null && formats.TryGetValue(style, out var code) ? code : null);
        }).ToList()).ToList();
    }

    private static void IsDateCell(XlsxCell cell, DateTime expected, string format)
    {
        Assert.Null(cell.Type);
        Assert.Equal(format, cell.Format);
        Assert.Equal(expected.ToOADate(), double.Parse(cell.Value!, CultureInfo.InvariantCulture), 1.0 / 86400);
    }

    [Fact]
    public async Task Applications_grants_and_quarterly_exports_write_dates_as_ISO_text_in_CSV_and_as_date_cells_in_XLSX()
    {
        var fundId = (await app.CreateFundAsync("EXPD")).Id;
        var email = await app.CreateApplicantAsync("Appledore Archery Club");
        var application = await app.CreateApplicationAsync(a => a.By(email).ToFund("EXPD").Running(Start, Start.AddMonths(11)).Asking(2600m).Submitted());
        var grant = await app.CreateGrantAsync(a => a.By(email).ToFund("EXPD").Running(Start, Start.AddMonths(11)).Asking(3600m));
        var browser = await app.SignedInAsync("officer@example.org");

        var applications = await CsvAsync(browser, $"/Staff/Applications?fundId={fundId}&handler=Csv");
        var submittedAt = applications[0].IndexOf("Submitted");
        var row = applications.Single(r => r[0] == application.Reference);
        Assert.Matches(IsoMoment(), row[submittedAt]);
        Assert.Equal(UkTime.Local(application.SubmittedAt!.Value), DateTimeOffset.Parse(row[submittedAt], CultureInfo.InvariantCulture).DateTime, TimeSpan.FromSeconds(1));

        var workbook = await XlsxAsync(browser, $"/Staff/Applications?fundId={fundId}&handler=Xlsx&sort=reference");
        var cells = workbook.Single(r => r[0].Value == application.Reference);
        IsDateCell(cells[submittedAt], UkTime.Local(application.SubmittedAt!.Value), "yyyy-mm-dd hh:mm");

        var grants = await CsvAsync(browser, $"/Staff/Grants?fundId={fundId}&handler=Csv");
        var (due, awarded) = (grants[0].IndexOf("Next report due"), grants[0].IndexOf("Awarded"));
        var grantRow = grants.Single(r => r[0] == grant.Reference);
        Assert.Matches(IsoDay(), grantRow[due]);
        Assert.Equal(UkTime.DayOf(grant.AwardedAt).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), grantRow[awarded]);

        var grantBook = await XlsxAsync(browser, $"/Staff/Grants?fundId={fundId}&handler=Xlsx");
        var grantCells = grantBook.Single(r => r[0].Value == grant.Reference);
        IsDateCell(grantCells[due], DateOnly.ParseExact(grantRow[due], "yyyy-MM-dd", CultureInfo.InvariantCulture).ToDateTime(TimeOnly.MinValue), "yyyy-mm-dd");
        IsDateCell(grantCells[awarded], UkTime.DayOf(grant.AwardedAt).ToDateTime(TimeOnly.MinValue), "yyyy-mm-dd");

        var day = UkTime.DayOf(grant.AwardedAt);
        var quarter = new DateOnly(day.Year, ((day.Month - 1) / 3 * 3) + 1, 1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var quarterly = await CsvAsync(browser, $"/Staff/Funds/{fundId}/Quarterly?handler=Csv&quarter={quarter}");
        var date = quarterly[0].IndexOf("Date");
        var award = quarterly.Single(r => r[0] == "Award" && r[1] == grant.Reference);
        Assert.Equal(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), award[date]);
        Assert.All(quarterly.Skip(1).Where(r => r[date] != ""), r => Assert.Matches(IsoDay(), r[date]));
    }
}
