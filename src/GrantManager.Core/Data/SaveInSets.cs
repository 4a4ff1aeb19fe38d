using System.Data.Common;
using GrantManager.Core.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace GrantManager.Core.Data;

/// <summary>
/// Saves a unit of work made of many rows of a few kinds as sets, in the caller's transaction: one
/// statement prepared for each shape of row (an insert, or an update of the same columns) and run for
/// every row of that shape. EF Core on SQLite sends one statement per row, each built, prepared and
/// read back anew, so a quarter end's 100,000 reminders would cost four such statements apiece.
/// Values go through the model's own type mappings and converters (UTC times, enums as text, GUIDs as
/// SQLite stores them), so a row reads back exactly as one EF wrote, and an update checks the entity's
/// concurrency tokens as EF does. Store-generated keys are left to the database and not read back.
/// Only a unit of work that suits this is saved so: on SQLite, every pending row of the kinds named,
/// none deleted, none referring to a row whose key is not yet known. Anything else, and everything on
/// PostgreSQL (where EF already sends a unit of work's statements together), is left to SaveChanges.
/// </summary>
public static class SaveInSets
{
    /// <summary>
    /// A save interceptor that must see some changes (a webhook raised by a timer, say) says so here; a unit of
    /// work holding such a change is left to SaveChanges, which runs the interceptors, instead of written in sets.
    /// </summary>
    public interface IWatchesChanges
    {
        bool Watches(EntityEntry entry);
    }

    /// <summary>
    /// Writes every pending row, kind by kind in the order given (so a row comes after those it refers
    /// to), then stops tracking them. False, having written nothing, when the unit of work does not suit.
    /// With <paramref name="withKeys"/> the rows' integer keys are written as given (a bulk load that sets
    /// them so that rows can refer to each other) instead of left to the database.
    /// </summary>
    public static async Task<bool> TryWriteAsync(DbContext db, IReadOnlyList<Type> kinds, CancellationToken ct, bool withKeys = false)
    {
        if (!db.Database.IsSqlite()) return false;
        var pending = db.ChangeTracker.Entries().Where(e => e.State is not (EntityState.Unchanged or EntityState.Detached)).ToList();
        if (pending.Any(e => e.State == EntityState.Deleted || !kinds.Contains(e.Metadata.ClrType)
                || e.Metadata.GetForeignKeys().SelectMany(f => f.Properties).Any(p => e.Property(p).IsTemporary)))
            return false;
        if (pending.Count == 0) return true;
        var watchers = db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.Interceptors?.OfType<IWatchesChanges>().ToList() ?? [];
        if (watchers.Count > 0 && pending.Any(e => watchers.Any(w => w.Watches(e)))) return false;

        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            if (db.Database.GetCommandTimeout() is int timeout) command.CommandTimeout = timeout;
            var byKind = pending.ToLookup(e => e.Metadata.ClrType);
            foreach (var kind in kinds)
                if (byKind[kind].ToList() is { Count: > 0 } entries)
                    await WriteAsync(db, command, entries[0].Metadata, entries, withKeys, ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        if (pending.Any(e => e.Entity is OutboxEmail) && db is GrantDbContext grants) grants.OutboxPending = true;
        db.ChangeTracker.Clear();
        return true;
    }

    private static async Task WriteAsync(DbContext db, DbCommand command, IEntityType entityType, List<EntityEntry> entries, bool withKeys, CancellationToken ct)
    {
        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        var name = sql.DelimitIdentifier(table.Name, table.Schema);
        string Column(IProperty p) => sql.DelimitIdentifier(p.GetColumnName(table)!);
        static string Parameter(int i) => "@p" + i;

        var insert = entityType.GetProperties().Where(p => withKeys || !IsStoreGeneratedKey(p)).ToList();
        var added = entries.Where(e => e.State == EntityState.Added).ToList();
        if (added.Count > 0)
        {
            command.CommandText = $"INSERT INTO {name} ({string.Join(", ", insert.Select(Column))}) VALUES ({string.Join(", ", insert.Select((_, i) => Parameter(i)))})";
            foreach (var entry in added)
            {
                Bind(command, insert.Select(p => (p, entry.Property(p).CurrentValue)));
                await command.ExecuteNonQueryAsync(ct);
            }
        }

        // Rows changed in the same columns share one statement; the key and concurrency tokens say which row, as it was read.
        var where = entityType.FindPrimaryKey()!.Properties.Concat(entityType.GetProperties().Where(p => p.IsConcurrencyToken)).Distinct().ToList();
        foreach (var shape in entries.Where(e => e.State == EntityState.Modified)
                     .GroupBy(e => string.Join(',', e.Properties.Where(p => p.IsModified).Select(p => p.Metadata.Name))))
        {
            var set = shape.First().Properties.Where(p => p.IsModified).Select(p => p.Metadata).ToList();
            command.CommandText = $"UPDATE {name} SET {string.Join(", ", set.Select((p, i) => $"{Column(p)} = {Parameter(i)}"))} "
                + $"WHERE {string.Join(" AND ", where.Select((p, i) => $"{Column(p)} = {Parameter(set.Count + i)}"))}";
            foreach (var entry in shape)
            {
                Bind(command, set.Select(p => (p, entry.Property(p).CurrentValue)).Concat(where.Select(p => (p, entry.Property(p).OriginalValue))));
                if (await command.ExecuteNonQueryAsync(ct) != 1)
                    throw new DbUpdateConcurrencyException($"A {entityType.ClrType.Name} was changed or removed by someone else at the same moment");
            }
        }
    }

    /// <summary>
    /// The same statement text each time, so SQLite prepares it once and only the values change. Names
    /// carry their prefix, as in the text: without it Microsoft.Data.Sqlite looks each one up three times.
    /// </summary>
    private static void Bind(DbCommand command, IEnumerable<(IProperty Property, object? Value)> values)
    {
        command.Parameters.Clear();
        var i = 0;
        foreach (var (property, value) in values)
            command.Parameters.Add(property.GetRelationalTypeMapping().CreateParameter(command, "@p" + i++, value, property.IsNullable));
    }

    private static bool IsStoreGeneratedKey(IProperty p) =>
        p.IsPrimaryKey() && p.ValueGenerated == ValueGenerated.OnAdd && (p.ClrType == typeof(int) || p.ClrType == typeof(long));
}
