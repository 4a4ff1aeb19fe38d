using System.Globalization;
using System.Text;
using GrantManager.Core.OpenData;

namespace GrantManager.Core.Applications;

/// <summary>
/// The applications register exactly as filtered, as CSV or an Excel workbook, written as the rows are
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

    public static async Task WriteCsvAsync(IAsyncEnumerable<RegisterRow> rows, Stream output, CancellationToken ct)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(true), 65536, leaveOpen: true);
        await writer.WriteLineAsync(string.Join(",", Columns.Select(Csv.Cell)));
        await foreach (var row in rows.WithCancellation(ct))
            await writer.WriteLineAsync(string.Join(",", Cells(row).Select(Csv.Cell)));
        await writer.FlushAsync(ct);
    }

    public static async Task WriteXlsxAsync(IAsyncEnumerable<RegisterRow> rows, Stream output, CancellationToken ct)
    {
        await using var book = await SpreadCheetah.Spreadsheet.CreateNewAsync(output, cancellationToken: ct);
        await book.StartWorksheetAsync("Applications", token: ct);
        await book.AddRowAsync(Columns.Select(c => new SpreadCheetah.Cell(c)).ToList(), ct);
        await foreach (var row in rows.WithCancellation(ct))
        {
            var cells = Cells(row);
            // Amounts as numbers a spreadsheet can add up; text neutralised as in the CSV.
            await book.AddRowAsync(cells.Select((c, i) => i == 7 && row.AmountRequested is decimal amount
                ? new SpreadCheetah.Cell(amount) : new SpreadCheetah.Cell(Csv.Neutral(c))).ToList(), ct);
        }
        await book.FinishAsync(ct);
    }
}
