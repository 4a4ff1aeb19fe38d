using GrantManager.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace GrantManager.Tests.Site;

/// <summary>
/// The ApplicationDistricts migration moves the districts that were kept as '|'-joined text into rows, in their
/// order, and back again when it is undone; on SQLite the Applications table keeps its triggers (search, workflow state).
/// </summary>
public sealed class DistrictsMigrationTests
{
    [Fact]
    public async Task The_SQLite_migration_moves_each_applications_districts_into_rows_and_back()
    {
        var file = Path.Combine(Path.GetTempPath(), $"gm-districts-{Guid.NewGuid():N}.db");
        try
        {
            await using var db = new SqliteGrantDbContext(new DbContextOptionsBuilder<SqliteGrantDbContext>().UseSqlite($"Data Source={file};Pooling=False").Options);
            await DistrictsMigration.MigrateToBeforeAsync(db);
            var triggers = await db.Database.SqlQueryRaw<string>("""SELECT name AS "Value" FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'Applications' ORDER BY name""").ToListAsync();
            Assert.NotEmpty(triggers);

            await DistrictsMigration.CheckAsync(db);

            await db.Database.MigrateAsync();
            Assert.Equal(triggers, await db.Database.SqlQueryRaw<string>("""SELECT name AS "Value" FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'Applications' ORDER BY name""").ToListAsync());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }
}

/// <summary>The same check on either engine: applications written as the schema was before the migration, then migrated up and down.</summary>
internal static class DistrictsMigration
{
    private const string Before = "RegisterOrder";

    public static Task MigrateToBeforeAsync(GrantDbContext db) => db.GetService<IMigrator>().MigrateAsync(Before);

    public static async Task CheckAsync(GrantDbContext db)
    {
        await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO "Funds" ("Code", "Name", "Summary", "Description", "Eligibility", "MinimumAward", "MaximumAward", "Budget", "MaxProjectMonths", "PaymentPlan", "WorkflowId", "CreatedAt")
                VALUES ('MIG', 'Migration fund', '', '', '', 100000, 1000000, 10000000, 12, '50:acceptance,25:midpoint,25:final', 'grant-application', '2027-01-01 00:00:00+00');
            INSERT INTO "Rounds" ("FundId", "Name", "OpensAt", "ClosesAt", "Budget")
                SELECT "Id", 'Round 1', '2027-01-01 00:00:00+00', '2027-03-01 00:00:00+00', 10000000 FROM "Funds" WHERE "Code" = 'MIG';
            INSERT INTO "Organisations" ("Name", "Type", "CreatedAt") VALUES ('Migration Trust', 'Charity', '2027-01-01 00:00:00+00');
            INSERT INTO "Applications" ("Reference", "FundId", "RoundId", "OrganisationId", "CreatedById", "Districts", "Declaration", "CreatedAt", "UpdatedAt", "Version")
                SELECT v.column1, f."Id", r."Id", o."Id", 'migration', v.column2, FALSE, '2027-01-01 00:00:00+00', '2027-01-01 00:00:00+00', 1
                FROM (VALUES ('MIG-1', 'Thanet|Dover'), ('MIG-2', ''), ('MIG-3', 'Swale'), ('MIG-4', 'Tonbridge and Malling||Ashford|')) AS v
                CROSS JOIN "Funds" f JOIN "Rounds" r ON r."FundId" = f."Id" CROSS JOIN "Organisations" o
                WHERE f."Code" = 'MIG' AND o."Name" = 'Migration Trust';
            """);

        await db.Database.MigrateAsync();
        var districts = (await db.Applications.AsNoTracking().Where(a => a.Reference.StartsWith("MIG-")).ToListAsync())
            .OrderBy(a => a.Reference, StringComparer.Ordinal).Select(a => string.Join(",", a.DistrictList)).ToList();
        Assert.Equal(["Thanet,Dover", "", "Swale", "Tonbridge and Malling,Ashford"], districts);
        var serving = await db.ApplicationDistricts.Where(d => d.District == "Dover").Join(db.Applications, d => d.ApplicationId, a => a.Id, (d, a) => a.Reference).ToListAsync();
        Assert.Equal(["MIG-1"], serving);

        await db.GetService<IMigrator>().MigrateAsync(Before);
        var text = await db.Database.SqlQueryRaw<string>("""SELECT "Districts" AS "Value" FROM "Applications" WHERE "Reference" LIKE 'MIG-%' ORDER BY "Reference" """).ToListAsync();
        Assert.Equal(["Thanet|Dover", "", "Swale", "Tonbridge and Malling|Ashford"], text);
    }
}
