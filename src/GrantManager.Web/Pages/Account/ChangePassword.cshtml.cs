using System.ComponentModel.DataAnnotations;
using GrantManager.Core.Data;
using GrantManager.Web.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantManager.Web.Pages.Account;

/// <summary>Any signed-in person, applicant or staff, changing their own password; every other sign-in of the account ends.</summary>
[Authorize]
public sealed class ChangePasswordModel(UserManager<User> users, SignInManager<User> signIn, PasswordChanges changes) : PageModel
{
    [BindProperty(Name = "Input")] public ChangeInput Input { get; set; } = new();

    public sealed class ChangeInput
    {
        [Required(ErrorMessage = "Enter your current password")] public string? CurrentPassword { get; set; }
        [Required(ErrorMessage = "Enter a new password")] public string? NewPassword { get; set; }
        [Required(ErrorMessage = "Confirm your new password"), Compare(nameof(NewPassword), ErrorMessage = "The passwords do not match")]
        public string? ConfirmPassword { get; set; }
    }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid) return Page();
        if (await users.GetUserAsync(User) is not { } user) return Challenge();
        Dictionary<string, string> errors;
        try { errors = await changes.ChangeAsync(HttpContext, user, Input.CurrentPassword!, Input.NewPassword!); }
        catch (TooManyAttemptsException e)
        {
            ModelState.AddModelError("Input.CurrentPassword", e.Message);
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = e.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Page();
        }
        if (errors.Count > 0)
        {
            foreach (var (field, message) in errors)
                ModelState.AddModelError(field == PasswordChanges.CurrentField ? "Input.CurrentPassword" : "Input.NewPassword", message);
            return Page();
        }
        // The new security stamp ended every sign-in of the account, this one too: sign this one in again.
        await signIn.RefreshSignInAsync(user);
        TempData["Success"] = "Your password has been changed. You have been signed out everywhere else";
        return Redirect(await users.IsInRoleAsync(user, Roles.Applicant) ? "/Applicant" : "/Staff");
    }
}
