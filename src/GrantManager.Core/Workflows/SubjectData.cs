using System.Text.Json;

namespace GrantManager.Core.Workflows;

/// <summary>
/// The subject's workflow data (<see cref="WorkflowInstance.Data"/>): a JSON object of named fields
/// that conditions, templates and handlers read. Read and changed here, not parsed where it is used.
/// </summary>
public static class SubjectData
{
    /// <summary>Every field, as JSON values; an empty set for no data.</summary>
    public static Dictionary<string, JsonElement> Read(string? json) =>
        string.IsNullOrWhiteSpace(json) ? new() : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json) ?? new();

    public static Dictionary<string, JsonElement> Fields(this WorkflowInstance instance) => Read(instance.Data);

    /// <summary>A text field, or null when it is missing or not text.</summary>
    public static string? Text(string? json, string field) =>
        Read(json).TryGetValue(field, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>A number field (an amount in pounds, a score), or null when it is missing or not a number.</summary>
    public static decimal? Number(string? json, string field) =>
        Read(json).TryGetValue(field, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDecimal() : null;

    /// <summary>A moment written as text (ISO 8601), in UTC, or null.</summary>
    public static DateTime? Moment(string? json, string field) =>
        Read(json).TryGetValue(field, out var v) && v.ValueKind == JsonValueKind.String && v.TryGetDateTime(out var d) ? d.ToUniversalTime() : null;

    /// <summary>The data with these fields set (added or replaced), written with <paramref name="options"/>.</summary>
    public static string With(string? json, IEnumerable<KeyValuePair<string, object?>> values, JsonSerializerOptions? options = null)
    {
        var data = Read(json);
        foreach (var (k, v) in values) data[k] = JsonSerializer.SerializeToElement(v, options);
        return JsonSerializer.Serialize(data, options);
    }
}
