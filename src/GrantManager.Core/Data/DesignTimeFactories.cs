using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace GrantManager.Core.Data;

// Used only by `dotnet ef migrations add`, one per engine, so each keeps its own migrations.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteGrantDbContext>
{
    public SqliteGrantDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteGrantDbContext>().UseSqlite("Data Source=design.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresGrantDbContext>
{
    public PostgresGrantDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresGrantDbContext>().UseNpgsql("Host=localhost;Database=grantmanager").Options);
}
