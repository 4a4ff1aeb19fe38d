using GrantManager.Core;
using GrantManager.Core.Grants;
using GrantManager.Core.Monitoring;

namespace GrantManager.Tests.Grants;

/// <summary>Grants, payments and progress reports change status only by their own moves, and refuse a move their status does not allow.</summary>
public sealed class StatusMovesTests
{
    private static readonly DateTime Now = new(2027, 6, 1, 9, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void A_closed_grant_refuses_to_close_or_end_again()
    {
        var grant = new Grant { Reference = "LWK-2027-0001" };
        Assert.Equal(GrantStatus.Active, grant.Status);
        grant.Close(Now);
        Assert.Equal((GrantStatus.Closed, Now), (grant.Status, grant.ClosedAt));
        Assert.Equal("This grant is closed, so it cannot close", Assert.Throws<ConflictException>(() => grant.Close(Now)).Message);
        Assert.Equal("This grant is closed, so it cannot end early", Assert.Throws<ConflictException>(() => grant.EndEarly(Now, "Stopped", "Olivia")).Message);
    }

    [Fact]
    public void A_payment_is_paid_only_once_released_and_refuses_every_move_once_paid()
    {
        var payment = new Instalment();
        Assert.Equal("This payment is scheduled, so it cannot be recorded as paid",
            Assert.Throws<ConflictException>(() => payment.Paid(Now, "BACS-1", "Fergus")).Message);
        payment.ToPay(null);
        payment.HoldByFinance("Checking bank details");
        payment.ToPay(null);
        payment.Paid(Now, "BACS-1", "Fergus");
        Assert.Equal((InstalmentStatus.Paid, "BACS-1", null), (payment.Status, payment.PaymentReference, payment.HeldReason));
        Assert.Equal("This payment is paid, so it cannot be cancelled", Assert.Throws<ConflictException>(payment.Cancel).Message);
        Assert.Equal("This payment is paid, so it cannot be put on hold", Assert.Throws<ConflictException>(() => payment.HoldByFinance("late")).Message);
    }

    [Fact]
    public void A_progress_report_moves_forward_with_its_workflow_and_refuses_to_go_back_or_move_once_accepted()
    {
        var report = new MonitoringReturn();
        report.MoveTo(ReturnStatus.Upcoming);
        report.MoveTo(ReturnStatus.Due);
        Assert.Equal("This progress report is due, so it cannot be accepted", Assert.Throws<ConflictException>(() => report.Accept(Now)).Message);
        Assert.Equal("This progress report is due, so it cannot become upcoming", Assert.Throws<ConflictException>(() => report.MoveTo(ReturnStatus.Upcoming)).Message);
        report.MoveTo(ReturnStatus.Submitted);
        report.MoveTo(ReturnStatus.ChangesRequested);
        report.MoveTo(ReturnStatus.Submitted);
        report.Accept(Now);
        Assert.Equal((ReturnStatus.Accepted, Now), (report.Status, report.AcceptedAt));
        Assert.Equal("This progress report is accepted, so it cannot be cancelled", Assert.Throws<ConflictException>(report.Cancel).Message);
        Assert.Equal("This progress report is accepted, so it cannot become changes requested",
            Assert.Throws<ConflictException>(() => report.MoveTo(ReturnStatus.ChangesRequested)).Message);
    }
}
