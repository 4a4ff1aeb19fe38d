using GrantManager.Core.Configuration;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace GrantManager.Core.Email;

/// <summary>Where the dispatcher hands messages: an SMTP server, or the pickup folder.</summary>
public interface IEmailTransport
{
    /// <summary>Opens one session for a batch: for SMTP, one connection reused for every message.</summary>
    Task<IEmailSession> OpenAsync(CancellationToken ct);
}

public interface IEmailSession : IAsyncDisposable
{
    Task SendAsync(MimeMessage message, CancellationToken ct);
}

/// <summary>A send failed; <see cref="Permanent"/> says retrying cannot help (an SMTP 5xx).</summary>
public sealed class EmailSendException(string message, bool permanent, bool connectionLost, Exception? inner = null)
    : Exception(message, inner)
{
    public bool Permanent { get; } = permanent;
    public bool ConnectionLost { get; } = connectionLost;
}

public sealed class SmtpEmailTransport(SmtpOptions options) : IEmailTransport
{
    public async Task<IEmailSession> OpenAsync(CancellationToken ct)
    {
        var client = new SmtpClient { Timeout = (int)options.Timeout.TotalMilliseconds };
        try
        {
            var security = options.Port == 465 ? SecureSocketOptions.SslOnConnect
                : options.UseStartTls ? SecureSocketOptions.StartTls
                : SecureSocketOptions.None;
            await client.ConnectAsync(options.Host!, options.Port, security, ct);
            if (!string.IsNullOrEmpty(options.UserName))
                await client.AuthenticateAsync(options.UserName, options.Password ?? "", ct);
            return new Session(client, Describe);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            client.Dispose();
            // A 5xx to the greeting or to the credentials will not mend by itself either, but the next message
            // may go through once someone puts the relay right: each message's attempts still run out in time.
            throw new EmailSendException($"Could not connect to SMTP server {options.Host}:{options.Port}: {Describe(e)}",
                permanent: false, connectionLost: true, e);
        }
    }

    /// <summary>What went wrong, in words staff can act on (a timeout says so rather than "The operation has timed out").</summary>
    private string Describe(Exception e) =>
        e is TimeoutException or OperationCanceledException ? $"no answer within {options.Timeout.TotalSeconds:0.#} s" : e.Message;

    private sealed class Session(SmtpClient client, Func<Exception, string> describe) : IEmailSession
    {
        private bool _broken;

        public async Task SendAsync(MimeMessage message, CancellationToken ct)
        {
            try
            {
                await client.SendAsync(message, ct);
            }
            catch (SmtpCommandException e)
            {
                var code = (int)e.StatusCode;
                throw new EmailSendException($"SMTP {code}: {e.Message}", permanent: code >= 500, connectionLost: false, e);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // Anything else (a timeout during DATA, a dropped connection, a protocol error) leaves the
                // connection unusable; whether the server kept the message is unknown, so it is tried again.
                _broken = true;
                throw new EmailSendException($"SMTP connection lost: {describe(e)}", permanent: false, connectionLost: true, e);
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                // After a timeout or a drop, QUIT would only wait for the same silence again.
                if (client.IsConnected && !_broken) await client.DisconnectAsync(true);
            }
            catch (Exception e) when (e is IOException or SmtpProtocolException or System.Net.Sockets.SocketException or TimeoutException or OperationCanceledException)
            {
                // The server already went away; nothing left to close politely.
            }
            client.Dispose();
        }
    }
}

/// <summary>
/// Writes each message as an .eml file, the embedded default when no SMTP server is set. Files are
/// named so a person can find one: when it was written (UK time), to whom and about what, e.g.
/// <c>20270301-090000-applicant@example.org-Your-offer-of-a-grant.eml</c>, with -2, -3… when two
/// would share a name.
/// </summary>
public sealed partial class PickupFolderTransport(string directory) : IEmailTransport
{
    public string Directory => directory;

    /// <summary>The file name (without .eml) for a message: its date in UK time, first recipient and subject, kept to safe characters.</summary>
    public static string FileNameFor(MimeMessage message)
    {
        var at = message.Date == default ? DateTimeOffset.UtcNow : message.Date;
        var uk = TimeZoneInfo.ConvertTime(at, UkTime.London);
        var to = message.To.Mailboxes.FirstOrDefault()?.Address ?? "no-recipient";
        return $"{uk:yyyyMMdd-HHmmss}-{Safe(to, 60)}-{Safe(message.Subject ?? "", 60)}".TrimEnd('-');
    }

    private static string Safe(string text, int max)
    {
        var safe = Unsafe().Replace(text.Normalize(System.Text.NormalizationForm.FormKD), "-").Trim('-', '.');
        // Long subjects are cut at a word, not in the middle of one.
        if (safe.Length > max) safe = (safe.LastIndexOf('-', max) is var cut and > 0 ? safe[..cut] : safe[..max]).TrimEnd('-', '.');
        return safe.Length == 0 ? "none" : safe;
    }

    [System.Text.RegularExpressions.GeneratedRegex("[^A-Za-z0-9@._+]+")]
    private static partial System.Text.RegularExpressions.Regex Unsafe();

    public Task<IEmailSession> OpenAsync(CancellationToken ct)
    {
        System.IO.Directory.CreateDirectory(directory);
        return Task.FromResult<IEmailSession>(new Session(directory));
    }

    private sealed class Session(string directory) : IEmailSession
    {
        public async Task SendAsync(MimeMessage message, CancellationToken ct)
        {
            var name = FileNameFor(message);
            var temp = Path.Combine(directory, $"{Guid.NewGuid():N}.tmp");
            try
            {
                await message.WriteToAsync(temp, ct);
                // Never overwrite another message's file: the next free -2, -3… instead.
                for (var n = 1; ; n++)
                {
                    var path = Path.Combine(directory, (n == 1 ? name : $"{name}-{n}") + ".eml");
                    if (File.Exists(path)) continue;
                    try { File.Move(temp, path, overwrite: false); break; }
                    catch (IOException) when (File.Exists(path) && n < 1000) { }
                }
            }
            catch (IOException e)
            {
                try { File.Delete(temp); } catch (IOException) { }
                throw new EmailSendException($"Could not write to the pickup folder: {e.Message}", permanent: false, connectionLost: false, e);
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
