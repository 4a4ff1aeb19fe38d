using System.Text.Json;
using System.Text.Json.Nodes;

namespace GrantManager.Core.Workflows;

/// <summary>
/// A definition being edited: its JSON changed at a JSON path ("$.states.due.timers[0].offset", as the loader names
/// problems), laid out as the files are, and compared line by line with the published version.
/// </summary>
public static class WorkflowDrafts
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The JSON as an object, or null when it does not parse.</summary>
    public static JsonObject? Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        try { return JsonNode.Parse(json, documentOptions: Lenient) as JsonObject; }
        catch (JsonException) { return null; }
    }

    /// <summary>Laid out as the files are (two-space indent); unchanged when it does not parse.</summary>
    public static string Format(string json) => Parse(json) is { } node ? node.ToJsonString(Indented) : json;

    public static string Format(JsonNode node) => node.ToJsonString(Indented);

    /// <summary>"$.states.due.timers[0].offset" → states, due, timers, 0, offset (numbers are array indexes).</summary>
    public static List<object> Segments(string path)
    {
        var segments = new List<object>();
        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                if (end < 0) end = path.Length;
                segments.Add(path[(i + 1)..end]);
                i = end;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                if (end < 0) throw new FormatException($"'{path}' is not a JSON path");
                var inside = path[(i + 1)..end];
                segments.Add(int.TryParse(inside, out var n) ? n : inside.Trim('\'', '"'));
                i = end + 1;
            }
            else throw new FormatException($"'{path}' is not a JSON path");
        }
        return segments;
    }

    /// <summary>Sets the value at the path (creating objects on the way), or removes it when <paramref name="value"/> is null. False if the path leads nowhere.</summary>
    public static bool Set(JsonObject root, string path, JsonNode? value)
    {
        var segments = Segments(path);
        if (segments.Count == 0) return false;
        JsonNode? node = root;
        for (var k = 0; k < segments.Count - 1; k++)
        {
            var next = segments[k] switch
            {
                string name when node is JsonObject o => o[name] ?? (o[name] = new JsonObject()),
                int index when node is JsonArray a && index < a.Count => a[index],
                _ => null,
            };
            if (next is null) return false;
            node = next;
        }
        switch (segments[^1])
        {
            case string name when node is JsonObject o:
                if (value is null) o.Remove(name); else o[name] = value;
                return true;
            case int index when node is JsonArray a && index < a.Count:
                if (value is null) a.RemoveAt(index); else a[index] = value;
                return true;
            default:
                return false;
        }
    }

    /// <summary>The value at the path, or null.</summary>
    public static JsonNode? Get(JsonNode? root, string path)
    {
        var node = root;
        foreach (var segment in Segments(path))
            node = segment switch
            {
                string name when node is JsonObject o => o[name],
                int index when node is JsonArray a && index < a.Count => a[index],
                _ => null,
            };
        return node;
    }

    public enum Change { Same, Added, Removed }
    public sealed record DiffLine(Change Change, int? Old, int? New, string Text);

    /// <summary>
    /// A line diff (longest common subsequence) of two texts, with <paramref name="context"/> unchanged lines around
    /// each change; a gap between hunks is one line whose text is "…". Empty when they say the same.
    /// </summary>
    public static List<DiffLine> Diff(string before, string after, int context = 2)
    {
        var a = before.Replace("\r\n", "\n").Split('\n');
        var b = after.Replace("\r\n", "\n").Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
            for (var j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        var all = new List<DiffLine>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y]) { all.Add(new(Change.Same, x + 1, y + 1, a[x])); x++; y++; }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y])) { all.Add(new(Change.Added, null, y + 1, b[y])); y++; }
            else { all.Add(new(Change.Removed, x + 1, null, a[x])); x++; }
        }
        if (all.All(l => l.Change == Change.Same)) return [];
        var keep = new bool[all.Count];
        for (var i = 0; i < all.Count; i++)
            if (all[i].Change != Change.Same)
                for (var k = Math.Max(0, i - context); k <= Math.Min(all.Count - 1, i + context); k++) keep[k] = true;
        var shown = new List<DiffLine>();
        for (var i = 0; i < all.Count; i++)
        {
            if (keep[i]) shown.Add(all[i]);
            else if (shown.Count > 0 && shown[^1].Text != "…" && i + 1 < all.Count && keep.Skip(i).Any(k => k)) shown.Add(new(Change.Same, null, null, "…"));
        }
        return shown;
    }
}
