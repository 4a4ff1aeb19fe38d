using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GrantManager.Tests.Support;

/// <summary>
/// Another system receiving webhooks: Kestrel on a free local port. Each path answers as told
/// (200, 500 or never) and checks every request's signature as the Standard Webhooks specification says,
/// with its own HMAC code, not the application's.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public enum Answer { Ok, Fail, Hang }

    public sealed record Received(string Path, string Id, long Timestamp, string Signature, string Body, bool SignatureValid)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;
        public string Type => Json.GetProperty("type").GetString()!;
        public JsonElement Data => Json.GetProperty("data");
    }

    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Received> _received = new();
    private readonly ConcurrentDictionary<string, int> _hanging = new();
    public ConcurrentDictionary<string, Answer> Answers { get; } = new();
    public ConcurrentDictionary<string, string> Secrets { get; } = new();
    /// <summary>The receiver's clock for the five-minute timestamp check: the application's fake clock when a test drives one.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    private WebhookReceiver(WebApplication app) => _app = app;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{name}", async (string name, HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var id = request.Headers["webhook-id"].ToString();
            var timestamp = long.TryParse(request.Headers["webhook-timestamp"].ToString(), System.Globalization.CultureInfo.InvariantCulture, out var t) ? t : 0;
            var signature = request.Headers["webhook-signature"].ToString();
            receiver._received.Enqueue(new Received(name, id, timestamp, signature, body,
                receiver.Secrets.TryGetValue(name, out var secret) && Verify(secret, id, timestamp, signature, body, receiver.Clock.GetUtcNow())));
            switch (receiver.Answers.GetValueOrDefault(name, Answer.Ok))
            {
                case Answer.Fail: return Results.StatusCode(500);
                case Answer.Hang:
                    receiver._hanging.AddOrUpdate(name, 1, (_, n) => n + 1);
                    try { await Task.Delay(Timeout.Infinite, receiver._stop.Token); }
                    catch (OperationCanceledException) { }
                    return Results.StatusCode(503);
                default: return Results.Ok();
            }
        });
        await app.StartAsync();
        return receiver;
    }

    public string Url(string name) =>
        $"{_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()}/{name}";

    public IReadOnlyList<Received> For(string name) => _received.Where(r => r.Path == name).ToList();

    /// <summary>Requests to a hanging path that have not been answered.</summary>
    public int Hanging(string name) => _hanging.GetValueOrDefault(name);

    /// <summary>Waits (up to a minute, a safety net rather than a measure) until the path has received what is asked for.</summary>
    public async Task<IReadOnlyList<Received>> WaitForAsync(string name, Func<IReadOnlyList<Received>, bool> enough)
    {
        var until = DateTime.UtcNow.AddMinutes(1);
        while (DateTime.UtcNow < until)
        {
            var got = For(name);
            if (enough(got)) return got;
            await Task.Delay(50);
        }
        throw new TimeoutException($"{name} received only: {string.Join(", ", For(name).Select(r => r.Type))}");
    }

    public Task<Received> WaitForEventAsync(string name, string type) =>
        WaitForAsync(name, got => got.Any(r => r.Type == type)).ContinueWith(t => t.Result.First(r => r.Type == type));

    /// <summary>The specification's check: v1 signatures (space-separated), HMAC-SHA256 of id.timestamp.body keyed by the base64 after whsec_, within five minutes.</summary>
    public static bool Verify(string secret, string id, long timestamp, string header, string body, DateTimeOffset now)
    {
        if (Math.Abs(now.ToUnixTimeSeconds() - timestamp) > 300) return false;
        var key = Convert.FromBase64String(secret.Split('_', 2)[1]);
        var expected = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}"));
        foreach (var part in header.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var pieces = part.Split(',', 2);
            if (pieces.Length == 2 && pieces[0] == "v1" && CryptographicOperations.FixedTimeEquals(expected, Convert.FromBase64String(pieces[1]))) return true;
        }
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stop.Dispose();
    }
}
