using System.Security.Cryptography;
using GrantManager.Core.Data;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GrantManager.Web.Account;

/// <summary>
/// A bearer token is good only while its account's security stamp is the one it was issued with:
/// signing out, a password reset or change ends every token of the account, not only the cookie.
/// Checked on every request that carries one (a primary-key read), before the token is accepted.
/// </summary>
internal static class BearerTokenChecks
{
    public static async Task OnMessageReceivedAsync(MessageReceivedContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return;
        var ticket = context.Options.BearerTokenProtector.Unprotect(header[7..].Trim());
        // A token that does not unprotect is refused by the handler itself.
        if (ticket?.Principal is null) return;
        if (await context.HttpContext.RequestServices.GetRequiredService<SignInManager<User>>().ValidateSecurityStampAsync(ticket.Principal) is null)
            context.Fail("This sign-in has ended: sign in again");
    }
}

/// <summary>
/// The identity API's refresh tokens are single use: each is recorded (as a hash, in the account's
/// tokens) when it is exchanged. A second use is taken as a sign it was stolen, and ends every sign-in
/// of the account. The account-email endpoints (reset, resend) share the per-account email limit, and
/// a password is changed only through <c>POST /api/account/password</c> (see <see cref="PasswordChanges"/>).
/// </summary>
internal static class IdentityApiChecks
{
    private const string UsedRefreshTokens = "GrantManager.UsedRefreshToken";

    public static async ValueTask<object?> CheckAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        foreach (var argument in context.Arguments)
        {
            switch (argument)
            {
                case ForgotPasswordRequest { Email: { Length: > 0 } email }:
                    http.RequestServices.GetRequiredService<SignInThrottle>().EnsureMayEmail(email);
                    break;
                case ResendConfirmationEmailRequest { Email: { Length: > 0 } email }:
                    http.RequestServices.GetRequiredService<SignInThrottle>().EnsureMayEmail(email);
                    break;
                // One way to change a password, so that it is always rate-limited, ends the other sign-ins and tells the owner.
                case InfoRequest { NewPassword: { Length: > 0 } }:
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                    {
                        ["newPassword"] = ["Change the password with POST /api/account/password, which ends the account's other sign-ins and emails its owner"],
                    });
                case RefreshRequest { RefreshToken: { Length: > 0 } token } when !await FirstUseAsync(http, token):
                    return TypedResults.Problem("This refresh token has been used already, so every sign-in of the account has ended. Sign in again.",
                        statusCode: StatusCodes.Status401Unauthorized, title: "Sign in again");
                // The endpoint itself would answer an ended sign-in with the cookie challenge, a redirect to the sign-in page.
                case RefreshRequest { RefreshToken: { Length: > 0 } token } when await EndedAsync(http, token):
                    return TypedResults.Problem("This sign-in has ended (signed out, or the password was changed or reset). Sign in again.",
                        statusCode: StatusCodes.Status401Unauthorized, title: "Sign in again");
            }
        }
        return await next(context);
    }

    /// <summary>True when the refresh token is of a sign-in that has since ended: the account's security stamp has changed.</summary>
    private static async Task<bool> EndedAsync(HttpContext http, string token)
    {
        var ticket = RefreshTicket(http, token);
        return ticket?.Principal is not null
            && await http.RequestServices.GetRequiredService<SignInManager<User>>().ValidateSecurityStampAsync(ticket.Principal) is null;
    }

    private static Microsoft.AspNetCore.Authentication.AuthenticationTicket? RefreshTicket(HttpContext http, string token) =>
        http.RequestServices.GetRequiredService<IOptionsMonitor<BearerTokenOptions>>().Get(IdentityConstants.BearerScheme).RefreshTokenProtector.Unprotect(token);

    /// <summary>Records the token's use; false if it had been used before (then the account's sign-ins all end).</summary>
    private static async Task<bool> FirstUseAsync(HttpContext http, string token)
    {
        var ticket = RefreshTicket(http, token);
        var users = http.RequestServices.GetRequiredService<UserManager<User>>();
        // A token that does not unprotect, or whose account has gone, is refused by the endpoint itself.
        if (ticket?.Principal is null || await users.GetUserAsync(ticket.Principal) is not { } user) return true;
        var db = http.RequestServices.GetRequiredService<GrantDbContext>();
        var now = DateTime.UtcNow.ToString("O");
#pragma warning disable CA1309 // translated to SQL, which compares the sortable round-trip timestamps as the database collates them
        await db.UserTokens.Where(t => t.UserId == user.Id && t.LoginProvider == UsedRefreshTokens && string.Compare(t.Value, now) < 0).ExecuteDeleteAsync();
#pragma warning restore CA1309
        db.UserTokens.Add(new IdentityUserToken<string>
        {
            UserId = user.Id, LoginProvider = UsedRefreshTokens, Name = Convert.ToBase64String(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token))),
            Value = (ticket.Properties.ExpiresUtc ?? DateTimeOffset.UtcNow.AddDays(14)).UtcDateTime.ToString("O"),
        });
        try
        {
            await db.SaveChangesAsync();
            return true;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            await users.UpdateSecurityStampAsync((await users.FindByIdAsync(user.Id))!);
            return false;
        }
    }
}
