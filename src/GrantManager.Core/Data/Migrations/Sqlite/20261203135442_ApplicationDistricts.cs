using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GrantManager.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ApplicationDistricts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ApplicationDistricts",
                columns: table => new
                {
                    ApplicationId = table.Column<int>(type: "INTEGER", nullable: false),
                    District = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ApplicationDistricts", x => new { x.ApplicationId, x.District });
                    table.ForeignKey(
                        name: "FK_ApplicationDistricts_Applications_ApplicationId",
                        column: x => x.ApplicationId,
                        principalTable: "Applications",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ApplicationDistricts_District_ApplicationId",
                table: "ApplicationDistricts",
                columns: new[] { "District", "ApplicationId" });

            migrationBuilder.Sql(ApplicationDistrictsSql.SqliteSplit);

            migrationBuilder.DropIndex(
                name: "IX_Applications_FundId_WorkflowState_AmountRequested_SubmittedAt_RoundId_Districts",
                table: "Applications");

            migrationBuilder.Sql(ApplicationDistrictsSql.SqliteDropColumn);

            migrationBuilder.CreateIndex(
                name: "IX_Applications_FundId_WorkflowState_AmountRequested_SubmittedAt_RoundId",
                table: "Applications",
                columns: new[] { "FundId", "WorkflowState", "AmountRequested", "SubmittedAt", "RoundId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Applications_FundId_WorkflowState_AmountRequested_SubmittedAt_RoundId",
                table: "Applications");

            migrationBuilder.AddColumn<string>(
                name: "Districts",
                table: "Applications",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.Sql(ApplicationDistrictsSql.SqliteJoin);

            migrationBuilder.DropTable(
                name: "ApplicationDistricts");

            migrationBuilder.CreateIndex(
                name: "IX_Applications_FundId_WorkflowState_AmountRequested_SubmittedAt_RoundId_Districts",
                table: "Applications",
                columns: new[] { "FundId", "WorkflowState", "AmountRequested", "SubmittedAt", "RoundId", "Districts" });
        }
    }
}
