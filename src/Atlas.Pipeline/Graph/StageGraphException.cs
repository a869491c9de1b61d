namespace Atlas.Pipeline.Graph;

/// <summary>A stage graph that cannot be ordered: duplicate ids, unknown dependencies or a cycle.</summary>
public sealed class StageGraphException(string message) : Exception(message);
