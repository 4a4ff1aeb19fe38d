using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace GrantManager.Core.Workflows;

/// <summary>
/// One version of a workflow definition kept in the database: a shipped file recorded when it was first
/// loaded (<see cref="WorkflowVersionSources.File"/>), or a version an administrator published
/// (<see cref="WorkflowVersionSources.Published"/>). Both are the definition's JSON in the file format.
/// </summary>
public sealed class WorkflowDefinitionVersion
{
    public int Id { get; set; }
    public string DefinitionId { get; set; } = "";
    public int Version { get; set; }
    public string Json { get; set; } = "";
    public string Source { get; set; } = WorkflowVersionSources.Published;
    public DateTime PublishedAt { get; set; }
    public string? PublishedById { get; set; }
    public string PublishedBy { get; set; } = "";
    public string? Reason { get; set; }
}

public static class WorkflowVersionSources
{
    /// <summary>A file in <c>workflows/</c>, recorded at start-up.</summary>
    public const string File = "file";
    /// <summary>Published by an administrator, in the browser or over the API.</summary>
    public const string Published = "published";
}

/// <summary>
/// The loaded definitions as they change: the shipped files, and every version kept in the database. Its
/// <see cref="Current"/> registry is an immutable snapshot; a version published anywhere makes a new snapshot
/// with it added (<see cref="RefreshAsync"/>), so a request, a transition or a timer keeps the snapshot it
/// started with. Each stored version is compiled once, however many snapshots follow.
/// </summary>
public sealed class WorkflowCatalog : IDisposable
{
    private readonly WorkflowCompiler _compiler;
    private readonly IReadOnlyList<WorkflowDefinition> _files;
    private readonly Dictionary<int, WorkflowDefinition?> _compiled = new();
    private readonly SemaphoreSlim _gate = new(1, 1);

    public void Dispose() => _gate.Dispose();
    private readonly ILogger? _logger;
    private volatile WorkflowRegistry _current;

    public WorkflowCatalog(WorkflowCompiler compiler, ILogger? logger = null)
    {
        _compiler = compiler;
        _logger = logger;
        _files = WorkflowLoader.LoadFiles(compiler);
        _current = new WorkflowRegistry(_files);
    }

    public WorkflowRegistry Current => _current;

    /// <summary>What a definition may name: the host's roles, handlers, forms and templates.</summary>
    public WorkflowCompiler Compiler => _compiler;

    /// <summary>The newest stored version's row id this node has loaded; another node's publishing changes it.</summary>
    public int? Seen { get; private set; }

    /// <summary>Every problem with a definition's JSON, as start-up would find it; empty when it would load.</summary>
    public List<WorkflowProblem> Check(string json, out WorkflowDefinition? definition)
    {
        var problems = new List<WorkflowProblem>();
        definition = _compiler.Compile(json, "definition", problems);
        return problems;
    }

    /// <summary>
    /// At start-up: records each shipped file whose version is newer than any the database holds for its id,
    /// so it stays loadable for the cases that start on it even after the file is gone. A file whose version was
    /// already published in the browser is not loaded: the published one is that version.
    /// </summary>
    public async Task RecordFilesAsync(DbContext db, DateTime now, CancellationToken ct = default)
    {
        var stored = await db.Set<WorkflowDefinitionVersion>().AsNoTracking()
            .Select(v => new { v.DefinitionId, v.Version, v.Source }).ToListAsync(ct);
        foreach (var file in _files)
        {
            var newest = stored.Where(v => v.DefinitionId == file.Id).Select(v => (int?)v.Version).Max() ?? 0;
            if (file.Version <= newest) continue;
            db.Add(new WorkflowDefinitionVersion
            {
                DefinitionId = file.Id, Version = file.Version, Json = file.Source, Source = WorkflowVersionSources.File,
                PublishedAt = now, PublishedBy = file.SourceFile, Reason = "Shipped in workflows/" + file.SourceFile,
            });
        }
        // Two nodes starting together record the same file: the unique index lets one win, and both then read it.
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { db.ChangeTracker.Clear(); }
        await RefreshAsync(db, ct);
    }

