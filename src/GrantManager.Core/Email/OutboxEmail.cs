namespace GrantManager.Core.Email;

/// <summary>
/// One email, rendered and written in the same transaction as the change that caused it, then
/// sent by the dispatcher. Its id gives the stable Message-Id, so a retried send is recognisable.
/// </summary>
public sealed class OutboxEmail
{
    public Guid Id { get; set; }
    public string ToAddress { get; set; } = "";
    public string? ToName { get; set; }
    public string Subject { get; set; } = "";
    public string TextBody { get; set; } = "";
    public string HtmlBody { get; set; } = "";
    /// <summary>The template it came from, e.g. account-confirm.</summary>
    public string Template { get; set; } = "";
    /// <summary>What it is about (an application, a grant), so officers can see every email about it.</summary>
    public string? SubjectType { get; set; }
    public string? SubjectId { get; set; }
    public OutboxStatus Status { get; set; }
    /// <summary>Lower goes first: <see cref="AccountPriority"/> for account emails (confirm address, reset password), which someone is waiting for.</summary>
    public int Priority { get; set; } = NormalPriority;
    public int Attempts { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime NextAttemptAt { get; set; }
    public DateTime? LeaseUntil { get; set; }
    public Guid? LeaseOwner { get; set; }
    public DateTime? SentAt { get; set; }
    public string? LastError { get; set; }

    public string MessageId(string domain) => $"{Id:N}@{domain}";

    public const int AccountPriority = 0;
    public const int NormalPriority = 1;

    /// <summary>Account emails (templates named account-…) go before everything else waiting.</summary>
    public static int PriorityOf(string template) => template.StartsWith("account-", StringComparison.Ordinal) ? AccountPriority : NormalPriority;
}

public enum OutboxStatus
{
    Pending,
    Sent,
    DeadLetter,
}
