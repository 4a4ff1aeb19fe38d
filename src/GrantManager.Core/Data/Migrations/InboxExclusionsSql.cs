namespace GrantManager.Core.Data.Migrations;

/// <summary>
/// Moves who may not take a task between the '|'-joined text it was kept as (<c>InboxTasks.ExcludedUserIds</c>, the declared
/// conflicts) and rows of <c>InboxTaskExclusions</c>, and writes a row for each open task's other copies' holders and doers.
/// On SQLite the column is dropped in place, as for the districts.
/// </summary>
internal static class InboxExclusionsSql
{
    public const string SqliteSplit = """
        INSERT INTO "InboxTaskExclusions" ("TaskId", "UserId", "Conflict")
        WITH RECURSIVE parts("TaskId", "UserId", "Rest") AS (
            SELECT "Id", NULL, "ExcludedUserIds" || '|' FROM "InboxTasks" WHERE "ExcludedUserIds" <> ''
            UNION ALL
            SELECT "TaskId", substr("Rest", 1, instr("Rest", '|') - 1), substr("Rest", instr("Rest", '|') + 1) FROM parts WHERE "Rest" <> ''
        )
        SELECT "TaskId", "UserId", TRUE FROM parts WHERE "UserId" IS NOT NULL AND "UserId" <> ''
        ON CONFLICT DO NOTHING;
        """;

    public const string PostgresSplit = """
        INSERT INTO "InboxTaskExclusions" ("TaskId", "UserId", "Conflict")
        SELECT t."Id", u."Id", TRUE
        FROM "InboxTasks" t CROSS JOIN LATERAL unnest(string_to_array(t."ExcludedUserIds", '|')) AS u("Id")
        WHERE t."ExcludedUserIds" <> '' AND u."Id" <> ''
        ON CONFLICT DO NOTHING;
        """;

    /// <summary>Both engines: each open task's other copies (same case, visit to the stage and task), held or done by someone.</summary>
    public const string Copies = """
        INSERT INTO "InboxTaskExclusions" ("TaskId", "UserId", "Conflict")
        SELECT h."TaskId", h."UserId", FALSE FROM (
            SELECT t."Id" AS "TaskId", c."AssigneeId" AS "UserId" FROM "InboxTasks" t JOIN "InboxTasks" c
                ON c."InstanceId" = t."InstanceId" AND c."StageEntry" = t."StageEntry" AND c."TaskKey" = t."TaskKey" AND c."Id" <> t."Id"
            WHERE t."Status" = 'Open' AND c."AssigneeId" IS NOT NULL
            UNION
            SELECT t."Id", c."CompletedById" FROM "InboxTasks" t JOIN "InboxTasks" c
                ON c."InstanceId" = t."InstanceId" AND c."StageEntry" = t."StageEntry" AND c."TaskKey" = t."TaskKey" AND c."Id" <> t."Id"
            WHERE t."Status" = 'Open' AND c."CompletedById" IS NOT NULL
        ) h WHERE TRUE
        ON CONFLICT DO NOTHING;
        """;

    public const string SqliteDropColumn = """ALTER TABLE "InboxTasks" DROP COLUMN "ExcludedUserIds";""";

    /// <summary>Back to the text: the declared conflicts only.</summary>
    public const string SqliteJoin = """
        UPDATE "InboxTasks" SET "ExcludedUserIds" = coalesce((SELECT group_concat(x."UserId", '|') FROM "InboxTaskExclusions" x
            WHERE x."TaskId" = "InboxTasks"."Id" AND x."Conflict"), '');
        """;

    public const string PostgresJoin = """
        UPDATE "InboxTasks" t SET "ExcludedUserIds" = coalesce((SELECT string_agg(x."UserId", '|' ORDER BY x."UserId")
            FROM "InboxTaskExclusions" x WHERE x."TaskId" = t."Id" AND x."Conflict"), '');
        """;
}
