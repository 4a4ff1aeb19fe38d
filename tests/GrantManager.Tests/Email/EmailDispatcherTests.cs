using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.Email;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using System.Net;

namespace GrantManager.Tests.Email;

/// <summary>The outbox dispatcher against a real SMTP server, one pass at a time on a fake clock.</summary>
public sealed class EmailDispatcherTests : IAsyncLifetime
{
    private readonly GrantManagerFactory _app = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2027, 3, 1, 9, 0, 0, TimeSpan.Zero));

    public EmailDispatcherTests() => _app.Set("Email:RunDispatcher", "false");

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private EmailDispatcher Dispatcher(IEmailTransport transport, int maxAttempts = 3, int connections = 4, int batchSize = 50) =>
        new(_app.Services.GetRequiredService<IServiceScopeFactory>(), transport, _clock,
            Options.Create(new EmailOptions { From = "grants@kent.example.gov.uk", MaxAttempts = maxAttempts, BatchSize = batchSize, Connections = connections }),
            NullLogger<EmailDispatcher>.Instance);

    private SmtpEmailTransport Smtp(int? port = null, double timeoutSeconds = 30) =>
        new(new SmtpOptions { Host = "127.0.0.1", Port = port ?? _app.Smtp.Port, UseStartTls = false, Timeout = TimeSpan.FromSeconds(timeoutSeconds) });

    private Task<List<Guid>> EnqueueAsync(params string[] recipients) => EnqueueTemplateAsync("account-reset-code", recipients);

    private async Task<List<Guid>> EnqueueTemplateAsync(string template, params string[] recipients)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GrantDbContext>();
        var outbox = scope.ServiceProvider.GetRequiredService<Outbox>();
        var ids = recipients.Select(r => outbox.Add(db, template, new EmailRecipient(r, "Test Person"),
            new Dictionary<string, object?> { ["code"] = "123456" }, "Test", "1").Id).ToList();
        // Give the rows this test's clock, so they are due on it.
        foreach (var e in db.ChangeTracker.Entries<OutboxEmail>()) { e.Entity.CreatedAt = _clock.GetUtcNow().UtcDateTime; e.Entity.NextAttemptAt = _clock.GetUtcNow().UtcDateTime; }
        await db.SaveChangesAsync();
        return ids;
    }

    private Task<OutboxEmail> RowAsync(Guid id) => _app.WithDbAsync(db => db.OutboxEmails.AsNoTracking().SingleAsync(m => m.Id == id));

    [Fact]
    public async Task A_batch_goes_over_one_connection_with_a_stable_message_id()
    {
        var ids = await EnqueueAsync("one@example.net", "two@example.net", "three@example.net");
        var sessionsBefore = _app.Smtp.Sessions;

        var sent = await Dispatcher(Smtp()).DispatchDueAsync();

        Assert.Equal(3, sent);
        Assert.Equal(sessionsBefore + 1, _app.Smtp.Sessions);
        var message = await _app.Smtp.WaitForAsync("two@example.net", "password reset code");
        Assert.Equal($"{ids[1]:N}@kent.example.gov.uk", message.MessageId);
        Assert.Contains("123456", message.TextBody);
        var row = await RowAsync(ids[1]);
        Assert.Equal(OutboxStatus.Sent, row.Status);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime, row.SentAt);
        Assert.Equal(0, await Dispatcher(Smtp()).DispatchDueAsync());
    }

    [Fact]
    public async Task Messages_already_sent_are_not_kept_in_memory_while_a_long_pass_goes_on()
    {
        // One connection, three batches in one pass: by the last email, the 29 before it have been sent
        // and nothing should keep them (a quarter end sends tens of thousands in one pass).
        var ids = await EnqueueAsync(Enumerable.Range(1, 30).Select(i => $"holder{i}@example.net").ToArray());
        var watching = new WatchingTransport(Smtp(), checkAt: ids.Count);

        var sent = await Dispatcher(watching, connections: 1, batchSize: 10).DispatchDueAsync();

        Assert.Equal(30, sent);
        Assert.All(Enumerable.Range(1, 30), i => Assert.Single(_app.Smtp.To($"holder{i}@example.net")));
        // The one just before may still sit in a register or a slot of the send loop; none earlier may.
        Assert.Equal(28, watching.SentBefore);
        Assert.Equal(0, watching.StillAliveBefore);
    }

    /// <summary>
    /// The real SMTP transport, watching the messages it is given: before sending the
    /// <c>checkAt</c>-th it collects garbage and counts how many of those sent before it (all but the
    /// last one) are still alive.
    /// </summary>
    private sealed class WatchingTransport(IEmailTransport inner, int checkAt) : IEmailTransport
    {
        private readonly List<WeakReference<MimeKit.MimeMessage>> _sent = [];
        private readonly int _checkAt = checkAt;
        public int SentBefore { get; private set; } = -1;
        public int StillAliveBefore { get; private set; } = -1;

        public async Task<IEmailSession> OpenAsync(CancellationToken ct) => new Session(this, await inner.OpenAsync(ct));

        private sealed class Session(WatchingTransport owner, IEmailSession inner) : IEmailSession
        {
            public Task SendAsync(MimeKit.MimeMessage message, CancellationToken ct)
            {
                lock (owner._sent)
                {
                    if (owner._sent.Count == owner._checkAt - 1) owner.Check();
                    owner._sent.Add(new WeakReference<MimeKit.MimeMessage>(message));
                }
                return inner.SendAsync(message, ct);
            }

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }

        private void Check()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var earlier = _sent.Take(_sent.Count - 1).ToList();
            SentBefore = earlier.Count;
            StillAliveBefore = earlier.Count(w => w.TryGetTarget(out _));
        }
    }

    [Fact]
    public async Task A_rejected_recipient_is_dead_lettered_at_once_and_the_rest_of_the_batch_is_sent()
    {
        _app.Smtp.Rejected["nobody@example.net"] = true;
        var ids = await EnqueueAsync("nobody@example.net", "somebody@example.net");

        await Dispatcher(Smtp()).DispatchDueAsync();

        var rejected = await RowAsync(ids[0]);
        Assert.Equal(OutboxStatus.DeadLetter, rejected.Status);
        Assert.Contains("550", rejected.LastError);
        Assert.Equal(OutboxStatus.Sent, (await RowAsync(ids[1])).Status);
        await _app.Smtp.WaitForAsync("somebody@example.net", "password reset code");
    }

    [Fact]
    public async Task An_unreachable_server_is_retried_with_back_off_then_dead_lettered_and_can_be_retried_by_hand()
    {
        var closedPort = new TestSmtpServer();
        var port = closedPort.Port;
        await closedPort.DisposeAsync();
        var ids = await EnqueueAsync("later@example.net");
        var dispatcher = Dispatcher(Smtp(port), maxAttempts: 3);

        await dispatcher.DispatchDueAsync();
        var first = await RowAsync(ids[0]);
        Assert.Equal((OutboxStatus.Pending, 1), (first.Status, first.Attempts));
        Assert.Equal(_clock.GetUtcNow().UtcDateTime.AddSeconds(30), first.NextAttemptAt);
        Assert.Contains("Could not connect", first.LastError);

        // Not due yet: nothing is tried.
        _clock.Advance(TimeSpan.FromSeconds(29));
        await dispatcher.DispatchDueAsync();
        Assert.Equal(1, (await RowAsync(ids[0])).Attempts);

        _clock.Advance(TimeSpan.FromSeconds(1));
        await dispatcher.DispatchDueAsync();
        var second = await RowAsync(ids[0]);
        Assert.Equal(2, second.Attempts);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime.AddMinutes(1), second.NextAttemptAt);

        _clock.Advance(TimeSpan.FromMinutes(1));
        await dispatcher.DispatchDueAsync();
        Assert.Equal(OutboxStatus.DeadLetter, (await RowAsync(ids[0])).Status);

        // An officer's retry sends it once the server is back.
        Assert.True(await _app.WithDbAsync(db => EmailDispatcher.RetryAsync(db, ids[0], _clock.GetUtcNow().UtcDateTime)));
        await Dispatcher(Smtp()).DispatchDueAsync();
        Assert.Equal(OutboxStatus.Sent, (await RowAsync(ids[0])).Status);
        await _app.Smtp.WaitForAsync("later@example.net", "password reset code");
    }

    [Fact]
    public async Task A_message_leased_by_a_node_that_died_is_sent_after_the_lease_runs_out()
    {
        var ids = await EnqueueAsync("leased@example.net");
        var now = _clock.GetUtcNow().UtcDateTime;
        await _app.WithDbAsync(db => db.OutboxEmails.Where(m => m.Id == ids[0])
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.LeaseUntil, now.AddMinutes(5)).SetProperty(m => m.LeaseOwner, Guid.NewGuid())));

        Assert.Equal(0, await Dispatcher(Smtp()).DispatchDueAsync());
        _clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await Dispatcher(Smtp()).DispatchDueAsync());
    }

    [Fact]
    public async Task A_timeout_during_DATA_counts_as_an_attempt_with_its_error_and_a_server_that_keeps_timing_out_dead_letters_the_message()
    {
        await using var stalling = new FaultySmtpServer(SmtpFault.TimesOutDuringData);
        var ids = await EnqueueAsync("stalled@example.net");
        var dispatcher = Dispatcher(Smtp(stalling.Port, timeoutSeconds: 1), maxAttempts: 2);

        Assert.Equal(0, await dispatcher.DispatchDueAsync());
        var first = await RowAsync(ids[0]);
        Assert.Equal((OutboxStatus.Pending, 1), (first.Status, first.Attempts));
        Assert.Contains("no answer within 1 s", first.LastError);
        // Not held by a lease: it is due again after the back-off, not after a lease runs out.
        Assert.Null(first.LeaseUntil);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime.AddSeconds(30), first.NextAttemptAt);

        _clock.Advance(TimeSpan.FromSeconds(30));
        await dispatcher.DispatchDueAsync();
        var second = await RowAsync(ids[0]);
        Assert.Equal((OutboxStatus.DeadLetter, 2), (second.Status, second.Attempts));
        Assert.Equal(2, stalling.MessagesRead);
    }

    [Fact]
    public async Task A_connection_the_server_never_greets_holds_up_no_email()
    {
        // A relay behind a balancer where the first connection lands on a server that never speaks.
        await using var relay = new FaultySmtpServer(n => n == 1 ? SmtpFault.NeverGreets : SmtpFault.Relays, _app.Smtp.Port);
        var reminders = await EnqueueTemplateAsync("return-reminder", Enumerable.Range(1, 8).Select(i => $"holder{i}@example.net").ToArray());
        var reset = (await EnqueueAsync("waiting@example.net")).Single();

        var sent = await Dispatcher(Smtp(relay.Port, timeoutSeconds: 2), connections: 4, batchSize: 3).DispatchDueAsync();

        Assert.Equal(9, sent);
        Assert.True(relay.Connections >= 2, $"{relay.Connections} connections");
        foreach (var id in reminders.Append(reset))
        {
            var row = await RowAsync(id);
            // Nothing waited on the silent connection: every email went at its first attempt.
            Assert.Equal((OutboxStatus.Sent, 1, null), (row.Status, row.Attempts, row.LastError));
        }
        await _app.Smtp.WaitForAsync("waiting@example.net", "password reset code");
    }

    [Fact]
    public async Task Account_emails_go_before_email_that_was_waiting_already()
    {
        await EnqueueTemplateAsync("return-reminder", "first@example.net", "second@example.net", "third@example.net");
        _clock.Advance(TimeSpan.FromMinutes(1));
        await EnqueueAsync("reset@example.net");

        await Dispatcher(Smtp(), connections: 1, batchSize: 2).DispatchDueAsync();

        var order = _app.Smtp.Messages.Select(m => m.To.Mailboxes.Single().Address).ToList();
        Assert.Equal("reset@example.net", order[0]);
        Assert.Equal(["first@example.net", "second@example.net", "third@example.net"], order.Skip(1).Order());
    }

    [Fact]
    public async Task A_batch_keeps_its_lease_while_a_slow_server_takes_it_and_a_repeat_has_the_same_message_id()
    {
        await using var slow = new FaultySmtpServer(SmtpFault.HoldsReplyToData);
        var id = (await EnqueueAsync("slow@example.net")).Single();
        var start = _clock.GetUtcNow().UtcDateTime;
        var dispatcher = new EmailDispatcher(_app.Services.GetRequiredService<IServiceScopeFactory>(), Smtp(slow.Port), _clock,
            Options.Create(new EmailOptions { From = "grants@kent.example.gov.uk", Lease = TimeSpan.FromSeconds(30) }), NullLogger<EmailDispatcher>.Instance);

        var sending = dispatcher.DispatchDueAsync();
        await slow.WaitForMessageAsync();
        Assert.Equal(start.AddSeconds(30), (await RowAsync(id)).LeaseUntil);

        // A third of the lease on, the sender renews it: another node still may not take the batch.
        _clock.Advance(TimeSpan.FromSeconds(10));
        await WaitUntilAsync(async () => (await RowAsync(id)).LeaseUntil == start.AddSeconds(40));
        _clock.Advance(TimeSpan.FromSeconds(25));
        Assert.Equal(0, await Dispatcher(Smtp()).DispatchDueAsync());

        slow.Release();
        Assert.Equal(1, await sending);
        var row = await RowAsync(id);
        Assert.Equal((OutboxStatus.Sent, (DateTime?)null), (row.Status, row.LeaseUntil));

        // Sent again (by hand, as after a crash before the result was written): the same Message-Id.
        await _app.WithDbAsync(db => db.OutboxEmails.Where(m => m.Id == id).ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, OutboxStatus.Pending)));
        await Dispatcher(Smtp()).DispatchDueAsync();
        Assert.Equal($"{id:N}@kent.example.gov.uk", (await _app.Smtp.WaitForAsync("slow@example.net", "password reset code")).MessageId);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not come true");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_relay_refusing_the_sender_dead_letters_everything_and_an_administrator_sends_it_all_again()
    {
        await using var refusing = new FaultySmtpServer(SmtpFault.RefusesSender);
        var refused = await EnqueueTemplateAsync("return-reminder", "a@example.net", "b@example.net", "c@example.net");
        var other = (await EnqueueAsync("d@example.net")).Single();
        await _app.WithDbAsync(db => db.OutboxEmails.Where(m => m.Id == other)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, OutboxStatus.DeadLetter).SetProperty(m => m.LastError, "SMTP 552: mailbox full")));

        await Dispatcher(Smtp(refusing.Port)).DispatchDueAsync();
        foreach (var id in refused)
        {
            var row = await RowAsync(id);
            Assert.Equal((OutboxStatus.DeadLetter, 1), (row.Status, row.Attempts));
            Assert.Contains("550", row.LastError);
        }

        // Only an administrator may see or retry them.
        var officer = await _app.SignedInAsync("officer@example.org");
        Assert.StartsWith("/Account/AccessDenied", (await officer.GetAsync("/Admin/Emails")).Headers.Location!.PathAndQuery);
        var applicant = await _app.SignedInAsync("applicant@example.org");
        var post = await applicant.PostAsync("/Admin/Emails?handler=Retry", new FormUrlEncodedContent(new Dictionary<string, string>()));
        Assert.StartsWith("/Account/AccessDenied", post.Headers.Location!.PathAndQuery);
        Assert.Equal(OutboxStatus.DeadLetter, (await RowAsync(refused[0])).Status);

        var admin = await _app.SignedInAsync("admin@example.org");
        var all = await admin.GetPageAsync("/Admin/Emails");
        Assert.Contains("4 emails undelivered", all.QuerySelector("main h2")!.TextContent);
        var filtered = await admin.GetPageAsync("/Admin/Emails?Template=&Error=550");
        Assert.Contains("3 emails match", filtered.QuerySelector("main h2")!.TextContent);
        Assert.Equal(3, filtered.QuerySelectorAll("main tbody tr").Length);

        var retried = await admin.SubmitFormAsync(filtered, "/Admin/Emails?Template=&Error=550");
        Assert.Equal(HttpStatusCode.Redirect, retried.StatusCode);
        Assert.Contains("3 emails will be sent again", (await admin.GetPageAsync("/Admin/Emails")).QuerySelector("main")!.TextContent);
        Assert.Equal(OutboxStatus.DeadLetter, (await RowAsync(other)).Status);

        // The relay is put right: each goes, once, with the Message-Id it had before.
        Assert.Equal(3, await Dispatcher(Smtp()).DispatchDueAsync());
        foreach (var (id, to) in refused.Zip(["a@example.net", "b@example.net", "c@example.net"]))
        {
            var row = await RowAsync(id);
            Assert.Equal((OutboxStatus.Sent, 1), (row.Status, row.Attempts));
            Assert.Equal($"{id:N}@kent.example.gov.uk", (await _app.Smtp.WaitForAsync(to, "progress report")).MessageId);
            Assert.Single(_app.Smtp.To(to));
        }

        // Then the rest: retry all.
        var rest = await admin.SubmitFormAsync("/Admin/Emails");
        Assert.Equal(HttpStatusCode.Redirect, rest.StatusCode);
        Assert.Equal(OutboxStatus.Pending, (await RowAsync(other)).Status);
    }

    [Fact]
    public async Task Without_SMTP_each_message_is_written_to_the_pickup_folder_as_eml()
    {
        var folder = Path.Combine(_app.DataDirectory, "pickup");
        // Two messages alike, to the same person at the same moment, and one to someone else.
        await EnqueueAsync("pickup@example.net", "pickup@example.net", "o'brien/x@example.net");

        await Dispatcher(new PickupFolderTransport(folder)).DispatchDueAsync();

        // Named by when (UK time: 9am UTC on 1 March is 9am in the UK), to whom and about what, so a person can find one.
        var names = Directory.GetFiles(folder, "*.eml").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["20270301-090000-o-brien-x@example.net-Your-password-reset-code-for-Kent-County-Council-community.eml",
            "20270301-090000-pickup@example.net-Your-password-reset-code-for-Kent-County-Council-community-2.eml",
            "20270301-090000-pickup@example.net-Your-password-reset-code-for-Kent-County-Council-community.eml"], names);
        var message = await MimeKit.MimeMessage.LoadAsync(Path.Combine(folder, names[2]!));
        Assert.Equal("pickup@example.net", message.To.Mailboxes.Single().Address);
        Assert.StartsWith("Your password reset code", message.Subject);
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
    }
}
