using System.ComponentModel.DataAnnotations;
using System.Text;
using GrantManager.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;

namespace GrantManager.Web.Pages.Account;

public sealed class ResetPasswordModel(UserManager<User> users) : PageModel
{
    [BindProperty(Name = "Input")] public ResetInput Input { get; set; } = new();

    public sealed class ResetInput
    {
        [Required(ErrorMessage = "Enter your email address")] public string? Email { get; set; }
        [Required(ErrorMessage = "Enter a new password")] public string? Password { get; set; }
        [Required(ErrorMessage = "Confirm your new password"), Compare(nameof(Password), ErrorMessage = "The passwords do not match")]
        public string? ConfirmPassword { get; set; }
        public string? Code { get; set; }
    }

    public void OnGet(string? email, string? code)
    {
        Input.Email = email;
        Input.Code = code;
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid) return Page();
        var user = await users.FindByEmailAsync(Input.Email!.Trim());
        string? token = null;
        try { token = Input.Code is null ? null : Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(Input.Code)); }
        catch (FormatException) { }
        if (user is null || token is null)
        {
            ModelState.AddModelError("Input.Email", "The reset link has expired or is not for this email address. Ask for a new link");
            return Page();
        }
        var result = await users.ResetPasswordAsync(user, token, Input.Password!);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
                ModelState.AddModelError(error.Code == "InvalidToken" ? "Input.Email" : "Input.Password",
                    error.Code == "InvalidToken" ? "The reset link has expired or is not for this email address. Ask for a new link" : RegisterModel.PasswordMessage(error));
            return Page();
        }
        // A reset proves the mailbox, and should let a locked-out person straight back in.
        if (!user.EmailConfirmed) { user.EmailConfirmed = true; await users.UpdateAsync(user); }
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        TempData["Success"] = "Your password has been changed. You can now sign in";
        return RedirectToPage("Login");
    }
}
