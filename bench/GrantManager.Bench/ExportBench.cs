using System.Diagnostics;
using GrantManager.Core.Applications;
using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.Funds;
using GrantManager.Core.Grants;
using GrantManager.Core.OpenData;
using GrantManager.Core.Organisations;
using GrantManager.Core.Places;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GrantManager.Bench;

/// <summary>
/// Exports N awarded grants as 360Giving JSON, CSV and XLSX, each written as it is read from SQLite into a
/// stream that counts and drops the bytes (as a slow client would be sent them). Prints rows per second and the
/// peak managed heap for each, at a tenth of N and at N: flat memory means the peak does not grow with N.
/// </summary>
internal static class ExportBench
{
    public static async Task RunAsync(int grants)
    {
        var workflows = BenchHost.FindRepositoryWorkflows();
        var districts = Districts.Load(workflows);
        Console.WriteLine($"360Giving export benchmark: {grants:N0} grants, SQLite, {Environment.ProcessorCount} cores");
        foreach (var n in new[] { Math.Max(1, grants / 10), grants })
        {
            await using var host = new BenchHost(workflows, more: s =>
            {
                s.AddSingleton(districts);
                s.AddSingleton(Options.Create(new OpenDataOptions { Prefix = "bench-council" }));
                s.AddScoped<ThreeSixtyGiving>();
            });
            await host.MigrateAsync();
            var seed = Stopwatch.StartNew();
            await SeedAsync(host, n, districts);
            Console.WriteLine($"  {n:N0} grants seeded in {seed.Elapsed.TotalSeconds:N1} s");
            foreach (var format in new[] { "json", "csv", "xlsx" })
            {
                await using var scope = host.Services.CreateAsyncScope();
                var data = scope.ServiceProvider.GetRequiredService<ThreeSixtyGiving>();
                var output = new CountingStream();
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var before = GC.GetTotalMemory(true);
                using var sampler = new ReminderBench.MemorySampler();
                var watch = Stopwatch.StartNew();
                const string source = "https://grants.bench.example/open-data/360giving";
                switch (format)
                {
                    case "json": await data.WriteJsonAsync(output, source + ".json"); break;
                    case "csv": await data.WriteCsvAsync(output, source + ".csv"); break;
                    default: await ThreeSixtyGivingWorkbook.WriteAsync(data, output, source + ".xlsx"); break;
                }
                watch.Stop();
                var peak = sampler.PeakHeap();
                Console.WriteLine($"    {format,-4} {n:N0} rows in {watch.Elapsed.TotalSeconds:N1} s: {n / watch.Elapsed.TotalSeconds:N0} rows/s, {output.Length / 1024.0 / 1024.0:N1} MB written; " +
                    $"managed heap {before / 1024.0 / 1024.0:N0} MB before, peak {peak / 1024.0 / 1024.0:N0} MB");
            }
        }
    }

    /// <summary>N awarded grants, each to its own organisation of one of the kinds (charity, company, unregistered), serving one to three districts, half part-paid.</summary>
    private static async Task SeedAsync(BenchHost host, int grants, Districts districts)
    {
        var now = DateTime.UtcNow.AddDays(-1);
        int fundId, roundId;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GrantDbContext>();
            var fund = new Fund { Code = "LWK", Name = "Live Well Kent innovation grant", WorkflowId = "grant-application", Budget = 1_000_000_000m, MaximumAward = 10_000m, CreatedAt = now };
            var round = new Round { Fund = fund, Name = "Round 1", OpensAt = now.AddDays(-60), ClosesAt = now.AddDays(-30), Budget = 1_000_000_000m };
            db.AddRange(fund, round);
            await db.SaveChangesAsync();
            (fundId, roundId) = (fund.Id, round.Id);
        }
        var names = districts.All.Select(d => d.Name).ToArray();
        for (var start = 0; start < grants; start += 5000)
        {
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GrantDbContext>();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            var batch = Enumerable.Range(start, Math.Min(5000, grants - start)).ToList();
            var organisations = batch.Select(i => new Organisation
            {
                Name = $"Community group {i + 1}", Type = (OrganisationType)(i % 5), CreatedAt = now, Postcode = "ME10 4AA", Town = "Sittingbourne",
                CharityNumber = i % 3 == 0 ? (1_100_000 + i % 800_000).ToString(System.Globalization.CultureInfo.InvariantCulture) : null, CompanyNumber = i % 3 == 1 ? (i % 10_000_000).ToString("D8", System.Globalization.CultureInfo.InvariantCulture) : null,
            }).ToList();
            db.AddRange(organisations);
            await db.SaveChangesAsync();
            var applications = batch.Select((i, k) =>
            {
                var application = new Application
                {
                    Reference = $"LWK-2027-{i + 1:D6}", FundId = fundId, RoundId = roundId, OrganisationId = organisations[k].Id, CreatedById = "bench",
                    ProjectTitle = $"Community wellbeing project {i + 1}", ProjectSummary = $"Weekly sessions for isolated people, project {i + 1}.",
                    StartDate = new DateOnly(2027, 4, 1), EndDate = new DateOnly(2028, 3, 31), AmountRequested = 5000m + i % 5000, CreatedAt = now, UpdatedAt = now, SubmittedAt = now,
                };
                application.SetDistricts(Enumerable.Range(0, 1 + i % 3).Select(d => names[(i + d) % names.Length]));
                return application;
            }).ToList();
            db.AddRange(applications);
            await db.SaveChangesAsync();
            db.AddRange(batch.Select((i, k) => new Grant
            {
                Reference = applications[k].Reference, ApplicationId = applications[k].Id, FundId = fundId, OrganisationId = organisations[k].Id,
                Amount = 4000m + i % 5000, StartDate = new DateOnly(2027, 4, 1), EndDate = new DateOnly(2028, 3, 31), AwardedAt = now.AddSeconds(i % 3600),
                Instalments = PaymentPlan.Split(4000m + i % 5000, PaymentPlan.Default, now).Select(x =>
                {
                    if (x.Sequence == 1 && i % 2 == 0)
                    {
                        x.ToPay(null);
                        x.Paid(now, $"BACS-{i}", "Bench finance");
                    }
                    return x;
                }).ToList(),
            }));
            await db.SaveChangesAsync();
        }
    }

    /// <summary>Counts what is written and keeps none of it.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _length += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) { _length += buffer.Length; return ValueTask.CompletedTask; }
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) { _length += count; return Task.CompletedTask; }
    }
}
