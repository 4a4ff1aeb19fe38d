using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GrantManager.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Monitoring : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "AcceptedAt",
                table: "MonitoringReturn",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "BeneficiariesReached",
                table: "MonitoringReturn",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CaseStudy",
                table: "MonitoringReturn",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "ChangesDueOn",
                table: "MonitoringReturn",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ChangesRequested",
                table: "MonitoringReturn",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "DraftSavedAt",
                table: "MonitoringReturn",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Progress",
                table: "MonitoringReturn",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "SubmittedAt",
                table: "MonitoringReturn",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Version",
                table: "MonitoringReturn",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<Guid>(
                name: "WorkflowInstanceId",
                table: "MonitoringReturn",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PaidByName",
                table: "Instalment",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "WorkflowInstanceId",
                table: "Instalment",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ClosedAt",
                table: "Grants",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ReturnId",
                table: "Attachment",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ReturnActual",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ReturnId = table.Column<int>(type: "INTEGER", nullable: false),
                    MeasureCode = table.Column<string>(type: "TEXT", nullable: false),
                    Target = table.Column<long>(type: "INTEGER", nullable: false),
                    Actual = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReturnActual", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ReturnActual_MonitoringReturn_ReturnId",
                        column: x => x.ReturnId,
                        principalTable: "MonitoringReturn",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ReturnSpend",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ReturnId = table.Column<int>(type: "INTEGER", nullable: false),
                    Item = table.Column<string>(type: "TEXT", nullable: false),
                    Budgeted = table.Column<long>(type: "INTEGER", nullable: false),
                    Spent = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReturnSpend", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ReturnSpend_MonitoringReturn_ReturnId",
                        column: x => x.ReturnId,
                        principalTable: "MonitoringReturn",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Attachment_ReturnId",
                table: "Attachment",
                column: "ReturnId");

            migrationBuilder.CreateIndex(
                name: "IX_ReturnActual_ReturnId",
                table: "ReturnActual",
                column: "ReturnId");

            migrationBuilder.CreateIndex(
                name: "IX_ReturnSpend_ReturnId",
                table: "ReturnSpend",
                column: "ReturnId");

            migrationBuilder.AddForeignKey(
                name: "FK_Attachment_MonitoringReturn_ReturnId",
                table: "Attachment",
                column: "ReturnId",
                principalTable: "MonitoringReturn",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Attachment_MonitoringReturn_ReturnId",
                table: "Attachment");

            migrationBuilder.DropTable(
                name: "ReturnActual");

            migrationBuilder.DropTable(
                name: "ReturnSpend");

            migrationBuilder.DropIndex(
                name: "IX_Attachment_ReturnId",
                table: "Attachment");

            migrationBuilder.DropColumn(
                name: "AcceptedAt",
                table: "MonitoringReturn");

            migrationBuilder.DropColumn(
                name: "BeneficiariesReached",
                table: "MonitoringReturn");

            migrationBuilder.DropColumn(
                name: "CaseStudy",
                table: "MonitoringReturn");

            migrationBuilder.DropColumn(
                name: "ChangesDueOn",
                table: "MonitoringReturn");

            migrationBuilder.DropColumn(
                name: "ChangesRequested",
                table: "MonitoringReturn");

            migrationBuilder.DropColumn(
                name: "DraftSavedAt",
                table: "MonitoringReturn");

            migrationBuilder.DropColumn(
                name: "Progress",
                table: "MonitoringReturn");

            migrationBuilder.DropColumn(
                name: "SubmittedAt",
                table: "MonitoringReturn");

            migrationBuilder.DropColumn(
                name: "Version",
                table: "MonitoringReturn");

            migrationBuilder.DropColumn(
                name: "WorkflowInstanceId",
                table: "MonitoringReturn");

            migrationBuilder.DropColumn(
                name: "PaidByName",
                table: "Instalment");

            migrationBuilder.DropColumn(
                name: "WorkflowInstanceId",
                table: "Instalment");

            migrationBuilder.DropColumn(
                name: "ClosedAt",
                table: "Grants");

            migrationBuilder.DropColumn(
                name: "ReturnId",
                table: "Attachment");
        }
    }
}
