using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace GrantManager.Core.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class PostAward : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "FailureReason",
                table: "Instalment",
                type: "character varying(3000)",
                maxLength: 3000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "HeldReason",
                table: "Instalment",
                type: "character varying(3000)",
                maxLength: 3000,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Version",
                table: "Instalment",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "ConditionId",
                table: "Attachment",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "GrantConditions",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    GrantId = table.Column<int>(type: "integer", nullable: false),
                    Sequence = table.Column<int>(type: "integer", nullable: false),
                    Text = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    Kind = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    PaymentNumber = table.Column<int>(type: "integer", nullable: true),
                    Status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    EvidenceNote = table.Column<string>(type: "character varying(3000)", maxLength: 3000, nullable: true),
                    EvidenceSentAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Reason = table.Column<string>(type: "character varying(3000)", maxLength: 3000, nullable: true),
                    DecidedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    DecidedByName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    Version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GrantConditions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_GrantConditions_Grants_GrantId",
                        column: x => x.GrantId,
                        principalTable: "Grants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Attachment_ConditionId",
                table: "Attachment",
                column: "ConditionId");

            migrationBuilder.CreateIndex(
                name: "IX_GrantConditions_GrantId_Sequence",
                table: "GrantConditions",
                columns: new[] { "GrantId", "Sequence" },
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "FK_Attachment_GrantConditions_ConditionId",
                table: "Attachment",
                column: "ConditionId",
                principalTable: "GrantConditions",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Attachment_GrantConditions_ConditionId",
                table: "Attachment");

            migrationBuilder.DropTable(
                name: "GrantConditions");

            migrationBuilder.DropIndex(
                name: "IX_Attachment_ConditionId",
                table: "Attachment");

            migrationBuilder.DropColumn(
                name: "FailureReason",
                table: "Instalment");

            migrationBuilder.DropColumn(
                name: "HeldReason",
                table: "Instalment");

            migrationBuilder.DropColumn(
                name: "Version",
                table: "Instalment");

            migrationBuilder.DropColumn(
                name: "ConditionId",
                table: "Attachment");
        }
    }
}
