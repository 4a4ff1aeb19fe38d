using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Tests.Applications;

/// <summary>Supporting documents: type and size checked by content, stored outside wwwroot, served only to those allowed.</summary>
public sealed class AttachmentTests : IAsyncLifetime
{
    private readonly GrantManagerFactory _app = new();
    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

    public AttachmentTests() => _app.Set("Attachments:MaxMegabytes", "1");
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<int> DraftAsync()
    {
        var api = await _app.ApiClientAsync("applicant@example.org");
        var fundId = (await api.GetFromJsonAsync<JsonElement>("/api/funds")).EnumerateArray().First().GetProperty("id").GetInt32();
        var created = await (await api.PostAsJsonAsync("/api/applications", new
        {
            fundId, projectTitle = "Garden of calm", projectSummary = "A community garden.", innovation = "Prescribed by GPs.", beneficiaries = "Adults in Ashford",
            districts = new[] { "Ashford" }, startDate = _app.Now().AddMonths(1).ToString("yyyy-MM-01"), endDate = _app.Now().AddMonths(11).ToString("yyyy-MM-01"),
            amountRequested = 2000m, budget = new[] { new { item = "Plants", amount = 2000m } }, outcomes = new[] { new { measure = "people-supported", target = 30m } },
        })).Content.ReadFromJsonAsync<JsonElement>();
        return created.GetProperty("id").GetInt32();
    }

