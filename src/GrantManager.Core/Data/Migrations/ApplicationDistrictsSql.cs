namespace GrantManager.Core.Data.Migrations;

/// <summary>
/// Moves each application's districts between the '|'-joined text it was kept as (<c>Applications.Districts</c>)
/// and one row a district in <c>ApplicationDistricts</c>, keeping their order (empty parts, as the old code
/// ignored them, are skipped). On SQLite the column is dropped in place: EF Core would rebuild the table,
/// and a rebuild drops the search index's and the workflow state's triggers on it.
/// </summary>
internal static class ApplicationDistrictsSql
{
    public const string SqliteSplit = """
        INSERT OR IGNORE INTO "ApplicationDistricts" ("ApplicationId", "District", "Position")
        WITH RECURSIVE parts("ApplicationId", "District", "Rest", "Position") AS (
            SELECT "Id", NULL, "Districts" || '|', -1 FROM "Applications" WHERE "Districts" <> ''
            UNION ALL
            SELECT "ApplicationId", substr("Rest", 1, instr("Rest", '|') - 1), substr("Rest", instr("Rest", '|') + 1), "Position" + 1
            FROM parts WHERE "Rest" <> ''
        )
        SELECT "ApplicationId", "District", "Position" FROM parts WHERE "District" IS NOT NULL AND "District" <> '';
        """;

    public const string SqliteDropColumn = """ALTER TABLE "Applications" DROP COLUMN "Districts";""";

    public const string PostgresSplit = """
        INSERT INTO "ApplicationDistricts" ("ApplicationId", "District", "Position")
        SELECT a."Id", d."Name", d."Ordinal" - 1
        FROM "Applications" a CROSS JOIN LATERAL unnest(string_to_array(a."Districts", '|')) WITH ORDINALITY AS d("Name", "Ordinal")
        WHERE d."Name" <> ''
        ON CONFLICT DO NOTHING;
        """;

    /// <summary>Back to the text, in order (both engines; SQLite keeps a subquery's order in its group_concat).</summary>
    public const string SqliteJoin = """
        UPDATE "Applications" SET "Districts" = coalesce((SELECT group_concat("District", '|') FROM
            (SELECT d."District" FROM "ApplicationDistricts" d WHERE d."ApplicationId" = "Applications"."Id" ORDER BY d."Position")), '');
        """;

    public const string PostgresJoin = """
        UPDATE "Applications" a SET "Districts" = coalesce((SELECT string_agg(d."District", '|' ORDER BY d."Position")
            FROM "ApplicationDistricts" d WHERE d."ApplicationId" = a."Id"), '');
        """;
}
