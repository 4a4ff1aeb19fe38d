namespace GrantManager.Core;

/// <summary>Bad input: each field (as the API names it) with what is wrong. Nothing was saved.</summary>
public sealed class InputException(IDictionary<string, string[]> errors)
    : Exception("The input has problems: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")))
{
    public IDictionary<string, string[]> Errors { get; } = errors;
}

/// <summary>
/// A request the service refuses as a whole (not field by field): <see cref="Status"/> is how the API
/// answers it, and pages answer it the same way (not found, forbidden) or show its message.
/// </summary>
public class RefusedException(string message, int status) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>Nothing of that kind exists that the person may know of (404).</summary>
public class NotFoundException(string message) : RefusedException(message, 404);

/// <summary>The person may not do this (403).</summary>
public class ForbiddenException(string message) : RefusedException(message, 403);

/// <summary>The thing has moved on: someone else got there first, or it is no longer in a state that allows this (409).</summary>
public class ConflictException(string message) : RefusedException(message, 409);

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
