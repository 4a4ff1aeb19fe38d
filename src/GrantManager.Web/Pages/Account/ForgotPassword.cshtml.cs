using System.ComponentModel.DataAnnotations;
using System.Text;
using GrantManager.Core.Data;
using GrantManager.Web.Email;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using GrantManager.Web.Account;

namespace GrantManager.Web.Pages.Account;

public sealed class ForgotPasswordModel(UserManager<User> users, AccountEmails emails, SignInThrottle throttle) : PageModel
{
    [BindProperty(Name = "Input")] public EmailInput Input { get; set; } = new();
    public bool Sent { get; private set; }

    public sealed class EmailInput
    {
        [Required(ErrorMessage = "Enter your email address"), EmailAddress(ErrorMessage = "Enter an email address in the correct format, like name@example.org")]
        public string? Email { get; set; }
    }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid) return Page();
        try { throttle.EnsureMayEmail(Input.Email!); }
        catch (TooManyAttemptsException e) { return this.TooMany(e); }
        if (await users.FindByEmailAsync(Input.Email!.Trim()) is { EmailConfirmed: true } user)
            await emails.SendPasswordResetLinkAsync(user, user.Email!, ResetLink(this, users, user, await users.GeneratePasswordResetTokenAsync(user)));
        Sent = true;
        return Page();
    }

    internal static string ResetLink(PageModel page, UserManager<User> users, User user, string token) =>
        page.Url.Page("/Account/ResetPassword", null,
            new { email = user.Email, code = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token)) }, page.Request.Scheme)!;
}
