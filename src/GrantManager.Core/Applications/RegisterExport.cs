using System.Globalization;
using System.Text;
using GrantManager.Core.OpenData;

namespace GrantManager.Core.Applications;

/// <summary>
/// A register (applications, grants) exactly as filtered, as CSV or an Excel workbook, written as the rows are
/// read (in batches from the database), so memory stays flat however many there are. Text that a
/// spreadsheet would run as a formula is neutralised.
/// </summary>
public static class RegisterExport
{
    public static readonly string[] Columns =
        ["Reference", "Project title", "Organisation", "Fund", "Round", "Status", "Stage", "Amount requested", "Submitted", "Districts", "Assigned to"];

    private static string?[] Cells(RegisterRow r) =>
    [
        r.Reference, r.ProjectTitle, r.OrganisationName, r.FundName, r.RoundName, Workflows.WorkflowText.Status(r.Status), r.StageTitle ?? r.Stage,
        r.AmountRequested?.ToString("0.00", CultureInfo.InvariantCulture), r.SubmittedAt is DateTime s ? Moment(s) : null,
        string.Join(", ", r.Districts), r.AssignedTo,
    ];

    public static Task WriteCsvAsync(IAsyncEnumerable<RegisterRow> rows, Stream output, CancellationToken ct) =>
        WriteCsvAsync(rows, Columns, Cells, output, ct);

    // Amounts as numbers a spreadsheet can add up, the submission as a date and time it can sort and filter.
    public static Task WriteXlsxAsync(IAsyncEnumerable<RegisterRow> rows, Stream output, CancellationToken ct) =>
        WriteXlsxAsync(rows, "Applications", Columns, Cells, (row, i) => i switch { 7 => row.AmountRequested, 8 => row.SubmittedAt, _ => null }, output, ct);

    /// <summary>A day as every export writes it: ISO 8601, 2026-06-01.</summary>
    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A moment as every export writes it: ISO 8601 in UK time with its offset from UTC, 2026-06-01T09:30:00+01:00.</summary>
    public static string Moment(DateTime utc)
    {
        var local = Configuration.UkTime.Local(utc);
        return new DateTimeOffset(local, Configuration.UkTime.London.GetUtcOffset(local)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
    }

    /// <summary>Any register's rows as CSV: a header row, then a line per row as it is read.</summary>
    public static async Task WriteCsvAsync<T>(IAsyncEnumerable<T> rows, IReadOnlyList<string> columns, Func<T, string?[]> cells, Stream output, CancellationToken ct)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(true), 65536, leaveOpen: true);
        await writer.WriteLineAsync(string.Join(",", columns.Select(Csv.Cell)));
        await foreach (var row in rows.WithCancellation(ct))
            await writer.WriteLineAsync(string.Join(",", cells(row).Select(Csv.Cell)));
        await writer.FlushAsync(ct);
    }

    /// <summary>
    /// Any register's rows as a workbook; <paramref name="typed"/> gives the cells that are not text: a decimal is written as a
    /// number, a <see cref="DateOnly"/> as a date cell, a <see cref="DateTime"/> (UTC) as a date and time cell in UK time
    /// (null: the cell as neutralised text).
    /// </summary>
    public static async Task WriteXlsxAsync<T>(IAsyncEnumerable<T> rows, string sheet, IReadOnlyList<string> columns, Func<T, string?[]> cells,
        Func<T, int, object?> typed, Stream output, CancellationToken ct)
    {
        await using var book = await SpreadCheetah.Spreadsheet.CreateNewAsync(output, cancellationToken: ct);
        var day = book.AddStyle(new SpreadCheetah.Styling.Style { Format = SpreadCheetah.Styling.NumberFormat.Custom("yyyy-mm-dd") });
        var moment = book.AddStyle(new SpreadCheetah.Styling.Style { Format = SpreadCheetah.Styling.NumberFormat.Custom("yyyy-mm-dd hh:mm") });
        await book.StartWorksheetAsync(sheet, token: ct);
        await book.AddRowAsync(columns.Select(c => new SpreadCheetah.Cell(c)).ToList(), ct);
        await foreach (var row in rows.WithCancellation(ct))
            await book.AddRowAsync(cells(row).Select((c, i) => typed(row, i) switch
            {
                decimal n => new SpreadCheetah.Cell(n),
                DateOnly d => new SpreadCheetah.Cell(d.ToDateTime(TimeOnly.MinValue), day),
                DateTime t => new SpreadCheetah.Cell(Configuration.UkTime.Local(t), moment),
                _ => new SpreadCheetah.Cell(Csv.Neutral(c)),
            }).ToList(), ct);
        await book.FinishAsync(ct);
    }
}
