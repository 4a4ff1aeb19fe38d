using GrantManager.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Tests.Site;

/// <summary>Each engine's migrations describe the model exactly: a change to an entity without its migration fails here.</summary>
public sealed class MigrationTests
{
    [Fact]
    public void The_SQLite_migrations_match_the_model()
    {
        using var db = new SqliteGrantDbContext(new DbContextOptionsBuilder<SqliteGrantDbContext>().UseSqlite("Data Source=:memory:").Options);
        Assert.False(db.Database.HasPendingModelChanges(), "The SQLite model has changes no migration describes: add one with dotnet ef migrations add");
    }

    [Fact]
    public void The_PostgreSQL_migrations_match_the_model()
    {
        using var db = new PostgresGrantDbContext(new DbContextOptionsBuilder<PostgresGrantDbContext>().UseNpgsql("Host=localhost;Database=unused").Options);
        Assert.False(db.Database.HasPendingModelChanges(), "The PostgreSQL model has changes no migration describes: add one with dotnet ef migrations add");
    }
}
