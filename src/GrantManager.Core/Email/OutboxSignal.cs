using System.Threading.Channels;

namespace GrantManager.Core.Email;

/// <summary>Wakes the dispatcher as soon as new email is committed, instead of at its next interval.</summary>
public sealed class OutboxSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Notify() => _channel.Writer.TryWrite(true);

    /// <summary>Waits until notified or until <paramref name="interval"/> passes on <paramref name="time"/>.</summary>
    public async Task WaitAsync(TimeSpan interval, TimeProvider time, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var signalled = _channel.Reader.WaitToReadAsync(cts.Token).AsTask();
        var delay = Task.Delay(interval, time, cts.Token);
        await Task.WhenAny(signalled, delay);
        await cts.CancelAsync();
        _channel.Reader.TryRead(out _);
        ct.ThrowIfCancellationRequested();
    }
}
