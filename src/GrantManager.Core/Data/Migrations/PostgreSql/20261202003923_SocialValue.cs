using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace GrantManager.Core.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class SocialValue : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SocialValueProxies",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    MeasureCode = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    PoundsPerUnit = table.Column<long>(type: "bigint", nullable: false),
                    Unit = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Source = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Licence = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    PriceYear = table.Column<int>(type: "integer", nullable: false),
                    DeadweightPercent = table.Column<long>(type: "bigint", nullable: false),
                    AttributionPercent = table.Column<long>(type: "bigint", nullable: false),
                    AppliesFrom = table.Column<DateOnly>(type: "date", nullable: false),
                    Illustrative = table.Column<bool>(type: "boolean", nullable: false),
                    RecordedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    RecordedById = table.Column<string>(type: "text", nullable: true),
                    RecordedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SocialValueProxies", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SocialValueProxies_MeasureCode_Version",
                table: "SocialValueProxies",
                columns: new[] { "MeasureCode", "Version" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SocialValueProxies");
        }
    }
}
