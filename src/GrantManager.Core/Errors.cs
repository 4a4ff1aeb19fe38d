namespace GrantManager.Core;

/// <summary>Bad input: each field (as the API names it) with what is wrong. Nothing was saved.</summary>
public sealed class InputException(IDictionary<string, string[]> errors)
    : Exception("The input has problems: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")))
{
    public IDictionary<string, string[]> Errors { get; } = errors;
}

/// <summary>Field errors collected before anything is saved.</summary>
public sealed class Errors
{
    private readonly Dictionary<string, List<string>> _errors = new();
    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
    }
    public bool Any => _errors.Count > 0;
    public IDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    public void ThrowIfAny()
    {
        if (Any) throw new InputException(ToDictionary());
    }
}
