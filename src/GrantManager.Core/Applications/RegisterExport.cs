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
        r.AmountRequested?.ToString("0.00", CultureInfo.InvariantCulture), r.SubmittedAt is DateTime s ? Configuration.UkTime.DateAndTime(s) : null,
        string.Join(", ", r.Districts), r.AssignedTo,
    ];

    public static Task WriteCsvAsync(IAsyncEnumerable<RegisterRow> rows, Stream output, CancellationToken ct) =>
        WriteCsvAsync(rows, Columns, Cells, output, ct);

    // Amounts as numbers a spreadsheet can add up.
    public static Task WriteXlsxAsync(IAsyncEnumerable<RegisterRow> rows, Stream output, CancellationToken ct) =>
        WriteXlsxAsync(rows, "Applications", Columns, Cells, (row, i) => i == 7 ? row.AmountRequested : null, output, ct);

    /// <summary>Any register's rows as CSV: a header row, then a line per row as it is read.</summary>
    public static async Task WriteCsvAsync<T>(IAsyncEnumerable<T> rows, IReadOnlyList<string> columns, Func<T, string?[]> cells, Stream output, CancellationToken ct)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(true), 65536, leaveOpen: true);
        await writer.WriteLineAsync(string.Join(",", columns.Select(Csv.Cell)));
        await foreach (var row in rows.WithCancellation(ct))
            await writer.WriteLineAsync(string.Join(",", cells(row).Select(Csv.Cell)));
        await writer.FlushAsync(ct);
    }

    /// <summary>Any register's rows as a workbook; <paramref name="number"/> gives the cells written as numbers (null: as neutralised text).</summary>
    public static async Task WriteXlsxAsync<T>(IAsyncEnumerable<T> rows, string sheet, IReadOnlyList<string> columns, Func<T, string?[]> cells,
        Func<T, int, decimal?> number, Stream output, CancellationToken ct)
    {
        await using var book = await SpreadCheetah.Spreadsheet.CreateNewAsync(output, cancellationToken: ct);
        await book.StartWorksheetAsync(sheet, token: ct);
        await book.AddRowAsync(columns.Select(c => new SpreadCheetah.Cell(c)).ToList(), ct);
        await foreach (var row in rows.WithCancellation(ct))
            await book.AddRowAsync(cells(row).Select((c, i) => number(row, i) is decimal n ? new SpreadCheetah.Cell(n) : new SpreadCheetah.Cell(Csv.Neutral(c))).ToList(), ct);
        await book.FinishAsync(ct);
    }
}
