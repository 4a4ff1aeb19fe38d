namespace GrantManager.Core.Configuration;

/// <summary>How long to wait before trying a failed email or timer again: 30 s, 1, 2, 4 minutes … at most an hour.</summary>
public static class Backoff
{
    public static TimeSpan After(int attempts) => TimeSpan.FromSeconds(Math.Min(3600, 30 * Math.Pow(2, Math.Max(0, attempts - 1))));
}
