namespace Atlas.Pipeline.Graph;

/// <summary>One unit of work in the reproduction graph.</summary>
/// <param name="Id">Unique id, <c>phase/subject</c> in lower case, e.g. <c>finetune/mnist</c>; also the artifact folder.</param>
/// <param name="Phase">The phase it belongs to, e.g. <c>FineTune</c> (a Cake target runs a whole phase).</param>
/// <param name="DependsOn">Ids of the stages whose outputs it reads.</param>
/// <param name="Description">One line for plans and <c>--help</c>.</param>
public sealed record StageNode(string Id, string Phase, IReadOnlyList<string> DependsOn, string Description);
