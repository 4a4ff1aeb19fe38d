using GrantManager.Core;
using GrantManager.Core.Data;
using GrantManager.Web.Account;
using Microsoft.AspNetCore.Identity;

namespace GrantManager.Web.Api;

/// <summary>The signed-in account itself: changing its password ends every other sign-in of it.</summary>
public static class AccountApi
{
    public sealed record PasswordChange(string? CurrentPassword, string? NewPassword);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/account/password", async (PasswordChange body, HttpContext http, UserManager<User> users, SignInManager<User> signIn, PasswordChanges changes) =>
        {
            var errors = new Errors();
            if (string.IsNullOrEmpty(body.CurrentPassword)) errors.Add(PasswordChanges.CurrentField, "Enter your current password");
            if (string.IsNullOrEmpty(body.NewPassword)) errors.Add(PasswordChanges.NewField, "Enter a new password");
            errors.ThrowIfAny();
            if (await users.GetUserAsync(http.User) is not { } user) return Results.Unauthorized();
            var refused = await changes.ChangeAsync(http, user, body.CurrentPassword!, body.NewPassword!);
            if (refused.Count > 0) throw new InputException(refused.ToDictionary(e => e.Key, e => new[] { e.Value }));
            // Every token of the account has ended, this one too: the answer is a new one, as from sign-in.
            signIn.AuthenticationScheme = IdentityConstants.BearerScheme;
            await signIn.SignInAsync(user, isPersistent: false);
            return Results.Empty;
        }).WithName("ChangePassword")
          .WithSummary("Change the signed-in account's password with {currentPassword, newPassword}: every other sign-in, bearer token and refresh token of the account ends, and the answer is a new bearer token as from Login")
          .Produces<Microsoft.AspNetCore.Authentication.BearerToken.AccessTokenResponse>();
    }
}
