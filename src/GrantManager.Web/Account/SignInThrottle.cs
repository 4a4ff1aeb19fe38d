using System.Threading.RateLimiting;
using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace GrantManager.Web.Account;

/// <summary>Too many attempts from this address or at this account: answered 429 with Retry-After.</summary>
public sealed class TooManyAttemptsException(TimeSpan retryAfter)
    : Exception($"Too many attempts. Try again in {Math.Max(1, (int)Math.Ceiling(retryAfter.TotalMinutes))} minute{(retryAfter.TotalMinutes > 1 ? "s" : "")}")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
    public int RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling(RetryAfter.TotalSeconds));
}

/// <summary>
/// Limits on guessing passwords and on sending account email, per account. (Requests per client
/// address are limited by ASP.NET Core's rate limiter, see <see cref="AddressLimits"/>.)
/// <para>
/// Wrong passwords are counted per account <em>and</em> where they come from, rather than locking the
/// account: an outsider typing an officer's address with wrong passwords shuts out only themselves. A
/// browser an account has signed in on before carries a device cookie, and its attempts count on
/// their own, so even many addresses guessing at an account cannot keep its owner out on their usual
/// device. Unknown addresses are limited exactly as known ones, so the limits reveal nothing.
/// </para>
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    public const string DeviceCookie = "GrantManager.Device";
    private readonly PartitionedRateLimiter<string> _failures;
    private readonly PartitionedRateLimiter<string> _fromNewDevices;
    private readonly PartitionedRateLimiter<string> _emails;
    private readonly IDataProtector _devices;
    private readonly bool _secureCookie;

    /// <summary>A real hash of a random password, to check against when nobody has the address given: unknown and known accounts take as long.</summary>
    public string DummyHash { get; }

    public SignInThrottle(IOptions<SecurityOptions> options, IOptions<PasswordHasherOptions> hashing, IDataProtectionProvider protection)
    {
        var o = options.Value;
        _failures = Limiter(o.FailedSignInsPerAccount, o.AccountWindow);
        _fromNewDevices = Limiter(o.FailedSignInsFromNewDevices, o.AccountWindow);
        _emails = Limiter(o.EmailsPerAccount, o.AccountWindow);
        _devices = protection.CreateProtector("GrantManager.SignInDevice");
        _secureCookie = o.HttpsOnly;
        DummyHash = new PasswordHasher<User>(hashing).HashPassword(new User(), Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)));
    }

    private static PartitionedRateLimiter<string> Limiter(int permits, TimeSpan window) => PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 }));

    private static string Account(string email) => email.Trim().ToUpperInvariant();

    /// <summary>The keys a wrong password counts under: this device's own, or this address's and all new devices'.</summary>
    private IEnumerable<(PartitionedRateLimiter<string> Limiter, string Key)> Keys(HttpContext http, string email, string? device) =>
        device is not null
            ? [(_failures, $"device|{device}|{Account(email)}")]
            : [(_failures, $"address|{http.Connection.RemoteIpAddress}|{Account(email)}"), (_fromNewDevices, Account(email))];

    /// <summary>Refuses (429) a sign-in when too many wrong passwords for this account came from here recently; checked before the password.</summary>
    public void EnsureMayTry(HttpContext http, string email, string? device)
    {
        foreach (var (limiter, key) in Keys(http, email, device))
        {
            using var lease = limiter.AttemptAcquire(key, 0);
            if (!lease.IsAcquired) throw new TooManyAttemptsException(RetryAfter(lease));
        }
    }

    public void Failed(HttpContext http, string email, string? device)
    {
        foreach (var (limiter, key) in Keys(http, email, device)) limiter.AttemptAcquire(key).Dispose();
    }

    /// <summary>Refuses (429) another account email to this address within the window, whether or not anyone has the address.</summary>
    public void EnsureMayEmail(string email)
    {
        using var lease = _emails.AttemptAcquire(Account(email));
        if (!lease.IsAcquired) throw new TooManyAttemptsException(RetryAfter(lease));
    }

    private static TimeSpan RetryAfter(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : TimeSpan.FromMinutes(1);

    /// <summary>The device id, when this browser carries the device cookie of this very account.</summary>
    public string? TrustedDevice(HttpContext http, User? user)
    {
        if (user is null || http.Request.Cookies[DeviceCookie] is not { Length: > 0 } cookie) return null;
        try
        {
            var parts = _devices.Unprotect(cookie).Split('|');
            return parts.Length == 2 && parts[0] == user.Id ? parts[1] : null;
        }
        catch (System.Security.Cryptography.CryptographicException) { return null; }
    }

    /// <summary>After a right password: this browser is one the account has signed in on.</summary>
    public void RememberDevice(HttpContext http, User user, string? device)
    {
        var id = device ?? Guid.NewGuid().ToString("N");
        http.Response.Cookies.Append(DeviceCookie, _devices.Protect($"{user.Id}|{id}"), new CookieOptions
        {
            HttpOnly = true, IsEssential = true, SameSite = SameSiteMode.Strict, Secure = _secureCookie || http.Request.IsHttps,
            Expires = DateTimeOffset.UtcNow.AddYears(1), Path = "/",
        });
    }

    public void Dispose()
    {
        _failures.Dispose();
        _fromNewDevices.Dispose();
        _emails.Dispose();
    }
}

/// <summary>
/// Requests per client address to the sign-in, registration, reset and resend pages and their API
/// equivalents, through ASP.NET Core's rate limiter: 429 with Retry-After beyond the limit.
/// </summary>
internal static class AddressLimits
{
    private static readonly string[] Paths =
    [
        "/Account/Login", "/Account/Register", "/Account/ForgotPassword", "/Account/ResetPassword", "/Account/ChangePassword",
        "/api/identity/login", "/api/identity/refresh", "/api/identity/forgotPassword", "/api/identity/resetPassword",
        "/api/identity/resendConfirmationEmail", "/api/identity/register", "/api/account/password",
    ];

    public static bool Applies(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && Paths.Any(p => request.Path.Equals(p, StringComparison.OrdinalIgnoreCase));

    public static void AddAddressLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>().Configure<IOptions<SecurityOptions>>((o, security) =>
        {
            var s = security.Value;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => Applies(http.Request)
                ? RateLimitPartition.GetFixedWindowLimiter($"address|{http.Connection.RemoteIpAddress}", _ =>
                    new FixedWindowRateLimiterOptions { PermitLimit = s.RequestsPerAddress, Window = s.AddressWindow, QueueLimit = 0 })
                : RateLimitPartition.GetNoLimiter("unlimited"));
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, ct) =>
            {
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var r) ? r : s.AddressWindow;
                var refused = new TooManyAttemptsException(retry);
                context.HttpContext.Response.Headers.RetryAfter = refused.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                // Pages get the council's error page (the status code pages fill the empty body); the API problem details.
                if (context.HttpContext.Request.Path.StartsWithSegments("/api"))
                    await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                    {
                        HttpContext = context.HttpContext,
                        ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = 429, Title = "Too many requests", Detail = refused.Message },
                    });
            };
        });
    }
}

public static class TooManyAttemptsPages
{
    /// <summary>The page again with the reason on the email field, answered 429 with when to try again.</summary>
    public static Microsoft.AspNetCore.Mvc.RazorPages.PageResult TooMany(this Microsoft.AspNetCore.Mvc.RazorPages.PageModel page, TooManyAttemptsException e)
    {
        page.ModelState.AddModelError("Input.Email", e.Message);
        page.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        page.Response.Headers.RetryAfter = e.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return page.Page();
    }
}
