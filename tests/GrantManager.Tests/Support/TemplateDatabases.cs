using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;

namespace GrantManager.Tests.Support;

/// <summary>
/// SQLite files as a host leaves them once started (migrated, workflow files recorded, demo data
/// seeded), one for each start-up that could differ. A host whose start-up is the same as an
/// earlier one's begins from a copy of that file, so its own start-up finds nothing to do, instead
/// of migrating and seeding a new database again. Kept for the test run only.
/// </summary>
internal static class TemplateDatabases
{
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "grantmanager-tests", $"templates-{Guid.NewGuid():N}");
    private static readonly ConcurrentDictionary<string, object> Starting = new();

    static TemplateDatabases()
    {
        Directory.CreateDirectory(Folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
        };
    }

    /// <summary>
    /// Starts a host over <paramref name="databasePath"/> (which must not exist yet): from a copy of the
    /// template for <paramref name="startUp"/> if there is one, else as usual, keeping what start-up left as that template.
    /// Hosts with the same start-up start one at a time, so the second copies what the first made.
    /// </summary>
    public static IHost Start(string startUp, string databasePath, Func<IHost> start)
    {
        var template = Path.Combine(Folder, $"{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(startUp)))[..32]}.db");
        lock (Starting.GetOrAdd(template, _ => new object()))
        {
            if (File.Exists(template))
            {
                File.Copy(template, databasePath);
                return start();
            }
            var host = start();
            var part = template + ".part";
            using (var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False"))
            {
                connection.Open();
                using var vacuum = connection.CreateCommand();
                // A consistent copy of the file as start-up left it, whatever the host's connections hold.
                vacuum.CommandText = "VACUUM INTO $file";
                vacuum.Parameters.AddWithValue("$file", part);
                vacuum.ExecuteNonQuery();
            }
            File.Move(part, template);
            return host;
        }
    }
}
