using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Applications;

/// <summary>A document attached to an application, stored outside the web root under a name of its own.</summary>
public sealed class Attachment
{
    public Guid Id { get; set; }
    public int ApplicationId { get; set; }
    /// <summary>Set for evidence sent with a progress report on the grant.</summary>
    public int? ReturnId { get; set; }
    /// <summary>Set for evidence that a condition of the grant is met.</summary>
    public int? ConditionId { get; set; }
    /// <summary>budget, constitution, accounts, other, or evidence (with a return).</summary>
    public string Kind { get; set; } = "";
    public string FileName { get; set; } = "";
    public string ContentType { get; set; } = "";
    public long Size { get; set; }
    public string UploadedById { get; set; } = "";
    public DateTime UploadedAt { get; set; }
}

public sealed class AttachmentOptions
{
    public const string Section = "Attachments";
    /// <summary>Folder for uploaded files; relative paths are under the content root. Never inside wwwroot.</summary>
    public string Path { get; set; } = "App_Data/attachments";
    public int MaxMegabytes { get; set; } = 10;
}

/// <summary>Checks, stores and hands out attachments. A file's type is judged by its first bytes as well as its name.</summary>
public sealed class AttachmentStore(GrantDbContext db, ApplicationService applications, TimeProvider time, string folder, int maxMegabytes)
{
    public static readonly Dictionary<string, string> Kinds = new()
    {
        ["budget"] = "Detailed budget", ["constitution"] = "Constitution or governing document", ["accounts"] = "Latest accounts", ["other"] = "Other supporting document",
    };

    /// <summary>What a stored document is, in words, for any kind kept (evidence for a condition or a report included).</summary>
    public static string KindName(string kind) => kind switch
    {
        "condition" => "Evidence for a condition",
        "evidence" => "Evidence for a progress report",
        "information" => "Sent with an answer to a request for information",
        _ => Kinds.GetValueOrDefault(kind, "Document"),
    };

    private static readonly (string Extension, string ContentType, byte[] Magic)[] Types =
    [
        (".pdf", "application/pdf", "%PDF"u8.ToArray()),
        (".docx", DocxType, [0x50, 0x4B, 0x03, 0x04]),
        (".xlsx", XlsxType, [0x50, 0x4B, 0x03, 0x04]),
        (".png", "image/png", [0x89, 0x50, 0x4E, 0x47]),
        (".jpg", "image/jpeg", [0xFF, 0xD8, 0xFF]),
        (".jpeg", "image/jpeg", [0xFF, 0xD8, 0xFF]),
    ];

    private const string DocxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    private const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>The content type a real package of each kind declares for its main part in [Content_Types].xml.</summary>
    private static readonly Dictionary<string, string> MainParts = new()
    {
        [DocxType] = DocxType.Replace(".document", ".document.main+xml"),
        [XlsxType] = XlsxType.Replace(".sheet", ".sheet.main+xml"),
    };

    public long MaxBytes => maxMegabytes * 1024L * 1024L;

    /// <summary>The kind of a document sent with an answer to a request for more information.</summary>
    public const string InformationKind = "information";

    /// <summary>
    /// A document for the applicant's answer to a request for more information, while that request is
    /// open. It waits with the answer until the answer is sent, which names it.
    /// </summary>
    public async Task<Attachment> AddInformationAsync(int applicationId, Actor actor, string? fileName, long length, Stream content, CancellationToken ct = default)
    {
        var application = await applications.ForReadingAsync(applicationId, actor, ct);
        if (!actor.HasRole(Roles.Applicant) || application.OrganisationId != actor.OrganisationId)
            throw new NotFoundException("No such application");
#pragma warning disable CA1847 // a query EF Core translates to SQL: the string form translates on both engines
        var open = application.WorkflowInstanceId is Guid instance && await db.InboxTasks.AnyAsync(t => t.InstanceId == instance
            && t.Status == InboxTaskStatus.Open && t.Role == Roles.Applicant && !t.Outcomes.Contains("|"), ct);
#pragma warning restore CA1847
        if (!open) throw new ConflictException("We are not waiting for information from you, so documents cannot be added now");
        return await StoreAsync(new Attachment { ApplicationId = applicationId, Kind = InformationKind }, actor, fileName, length, content, ct);
    }

