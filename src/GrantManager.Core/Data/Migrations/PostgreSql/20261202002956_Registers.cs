using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GrantManager.Core.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class Registers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "CaseId",
                table: "WorkflowInstances",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_WorkflowInstances_CaseId",
                table: "WorkflowInstances",
                column: "CaseId");

            migrationBuilder.Sql(RegistersSql.BackfillCaseId);
            migrationBuilder.Sql(ApplicationSearchSql.PostgresUp);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(ApplicationSearchSql.PostgresDown);

            migrationBuilder.DropIndex(
                name: "IX_WorkflowInstances_CaseId",
                table: "WorkflowInstances");

            migrationBuilder.DropColumn(
                name: "CaseId",
                table: "WorkflowInstances");
        }
    }
}
