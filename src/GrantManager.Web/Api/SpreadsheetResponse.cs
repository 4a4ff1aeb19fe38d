namespace GrantManager.Web.Api;

/// <summary>
/// Sends a workbook that is written as its rows are read. The zip format finishes each part with a
/// synchronous write, which the server refuses on a response, so the workbook is written to a
/// temporary file (deleted when closed) and then copied: memory stays flat however many rows.
/// </summary>
public static class SpreadsheetResponse
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static async Task SendAsync(HttpContext http, string fileName, Func<Stream, CancellationToken, Task> write, CancellationToken ct)
    {
        await using var file = new FileStream(Path.Combine(Path.GetTempPath(), $"grantmanager-{Guid.NewGuid():N}.xlsx"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await write(file, ct);
        file.Position = 0;
        http.Response.ContentType = ContentType;
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        http.Response.ContentLength = file.Length;
        await file.CopyToAsync(http.Response.Body, ct);
    }
}
