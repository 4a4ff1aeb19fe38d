using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GrantManager.Core.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class InboxSpeed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_MonitoringReturn_Late",
                table: "MonitoringReturn",
                columns: new[] { "Status", "ChangesDueOn", "DueOn", "GrantId" });

            migrationBuilder.CreateIndex(
                name: "IX_InboxTasks_ByRole",
                table: "InboxTasks",
                columns: new[] { "Status", "Role", "AssigneeId", "DueAt", "TaskKey", "ExcludedUserIds", "State", "InstanceId", "StageEntry" },
                filter: "\"Role\" <> 'Applicant'");

            migrationBuilder.CreateIndex(
                name: "IX_InboxTasks_Copies",
                table: "InboxTasks",
                columns: new[] { "InstanceId", "StageEntry", "TaskKey", "AssigneeId", "CompletedById" });

            migrationBuilder.CreateIndex(
                name: "IX_InboxTasks_Held",
                table: "InboxTasks",
                columns: new[] { "Status", "AssigneeId", "Role", "DueAt", "State" },
                filter: "\"Role\" <> 'Applicant'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_MonitoringReturn_Late",
                table: "MonitoringReturn");

            migrationBuilder.DropIndex(
                name: "IX_InboxTasks_ByRole",
                table: "InboxTasks");

            migrationBuilder.DropIndex(
                name: "IX_InboxTasks_Copies",
                table: "InboxTasks");

            migrationBuilder.DropIndex(
                name: "IX_InboxTasks_Held",
                table: "InboxTasks");
        }
    }
}
