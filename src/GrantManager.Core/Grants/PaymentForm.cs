using GrantManager.Core.Workflows;

namespace GrantManager.Core.Grants;

/// <summary>
/// Finance's record of a payment: paid, with the reference from the finance system (it goes to the grant
/// holder in the remittance advice); held, with the reason; or failed (the bank rejected it), with what
/// happened, back to finance to pay again. The reason for a hold or failure is the note for the file.
/// </summary>
public sealed class PaymentForm : ITaskForm
{
    public static string Name => "payment";
    public static string Asks => "When paid: the payment reference from the finance system; when held or failed: the reason, in the note";
    public static IReadOnlyList<string> ActsOn => ["paid"];

    public Task<TaskFormAnswer> CheckAsync(TaskFormContext context, Errors errors, CancellationToken ct)
    {
        var note = context.Completion.Comment?.Trim();
        switch (context.Outcome)
        {
            case "paid":
                var reference = context.Completion.PaymentReference?.Trim();
                if (string.IsNullOrEmpty(reference)) errors.Add("paymentReference", "Enter the payment reference from the finance system");
                else if (reference.Length > 50) errors.Add("paymentReference", "The payment reference must be 50 characters or fewer");
                if (errors.Any) return Task.FromResult(TaskFormAnswer.Nothing);
                return Task.FromResult(new TaskFormAnswer(TaskData: new Dictionary<string, object?> { ["paymentReference"] = reference },
                    CaseData: new Dictionary<string, object?> { ["paymentReference"] = reference, ["failureReason"] = null }));
            case "held":
                if (string.IsNullOrEmpty(note)) errors.Add("comment", "Enter why the payment is held");
                if (errors.Any) return Task.FromResult(TaskFormAnswer.Nothing);
                return Task.FromResult(new TaskFormAnswer(CaseData: new Dictionary<string, object?> { ["holdReason"] = note }));
            case "failed":
                if (string.IsNullOrEmpty(note)) errors.Add("comment", "Enter what the bank said when it rejected the payment");
                if (errors.Any) return Task.FromResult(TaskFormAnswer.Nothing);
                return Task.FromResult(new TaskFormAnswer(CaseData: new Dictionary<string, object?> { ["failureReason"] = note }));
            default:
                return Task.FromResult(TaskFormAnswer.Nothing);
        }
    }
}
