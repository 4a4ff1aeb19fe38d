using System.Security.Cryptography;
using System.Text;

namespace GrantManager.Core.Webhooks;

/// <summary>
/// Standard Webhooks signing: <c>webhook-signature: v1,{base64 HMAC-SHA256}</c> over
/// <c>{webhook-id}.{webhook-timestamp}.{body}</c>, keyed by the base64 part of a <c>whsec_</c> secret.
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";

    /// <summary>A new secret: 32 random bytes.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string Sign(string secret, string messageId, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
        var hash = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.{body}"));
        return "v1," + Convert.ToBase64String(hash);
    }
}
