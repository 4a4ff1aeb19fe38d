using System.Net;
using System.Net.Sockets;

namespace GrantManager.Core.Webhooks;

/// <summary>
/// Where a webhook may point. Always http or https with a host and no user name or password in it;
/// unless <c>Webhooks:AllowInsecure</c>, only https, and never an address in a private, loopback,
/// link-local, shared or multicast range, so a webhook cannot reach inside the council's network.
/// The address is checked when it is registered and again at each connection (the name may resolve
/// differently later), and redirects are not followed.
/// </summary>
public static class WebhookAddresses
{
    /// <summary>Null when the address may be used, else what is wrong with it.</summary>
    public static async Task<string?> ProblemAsync(string? url, bool allowInsecure, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(url)) return "Enter the address that receives the events";
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || uri.Host.Length == 0)
            return "Enter a web address starting https://, like https://finance.example.gov.uk/hooks";
        if (uri.UserInfo.Length > 0) return "Leave the user name and password out of the address: each event is signed instead";
        if (url.Length > 2000) return "The address must be 2,000 characters or fewer";
        if (allowInsecure) return null;
        if (uri.Scheme != Uri.UriSchemeHttps) return "The address must start https://";
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(uri.DnsSafeHost, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(uri.DnsSafeHost, ct);
        }
        catch (SocketException)
        {
            return $"{uri.Host} could not be found";
        }
        if (addresses.Length == 0) return $"{uri.Host} could not be found";
        return addresses.Any(IsInternal) ? $"{uri.Host} is a private or local address: webhooks go only to public addresses" : null;
    }

    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast)) return true;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal;
        var b = address.GetAddressBytes();
        return b[0] switch
        {
            0 or 10 or 127 => true,
            100 => b[1] >= 64 && b[1] < 128,          // shared address space (carrier-grade NAT)
            169 => b[1] == 254,                        // link-local, including cloud metadata services
            172 => b[1] >= 16 && b[1] < 32,
            192 => (b[1] == 168) || (b[1] == 0 && b[2] == 0),
            198 => b[1] is 18 or 19,                   // benchmarking
            >= 224 => true,                            // multicast and reserved
            _ => false,
        };
    }
}
