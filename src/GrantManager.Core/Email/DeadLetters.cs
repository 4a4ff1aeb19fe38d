using GrantManager.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Email;

/// <summary>Which dead letters an administrator means: all of them, or those from one template or with an error that contains some text.</summary>
public sealed record DeadLetterFilter(string? Template = null, string? ErrorContains = null)
{
    public bool IsEmpty => string.IsNullOrWhiteSpace(Template) && string.IsNullOrWhiteSpace(ErrorContains);

    public override string ToString() => IsEmpty ? "all dead letters"
        : string.Join(", ", new[] { Template is { Length: > 0 } t ? $"template {t}" : null, ErrorContains is { Length: > 0 } e ? $"error containing '{e}'" : null }.OfType<string>());
}

/// <summary>Dead-lettered email: finding it, and putting it back in the queue once whatever refused it is put right.</summary>
public static class DeadLetters
{
    public static IQueryable<OutboxEmail> Matching(GrantDbContext db, DeadLetterFilter filter)
    {
        var query = db.OutboxEmails.Where(m => m.Status == OutboxStatus.DeadLetter);
        if (filter.Template is { Length: > 0 } template) query = query.Where(m => m.Template == template);
        if (filter.ErrorContains?.Trim() is { Length: > 0 } error) query = query.Where(m => m.LastError != null && m.LastError.Contains(error));
        return query;
    }

    /// <summary>
    /// Sends the chosen dead letters again from now, with their attempts starting afresh and the same
    /// Message-Id as before. Returns how many went back in the queue.
    /// </summary>
    public static Task<int> RequeueAsync(IQueryable<OutboxEmail> which, DateTime now, CancellationToken ct = default) =>
        which.Where(m => m.Status == OutboxStatus.DeadLetter).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, OutboxStatus.Pending).SetProperty(m => m.Attempts, 0).SetProperty(m => m.NextAttemptAt, now)
            .SetProperty(m => m.LeaseUntil, (DateTime?)null).SetProperty(m => m.LeaseOwner, (Guid?)null), ct);
}
