namespace GrantManager.Core.Data.Migrations;

/// <summary>SQL the Registers migration runs on both engines (quoted names and CAST work on SQLite and PostgreSQL alike).</summary>
internal static class RegistersSql
{
    /// <summary>Gives workflow instances made before the migration the case (application) they belong to.</summary>
    public const string BackfillCaseId = """
        UPDATE "WorkflowInstances" SET "CaseId" = CAST("SubjectId" AS INTEGER) WHERE "SubjectType" = 'application';
        UPDATE "WorkflowInstances" SET "CaseId" = (SELECT g."ApplicationId" FROM "MonitoringReturn" r JOIN "Grants" g ON g."Id" = r."GrantId"
            WHERE CAST(r."Id" AS TEXT) = "WorkflowInstances"."SubjectId") WHERE "SubjectType" = 'return';
        UPDATE "WorkflowInstances" SET "CaseId" = (SELECT g."ApplicationId" FROM "Instalment" i JOIN "Grants" g ON g."Id" = i."GrantId"
            WHERE CAST(i."Id" AS TEXT) = "WorkflowInstances"."SubjectId") WHERE "SubjectType" = 'instalment';
        """;
}
