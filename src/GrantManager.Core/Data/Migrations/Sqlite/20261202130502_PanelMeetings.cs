using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GrantManager.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PanelMeetings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "PanelMeetings",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FundId = table.Column<int>(type: "INTEGER", nullable: false),
                    RoundId = table.Column<int>(type: "INTEGER", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    MeetsOn = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    CreatedById = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    CreatedByName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    DecidedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    DecidedByName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PanelMeetings", x => x.Id);
                    table.ForeignKey(
                        name: "FK_PanelMeetings_Rounds_RoundId",
                        column: x => x.RoundId,
                        principalTable: "Rounds",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "PanelItems",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    MeetingId = table.Column<int>(type: "INTEGER", nullable: false),
                    ApplicationId = table.Column<int>(type: "INTEGER", nullable: false),
                    TaskId = table.Column<long>(type: "INTEGER", nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    AmountAwarded = table.Column<long>(type: "INTEGER", nullable: true),
                    Conditions = table.Column<string>(type: "TEXT", maxLength: 3000, nullable: true),
                    MessageToApplicant = table.Column<string>(type: "TEXT", maxLength: 5000, nullable: true),
                    Note = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PanelItems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_PanelItems_Applications_ApplicationId",
                        column: x => x.ApplicationId,
                        principalTable: "Applications",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_PanelItems_PanelMeetings_MeetingId",
                        column: x => x.MeetingId,
                        principalTable: "PanelMeetings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "PanelMembers",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    MeetingId = table.Column<int>(type: "INTEGER", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    IsChair = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PanelMembers", x => x.Id);
                    table.ForeignKey(
                        name: "FK_PanelMembers_PanelMeetings_MeetingId",
                        column: x => x.MeetingId,
                        principalTable: "PanelMeetings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "PanelViews",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ItemId = table.Column<int>(type: "INTEGER", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    View = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Comment = table.Column<string>(type: "TEXT", maxLength: 3000, nullable: true),
                    RecordedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PanelViews", x => x.Id);
                    table.ForeignKey(
                        name: "FK_PanelViews_PanelItems_ItemId",
                        column: x => x.ItemId,
                        principalTable: "PanelItems",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_PanelItems_ApplicationId",
                table: "PanelItems",
                column: "ApplicationId");

            migrationBuilder.CreateIndex(
                name: "IX_PanelItems_MeetingId_ApplicationId",
                table: "PanelItems",
                columns: new[] { "MeetingId", "ApplicationId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PanelItems_TaskId",
                table: "PanelItems",
                column: "TaskId");

            migrationBuilder.CreateIndex(
                name: "IX_PanelMeetings_RoundId_MeetsOn",
                table: "PanelMeetings",
                columns: new[] { "RoundId", "MeetsOn" });

            migrationBuilder.CreateIndex(
                name: "IX_PanelMembers_MeetingId_UserId",
                table: "PanelMembers",
                columns: new[] { "MeetingId", "UserId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PanelMembers_UserId",
                table: "PanelMembers",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_PanelViews_ItemId_UserId",
                table: "PanelViews",
                columns: new[] { "ItemId", "UserId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PanelMembers");

            migrationBuilder.DropTable(
                name: "PanelViews");

            migrationBuilder.DropTable(
                name: "PanelItems");

            migrationBuilder.DropTable(
                name: "PanelMeetings");
        }
    }
}
