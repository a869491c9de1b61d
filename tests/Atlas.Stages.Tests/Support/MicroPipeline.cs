namespace Atlas.Stages.Tests.Support;

/// <summary>
/// The micro experiment run once, every stage in order, in its own temporary root. Tests read it as it is, or copy
/// its artifacts into their own fresh root before changing anything.
/// </summary>
public sealed class MicroPipeline : IDisposable
{
    private readonly TempRepository repository = new();

    public MicroPipeline()
    {
        try
        {
            Ran = repository.RunAll(Log);
        }
        catch
        {
            // xunit does not dispose a fixture whose constructor failed.
            repository.Dispose();
            throw;
        }
    }

    internal TempRepository Repository => repository;

    /// <summary>The log of the first pass.</summary>
    public StringWriter Log { get; } = new();

    /// <summary>The stages the first pass ran, in order.</summary>
    public IReadOnlyList<string> Ran { get; }

    public void Dispose() => repository.Dispose();
}

/// <summary>Test classes that share the one micro run (and therefore never run at the same time).</summary>
[CollectionDefinition(Name)]
public sealed class MicroPipelineCollection : ICollectionFixture<MicroPipeline>
{
    public const string Name = "micro pipeline";
}
