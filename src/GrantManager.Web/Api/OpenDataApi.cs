using GrantManager.Core.Configuration;
using GrantManager.Core.OpenData;
using Microsoft.Extensions.Options;

namespace GrantManager.Web.Api;

/// <summary>Awarded grants as 360Giving open data, for anyone: JSON (a data package), CSV and XLSX with the standard's column titles.</summary>
public static class OpenDataApi
{
    public static void Map(WebApplication app)
    {
        var open = app.MapGroup("/open-data").AllowAnonymous().WithTags("Open data");
        open.MapGet("/360giving.json", async (HttpContext http, ThreeSixtyGiving data, IOptions<EmailOptions> email, CancellationToken ct) =>
        {
            http.Response.ContentType = "application/json; charset=utf-8";
            await data.WriteJsonAsync(http.Response.Body, Source(http, email.Value, "json"), ct);
        }).WithName("OpenDataJson").WithSummary("Awarded grants as a 360Giving data package (JSON)");
        open.MapGet("/360giving.csv", async (HttpContext http, ThreeSixtyGiving data, IOptions<EmailOptions> email, CancellationToken ct) =>
        {
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = "attachment; filename=\"360giving.csv\"";
            await data.WriteCsvAsync(http.Response.Body, Source(http, email.Value, "csv"), ct);
        }).WithName("OpenDataCsv").WithSummary("Awarded grants as 360Giving CSV, with the standard's column titles");
        open.MapGet("/360giving.xlsx", async (HttpContext http, ThreeSixtyGiving data, IOptions<EmailOptions> email, CancellationToken ct) =>
        {
            var source = Source(http, email.Value, "xlsx");
            await SpreadsheetResponse.SendAsync(http, "360giving.xlsx", (file, token) => ThreeSixtyGivingWorkbook.WriteAsync(data, file, source, token), ct);
        }).WithName("OpenDataXlsx").WithSummary("Awarded grants as a 360Giving spreadsheet (XLSX)");
    }

    /// <summary>Where the data comes from: the public address when one is set, else the address it was asked for at.</summary>
    private static string Source(HttpContext http, EmailOptions email, string kind) =>
        $"{(string.IsNullOrWhiteSpace(email.PublicBaseUrl) ? $"{http.Request.Scheme}://{http.Request.Host}" : email.PublicBaseUrl.TrimEnd('/'))}/open-data/360giving.{kind}";
}