    /// <summary>Loads the versions stored since the last look and swaps in a new snapshot with them. True if anything changed.</summary>
    public async Task<bool> RefreshAsync(DbContext db, CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct);
        try
        {
            // The newest id changes with every version stored, on any node: one cheap look most times.
            var newest = await db.Set<WorkflowDefinitionVersion>().MaxAsync(v => (int?)v.Id, ct) ?? 0;
            if (newest == Seen) return false;
            var rows = await db.Set<WorkflowDefinitionVersion>().AsNoTracking()
                .Select(v => new { v.Id, v.DefinitionId, v.Version, v.Source }).ToListAsync(ct);
            var missing = rows.Where(r => !_compiled.ContainsKey(r.Id)).Select(r => r.Id).ToList();
            foreach (var row in await db.Set<WorkflowDefinitionVersion>().AsNoTracking().Where(v => missing.Contains(v.Id)).ToListAsync(ct))
            {
                var problems = new List<WorkflowProblem>();
                var definition = _compiler.Compile(row.Json, $"{row.DefinitionId} version {row.Version} (stored)", problems);
                if (definition is not null && (definition.Id != row.DefinitionId || definition.Version != row.Version))
                {
                    problems.Add(new WorkflowProblem(definition.SourceFile, "$", $"is stored as {row.DefinitionId} version {row.Version}"));
                    definition = null;
                }
                _compiled[row.Id] = definition;
                if (definition is null)
                    _logger?.LogError("A stored workflow version no longer loads and is left out: {Problems}", string.Join("; ", problems));
            }
            var byVersion = _files.ToDictionary(d => (d.Id, d.Version));
            foreach (var row in rows.OrderBy(r => r.Id))
            {
                if (_compiled.GetValueOrDefault(row.Id) is not { } definition) continue;
                // A shipped file is the source of its own version; a published version takes the place of a file of the same number.
                if (row.Source == WorkflowVersionSources.File && byVersion.ContainsKey((row.DefinitionId, row.Version))) continue;
                if (row.Source == WorkflowVersionSources.Published && byVersion.TryGetValue((row.DefinitionId, row.Version), out var file) && _files.Contains(file))
                    _logger?.LogWarning("workflows/{File} is version {Version}, which was already published in the browser: the published one is used", file.SourceFile, row.Version);
                byVersion[(row.DefinitionId, row.Version)] = definition;
            }
            _current = new WorkflowRegistry(byVersion.Values);
            Seen = newest;
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }
}

/// <summary>A version as the list shows it: where it came from, when, who and why.</summary>
public sealed record WorkflowVersionInfo(int Version, DateTime? PublishedAt, string? PublishedBy, string Source, string? Reason, bool Loaded);

/// <summary>
/// Publishes workflow definitions made in the browser or sent over the API. Each is checked as start-up checks a
/// file, and a problem is named with the loader's message and JSON path; nothing is stored unless it would load.
/// The publishing node uses it at once, every other node within <see cref="Configuration.WorkflowOptions.Refresh"/>.
/// </summary>
public sealed class WorkflowVersions(DbContext db, WorkflowCatalog catalog, TimeProvider time)
{
    public const int MaxLength = 500_000;

    /// <summary>Every version of a definition, newest first: the loaded ones and any stored that no longer load.</summary>
    public async Task<List<WorkflowVersionInfo>> HistoryAsync(string id, CancellationToken ct = default)
    {
        var rows = await db.Set<WorkflowDefinitionVersion>().AsNoTracking().Where(v => v.DefinitionId == id).ToListAsync(ct);
        var loaded = catalog.Current.Versions(id).ToList();
        var versions = rows.Select(r => r.Version).Union(loaded.Select(d => d.Version)).OrderDescending();
        return versions.Select(v =>
        {
            var row = rows.Where(r => r.Version == v).OrderByDescending(r => r.Source == WorkflowVersionSources.Published).FirstOrDefault();
            var definition = loaded.FirstOrDefault(d => d.Version == v);
            return row is null
                ? new WorkflowVersionInfo(v, null, null, WorkflowVersionSources.File, "Shipped in workflows/" + definition!.SourceFile, true)
                : new WorkflowVersionInfo(v, row.PublishedAt, row.PublishedBy, row.Source, row.Reason, definition is not null);
        }).ToList();
    }

