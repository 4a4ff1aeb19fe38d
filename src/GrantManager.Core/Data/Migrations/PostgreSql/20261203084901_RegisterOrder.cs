using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GrantManager.Core.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class RegisterOrder : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Applications_FundId",
                table: "Applications");

            migrationBuilder.AddColumn<string>(
                name: "WorkflowState",
                table: "Applications",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Grants_AwardedAt_Id",
                table: "Grants",
                columns: new[] { "AwardedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Grants_FundId_AwardedAt",
                table: "Grants",
                columns: new[] { "FundId", "AwardedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Applications_FundId_WorkflowState_AmountRequested_SubmittedAt_RoundId_Districts",
                table: "Applications",
                columns: new[] { "FundId", "WorkflowState", "AmountRequested", "SubmittedAt", "RoundId", "Districts" });

            migrationBuilder.CreateIndex(
                name: "IX_Applications_SubmittedAt_Id",
                table: "Applications",
                columns: new[] { "SubmittedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Applications_WorkflowInstanceId",
                table: "Applications",
                column: "WorkflowInstanceId");

            migrationBuilder.CreateIndex(
                name: "IX_Applications_WorkflowState",
                table: "Applications",
                column: "WorkflowState");

            migrationBuilder.Sql(WorkflowStateSql.PostgresUp);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(WorkflowStateSql.PostgresDown);

            migrationBuilder.DropIndex(
                name: "IX_Grants_AwardedAt_Id",
                table: "Grants");

            migrationBuilder.DropIndex(
                name: "IX_Grants_FundId_AwardedAt",
                table: "Grants");

            migrationBuilder.DropIndex(
                name: "IX_Applications_SubmittedAt_Id",
                table: "Applications");

            migrationBuilder.DropIndex(
                name: "IX_Applications_WorkflowInstanceId",
                table: "Applications");

            migrationBuilder.DropIndex(
                name: "IX_Applications_WorkflowState",
                table: "Applications");

            migrationBuilder.DropIndex(
                name: "IX_Applications_FundId_WorkflowState_AmountRequested_SubmittedAt_RoundId_Districts",
                table: "Applications");

            migrationBuilder.DropColumn(
                name: "WorkflowState",
                table: "Applications");

            migrationBuilder.CreateIndex(
                name: "IX_Applications_FundId",
                table: "Applications",
                column: "FundId");
        }
    }
}
