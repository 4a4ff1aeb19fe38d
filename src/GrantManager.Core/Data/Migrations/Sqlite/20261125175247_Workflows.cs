using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GrantManager.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Workflows : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "WorkflowIncidents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TimerId = table.Column<long>(type: "INTEGER", nullable: false),
                    InstanceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Description = table.Column<string>(type: "TEXT", nullable: false),
                    Error = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ResolvedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ResolvedBy = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WorkflowIncidents", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "WorkflowInstances",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    DefinitionId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    DefinitionVersion = table.Column<int>(type: "INTEGER", nullable: false),
                    SubjectType = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    SubjectId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    SubjectReference = table.Column<string>(type: "TEXT", nullable: true),
                    SubjectPath = table.Column<string>(type: "TEXT", nullable: true),
                    OrganisationId = table.Column<int>(type: "INTEGER", nullable: true),
                    ContactEmail = table.Column<string>(type: "TEXT", nullable: true),
                    ContactName = table.Column<string>(type: "TEXT", nullable: true),
                    State = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    StageEntry = table.Column<int>(type: "INTEGER", nullable: false),
                    StageEnteredAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Data = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    CompletedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WorkflowInstances", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "InboxTasks",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    InstanceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    State = table.Column<string>(type: "TEXT", nullable: false),
                    StageEntry = table.Column<int>(type: "INTEGER", nullable: false),
                    TaskKey = table.Column<string>(type: "TEXT", nullable: false),
                    Title = table.Column<string>(type: "TEXT", nullable: false),
                    Role = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Outcomes = table.Column<string>(type: "TEXT", nullable: false),
                    Form = table.Column<string>(type: "TEXT", nullable: true),
                    RequiresConflictDeclaration = table.Column<bool>(type: "INTEGER", nullable: false),
                    AssigneeId = table.Column<string>(type: "TEXT", nullable: true),
                    AssigneeName = table.Column<string>(type: "TEXT", nullable: true),
                    ExcludedUserIds = table.Column<string>(type: "TEXT", nullable: false),
                    ConflictDeclared = table.Column<bool>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    DueAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Outcome = table.Column<string>(type: "TEXT", nullable: true),
                    Comment = table.Column<string>(type: "TEXT", nullable: true),
                    Data = table.Column<string>(type: "TEXT", nullable: true),
                    CompletedById = table.Column<string>(type: "TEXT", nullable: true),
                    CompletedByName = table.Column<string>(type: "TEXT", nullable: true),
                    CompletedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InboxTasks", x => x.Id);
                    table.ForeignKey(
                        name: "FK_InboxTasks_WorkflowInstances_InstanceId",
                        column: x => x.InstanceId,
                        principalTable: "WorkflowInstances",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "WorkflowHistory",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    InstanceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ActorId = table.Column<string>(type: "TEXT", nullable: true),
                    ActorName = table.Column<string>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", nullable: false),
                    FromState = table.Column<string>(type: "TEXT", nullable: true),
                    ToState = table.Column<string>(type: "TEXT", nullable: true),
                    Trigger = table.Column<string>(type: "TEXT", nullable: true),
                    Comment = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WorkflowHistory", x => x.Id);
                    table.ForeignKey(
                        name: "FK_WorkflowHistory_WorkflowInstances_InstanceId",
                        column: x => x.InstanceId,
                        principalTable: "WorkflowInstances",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "WorkflowTimers",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    InstanceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    State = table.Column<string>(type: "TEXT", nullable: false),
                    StageEntry = table.Column<int>(type: "INTEGER", nullable: false),
                    TimerKey = table.Column<string>(type: "TEXT", nullable: false),
                    TaskId = table.Column<long>(type: "INTEGER", nullable: true),
                    DueAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    RunAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    LeaseUntil = table.Column<DateTime>(type: "TEXT", nullable: true),
                    LeaseOwner = table.Column<Guid>(type: "TEXT", nullable: true),
                    FiredAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    LastError = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WorkflowTimers", x => x.Id);
                    table.ForeignKey(
                        name: "FK_WorkflowTimers_InboxTasks_TaskId",
                        column: x => x.TaskId,
                        principalTable: "InboxTasks",
                        principalColumn: "Id");
                    table.ForeignKey(
                        name: "FK_WorkflowTimers_WorkflowInstances_InstanceId",
                        column: x => x.InstanceId,
                        principalTable: "WorkflowInstances",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_InboxTasks_InstanceId_StageEntry",
                table: "InboxTasks",
                columns: new[] { "InstanceId", "StageEntry" });

            migrationBuilder.CreateIndex(
                name: "IX_InboxTasks_Status_Role_DueAt",
                table: "InboxTasks",
                columns: new[] { "Status", "Role", "DueAt" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkflowHistory_InstanceId_Id",
                table: "WorkflowHistory",
                columns: new[] { "InstanceId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkflowIncidents_ResolvedAt",
                table: "WorkflowIncidents",
                column: "ResolvedAt");

            migrationBuilder.CreateIndex(
                name: "IX_WorkflowInstances_DefinitionId_State",
                table: "WorkflowInstances",
                columns: new[] { "DefinitionId", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkflowInstances_SubjectType_SubjectId",
                table: "WorkflowInstances",
                columns: new[] { "SubjectType", "SubjectId" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkflowTimers_InstanceId_Status",
                table: "WorkflowTimers",
                columns: new[] { "InstanceId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkflowTimers_Status_RunAt",
                table: "WorkflowTimers",
                columns: new[] { "Status", "RunAt" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkflowTimers_TaskId",
                table: "WorkflowTimers",
                column: "TaskId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "WorkflowHistory");

            migrationBuilder.DropTable(
                name: "WorkflowIncidents");

            migrationBuilder.DropTable(
                name: "WorkflowTimers");

            migrationBuilder.DropTable(
                name: "InboxTasks");

            migrationBuilder.DropTable(
                name: "WorkflowInstances");
        }
    }
}