    [Fact]
    public async Task An_applicant_adds_a_PDF_and_only_those_allowed_can_download_it()
    {
        var id = await DraftAsync();
        var applicant = await _app.SignedInAsync("applicant@example.org");
        var url = $"/Applicant/Applications/{id}/Attachments";

        var added = await applicant.PostFileAsync(url, new() { ["Kind"] = "budget" }, "Upload", "budget 2027.pdf", Pdf);
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        var page = await applicant.GetPageAsync(url);
        var link = page.QuerySelectorAll("a").Single(a => a.TextContent == "budget 2027.pdf").GetAttribute("href")!;
        var stored = Directory.GetFiles(Path.Combine(_app.DataDirectory, "attachments"));
        Assert.Single(stored);
        Assert.DoesNotContain("wwwroot", stored[0]);

        var download = await applicant.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(Pdf, await download.Content.ReadAsByteArrayAsync());

        Assert.Equal(HttpStatusCode.NotFound, (await (await _app.SignedInAsync("applicant2@example.org")).GetAsync(link)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await _app.Browser().GetAsync(link)).StatusCode);

        // Submitted: the officer may download; an assessor only after declaring no conflict.
        var api = await _app.ApiClientAsync("applicant@example.org");
        (await api.PostAsJsonAsync($"/api/applications/{id}/submit", new { declaration = true })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await (await _app.SignedInAsync("officer@example.org")).GetAsync(link)).StatusCode);
        var officerApi = await _app.ApiClientAsync("officer@example.org");
        var check = (await officerApi.GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray().First(t => t.GetProperty("applicationId").GetInt32() == id);
        (await officerApi.PostAsJsonAsync($"/api/tasks/{check.GetProperty("id").GetInt64()}/complete", new { outcome = "eligible" })).EnsureSuccessStatusCode();
        var assessor = await _app.SignedInAsync("assessor@example.org");
        Assert.StartsWith("/Account/AccessDenied", (await assessor.GetAsync(link)).Headers.Location!.PathAndQuery);

        // And once submitted the documents stay as they were.
        Assert.Equal($"/Applicant/Applications/{id}", (await applicant.GetAsync(url)).Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("virus.exe", "MZ\u0090\u0000", "The file must be a PDF, Word document (DOCX), Excel spreadsheet (XLSX), PNG or JPEG")]
    [InlineData("accounts.pdf", "<html>not a pdf</html>", "The file is not really a PDF file")]
    [InlineData("empty.pdf", "", "Choose a file to upload")]
    public async Task Files_of_the_wrong_kind_are_refused_and_nothing_is_kept(string name, string content, string message)
    {
        var id = await DraftAsync();
        var applicant = await _app.SignedInAsync("applicant@example.org");
        var url = $"/Applicant/Applications/{id}/Attachments";

        var response = await applicant.PostFileAsync(url, new() { ["Kind"] = "accounts" }, "Upload", name, Encoding.Latin1.GetBytes(content));

        Assert.Contains(message, (await response.ReadPageAsync()).ErrorSummary());
        Assert.Equal(0, await _app.WithDbAsync(db => db.Set<Core.Applications.Attachment>().CountAsync(a => a.ApplicationId == id)));
    }

    [Fact]
    public async Task A_file_over_the_limit_or_without_a_kind_is_refused()
    {
        var id = await DraftAsync();
        var applicant = await _app.SignedInAsync("applicant@example.org");
        var url = $"/Applicant/Applications/{id}/Attachments";
        var big = Pdf.Concat(new byte[1024 * 1024]).ToArray();

        var tooBig = await applicant.PostFileAsync(url, new() { ["Kind"] = "accounts" }, "Upload", "accounts.pdf", big);
        Assert.Contains("The file must be smaller than 1 MB", (await tooBig.ReadPageAsync()).ErrorSummary());
        var noKind = await applicant.PostFileAsync(url, new(), "Upload", "accounts.pdf", Pdf);
        Assert.Contains("Choose what kind of document it is", (await noKind.ReadPageAsync()).ErrorSummary());
        // Sent as rendered with nothing chosen, both problems are listed at once.
        var nothing = await applicant.SubmitFormAsync(url);
        Assert.Equal(["Choose what kind of document it is", "Choose a file to upload"], (await nothing.ReadPageAsync()).ErrorSummary());
        Assert.Equal(0, await _app.WithDbAsync(db => db.Set<Core.Applications.Attachment>().CountAsync(a => a.ApplicationId == id)));
    }

    [Fact]
    public async Task A_file_name_loses_its_folders_control_characters_and_right_to_left_overrides()
    {
        var id = await DraftAsync();
        var applicant = await _app.SignedInAsync("applicant@example.org");
        var url = $"/Applicant/Applications/{id}/Attachments";

        var added = await applicant.PostFileAsync(url, new() { ["Kind"] = "budget" }, "Upload", "..\\..\\..\\Windows\\inv\u202Eoice\u0007 budget.pdf", Pdf);
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        await applicant.PostFileAsync(url, new() { ["Kind"] = "other" }, "Upload", "../../etc/\u2067notes\u2069.pdf", Pdf);

        var names = await _app.WithDbAsync(db => db.Set<Core.Applications.Attachment>().Where(a => a.ApplicationId == id).OrderBy(a => a.UploadedAt).Select(a => a.FileName).ToListAsync());
        Assert.Equal(["invoice budget.pdf", "notes.pdf"], names);
        var page = await applicant.GetPageAsync(url);
        var link = page.QuerySelectorAll("a").Single(a => a.TextContent == "invoice budget.pdf").GetAttribute("href")!;
        Assert.Equal("invoice budget.pdf", (await applicant.GetAsync(link)).Content.Headers.ContentDisposition?.FileNameStar);
    }

    private static byte[] Zip(params (string Name, string Content)[] entries)
    {
        using var memory = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(memory, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in entries)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open());
                writer.Write(content);
            }
        return memory.ToArray();
    }

    private static string ContentTypes(string mainPart) =>
        $"""<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="{mainPart}"/></Types>""";

    [Theory]
    [InlineData("plain.docx", false, null)]
    [InlineData("sheet-as-word.docx", true, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")]
    [InlineData("word-as-sheet.xlsx", true, "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")]
    public async Task A_zip_that_is_not_the_Office_package_its_name_says_is_refused(string name, bool withContentTypes, string? mainPart)
    {
        var id = await DraftAsync();
        var applicant = await _app.SignedInAsync("applicant@example.org");
        var file = withContentTypes ? Zip(("[Content_Types].xml", ContentTypes(mainPart!)), ("word/document.xml", "<w/>")) : Zip(("payload.js", "alert(1)"));

        var response = await applicant.PostFileAsync($"/Applicant/Applications/{id}/Attachments", new() { ["Kind"] = "other" }, "Upload", name, file);

        Assert.Contains($"The file is not really a {Path.GetExtension(name).TrimStart('.').ToUpperInvariant()} file", (await response.ReadPageAsync()).ErrorSummary());
        Assert.Equal(0, await _app.WithDbAsync(db => db.Set<Core.Applications.Attachment>().CountAsync(a => a.ApplicationId == id)));
        Assert.Empty(Directory.Exists(Path.Combine(_app.DataDirectory, "attachments")) ? Directory.GetFiles(Path.Combine(_app.DataDirectory, "attachments")) : []);
    }

    [Fact]
    public async Task A_real_Word_package_is_accepted()
    {
        var id = await DraftAsync();
        var applicant = await _app.SignedInAsync("applicant@example.org");
        var docx = Zip(("[Content_Types].xml", ContentTypes("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")), ("word/document.xml", "<w/>"));

        var response = await applicant.PostFileAsync($"/Applicant/Applications/{id}/Attachments", new() { ["Kind"] = "constitution" }, "Upload", "constitution.docx", docx);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("constitution.docx", await _app.WithDbAsync(db => db.Set<Core.Applications.Attachment>().Where(a => a.ApplicationId == id).Select(a => a.FileName).SingleAsync()));
    }

    [Fact]
    public async Task A_PDF_carrying_JavaScript_is_only_ever_downloaded_never_shown_in_the_service()
    {
        var id = await DraftAsync();
        var applicant = await _app.SignedInAsync("applicant@example.org");
        var url = $"/Applicant/Applications/{id}/Attachments";
        var scripted = Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj\n2 0 obj << /S /JavaScript /JS (app.alert(document.cookie)) >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
        await applicant.PostFileAsync(url, new() { ["Kind"] = "accounts" }, "Upload", "accounts.pdf", scripted);
        var link = (await applicant.GetPageAsync(url)).QuerySelectorAll("a").Single(a => a.TextContent == "accounts.pdf").GetAttribute("href")!;

        var download = await applicant.GetAsync(link);

        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("sandbox", download.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("no-store", download.Headers.CacheControl?.ToString());
    }
}
