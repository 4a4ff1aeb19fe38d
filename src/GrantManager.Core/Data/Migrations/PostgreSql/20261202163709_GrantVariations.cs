using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace GrantManager.Core.Data.Migrations.PostgreSql
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
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    GrantId = table.Column<int>(type: "integer", nullable: false),
                    Sequence = table.Column<int>(type: "integer", nullable: false),
                    Reason = table.Column<string>(type: "character varying(3000)", maxLength: 3000, nullable: false),
                    Status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    RequestedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    RequestedByName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    RequestedByStaff = table.Column<bool>(type: "boolean", nullable: false),
                    NewEndDate = table.Column<DateOnly>(type: "date", nullable: true),
                    NewAmount = table.Column<long>(type: "bigint", nullable: true),
                    NewBudget = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: true),
                    NewTargets = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    EndDateBefore = table.Column<DateOnly>(type: "date", nullable: false),
                    AmountBefore = table.Column<long>(type: "bigint", nullable: false),
                    BudgetBefore = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: false),
                    TargetsBefore = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    Replanned = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    Amendment = table.Column<int>(type: "integer", nullable: true),
                    DecidedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    DecidedByName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    DecisionMessage = table.Column<string>(type: "character varying(5000)", maxLength: 5000, nullable: true),
                    WorkflowInstanceId = table.Column<Guid>(type: "uuid", nullable: true),
                    Version = table.Column<int>(type: "integer", nullable: false)
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
