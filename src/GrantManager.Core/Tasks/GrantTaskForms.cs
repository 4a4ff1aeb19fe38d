using GrantManager.Core.Workflows;

namespace GrantManager.Core.Tasks;

/// <summary>The task forms of the grant workflows: every name a definition's "form" may use.</summary>
public static class GrantTaskForms
{
    public static TaskFormCatalog Catalog() => new TaskFormCatalog()
        .Add<Applications.AssessmentForm>()
        .Add<Grants.DecisionForm>()
        .Add<Monitoring.ReturnReviewForm>()
        .Add<Grants.PaymentForm>()
        .Add<Grants.RepaymentForm>()
        .Add<Grants.VariationReviewForm>();
}
