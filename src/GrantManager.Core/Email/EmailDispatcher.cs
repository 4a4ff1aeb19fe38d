using System.Threading.Channels;
using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace GrantManager.Core.Email;

/// <summary>
/// Sends what is due in the outbox over up to <c>Email:Connections</c> SMTP connections at once.
/// Each connection is opened before it takes any email, so one that hangs holds nothing back; it then
/// claims a batch (account emails first) with a short lease that is renewed while the batch is sent,
/// so another node, or this one after a crash, takes over within one lease. Every failure counts as an
/// attempt with its error kept for staff; retries back off, and a message is dead-lettered after the
/// configured attempts or at once on a permanent (5xx) refusal. Results are written by one writer per
/// pass, many to a transaction, so the senders never wait for each other at the database.
/// </summary>
public sealed class EmailDispatcher(
    IServiceScopeFactory scopes,
    IEmailTransport transport,
    TimeProvider time,
    IOptions<EmailOptions> options,
    ILogger<EmailDispatcher> logger)
{
    private EmailOptions Options => options.Value;
    private DateTime Now => time.GetUtcNow().UtcDateTime;
    private ILogger Logger => logger;

    /// <summary>One pass: sends every message due now. Returns how many were sent.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken ct = default)
    {
        var batch = Options.BatchSize;
        var due = await WithDbAsync(db => Due(db, time.GetUtcNow().UtcDateTime).Take(Options.Connections * batch).CountAsync(ct));
        if (due == 0) return 0;
        var pass = new Pass(this);
        var writer = pass.WriteAsync();
        try
        {
            var connections = Math.Clamp((due + batch - 1) / batch, 1, Options.Connections);
            await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(() => SendOverOneConnectionAsync(pass, ct), CancellationToken.None)));
        }
        finally
        {
            pass.Complete();
            await writer;
        }
        return pass.Sent;
    }

    private static IQueryable<OutboxEmail> Due(GrantDbContext db, DateTime now) =>
        db.OutboxEmails.Where(m => m.Status == OutboxStatus.Pending && m.NextAttemptAt <= now && (m.LeaseUntil == null || m.LeaseUntil < now));

    /// <summary>One connection's work: open it, then take batch after batch until nothing is due.</summary>
    private async Task SendOverOneConnectionAsync(Pass pass, CancellationToken ct)
    {
        IEmailSession? session = null;
        var domain = Options.From.Split('@').Last();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (session is null)
                {
                    try
                    {
                        session = await transport.OpenAsync(ct);
                        pass.Connected();
                    }
                    catch (Exception e) when (!ct.IsCancellationRequested)
                    {
                        var error = e is EmailSendException ? e.Message : $"Could not connect: {e.Message}";
                        // Other connections are getting through: this one gives up and holds nothing back.
                        if (pass.AnyConnected)
                        {
                            logger.LogWarning("An SMTP connection failed while others are sending; leaving the email to them: {Error}", error);
                            return;
                        }
                        // Nobody can connect: the attempt counts against a batch, so email to a server that stays away is dead-lettered in time.
                        var failing = await ClaimAsync(Guid.NewGuid(), ct);
                        foreach (var message in failing) pass.Failed(message, error, permanent: false);
                        if (failing.Count < Options.BatchSize) return;
                        continue;
                    }
                }

                var owner = Guid.NewGuid();
                var claimed = await ClaimAsync(owner, ct);
                if (claimed.Count == 0) return;
                var lost = false;
                using (var renewal = new CancellationTokenSource())
                {
                    var renewing = RenewAsync(owner, renewal.Token);
                    try
                    {
                        for (var i = 0; i < claimed.Count; i++)
                        {
                            var message = claimed[i];
                            if (ct.IsCancellationRequested)
                            {
                                pass.Release(claimed.Skip(i));
                                break;
                            }
                            try
                            {
                                await session.SendAsync(ToMime(message, Options.FromName, Options.From, domain), ct);
                                pass.Delivered(message);
                            }
                            catch (OperationCanceledException) when (ct.IsCancellationRequested)
                            {
                                pass.Release(claimed.Skip(i));
                                break;
                            }
                            catch (Exception e)
                            {
                                var failure = e as EmailSendException ?? new EmailSendException(e.Message, permanent: false, connectionLost: true, e);
                                pass.Failed(message, failure.Message, failure.Permanent);
                                if (failure.ConnectionLost)
                                {
                                    // The rest go back to the queue at once, untried, for whichever connection is free first.
                                    pass.Release(claimed.Skip(i + 1));
                                    lost = true;
                                    break;
                                }
                            }
                        }
                    }
                    finally
                    {
                        await renewal.CancelAsync();
                        await renewing;
                    }
                }
                if (lost)
                {
                    await session.DisposeAsync();
                    session = null;
                }
                else if (claimed.Count < Options.BatchSize) return;
            }
        }
        finally
        {
            if (session is not null) await session.DisposeAsync();
        }
    }

    /// <summary>Takes up to a batch of what is due, account emails first, for <paramref name="owner"/>.</summary>
    private Task<List<OutboxEmail>> ClaimAsync(Guid owner, CancellationToken ct) => WithDbAsync(async db =>
    {
        var now = time.GetUtcNow().UtcDateTime;
        var leaseUntil = now + Options.Lease;
        var batch = Options.BatchSize;
        List<Guid> ids;
        if (db.Database.IsNpgsql())
        {
            // Several connections and nodes claim side by side: each skips the rows another is taking.
            ids = await db.Database.SqlQuery<Guid>($"""
                UPDATE "OutboxEmails" SET "LeaseUntil" = {leaseUntil}, "LeaseOwner" = {owner}
                WHERE "Id" IN (SELECT "Id" FROM "OutboxEmails"
                               WHERE "Status" = 'Pending' AND "NextAttemptAt" <= {now} AND ("LeaseUntil" IS NULL OR "LeaseUntil" < {now})
                               ORDER BY "Priority", "NextAttemptAt" LIMIT {batch} FOR UPDATE SKIP LOCKED)
                RETURNING "Id" AS "Value"
                """).ToListAsync(ct);
        }
        else
        {
            // One statement, so two claims racing for a row cannot both win it (SQLite runs one writer at a time).
            var candidates = Due(db, now).OrderBy(m => m.Priority).ThenBy(m => m.NextAttemptAt).Take(batch).Select(m => m.Id);
            var count = await db.OutboxEmails.Where(m => candidates.Contains(m.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.LeaseUntil, leaseUntil).SetProperty(m => m.LeaseOwner, owner), ct);
            if (count == 0) return [];
            return await db.OutboxEmails.AsNoTracking().Where(m => m.LeaseOwner == owner)
                .OrderBy(m => m.Priority).ThenBy(m => m.NextAttemptAt).ToListAsync(ct);
        }
        if (ids.Count == 0) return [];
        return await db.OutboxEmails.AsNoTracking().Where(m => ids.Contains(m.Id) && m.LeaseOwner == owner)
            .OrderBy(m => m.Priority).ThenBy(m => m.NextAttemptAt).ToListAsync(ct);
    });

    /// <summary>Keeps a batch's lease while it is being sent, however slow the server: every third of the lease.</summary>
    private async Task RenewAsync(Guid owner, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(Options.Lease / 3, time, stop);
                var until = time.GetUtcNow().UtcDateTime + Options.Lease;
                await WithDbAsync(db => db.OutboxEmails.Where(m => m.LeaseOwner == owner && m.Status == OutboxStatus.Pending)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.LeaseUntil, until), stop));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not renew an email batch's lease; another sender may take it over when it runs out");
        }
    }

    private async Task<T> WithDbAsync<T>(Func<GrantDbContext, Task<T>> use)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await use(scope.ServiceProvider.GetRequiredService<GrantDbContext>());
    }

    /// <summary>
    /// One pass's results, written by a single writer: whatever has arrived since the last write goes
    /// in the next transaction, so under load many results share one commit and when quiet each is
    /// written at once.
    /// </summary>
    private sealed class Pass(EmailDispatcher dispatcher)
    {
        private abstract record Outcome;
        private sealed record DeliveredOutcome(Guid Id) : Outcome;
        private sealed record ReleasedOutcome(Guid Id, Guid? Owner) : Outcome;
        private sealed record FailedOutcome(Guid Id, Guid? Owner, int Attempts, OutboxStatus Status, DateTime NextAttemptAt, string Error) : Outcome;

        private readonly Channel<Outcome> _outcomes = Channel.CreateUnbounded<Outcome>(new UnboundedChannelOptions { SingleReader = true });
        private int _sent, _connected;

        public int Sent => Volatile.Read(ref _sent);
        public bool AnyConnected => Volatile.Read(ref _connected) > 0;
        public void Connected() => Interlocked.Increment(ref _connected);
        public void Complete() => _outcomes.Writer.TryComplete();

        public void Delivered(OutboxEmail message)
        {
            Interlocked.Increment(ref _sent);
            _outcomes.Writer.TryWrite(new DeliveredOutcome(message.Id));
        }

        public void Release(IEnumerable<OutboxEmail> messages)
        {
            foreach (var m in messages) _outcomes.Writer.TryWrite(new ReleasedOutcome(m.Id, m.LeaseOwner));
        }

        public void Failed(OutboxEmail message, string error, bool permanent)
        {
            var options = dispatcher.Options;
            var attempts = message.Attempts + 1;
            var now = dispatcher.Now;
            error = error.Length > 2000 ? error[..2000] : error;
            if (permanent || attempts >= options.MaxAttempts)
            {
                dispatcher.Logger.LogWarning("Email {EmailId} ({Template}) dead-lettered after {Attempts} attempts: {Error}",
                    message.Id, message.Template, attempts, error);
                _outcomes.Writer.TryWrite(new FailedOutcome(message.Id, message.LeaseOwner, attempts, OutboxStatus.DeadLetter, message.NextAttemptAt, error));
            }
            else
            {
                var delay = Backoff.After(attempts);
                dispatcher.Logger.LogInformation("Email {EmailId} ({Template}) failed, attempt {Attempts}; retrying after {Delay}: {Error}",
                    message.Id, message.Template, attempts, delay, error);
                _outcomes.Writer.TryWrite(new FailedOutcome(message.Id, message.LeaseOwner, attempts, OutboxStatus.Pending, now + delay, error));
            }
        }

        public async Task WriteAsync()
        {
            var reader = _outcomes.Reader;
            var taken = new List<Outcome>();
            while (await reader.WaitToReadAsync())
            {
                taken.Clear();
                while (taken.Count < 2000 && reader.TryRead(out var outcome)) taken.Add(outcome);
                try
                {
                    await dispatcher.WithDbAsync(db => WriteAsync(db, taken));
                }
                catch (Exception e)
                {
                    // What cannot be written stays leased and is sent again once the lease runs out (same Message-Id).
                    dispatcher.Logger.LogError(e, "Could not record the outcome of {Count} emails; they will be sent again after their lease", taken.Count);
                }
            }
        }

        private async Task<int> WriteAsync(GrantDbContext db, List<Outcome> outcomes)
        {
            var now = dispatcher.Now;
            await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None);
            var delivered = outcomes.OfType<DeliveredOutcome>().Select(o => o.Id).ToList();
            if (delivered.Count > 0)
                await db.OutboxEmails.Where(m => delivered.Contains(m.Id)).ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.Status, OutboxStatus.Sent).SetProperty(m => m.SentAt, now)
                    .SetProperty(m => m.Attempts, m => m.Attempts + 1).SetProperty(m => m.LastError, (string?)null)
                    .SetProperty(m => m.LeaseUntil, (DateTime?)null).SetProperty(m => m.LeaseOwner, (Guid?)null));
            foreach (var group in outcomes.OfType<ReleasedOutcome>().GroupBy(o => o.Owner))
            {
                var released = group.Select(o => o.Id).ToList();
                await db.OutboxEmails.Where(m => released.Contains(m.Id) && m.Status == OutboxStatus.Pending && m.LeaseOwner == group.Key).ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.LeaseUntil, (DateTime?)null).SetProperty(m => m.LeaseOwner, (Guid?)null));
            }
            foreach (var f in outcomes.OfType<FailedOutcome>())
                await db.OutboxEmails.Where(m => m.Id == f.Id && m.Status == OutboxStatus.Pending && m.LeaseOwner == f.Owner).ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.Attempts, f.Attempts).SetProperty(m => m.Status, f.Status).SetProperty(m => m.NextAttemptAt, f.NextAttemptAt)
                    .SetProperty(m => m.LastError, f.Error).SetProperty(m => m.LeaseUntil, (DateTime?)null).SetProperty(m => m.LeaseOwner, (Guid?)null));
            await tx.CommitAsync(CancellationToken.None);
            return outcomes.Count;
        }
    }

    /// <summary>
    /// The message as sent. Its sender is a new address each time: an address list subscribes to the
    /// changes of every address added to it, so one address shared by every message of a connection
    /// would keep each message alive until the connection's pass ended (tens of thousands at a quarter end).
    /// </summary>
    public static MimeMessage ToMime(OutboxEmail message, string? fromName, string fromAddress, string domain)
    {
        var mime = new MimeMessage();
        mime.From.Add(new MailboxAddress(fromName ?? "", fromAddress));
        mime.To.Add(new MailboxAddress(message.ToName ?? "", message.ToAddress));
        mime.Subject = message.Subject;
        // The same on every attempt and every node, so a repeat is recognisable as the same message.
        mime.MessageId = message.MessageId(domain);
        mime.Date = new DateTimeOffset(message.CreatedAt, TimeSpan.Zero);
        mime.Body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody }.ToMessageBody();
        return mime;
    }

    /// <summary>Puts a dead-lettered message back in the queue (an officer's retry).</summary>
    public static async Task<bool> RetryAsync(GrantDbContext db, Guid id, DateTime now, CancellationToken ct = default) =>
        await DeadLetters.RequeueAsync(db.OutboxEmails.Where(m => m.Id == id), now, ct) == 1;
}
