using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.Email;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace GrantManager.Tests.Email;

/// <summary>The outbox dispatcher against a real SMTP server, one pass at a time on a fake clock.</summary>
public sealed class EmailDispatcherTests : IAsyncLifetime
{
    private readonly GrantManagerFactory _app = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2027, 3, 1, 9, 0, 0, TimeSpan.Zero));

    public EmailDispatcherTests() => _app.Set("Email:RunDispatcher", "false");

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private EmailDispatcher Dispatcher(IEmailTransport transport, int maxAttempts = 3) =>
        new(_app.Services.GetRequiredService<IServiceScopeFactory>(), transport, _clock,
            Options.Create(new EmailOptions { From = "grants@kent.example.gov.uk", MaxAttempts = maxAttempts, BatchSize = 50 }),
            NullLogger<EmailDispatcher>.Instance);

    private SmtpEmailTransport Smtp(int? port = null) => new(new SmtpOptions { Host = "127.0.0.1", Port = port ?? _app.Smtp.Port, UseStartTls = false });

    private async Task<List<Guid>> EnqueueAsync(params string[] recipients)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GrantDbContext>();
        var outbox = scope.ServiceProvider.GetRequiredService<Outbox>();
        var ids = recipients.Select(r => outbox.Add(db, "account-reset-code", new EmailRecipient(r, "Test Person"),
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
