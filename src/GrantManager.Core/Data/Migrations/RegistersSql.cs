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

/// <summary>
/// The applications register's search index, kept in step with Applications and Organisations by
/// triggers so that every writer (the service, the benchmark's bulk loader, SQL by hand) keeps it right.
/// SQLite: an FTS5 table whose rowid is the application's id. PostgreSQL: a tsvector per application
/// with a GIN index. Both index the same words: reference, project title, organisation name, charity
/// and company numbers and postcode (with and without its space), lower-cased, split at anything that
/// is not a letter or digit.
/// </summary>
internal static class ApplicationSearchSql
{
    private const string SqliteDocument = """
        SELECT a."Id", a."Reference", coalesce(a."ProjectTitle", ''), o."Name", coalesce(o."CharityNumber", ''), coalesce(o."CompanyNumber", ''),
               coalesce(o."Postcode", '') || ' ' || replace(coalesce(o."Postcode", ''), ' ', '')
        FROM "Applications" a JOIN "Organisations" o ON o."Id" = a."OrganisationId"
        """;

    public const string SqliteUp = $"""
        CREATE VIRTUAL TABLE "ApplicationSearch" USING fts5("Reference", "ProjectTitle", "Organisation", "CharityNumber", "CompanyNumber", "Postcode",
            tokenize = 'unicode61 remove_diacritics 2');
        INSERT INTO "ApplicationSearch" (rowid, "Reference", "ProjectTitle", "Organisation", "CharityNumber", "CompanyNumber", "Postcode")
            {SqliteDocument};
        CREATE TRIGGER "ApplicationSearch_Insert" AFTER INSERT ON "Applications" BEGIN
            INSERT INTO "ApplicationSearch" (rowid, "Reference", "ProjectTitle", "Organisation", "CharityNumber", "CompanyNumber", "Postcode")
                {SqliteDocument} WHERE a."Id" = new."Id";
        END;
        CREATE TRIGGER "ApplicationSearch_Update" AFTER UPDATE OF "Reference", "ProjectTitle", "OrganisationId" ON "Applications" BEGIN
            DELETE FROM "ApplicationSearch" WHERE rowid = old."Id";
            INSERT INTO "ApplicationSearch" (rowid, "Reference", "ProjectTitle", "Organisation", "CharityNumber", "CompanyNumber", "Postcode")
                {SqliteDocument} WHERE a."Id" = new."Id";
        END;
        CREATE TRIGGER "ApplicationSearch_Delete" AFTER DELETE ON "Applications" BEGIN
            DELETE FROM "ApplicationSearch" WHERE rowid = old."Id";
        END;
        CREATE TRIGGER "ApplicationSearch_Organisation" AFTER UPDATE OF "Name", "CharityNumber", "CompanyNumber", "Postcode" ON "Organisations" BEGIN
            DELETE FROM "ApplicationSearch" WHERE rowid IN (SELECT "Id" FROM "Applications" WHERE "OrganisationId" = new."Id");
            INSERT INTO "ApplicationSearch" (rowid, "Reference", "ProjectTitle", "Organisation", "CharityNumber", "CompanyNumber", "Postcode")
                {SqliteDocument} WHERE a."OrganisationId" = new."Id";
        END;
        """;

    public const string SqliteDown = """
        DROP TRIGGER IF EXISTS "ApplicationSearch_Organisation";
        DROP TRIGGER IF EXISTS "ApplicationSearch_Delete";
        DROP TRIGGER IF EXISTS "ApplicationSearch_Update";
        DROP TRIGGER IF EXISTS "ApplicationSearch_Insert";
        DROP TABLE IF EXISTS "ApplicationSearch";
        """;

    public const string PostgresUp = """
        CREATE TABLE "ApplicationSearch" (
            "ApplicationId" integer PRIMARY KEY REFERENCES "Applications" ("Id") ON DELETE CASCADE,
            "Document" tsvector NOT NULL);
        CREATE INDEX "IX_ApplicationSearch_Document" ON "ApplicationSearch" USING GIN ("Document");
        CREATE FUNCTION grantmanager_application_document(application_id integer) RETURNS tsvector LANGUAGE sql STABLE AS $$
            SELECT to_tsvector('simple', regexp_replace(lower(concat_ws(' ', a."Reference", a."ProjectTitle", o."Name", o."CharityNumber", o."CompanyNumber",
                o."Postcode", replace(o."Postcode", ' ', ''))), '[^[:alnum:]]+', ' ', 'g'))
            FROM "Applications" a JOIN "Organisations" o ON o."Id" = a."OrganisationId" WHERE a."Id" = application_id
        $$;
        CREATE FUNCTION grantmanager_index_application() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO "ApplicationSearch" ("ApplicationId", "Document") VALUES (NEW."Id", grantmanager_application_document(NEW."Id"))
                ON CONFLICT ("ApplicationId") DO UPDATE SET "Document" = EXCLUDED."Document";
            RETURN NULL;
        END $$;
        CREATE TRIGGER "ApplicationSearch_Application" AFTER INSERT OR UPDATE OF "Reference", "ProjectTitle", "OrganisationId" ON "Applications"
            FOR EACH ROW EXECUTE FUNCTION grantmanager_index_application();
        CREATE FUNCTION grantmanager_index_organisation() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE "ApplicationSearch" s SET "Document" = grantmanager_application_document(s."ApplicationId")
                FROM "Applications" a WHERE a."Id" = s."ApplicationId" AND a."OrganisationId" = NEW."Id";
            RETURN NULL;
        END $$;
        CREATE TRIGGER "ApplicationSearch_Organisation" AFTER UPDATE OF "Name", "CharityNumber", "CompanyNumber", "Postcode" ON "Organisations"
            FOR EACH ROW EXECUTE FUNCTION grantmanager_index_organisation();
        INSERT INTO "ApplicationSearch" ("ApplicationId", "Document") SELECT "Id", grantmanager_application_document("Id") FROM "Applications";
        """;

