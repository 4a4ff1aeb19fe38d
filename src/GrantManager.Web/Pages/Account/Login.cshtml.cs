using System.ComponentModel.DataAnnotations;
using System.Text;
using GrantManager.Core.Data;
using GrantManager.Core.Email;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using GrantManager.Web.Account;

namespace GrantManager.Web.Pages.Account;

public sealed class LoginModel(SignInManager<User> signIn, UserManager<User> users, GrantDbContext db, Outbox outbox, SignInThrottle throttle) : PageModel
{
    [BindProperty(Name = "Input")] public LoginInput Input { get; set; } = new();
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    public bool OfferResend { get; private set; }
    /// <summary>Arrived here because the timeout warning ran out.</summary>
    public bool TimedOut { get; private set; }

    public sealed class LoginInput
    {
        [Required(ErrorMessage = "Enter your email address")] public string? Email { get; set; }
        [Required(ErrorMessage = "Enter your password")] public string? Password { get; set; }
    }

    public void OnGet(bool timedOut) => TimedOut = timedOut;

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid) return Page();
        var email = Input.Email!.Trim();
        Microsoft.AspNetCore.Identity.SignInResult result;
        try { result = await signIn.PasswordSignInAsync(email, Input.Password!, isPersistent: false, lockoutOnFailure: false); }
        catch (TooManyAttemptsException e) { return this.TooMany(e); }
        // Only the right password hears more than "enter a correct email address and password".
        if (result.Succeeded)
        {
            if (!string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl)) return LocalRedirect(ReturnUrl);
            var user = (await users.FindByEmailAsync(email) ?? await users.FindByNameAsync(email))!;
            return Redirect(await users.IsInRoleAsync(user, Roles.Applicant) ? "/Applicant" : "/Staff");
        }
        if (result.IsLockedOut)
            ModelState.AddModelError("Input.Email", "Your account is locked. Reset your password to sign in, or contact us");
        else if (result.IsNotAllowed)
        {
            ModelState.AddModelError("Input.Email", "Confirm your email address before you sign in");
            OfferResend = true;
        }
        else
            ModelState.AddModelError("Input.Email", "Enter a correct email address and password");
        return Page();
    }

    public async Task<IActionResult> OnPostResendAsync()
    {
        ModelState.Clear();
        try { if (!string.IsNullOrWhiteSpace(Input.Email)) throttle.EnsureMayEmail(Input.Email); }
        catch (TooManyAttemptsException e) { return this.TooMany(e); }
        if (!string.IsNullOrWhiteSpace(Input.Email) && await users.FindByEmailAsync(Input.Email.Trim()) is { EmailConfirmed: false } user)
        {
            var token = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(await users.GenerateEmailConfirmationTokenAsync(user)));
            var link = Url.Page("/Account/ConfirmEmail", null, new { userId = user.Id, code = token }, Request.Scheme)!;
            outbox.Add(db, "account-confirm", new EmailRecipient(user.Email!, user.DisplayName),
                new Dictionary<string, object?> { ["link"] = link }, "User", user.Id);
            await db.SaveChangesAsync();
        }
        return RedirectToPage("RegisterConfirmation");
    }
}
