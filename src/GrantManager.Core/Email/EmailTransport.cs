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
        var client = new SmtpClient { Timeout = 30_000 };
        try
        {
            var security = options.Port == 465 ? SecureSocketOptions.SslOnConnect
                : options.UseStartTls ? SecureSocketOptions.StartTls
                : SecureSocketOptions.None;
            await client.ConnectAsync(options.Host!, options.Port, security, ct);
            if (!string.IsNullOrEmpty(options.UserName))
                await client.AuthenticateAsync(options.UserName, options.Password ?? "", ct);
            return new Session(client);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            client.Dispose();
            throw new EmailSendException($"Could not connect to SMTP server {options.Host}:{options.Port}: {e.Message}",
                permanent: false, connectionLost: true, e);
        }
    }

    private sealed class Session(SmtpClient client) : IEmailSession
    {
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
            catch (Exception e) when (e is SmtpProtocolException or IOException or System.Net.Sockets.SocketException or MailKit.ServiceNotConnectedException)
            {
                throw new EmailSendException($"SMTP connection lost: {e.Message}", permanent: false, connectionLost: true, e);
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (client.IsConnected) await client.DisconnectAsync(true);
            }
            catch (Exception e) when (e is IOException or SmtpProtocolException or System.Net.Sockets.SocketException)
            {
                // The server already went away; nothing left to close politely.
            }
            client.Dispose();
        }
    }
}

/// <summary>Writes each message as an .eml file, the embedded default when no SMTP server is set.</summary>
public sealed class PickupFolderTransport(string directory) : IEmailTransport
{
    public string Directory => directory;

    public Task<IEmailSession> OpenAsync(CancellationToken ct)
    {
        System.IO.Directory.CreateDirectory(directory);
        return Task.FromResult<IEmailSession>(new Session(directory));
    }

    private sealed class Session(string directory) : IEmailSession
    {
        public async Task SendAsync(MimeMessage message, CancellationToken ct)
        {
            var name = (message.MessageId ?? Guid.NewGuid().ToString("N")).Split('@')[0];
            var temp = Path.Combine(directory, name + ".tmp");
            try
            {
                await message.WriteToAsync(temp, ct);
                File.Move(temp, Path.Combine(directory, name + ".eml"), overwrite: true);
            }
            catch (IOException e)
            {
                throw new EmailSendException($"Could not write to the pickup folder: {e.Message}", permanent: false, connectionLost: false, e);
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
