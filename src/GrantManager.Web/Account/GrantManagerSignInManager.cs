using GrantManager.Core.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace GrantManager.Web.Account;

/// <summary>
/// Password sign-in for the pages and the API alike. The password is always checked first — against
/// a dummy hash when nobody has the address — so an unknown, unconfirmed or locked account answers
/// exactly like a wrong password, in the same time: only the right password learns more. Wrong
/// passwords are limited by <see cref="SignInThrottle"/> instead of locking the account.
/// </summary>
public sealed class GrantManagerSignInManager(UserManager<User> users, IHttpContextAccessor http, IUserClaimsPrincipalFactory<User> claims,
    IOptions<IdentityOptions> options, ILogger<SignInManager<User>> logger, IAuthenticationSchemeProvider schemes, IUserConfirmation<User> confirmation,
    SignInThrottle throttle)
    : SignInManager<User>(users, http, claims, options, logger, schemes, confirmation)
{
    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var email = (userName ?? "").Trim();
        var user = email.Length == 0 ? null : await UserManager.FindByEmailAsync(email) ?? await UserManager.FindByNameAsync(email);
        var device = throttle.TrustedDevice(Context, user);
        throttle.EnsureMayTry(Context, email, device);
        SignInResult result;
        if (user is null)
        {
            UserManager.PasswordHasher.VerifyHashedPassword(new User(), throttle.DummyHash, password ?? "");
            result = SignInResult.Failed;
        }
        else result = await PasswordSignInAsync(user, password ?? "", isPersistent, lockoutOnFailure: false);
        // A bearer sign-in has written its tokens already; API clients keep no device cookie.
        if (result.Succeeded && !Context.Response.HasStarted) throttle.RememberDevice(Context, user!, device);
        else if (!result.IsNotAllowed && !result.IsLockedOut && !result.RequiresTwoFactor) throttle.Failed(Context, email, device);
        return result;
    }

    public override async Task<SignInResult> CheckPasswordSignInAsync(User user, string password, bool lockoutOnFailure)
    {
        // The password before anything else: "confirm your email" or "locked" only for the right one.
        if (!await UserManager.CheckPasswordAsync(user, password)) return SignInResult.Failed;
        if (!await CanSignInAsync(user)) return SignInResult.NotAllowed;
        if (await IsLockedOut(user)) return SignInResult.LockedOut;
        return SignInResult.Success;
    }
}
