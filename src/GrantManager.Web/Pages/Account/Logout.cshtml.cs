using GrantManager.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantManager.Web.Pages.Account;

public sealed class LogoutModel(SignInManager<User> signIn, UserManager<User> users) : PageModel
{
    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        // A new security stamp ends every other sign-in of the account too: a copied cookie, a bearer token, a refresh token.
        if (await users.GetUserAsync(User) is { } user) await users.UpdateSecurityStampAsync(user);
        await signIn.SignOutAsync();
        TempData["Success"] = "You have signed out";
        return Redirect("/");
    }
}
