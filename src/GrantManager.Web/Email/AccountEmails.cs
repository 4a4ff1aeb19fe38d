using System.Net;
using GrantManager.Core.Data;
using GrantManager.Core.Email;
using Microsoft.AspNetCore.Identity;

namespace GrantManager.Web.Email;

/// <summary>Account emails (confirm address, reset password, staff invitation) through the outbox like every other email.</summary>
public sealed class AccountEmails(GrantDbContext db, Outbox outbox) : IEmailSender<User>
{
    public Task SendConfirmationLinkAsync(User user, string email, string confirmationLink) =>
        SendAsync(user, email, "account-confirm", confirmationLink);

    public Task SendPasswordResetLinkAsync(User user, string email, string resetLink) =>
        SendAsync(user, email, "account-reset-password", resetLink);

    public async Task SendPasswordResetCodeAsync(User user, string email, string resetCode)
    {
        outbox.Add(db, "account-reset-code", new EmailRecipient(email, user.DisplayName),
            new Dictionary<string, object?> { ["code"] = resetCode }, "User", user.Id);
        await db.SaveChangesAsync();
    }

    public Task SendStaffInvitationAsync(User user, string link, string role) =>
        SendAsync(user, user.Email!, "account-staff-invitation", link, role);

    private async Task SendAsync(User user, string email, string template, string link, string? role = null)
    {
        // Identity hands these links over HTML-encoded; the templates encode for themselves.
        outbox.Add(db, template, new EmailRecipient(email, user.DisplayName),
            new Dictionary<string, object?> { ["link"] = WebUtility.HtmlDecode(link), ["role"] = role },
            "User", user.Id);
        await db.SaveChangesAsync();
    }
}

/// <summary>The identity API resolves its sender once, from the root; each email gets its own scope.</summary>
internal sealed class ScopedAccountEmailSender(IServiceScopeFactory scopes) : IEmailSender<User>
{
    public Task SendConfirmationLinkAsync(User user, string email, string confirmationLink) =>
        WithEmails(e => e.SendConfirmationLinkAsync(user, email, confirmationLink));

    public Task SendPasswordResetLinkAsync(User user, string email, string resetLink) =>
        WithEmails(e => e.SendPasswordResetLinkAsync(user, email, resetLink));

    public Task SendPasswordResetCodeAsync(User user, string email, string resetCode) =>
        WithEmails(e => e.SendPasswordResetCodeAsync(user, email, resetCode));

    private async Task WithEmails(Func<AccountEmails, Task> send)
    {
        await using var scope = scopes.CreateAsyncScope();
        await send(scope.ServiceProvider.GetRequiredService<AccountEmails>());
    }
}
