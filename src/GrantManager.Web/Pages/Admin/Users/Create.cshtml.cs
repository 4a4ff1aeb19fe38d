using System.ComponentModel.DataAnnotations;
using GrantManager.Core.Data;
using GrantManager.Web.Email;
using GrantManager.Web.Pages.Account;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantManager.Web.Pages.Admin.Users;

public sealed class CreateModel(GrantDbContext db, UserManager<User> users, AccountEmails emails, TimeProvider time) : PageModel
{
    [BindProperty(Name = "Input")] public StaffInput Input { get; set; } = new();

    public sealed class StaffInput
    {
        [Required(ErrorMessage = "Enter their full name"), StringLength(200, ErrorMessage = "Name must be 200 characters or fewer")]
        public string? FullName { get; set; }
        [Required(ErrorMessage = "Enter their email address"), EmailAddress(ErrorMessage = "Enter an email address in the correct format, like name@example.org")]
        public string? Email { get; set; }
        [Required(ErrorMessage = "Select a role")]
        public string? Role { get; set; }
    }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        if (Input.Role is not null && !Roles.Staff.Contains(Input.Role))
            ModelState.AddModelError("Input.Role", "Select a role from the list");
        if (!ModelState.IsValid) return Page();
        var email = Input.Email!.Trim();
        if (await users.FindByEmailAsync(email) is not null)
        {
            ModelState.AddModelError("Input.Email", "An account with this email address already exists");
            return Page();
        }
        // The address is confirmed by the invitation link itself: it is a password reset link.
        var user = new User { UserName = email, Email = email, EmailConfirmed = true, DisplayName = Input.FullName!.Trim(), CreatedAt = time.GetUtcNow().UtcDateTime };
        await using var tx = await db.Database.BeginTransactionAsync();
        var created = await users.CreateAsync(user);
        if (!created.Succeeded)
        {
            await tx.RollbackAsync();
            ModelState.AddModelError("Input.Email", string.Join(" ", created.Errors.Select(e => e.Description)));
            return Page();
        }
        await users.AddToRoleAsync(user, Input.Role!);
        var link = ForgotPasswordModel.ResetLink(this, users, user, await users.GeneratePasswordResetTokenAsync(user));
        await emails.SendStaffInvitationAsync(user, link, Roles.Describe(Input.Role!));
        await tx.CommitAsync();
        TempData["Success"] = $"Account added for {user.DisplayName}. We have emailed them a link to choose a password";
        return RedirectToPage("Index");
    }
}
