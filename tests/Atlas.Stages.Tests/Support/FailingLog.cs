namespace Atlas.Stages.Tests.Support;

/// <summary>
/// A log that records everything and throws <see cref="SimulatedKill"/> from the first <see cref="TextWriter.Write(string)"/>
/// of a text matching <paramref name="trigger"/>: a failing hook for stages that write to the log after some of their
/// outputs (the report stage prints its tables after writing them).
/// </summary>
internal sealed class FailingLog(Func<string, bool> trigger) : StringWriter
{
    public override void Write(string? value)
    {
        base.Write(value);
        if (value is not null && trigger(value)) throw new SimulatedKill($"failed at '{value[..Math.Min(value.Length, 40)]}'");
    }
}
