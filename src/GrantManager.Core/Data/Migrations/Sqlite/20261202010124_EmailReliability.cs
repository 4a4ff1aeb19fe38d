using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GrantManager.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EmailReliability : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OutboxEmails_Status_NextAttemptAt",
                table: "OutboxEmails");

            migrationBuilder.AddColumn<int>(
                name: "Priority",
                table: "OutboxEmails",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            // Email already waiting keeps its order: only account emails go first.
            migrationBuilder.Sql("UPDATE \"OutboxEmails\" SET \"Priority\" = 1 WHERE \"Template\" NOT LIKE 'account-%'");

            migrationBuilder.CreateIndex(
                name: "IX_WorkflowTimers_LeaseOwner",
                table: "WorkflowTimers",
                column: "LeaseOwner");

            migrationBuilder.CreateIndex(
                name: "IX_OutboxEmails_LeaseOwner",
                table: "OutboxEmails",
                column: "LeaseOwner");

            migrationBuilder.CreateIndex(
                name: "IX_OutboxEmails_Status_Priority_NextAttemptAt",
                table: "OutboxEmails",
                columns: new[] { "Status", "Priority", "NextAttemptAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_WorkflowTimers_LeaseOwner",
                table: "WorkflowTimers");

            migrationBuilder.DropIndex(
                name: "IX_OutboxEmails_LeaseOwner",
                table: "OutboxEmails");

            migrationBuilder.DropIndex(
                name: "IX_OutboxEmails_Status_Priority_NextAttemptAt",
                table: "OutboxEmails");

            migrationBuilder.DropColumn(
                name: "Priority",
                table: "OutboxEmails");

            migrationBuilder.CreateIndex(
                name: "IX_OutboxEmails_Status_NextAttemptAt",
                table: "OutboxEmails",
                columns: new[] { "Status", "NextAttemptAt" });
        }
    }
}
