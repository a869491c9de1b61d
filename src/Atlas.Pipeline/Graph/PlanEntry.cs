namespace Atlas.Pipeline.Graph;

/// <summary>
/// One stage of a plan as JSON (camelCase), flat so build scripts can read it with a plain class: the Cake script reads
/// <c>id</c>, <c>phase</c>, <c>description</c>, <c>dependsOn</c>, <c>upToDate</c> and <c>reason</c>.
/// </summary>
/// <param name="Id">Stage id.</param>
/// <param name="Phase">Phase name.</param>
/// <param name="Description">One line.</param>
/// <param name="DependsOn">Dependency ids.</param>
/// <param name="Status"><c>up to date</c> or <c>stale</c>.</param>
/// <param name="UpToDate">Whether the stage can be skipped.</param>
/// <param name="Reason">The reasons joined by <c>; </c>, or <c>up to date</c>.</param>
/// <param name="Reasons">Why the stage must run; empty when up to date.</param>
public sealed record PlanEntry(
    string Id,
    string Phase,
    string Description,
    IReadOnlyList<string> DependsOn,
    string Status,
    bool UpToDate,
    string Reason,
    IReadOnlyList<string> Reasons);