    /// <summary>Documents sent, or waiting to be sent, with answers to requests for more information.</summary>
    public Task<List<Attachment>> ForInformationAsync(int applicationId, CancellationToken ct = default) =>
        db.Set<Attachment>().AsNoTracking().Where(a => a.ApplicationId == applicationId && a.Kind == InformationKind).OrderBy(a => a.UploadedAt).ToListAsync(ct);

    /// <summary>Removes a document from an answer not yet sent.</summary>
    public async Task RemoveInformationAsync(Guid id, Actor actor, IReadOnlyCollection<Guid> sent, CancellationToken ct = default)
    {
        var attachment = await db.Set<Attachment>().SingleOrDefaultAsync(a => a.Id == id && a.Kind == InformationKind, ct) ?? throw new NotFoundException("No such document");
        var application = await applications.ForReadingAsync(attachment.ApplicationId, actor, ct);
        if (!actor.HasRole(Roles.Applicant) || application.OrganisationId != actor.OrganisationId) throw new NotFoundException("No such document");
        if (sent.Contains(id)) throw new ConflictException("This document was sent with your answer, so it stays");
        db.Remove(attachment);
        await db.SaveChangesAsync(ct);
        File.Delete(PathOf(id));
    }

    public async Task<Attachment> AddAsync(int applicationId, Actor actor, string? kind, string? fileName, long length, Stream content, CancellationToken ct = default)
    {
        var application = await applications.ForReadingAsync(applicationId, actor, ct);
        if (!actor.HasRole(Roles.Applicant) || application.OrganisationId != actor.OrganisationId)
            throw new ForbiddenException("Only the applicant can add documents");
        if (application.WorkflowInstanceId is not null)
            throw new ConflictException("This application has been submitted, so documents can no longer be added");
        // The kind and the file are checked together, so every problem is listed at once.
        var errors = new Errors();
        if (kind is null || !Kinds.ContainsKey(kind)) errors.Add("kind", "Choose what kind of document it is");
        return await StoreAsync(new Attachment { ApplicationId = applicationId, Kind = kind ?? "" }, actor, fileName, length, content, ct, errors);
    }

    public Task<List<Attachment>> ForConditionAsync(int conditionId, CancellationToken ct = default) =>
        db.Set<Attachment>().AsNoTracking().Where(a => a.ConditionId == conditionId).OrderBy(a => a.UploadedAt).ToListAsync(ct);

    public Task<List<Attachment>> ForReturnAsync(int returnId, CancellationToken ct = default) =>
        db.Set<Attachment>().AsNoTracking().Where(a => a.ReturnId == returnId).OrderBy(a => a.UploadedAt).ToListAsync(ct);

    /// <summary>Checks a file and keeps it with its row; a problem with it is an <see cref="InputException"/> on "file", listed with any already in <paramref name="errors"/>.</summary>
    internal async Task<Attachment> StoreAsync(Attachment attachment, Actor actor, string? fileName, long length, Stream content, CancellationToken ct, Errors? errors = null)
    {
        errors ??= new Errors();
        var name = SafeFileName(fileName);
        var type = Types.FirstOrDefault(t => name.EndsWith(t.Extension, StringComparison.OrdinalIgnoreCase));
        if (name.Length == 0 || length == 0) errors.Add("file", "Choose a file to upload");
        else if (type.Extension is null) errors.Add("file", "The file must be a PDF, Word document (DOCX), Excel spreadsheet (XLSX), PNG or JPEG");
        else if (length > MaxBytes) errors.Add("file", $"The file must be smaller than {maxMegabytes} MB");
        errors.ThrowIfAny();

        var header = new byte[8];
        var read = await content.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, ct);
        if (read < type.Magic.Length || !header.AsSpan(0, type.Magic.Length).SequenceEqual(type.Magic))
            throw new InputException(new Dictionary<string, string[]> { ["file"] = [$"The file is not really a {type.Extension!.TrimStart('.').ToUpperInvariant()} file"] });

