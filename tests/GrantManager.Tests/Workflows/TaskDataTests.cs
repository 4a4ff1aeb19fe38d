using GrantManager.Core.Workflows;

namespace GrantManager.Tests.Workflows;

/// <summary>A task's recorded form data read through its one accessor: each kind of field, and data that holds none.</summary>
public sealed class TaskDataTests
{
    private static InboxTask With(string? data) => new() { Data = data };

    [Fact]
    public void Fields_are_read_by_kind_and_a_field_of_another_kind_is_absent()
    {
        var id = Guid.NewGuid();
        var task = With($$"""{"weightedScore": 7.5, "amountAwarded": 4800, "messageToApplicant": "Please send your accounts", "documents": ["{{id}}", "not-an-id", 3]}""");
        Assert.Equal(7.5m, TaskData.WeightedScore(task.Data));
        Assert.Equal(4800m, TaskData.AmountAwarded(task.Data));
        Assert.Equal("Please send your accounts", task.Message());
        Assert.Equal([id], task.Documents());
        Assert.Null(task.Text(TaskData.WeightedScoreField));
        Assert.Null(task.Number(WorkflowRuntime.MessageKey));
        Assert.Equal(4, task.Fields().Count);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("[1, 2]")]
    [InlineData("\"text\"")]
    public void Data_that_is_not_an_object_of_fields_has_none(string? data)
    {
        var task = With(data);
        Assert.Empty(task.Fields());
        Assert.Null(TaskData.WeightedScore(data));
        Assert.Null(task.Message());
        Assert.Empty(task.Documents());
    }
}
