using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GrantManager.Core.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class GrantClosure : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "ClosureInstanceId",
                table: "Grants",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EndReason",
                table: "Grants",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "EndedAt",
                table: "Grants",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EndedByName",
                table: "Grants",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RepaymentReceived",
                table: "Grants",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "RepaymentReceivedOn",
                table: "Grants",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RepaymentReference",
                table: "Grants",
                type: "character varying(50)",
                maxLength: 50,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "RepaymentRequestedAt",
                table: "Grants",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "Underspend",
                table: "Grants",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "UnderspendDeclaredAt",
                table: "Grants",
                type: "timestamp with time zone",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ClosureInstanceId",
                table: "Grants");

            migrationBuilder.DropColumn(
                name: "EndReason",
                table: "Grants");

            migrationBuilder.DropColumn(
                name: "EndedAt",
                table: "Grants");

            migrationBuilder.DropColumn(
                name: "EndedByName",
                table: "Grants");

            migrationBuilder.DropColumn(
                name: "RepaymentReceived",
                table: "Grants");

            migrationBuilder.DropColumn(
                name: "RepaymentReceivedOn",
                table: "Grants");

            migrationBuilder.DropColumn(
                name: "RepaymentReference",
                table: "Grants");

            migrationBuilder.DropColumn(
                name: "RepaymentRequestedAt",
                table: "Grants");

            migrationBuilder.DropColumn(
                name: "Underspend",
                table: "Grants");

            migrationBuilder.DropColumn(
                name: "UnderspendDeclaredAt",
                table: "Grants");
        }
    }
}
