using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace GrantManager.Core.Email;

/// <summary>
/// Sends what is due in the outbox: claims a batch with a lease (so another node, or this one
/// after a crash, takes over only when the lease runs out), sends it over one connection,
/// retries failures with back-off and dead-letters a message after the configured attempts.
/// </summary>
public sealed class EmailDispatcher(
    IServiceScopeFactory scopes,
    IEmailTransport transport,
    TimeProvider time,
    IOptions<EmailOptions> options,
    ILogger<EmailDispatcher> logger)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    /// <summary>One pass: sends every message due now, in batches. Returns how many were sent.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken ct = default)
    {
        var sent = 0;
        while (!ct.IsCancellationRequested)
        {
            var (claimed, delivered) = await DispatchBatchAsync(ct);
            sent += delivered;
            if (claimed < options.Value.BatchSize) break;
        }
        return sent;
    }

    private async Task<(int Claimed, int Sent)> DispatchBatchAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<GrantDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        var owner = Guid.NewGuid();
        var leaseUntil = now + Lease;
        var batch = options.Value.BatchSize;

        var candidates = db.OutboxEmails
            .Where(m => m.Status == OutboxStatus.Pending && m.NextAttemptAt <= now && (m.LeaseUntil == null || m.LeaseUntil < now))
            .OrderBy(m => m.NextAttemptAt)
            .Take(batch)
            .Select(m => m.Id);
        // The lease condition is repeated in the UPDATE so that two nodes racing for a row cannot both win it.
        var claimed = await db.OutboxEmails
            .Where(m => candidates.Contains(m.Id) && (m.LeaseUntil == null || m.LeaseUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.LeaseUntil, leaseUntil).SetProperty(m => m.LeaseOwner, owner), ct);
        if (claimed == 0) return (0, 0);

        var messages = await db.OutboxEmails.Where(m => m.LeaseOwner == owner).OrderBy(m => m.NextAttemptAt).ToListAsync(ct);
        var from = new MailboxAddress(options.Value.FromName, options.Value.From);
        var domain = options.Value.From.Split('@').Last();
        var sent = 0;
        IEmailSession? session = null;
        try
        {
            foreach (var message in messages)
            {
                try
                {
                    session ??= await transport.OpenAsync(ct);
                    await session.SendAsync(ToMime(message, from, domain), ct);
                    message.Status = OutboxStatus.Sent;
                    message.SentAt = time.GetUtcNow().UtcDateTime;
                    message.Attempts++;
                    message.LastError = null;
                    sent++;
                }
                catch (EmailSendException e)
                {
                    Failed(message, e.Message, e.Permanent);
                    if (e.ConnectionLost && session is not null)
                    {
                        await session.DisposeAsync();
                        session = null;
                    }
                }
                message.LeaseUntil = null;
                message.LeaseOwner = null;
                await db.SaveChangesAsync(CancellationToken.None);
            }
        }
        finally
        {
            if (session is not null) await session.DisposeAsync();
        }
        return (claimed, sent);
    }

    private void Failed(OutboxEmail message, string error, bool permanent)
    {
        message.Attempts++;
        message.LastError = error;
        if (permanent || message.Attempts >= options.Value.MaxAttempts)
        {
            message.Status = OutboxStatus.DeadLetter;
            logger.LogWarning("Email {EmailId} ({Template}) dead-lettered after {Attempts} attempts: {Error}",
                message.Id, message.Template, message.Attempts, error);
        }
        else
        {
            var delay = Backoff.After(message.Attempts);
            message.NextAttemptAt = time.GetUtcNow().UtcDateTime + delay;
            logger.LogInformation("Email {EmailId} ({Template}) failed, attempt {Attempts}; retrying after {Delay}: {Error}",
                message.Id, message.Template, message.Attempts, delay, error);
        }
    }

    public static MimeMessage ToMime(OutboxEmail message, MailboxAddress from, string domain)
    {
        var mime = new MimeMessage();
        mime.From.Add(from);
        mime.To.Add(new MailboxAddress(message.ToName ?? "", message.ToAddress));
        mime.Subject = message.Subject;
        mime.MessageId = message.MessageId(domain);
        mime.Date = new DateTimeOffset(message.CreatedAt, TimeSpan.Zero);
        mime.Body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody }.ToMessageBody();
        return mime;
    }

    /// <summary>Puts a dead-lettered message back in the queue (an officer's retry).</summary>
    public static async Task<bool> RetryAsync(GrantDbContext db, Guid id, DateTime now, CancellationToken ct = default) =>
        await db.OutboxEmails.Where(m => m.Id == id && m.Status == OutboxStatus.DeadLetter)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, OutboxStatus.Pending)
                .SetProperty(m => m.Attempts, 0).SetProperty(m => m.NextAttemptAt, now), ct) == 1;
}