        attachment.Id = Guid.NewGuid();
        attachment.FileName = name.Length > 200 ? name[^200..] : name;
        attachment.ContentType = type.ContentType;
        attachment.Size = length;
        attachment.UploadedById = actor.UserId!;
        attachment.UploadedAt = time.GetUtcNow().UtcDateTime;
        Directory.CreateDirectory(folder);
        var path = PathOf(attachment.Id);
        await using (var file = new FileStream(path + ".part", FileMode.CreateNew, FileAccess.Write))
        {
            await file.WriteAsync(header.AsMemory(0, read), ct);
            await content.CopyToAsync(file, ct);
        }
        if (MainParts.TryGetValue(type.ContentType, out var mainPart) && !DeclaresMainPart(path + ".part", mainPart))
        {
            File.Delete(path + ".part");
            throw new InputException(new Dictionary<string, string[]> { ["file"] = [$"The file is not really a {type.Extension!.TrimStart('.').ToUpperInvariant()} file"] });
        }
        File.Move(path + ".part", path);
        db.Add(attachment);
        try { await db.SaveChangesAsync(ct); }
        catch { File.Delete(path); throw; }
        return attachment;
    }

    /// <summary>
    /// The name to keep for an uploaded file: its last segment whichever slash the sender's system
    /// uses (so <c>..\..\x.pdf</c> is <c>x.pdf</c> on Linux too), without control characters or the
    /// bidirectional overrides and isolates that make <c>invoice\u202Efdp.exe</c> read as something else.
    /// </summary>
    public static string SafeFileName(string? fileName)
    {
        var name = fileName ?? "";
        name = name[(name.LastIndexOfAny(['/', '\\']) + 1)..];
        var kept = new System.Text.StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\u200E' or '\u200F' or '\u061C') continue;
            kept.Append(c);
        }
        var safe = kept.ToString().Trim().TrimStart('.');
        return safe.Trim();
    }

    /// <summary>Whether a zip file is really an Office package of the kind its name says: its [Content_Types].xml declares that main part.</summary>
    private static bool DeclaresMainPart(string path, string mainPart)
    {
        try
        {
            using var zip = System.IO.Compression.ZipFile.OpenRead(path);
            var entry = zip.GetEntry("[Content_Types].xml");
            if (entry is null || entry.Length > 1024 * 1024) return false;
            using var stream = entry.Open();
            var types = System.Xml.Linq.XDocument.Load(stream);
            return types.Root?.Elements().Any(e => e.Name.LocalName == "Override" && (string?)e.Attribute("ContentType") == mainPart) == true;
        }
        catch (Exception e) when (e is InvalidDataException or System.Xml.XmlException or IOException) { return false; }
    }

    public async Task RemoveAsync(Guid id, Actor actor, CancellationToken ct = default)
    {
        var attachment = await db.Set<Attachment>().SingleOrDefaultAsync(a => a.Id == id, ct) ?? throw new NotFoundException("No such document");
        var application = await applications.ForReadingAsync(attachment.ApplicationId, actor, ct);
        if (!actor.HasRole(Roles.Applicant) || application.OrganisationId != actor.OrganisationId) throw new NotFoundException("No such document");
        if (application.WorkflowInstanceId is not null) throw new ConflictException("This application has been submitted, so its documents stay");
        db.Remove(attachment);
        await db.SaveChangesAsync(ct);
        File.Delete(PathOf(id));
    }

    /// <summary>The document and its bytes, for someone who may see the application.</summary>
    public async Task<(Attachment Attachment, Stream Content)> OpenAsync(Guid id, Actor actor, CancellationToken ct = default)
    {
        var attachment = await db.Set<Attachment>().AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct) ?? throw new NotFoundException("No such document");
        await applications.ForReadingAsync(attachment.ApplicationId, actor, ct);
        return (attachment, new FileStream(PathOf(id), FileMode.Open, FileAccess.Read, FileShare.Read));
    }

    public Task<List<Attachment>> ForApplicationAsync(int applicationId, CancellationToken ct = default) =>
        db.Set<Attachment>().AsNoTracking().Where(a => a.ApplicationId == applicationId && a.ReturnId == null && a.Kind != InformationKind).OrderBy(a => a.UploadedAt).ToListAsync(ct);

    /// <summary>Removes the files of documents whose rows have gone (a deleted draft).</summary>
    public void DeleteFiles(IEnumerable<Guid> ids)
    {
        foreach (var id in ids) File.Delete(PathOf(id));
    }

    private string PathOf(Guid id) => Path.Combine(folder, id.ToString("N"));
}
