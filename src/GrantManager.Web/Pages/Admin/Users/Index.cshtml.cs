using GrantManager.Core.Data;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Pages.Admin.Users;

public sealed class IndexModel(GrantDbContext db, TimeProvider time) : PageModel
{
    public sealed record Row(string Name, string Email, List<string> Roles, bool Confirmed, bool LockedOut);
    public List<Row> Users { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var now = time.GetUtcNow();
        var users = await db.Users.OrderBy(u => u.DisplayName).AsNoTracking().ToListAsync();
        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id select new { ur.UserId, r.Name }).ToListAsync();
        Users = users.Select(u => new Row(u.DisplayName, u.Email ?? "",
            roles.Where(r => r.UserId == u.Id).Select(r => r.Name!).Order().ToList(),
            u.EmailConfirmed, u.LockoutEnd > now)).ToList();
    }
}
