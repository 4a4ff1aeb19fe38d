using GrantManager.Core.Workflows;

namespace GrantManager.Core.Grants;

/// <summary>Finance's record of a payment made: the reference from the finance system, which goes to the grant holder in the remittance advice.</summary>
public sealed class PaymentForm : ITaskForm
{
    public static string Name => "payment";
    public static string Asks => "When paid: the payment reference from the finance system";
    public static IReadOnlyList<string> ActsOn => ["paid"];

    public Task<TaskFormAnswer> CheckAsync(TaskFormContext context, Errors errors, CancellationToken ct)
    {
        if (context.Outcome != "paid") return Task.FromResult(TaskFormAnswer.Nothing);
        var reference = context.Completion.PaymentReference?.Trim();
        if (string.IsNullOrEmpty(reference)) errors.Add("paymentReference", "Enter the payment reference from the finance system");
        else if (reference.Length > 50) errors.Add("paymentReference", "The payment reference must be 50 characters or fewer");
        if (errors.Any) return Task.FromResult(TaskFormAnswer.Nothing);
        var kept = new Dictionary<string, object?> { ["paymentReference"] = reference };
        return Task.FromResult(new TaskFormAnswer(TaskData: kept, CaseData: kept));
    }
}
