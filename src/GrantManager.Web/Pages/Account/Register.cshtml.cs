using System.ComponentModel.DataAnnotations;
using System.Text;
using GrantManager.Core.Data;
using GrantManager.Core.Email;
using GrantManager.Core.Organisations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using GrantManager.Web.Account;

namespace GrantManager.Web.Pages.Account;

public sealed class RegisterModel(GrantDbContext db, UserManager<User> users, Outbox outbox, TimeProvider time, SignInThrottle throttle) : PageModel
{
    [BindProperty(Name = "Input")] public RegisterInput Input { get; set; } = new();

    public sealed class RegisterInput
    {
        [Required(ErrorMessage = "Enter your full name"), StringLength(200, ErrorMessage = "Your name must be 200 characters or fewer")]
        public string? FullName { get; set; }
        [Required(ErrorMessage = "Enter your email address"), EmailAddress(ErrorMessage = "Enter an email address in the correct format, like name@example.org"), StringLength(254, ErrorMessage = "Email address must be 254 characters or fewer")]
        public string? Email { get; set; }
        [Required(ErrorMessage = "Enter your organisation’s name"), StringLength(200, ErrorMessage = "Organisation name must be 200 characters or fewer")]
        public string? OrganisationName { get; set; }
        [Required(ErrorMessage = "Select the type of organisation")]
        public OrganisationType? OrganisationType { get; set; }
        [Required(ErrorMessage = "Create a password")]
        public string? Password { get; set; }
        [Required(ErrorMessage = "Confirm your password"), Compare(nameof(Password), ErrorMessage = "The passwords do not match")]
        public string? ConfirmPassword { get; set; }
    }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        var email = Input.Email?.Trim() ?? "";
        var now = time.GetUtcNow().UtcDateTime;
        var user = new User { UserName = email, Email = email, DisplayName = Input.FullName?.Trim() ?? "", CreatedAt = now };
        // A password that is too weak is reported with the other problems, not only once they are put right.
        if (!string.IsNullOrEmpty(Input.Password))
        {
            foreach (var validator in users.PasswordValidators)
            {
                var check = await validator.ValidateAsync(users, user, Input.Password);
                if (check.Errors.FirstOrDefault() is { } problem)
                {
                    ModelState.AddModelError("Input.Password", PasswordMessage(problem));
                    break;
                }
            }
        }
        if (!ModelState.IsValid) return Page();

        // Every registration emails the address given, whether or not it has an account: limited the same either way.
        try { throttle.EnsureMayEmail(email); }
        catch (TooManyAttemptsException e) { return this.TooMany(e); }
        if (await users.FindByEmailAsync(email) is { } existing)
        {
            // Say the same as for a new account, so the form cannot be used to find out who is registered.
            outbox.Add(db, "account-already-registered", new EmailRecipient(existing.Email!, existing.DisplayName),
                new Dictionary<string, object?> { ["sign_in_link"] = Url.Page("/Account/Login", null, null, Request.Scheme),
                    ["reset_link"] = Url.Page("/Account/ForgotPassword", null, null, Request.Scheme) }, "User", existing.Id);
            await db.SaveChangesAsync();
            return RedirectToPage("RegisterConfirmation");
        }


        // The organisation, the account, its role and the confirmation email are saved together or not at all.
        await using var tx = await db.Database.BeginTransactionAsync();
        var org = new Organisation
        {
            Name = Input.OrganisationName!.Trim(), Type = Input.OrganisationType!.Value,
            ContactName = user.DisplayName, ContactEmail = email, CreatedAt = now,
        };
        db.Organisations.Add(org);
        await db.SaveChangesAsync();
        user.OrganisationId = org.Id;
        var created = await users.CreateAsync(user, Input.Password!);
        if (!created.Succeeded)
        {
            await tx.RollbackAsync();
            foreach (var error in created.Errors)
                ModelState.AddModelError(error.Code.Contains("Password") ? "Input.Password" : "Input.Email", PasswordMessage(error));
            return Page();
        }
        await users.AddToRoleAsync(user, Roles.Applicant);
        var token = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(await users.GenerateEmailConfirmationTokenAsync(user)));
        var link = Url.Page("/Account/ConfirmEmail", null, new { userId = user.Id, code = token }, Request.Scheme)!;
        outbox.Add(db, "account-confirm", new EmailRecipient(email, user.DisplayName),
            new Dictionary<string, object?> { ["link"] = link, ["organisation"] = org.Name }, "User", user.Id);
        await db.SaveChangesAsync();
        await tx.CommitAsync();
        return RedirectToPage("RegisterConfirmation");
    }

    internal static string PasswordMessage(IdentityError error) => error.Code switch
    {
        nameof(IdentityErrorDescriber.PasswordTooShort) => "Your password must be at least 10 characters",
        nameof(IdentityErrorDescriber.PasswordRequiresDigit) => "Your password must include a number",
        nameof(IdentityErrorDescriber.PasswordRequiresLower) => "Your password must include a lower case letter",
        nameof(IdentityErrorDescriber.PasswordRequiresUniqueChars) => "Your password must use more different characters",
        _ => error.Description,
    };
}
