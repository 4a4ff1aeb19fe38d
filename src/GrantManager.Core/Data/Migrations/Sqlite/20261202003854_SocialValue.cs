using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GrantManager.Core.Data.Migrations.Sqlite
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
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    MeasureCode = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    PoundsPerUnit = table.Column<long>(type: "INTEGER", nullable: false),
                    Unit = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Licence = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    PriceYear = table.Column<int>(type: "INTEGER", nullable: false),
                    DeadweightPercent = table.Column<long>(type: "INTEGER", nullable: false),
                    AttributionPercent = table.Column<long>(type: "INTEGER", nullable: false),
                    AppliesFrom = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Illustrative = table.Column<bool>(type: "INTEGER", nullable: false),
                    RecordedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    RecordedById = table.Column<string>(type: "TEXT", nullable: true),
                    RecordedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true)
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