    public const string PostgresDown = """
        DROP TRIGGER IF EXISTS "ApplicationSearch_Organisation" ON "Organisations";
        DROP TRIGGER IF EXISTS "ApplicationSearch_Application" ON "Applications";
        DROP FUNCTION IF EXISTS grantmanager_index_organisation();
        DROP FUNCTION IF EXISTS grantmanager_index_application();
        DROP FUNCTION IF EXISTS grantmanager_application_document(integer);
        DROP TABLE IF EXISTS "ApplicationSearch";
        """;
}

/// <summary>
/// Keeps <c>Applications.WorkflowState</c> a copy of the state of the application's workflow instance (null while
/// it has none), by triggers, so every writer keeps it right: the workflow runtime moving an instance, the service
/// linking an application to its new instance (in either order), the benchmark's bulk loader, SQL by hand.
/// The register counts, filters and sorts by it over an index instead of joining every application to its instance.
/// </summary>
internal static class WorkflowStateSql
{
    public const string Backfill = """
        UPDATE "Applications" SET "WorkflowState" = (SELECT i."State" FROM "WorkflowInstances" i WHERE i."Id" = "Applications"."WorkflowInstanceId")
            WHERE "WorkflowInstanceId" IS NOT NULL;
        """;

    public const string SqliteUp = $"""
        {Backfill}
        CREATE TRIGGER "WorkflowState_InstanceInsert" AFTER INSERT ON "WorkflowInstances" BEGIN
            UPDATE "Applications" SET "WorkflowState" = new."State" WHERE "WorkflowInstanceId" = new."Id";
        END;
        CREATE TRIGGER "WorkflowState_InstanceUpdate" AFTER UPDATE OF "State" ON "WorkflowInstances" BEGIN
            UPDATE "Applications" SET "WorkflowState" = new."State" WHERE "WorkflowInstanceId" = new."Id";
        END;
        CREATE TRIGGER "WorkflowState_InstanceDelete" AFTER DELETE ON "WorkflowInstances" BEGIN
            UPDATE "Applications" SET "WorkflowState" = NULL WHERE "WorkflowInstanceId" = old."Id";
        END;
        CREATE TRIGGER "WorkflowState_ApplicationInsert" AFTER INSERT ON "Applications" WHEN new."WorkflowInstanceId" IS NOT NULL BEGIN
            UPDATE "Applications" SET "WorkflowState" = (SELECT i."State" FROM "WorkflowInstances" i WHERE i."Id" = new."WorkflowInstanceId") WHERE "Id" = new."Id";
        END;
        CREATE TRIGGER "WorkflowState_ApplicationLink" AFTER UPDATE OF "WorkflowInstanceId", "WorkflowState" ON "Applications"
            WHEN new."WorkflowState" IS NOT (SELECT i."State" FROM "WorkflowInstances" i WHERE i."Id" = new."WorkflowInstanceId") BEGIN
            UPDATE "Applications" SET "WorkflowState" = (SELECT i."State" FROM "WorkflowInstances" i WHERE i."Id" = new."WorkflowInstanceId") WHERE "Id" = new."Id";
        END;
        """;

    public const string SqliteDown = """
        DROP TRIGGER IF EXISTS "WorkflowState_ApplicationLink";
        DROP TRIGGER IF EXISTS "WorkflowState_ApplicationInsert";
        DROP TRIGGER IF EXISTS "WorkflowState_InstanceDelete";
        DROP TRIGGER IF EXISTS "WorkflowState_InstanceUpdate";
        DROP TRIGGER IF EXISTS "WorkflowState_InstanceInsert";
        """;

    public const string PostgresUp = $"""
        {Backfill}
        CREATE FUNCTION grantmanager_instance_state() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                UPDATE "Applications" SET "WorkflowState" = NULL WHERE "WorkflowInstanceId" = OLD."Id";
            ELSE
                UPDATE "Applications" SET "WorkflowState" = NEW."State" WHERE "WorkflowInstanceId" = NEW."Id" AND "WorkflowState" IS DISTINCT FROM NEW."State";
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER "WorkflowState_Instance" AFTER INSERT OR UPDATE OF "State" OR DELETE ON "WorkflowInstances"
            FOR EACH ROW EXECUTE FUNCTION grantmanager_instance_state();
        CREATE FUNCTION grantmanager_application_state() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW."WorkflowState" := (SELECT i."State" FROM "WorkflowInstances" i WHERE i."Id" = NEW."WorkflowInstanceId");
            RETURN NEW;
        END $$;
        CREATE TRIGGER "WorkflowState_Application" BEFORE INSERT OR UPDATE OF "WorkflowInstanceId", "WorkflowState" ON "Applications"
            FOR EACH ROW EXECUTE FUNCTION grantmanager_application_state();
        """;

    public const string PostgresDown = """
        DROP TRIGGER IF EXISTS "WorkflowState_Application" ON "Applications";
        DROP TRIGGER IF EXISTS "WorkflowState_Instance" ON "WorkflowInstances";
        DROP FUNCTION IF EXISTS grantmanager_application_state();
        DROP FUNCTION IF EXISTS grantmanager_instance_state();
        """;
}