    /// <summary>Problems keyed by JSON path ("$.states.due.timers[0].offset"), as the API and the editor show them.</summary>
    public static Dictionary<string, string[]> ByPath(IEnumerable<WorkflowProblem> problems) =>
        problems.GroupBy(p => p.JsonPath).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray());

    /// <summary>
    /// Publishes the JSON as the next version of the definition <paramref name="id"/> (its <c>version</c> is set to
    /// that number). Refused with problems keyed by JSON path, or by <c>reason</c>, when it would not load, names
    /// another definition or changes nothing.
    /// </summary>
    public async Task<WorkflowDefinition> PublishAsync(string id, string? json, string? reason, Actor actor, CancellationToken ct = default)
    {
        var current = catalog.Current.Find(id) ?? throw new WorkflowNotFoundException($"No workflow '{id}' is loaded");
        var errors = new Errors();
        if (reason?.Trim().Length > 500) errors.Add("reason", "The reason must be 500 characters or fewer");
        if (string.IsNullOrWhiteSpace(json)) { errors.Add("$", "Enter the definition's JSON"); errors.ThrowIfAny(); }
        if (json!.Length > MaxLength) { errors.Add("$", $"The definition must be {MaxLength:#,0} characters or fewer"); errors.ThrowIfAny(); }

        var latest = Math.Max(catalog.Current.Versions(id).Max(d => d.Version),
            await db.Set<WorkflowDefinitionVersion>().Where(v => v.DefinitionId == id).MaxAsync(v => (int?)v.Version, ct) ?? 0);
        var next = latest + 1;
        var text = WithVersion(json, next, out var node);
        if (node is not null && node["id"]?.GetValueKind() == JsonValueKind.String && node["id"]!.GetValue<string>() != id)
            errors.Add("$.id", $"This is the definition '{id}': its id must stay '{id}'");
        var problems = catalog.Check(text, out var definition);
        foreach (var (path, messages) in ByPath(problems))
            foreach (var m in messages) errors.Add(path, m);
        if (!errors.Any && Same(text, current.Source))
            errors.Add("$", "Nothing has changed: change the definition to publish a new version");
        errors.ThrowIfAny();

        db.Add(new WorkflowDefinitionVersion
        {
            DefinitionId = id, Version = next, Json = text, Source = WorkflowVersionSources.Published, PublishedAt = time.GetUtcNow().UtcDateTime,
            PublishedById = actor.UserId, PublishedBy = actor.Name, Reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(),
        });
        // Two administrators publishing at once: the unique (id, version) index refuses the second.
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            throw new WorkflowConflictException("Someone else published this workflow a moment ago: reload the page to see their version");
        }
        await catalog.RefreshAsync(db, ct);
        return catalog.Current.Get(id, next);
    }

    /// <summary>The JSON with its version set to <paramref name="version"/>, laid out as the files are; unchanged if it does not parse.</summary>
    public static string WithVersion(string json, int version, out JsonObject? node)
    {
        node = null;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }) as JsonObject;
        }
        catch (JsonException) { }
        if (node is null) return json;
        node["version"] = version;
        return node.ToJsonString(Indented);
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Whether two definitions say the same, whatever their version number and layout.</summary>
    public static bool Same(string a, string b)
    {
        static JsonNode? Parse(string s)
        {
            try
            {
                var n = JsonNode.Parse(s, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
                if (n is JsonObject o) o.Remove("version");
                return n;
            }
            catch (JsonException) { return null; }
        }
        return JsonNode.DeepEquals(Parse(a), Parse(b));
    }
}
