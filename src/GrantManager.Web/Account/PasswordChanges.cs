using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.Email;
using GrantManager.Web.Pages.Account;
using Microsoft.AspNetCore.Identity;

namespace GrantManager.Web.Account;

/// <summary>
/// A signed-in person changing their own password, on the page or through the API. The current
/// password is checked first and wrong ones are counted like wrong sign-ins (per account and where they
/// come from, see <see cref="SignInThrottle"/>). The new password gives the account a new security
/// stamp, so every other cookie, bearer token and refresh token of the account stops working; the
/// caller signs this session in again. The account is told by email (never the password), saved in the
/// same unit of work as the new password.
/// </summary>
public sealed class PasswordChanges(UserManager<User> users, GrantDbContext db, Outbox outbox, SignInThrottle throttle, TimeProvider time)
{
    public const string CurrentField = "currentPassword";
    public const string NewField = "newPassword";

    /// <summary>Field errors (keyed by <see cref="CurrentField"/> or <see cref="NewField"/>), none when the password was changed.</summary>
    public async Task<Dictionary<string, string>> ChangeAsync(HttpContext http, User user, string current, string replacement)
    {
        var email = user.Email ?? user.UserName ?? user.Id;
        var device = throttle.TrustedDevice(http, user);
        throttle.EnsureMayTry(http, email, device);
        if (!await users.CheckPasswordAsync(user, current))
        {
            throttle.Failed(http, email, device);
            return new() { [CurrentField] = "Your current password is not right" };
        }
        if (current == replacement) return new() { [NewField] = "Enter a new password that is different from your current one" };

        // Added before the change so that the user store's save writes both, or neither.
        var message = outbox.Add(db, "account-password-changed", new EmailRecipient(user.Email!, user.DisplayName),
            new Dictionary<string, object?> { ["changed_at"] = UkTime.DateAndTime(time.GetUtcNow().UtcDateTime) }, "User", user.Id);
        var result = await users.ChangePasswordAsync(user, current, replacement);
        if (result.Succeeded) return [];
        db.Entry(message).State = Microsoft.EntityFrameworkCore.EntityState.Detached;
        return new() { [NewField] = RegisterModel.PasswordMessage(result.Errors.First()) };
    }
}
