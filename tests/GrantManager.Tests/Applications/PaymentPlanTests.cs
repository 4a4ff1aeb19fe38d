using GrantManager.Core.Grants;

namespace GrantManager.Tests.Applications;

public sealed class PaymentPlanTests
{
    [Fact]
    public void An_award_splits_to_the_penny_with_the_last_payment_taking_the_rounding()
    {
        var now = new DateTime(2027, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        var instalments = PaymentPlan.Split(4999.99m, PaymentPlan.Default, now);
        Assert.Equal([2499.99m, 1249.99m, 1250.01m], instalments.Select(i => i.Amount));
        Assert.Equal(4999.99m, instalments.Sum(i => i.Amount));
        // The plan dates the first payment; releasing it (due, or held by a condition) is GrantWorkflows.ReleaseInstalmentAsync's, in the same change.
        Assert.Equal((InstalmentStatus.Scheduled, now), (instalments[0].Status, instalments[0].DueAt!.Value));
        Assert.All(instalments.Skip(1), i => Assert.Equal(InstalmentStatus.Scheduled, i.Status));
    }

    [Theory]
    [InlineData("50:acceptance,25:midpoint,25:final", null)]
    [InlineData("100:final", null)]
    [InlineData("50:acceptance,40:final", "The payments add up to 90%; they must add up to 100%")]
    [InlineData("50:signing,50:final", "'50:signing' is not a percentage and one of acceptance, midpoint, final, like 50:acceptance")]
    [InlineData("", "Enter the payment plan, like 50:acceptance, 25:midpoint, 25:final")]
    public void A_plan_is_checked_before_it_is_saved(string plan, string? problem) => Assert.Equal(problem, PaymentPlan.Problem(plan));
}
