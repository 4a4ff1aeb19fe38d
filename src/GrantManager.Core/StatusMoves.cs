namespace GrantManager.Core;

/// <summary>
/// The moves an entity's status may make, checked where the status changes: a move from a status that does not
/// allow it is refused with a <see cref="ConflictException"/> naming the move and the status it was refused in.
/// </summary>
public sealed class StatusMoves<TStatus>(string what, IReadOnlyDictionary<TStatus, TStatus[]> allowed) where TStatus : struct, Enum
{
    /// <summary>The status after the move; refused unless <paramref name="from"/> is one it may be made from.</summary>
    public TStatus Move(TStatus from, TStatus to, string move) =>
        allowed.TryGetValue(from, out var next) && next.Contains(to) ? to : throw new ConflictException($"{what} is {StatusMoves.Words(from)}, so it cannot {move}");
}

public static class StatusMoves
{
    /// <summary>A status in words: "ChangesRequested" → "changes requested".</summary>
    public static string Words(Enum status) =>
        string.Concat(status.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? " " + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
