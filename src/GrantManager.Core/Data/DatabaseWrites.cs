using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace GrantManager.Core.Data;

/// <summary>
/// Whether this node can write to its database: a failure that is the database's state (locked past
/// the command timeout, a read-only file, a full disk, a server in recovery or unreachable) rather than
/// anything a person typed, so the answer is "try again shortly" (503) and the node reports unhealthy.
/// </summary>
public static class DatabaseWrites
{
    /// <summary>How long a client should wait before trying again, in seconds (the Retry-After header).</summary>
    public const int RetryAfterSeconds = 30;

    public static bool IsUnavailable(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // BUSY, LOCKED, READONLY, IOERR, FULL, CANTOPEN
                case SqliteException sqlite when sqlite.SqliteErrorCode is 5 or 6 or 8 or 10 or 13 or 14:
                    return true;
                // read_only_sql_transaction, admin/crash shutdown, cannot connect now, disk full, out of memory, too many connections, connection failures
                case PostgresException pg when pg.SqlState is "25006" or "57P01" or "57P02" or "57P03" or "53100" or "53200" or "53300" || pg.SqlState.StartsWith("08", StringComparison.Ordinal):
                    return true;
                case NpgsqlException npgsql when npgsql is not PostgresException:
                    return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Tries to take the database's write lock (and on PostgreSQL, checks the session may write),
    /// giving up after <paramref name="timeoutSeconds"/>; nothing is written. Returns null when the
    /// node can write, or what stops it.
    /// </summary>
    public static async Task<string?> ProbeAsync(GrantDbContext db, int timeoutSeconds, CancellationToken ct = default)
    {
        var before = db.Database.GetCommandTimeout();
        db.Database.SetCommandTimeout(timeoutSeconds);
        try
        {
            if (db.Database.IsNpgsql())
            {
                var readOnly = await db.Database.SqlQuery<string>($"SELECT current_setting('transaction_read_only') AS \"Value\"").SingleAsync(ct);
                return readOnly == "on" ? "The database accepts reads only" : null;
            }
            // An update that changes nothing still takes SQLite's write lock (waiting up to the timeout for
            // another writer) and is refused by a read-only file. Outside a transaction: BEGIN would wait
            // for the connection's own 30 s default instead.
            await db.Database.ExecuteSqlRawAsync("UPDATE \"OutboxEmails\" SET \"Attempts\" = \"Attempts\" WHERE 0", ct);
            return null;
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            return e.GetBaseException().Message;
        }
        finally
        {
            db.Database.SetCommandTimeout(before);
        }
    }
}
