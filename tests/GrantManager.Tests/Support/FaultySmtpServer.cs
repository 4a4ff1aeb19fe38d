using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GrantManager.Tests.Support;

/// <summary>How a <see cref="FaultySmtpServer"/> treats one connection.</summary>
public enum SmtpFault
{
    /// <summary>Accepts the connection and never says a word.</summary>
    NeverGreets,
    /// <summary>Takes the whole message after DATA, then never answers.</summary>
    TimesOutDuringData,
    /// <summary>Answers 550 to MAIL FROM, as a relay that will not take this sender.</summary>
    RefusesSender,
    /// <summary>Takes the message and answers 250 only once <see cref="FaultySmtpServer.Release"/> is called.</summary>
    HoldsReplyToData,
    /// <summary>Passes the connection through to the real server given as the relay.</summary>
    Relays,
}

/// <summary>
/// A real TCP listener on a free loopback port that speaks just enough SMTP to fail the way broken
/// servers do: silent, stalling after the message, refusing the sender, or holding its reply.
/// </summary>
public sealed class FaultySmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<int, SmtpFault> _faultFor;
    private readonly int? _relayPort;
    private readonly Task _accepting;
    private readonly List<Socket> _sockets = [];
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _messages = new(0);
    private int _connections, _messageCount;

    public int Port { get; }
    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);
    /// <summary>Messages this server read to the end (whatever it then answered).</summary>
    public int MessagesRead => Volatile.Read(ref _messageCount);

    /// <param name="faultFor">What to do with the n-th connection (counting from 1).</param>
    /// <param name="relayPort">Where <see cref="SmtpFault.Relays"/> connections go.</param>
    public FaultySmtpServer(Func<int, SmtpFault> faultFor, int? relayPort = null)
    {
        _faultFor = faultFor;
        _relayPort = relayPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public FaultySmtpServer(SmtpFault always) : this(_ => always) { }

    /// <summary>Lets held replies go (<see cref="SmtpFault.HoldsReplyToData"/>).</summary>
    public void Release() => _release.TrySetResult();

    /// <summary>Waits until a message has been read to its end.</summary>
    public async Task WaitForMessageAsync()
    {
        if (!await _messages.WaitAsync(TimeSpan.FromSeconds(15))) throw new TimeoutException("No message reached the faulty SMTP server");
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try { socket = await _listener.AcceptSocketAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            lock (_sockets) _sockets.Add(socket);
            var fault = _faultFor(Interlocked.Increment(ref _connections));
            _ = Task.Run(() => fault == SmtpFault.Relays ? RelayAsync(socket) : SpeakAsync(socket, fault));
        }
    }

    private async Task SpeakAsync(Socket socket, SmtpFault fault)
    {
        try
        {
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            if (fault == SmtpFault.NeverGreets)
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
                return;
            }
            await writer.WriteLineAsync("220 faulty.example ESMTP");
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = (line.Length >= 4 ? line[..4] : line).ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO" or "HELO": await writer.WriteLineAsync("250 faulty.example"); break;
                    case "MAIL" when fault == SmtpFault.RefusesSender: await writer.WriteLineAsync("550 5.7.1 Sender address rejected: not permitted to relay"); break;
                    case "DATA":
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        while (await reader.ReadLineAsync(_stop.Token) is { } body && body != ".") { }
                        Interlocked.Increment(ref _messageCount);
                        _messages.Release();
                        if (fault == SmtpFault.TimesOutDuringData) await Task.Delay(Timeout.Infinite, _stop.Token);
                        if (fault == SmtpFault.HoldsReplyToData) await _release.Task.WaitAsync(_stop.Token);
                        await writer.WriteLineAsync("250 2.0.0 Ok: queued");
                        break;
                    case "QUIT": await writer.WriteLineAsync("221 Bye"); return;
                    default: await writer.WriteLineAsync("250 Ok"); break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException) { }
        finally { socket.Dispose(); }
    }

    private async Task RelayAsync(Socket socket)
    {
        using var upstream = new TcpClient();
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _relayPort ?? throw new InvalidOperationException("No relay port given"), _stop.Token);
            await using var client = new NetworkStream(socket, ownsSocket: false);
            await using var server = upstream.GetStream();
            await Task.WhenAny(client.CopyToAsync(server, _stop.Token), server.CopyToAsync(client, _stop.Token));
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException) { }
        finally { socket.Dispose(); }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_sockets) foreach (var s in _sockets) s.Dispose();
        try { await _accepting; } catch (OperationCanceledException) { }
    }
}
