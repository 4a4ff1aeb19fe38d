using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GrantManager.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InboxExclusions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_InboxTasks_ByRole",
                table: "InboxTasks");

            migrationBuilder.CreateTable(
                name: "InboxTaskExclusions",
                columns: table => new
                {
                    TaskId = table.Column<long>(type: "INTEGER", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    Conflict = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InboxTaskExclusions", x => new { x.TaskId, x.UserId });
                    table.ForeignKey(
                        name: "FK_InboxTaskExclusions_InboxTasks_TaskId",
                        column: x => x.TaskId,
                        principalTable: "InboxTasks",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_InboxTaskExclusions_UserId_TaskId",
                table: "InboxTaskExclusions",
                columns: new[] { "UserId", "TaskId" });

            migrationBuilder.Sql(InboxExclusionsSql.SqliteSplit);

            migrationBuilder.Sql(InboxExclusionsSql.Copies);

            migrationBuilder.Sql(InboxExclusionsSql.SqliteDropColumn);

            migrationBuilder.CreateIndex(
                name: "IX_InboxTasks_ByRole",
                table: "InboxTasks",
                columns: new[] { "Status", "Role", "AssigneeId", "DueAt", "TaskKey", "State", "InstanceId", "StageEntry" },
                filter: "\"Role\" <> 'Applicant'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_InboxTasks_ByRole",
                table: "InboxTasks");

            migrationBuilder.AddColumn<string>(
                name: "ExcludedUserIds",
                table: "InboxTasks",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.Sql(InboxExclusionsSql.SqliteJoin);

            migrationBuilder.DropTable(
                name: "InboxTaskExclusions");

            migrationBuilder.CreateIndex(
                name: "IX_InboxTasks_ByRole",
                table: "InboxTasks",
                columns: new[] { "Status", "Role", "AssigneeId", "DueAt", "TaskKey", "ExcludedUserIds", "State", "InstanceId", "StageEntry" },
                filter: "\"Role\" <> 'Applicant'");
        }
    }
}
