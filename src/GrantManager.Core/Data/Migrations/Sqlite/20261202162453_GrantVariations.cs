using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GrantManager.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class GrantVariations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "GrantVariations",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    GrantId = table.Column<int>(type: "INTEGER", nullable: false),
                    Sequence = table.Column<int>(type: "INTEGER", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 3000, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    RequestedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    RequestedByName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    RequestedByStaff = table.Column<bool>(type: "INTEGER", nullable: false),
                    NewEndDate = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    NewAmount = table.Column<long>(type: "INTEGER", nullable: true),
                    NewBudget = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: true),
                    NewTargets = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    EndDateBefore = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    AmountBefore = table.Column<long>(type: "INTEGER", nullable: false),
                    BudgetBefore = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: false),
                    TargetsBefore = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    Replanned = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Amendment = table.Column<int>(type: "INTEGER", nullable: true),
                    DecidedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    DecidedByName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    DecisionMessage = table.Column<string>(type: "TEXT", maxLength: 5000, nullable: true),
                    WorkflowInstanceId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GrantVariations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_GrantVariations_Grants_GrantId",
                        column: x => x.GrantId,
                        principalTable: "Grants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_GrantVariations_GrantId_Sequence",
                table: "GrantVariations",
                columns: new[] { "GrantId", "Sequence" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "GrantVariations");
        }
    }
}
