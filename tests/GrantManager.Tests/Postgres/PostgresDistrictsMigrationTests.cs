using GrantManager.Core.Data;
using GrantManager.Tests.Site;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace GrantManager.Tests.Postgres;

/// <summary>The ApplicationDistricts migration on PostgreSQL: districts kept as '|'-joined text become rows in their order, and back.</summary>
public sealed class PostgresDistrictsMigrationTests : IAsyncLifetime
{
    private readonly string _database = "grantmanager_test_" + Guid.NewGuid().ToString("N")[..12];

    private static string Server => Environment.GetEnvironmentVariable("GRANTMANAGER_TEST_POSTGRES")
        ?? throw new InvalidOperationException("GRANTMANAGER_TEST_POSTGRES is not set: run the tests with ./test.sh, which starts PostgreSQL");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Server);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task The_PostgreSQL_migration_moves_each_applications_districts_into_rows_and_back()
    {
        var connection = new NpgsqlConnectionStringBuilder(Server) { Database = _database }.ConnectionString;
        await using var db = new PostgresGrantDbContext(new DbContextOptionsBuilder<PostgresGrantDbContext>().UseNpgsql(connection).Options);
        await DistrictsMigration.MigrateToBeforeAsync(db);
        await DistrictsMigration.CheckAsync(db);
    }
}
