using System.Text.Json;

namespace GrantManager.Core.Workflows;

/// <summary>
/// What a completed task's form recorded (<see cref="InboxTask.Data"/>): a JSON object of named fields, such as an
/// assessment's weighted score or a decision's amount awarded. Read here, not parsed where it is used. The
/// overloads on the text serve queries that read only the column.
/// </summary>
public static class TaskData
{
    /// <summary>An assessment's weighted score (<see cref="Applications.AssessmentForm"/>).</summary>
    public const string WeightedScoreField = "weightedScore";
    /// <summary>A decision's amount awarded (<see cref="Applications.DecisionForm"/>).</summary>
    public const string AmountAwardedField = "amountAwarded";
    /// <summary>The documents sent with an applicant's answer, by id.</summary>
    public const string DocumentsField = "documents";

    public static Dictionary<string, JsonElement> Fields(this InboxTask task) => Read(task.Data);

    public static string? Text(this InboxTask task, string field) => Text(task.Data, field);

    public static decimal? Number(this InboxTask task, string field) => Number(task.Data, field);

    /// <summary>What the officer wrote to the applicant with the outcome, if anything.</summary>
    public static string? Message(this InboxTask task) => Text(task.Data, WorkflowRuntime.MessageKey);

    /// <summary>The documents sent with the answer: the ids in the field's list that are ids.</summary>
    public static List<Guid> Documents(this InboxTask task) =>
        Read(task.Data).TryGetValue(DocumentsField, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String && Guid.TryParse(e.GetString(), out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty).ToList()
            : [];

    public static decimal? WeightedScore(string? data) => Number(data, WeightedScoreField);

    public static decimal? AmountAwarded(string? data) => Number(data, AmountAwardedField);

    /// <summary>Every field; an empty set for no data (or data that is not a JSON object).</summary>
    public static Dictionary<string, JsonElement> Read(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return new();
        using var document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind == JsonValueKind.Object
            ? document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone())
            : new();
    }

    public static string? Text(string? json, string field) =>
        Read(json).TryGetValue(field, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static decimal? Number(string? json, string field) =>
        Read(json).TryGetValue(field, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDecimal() : null;
}
