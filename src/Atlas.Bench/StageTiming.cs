using System.Text.Json.Nodes;
using Atlas.Models;
using Atlas.Pipeline.Provenance;
using Atlas.Stages;

namespace Atlas.Bench;

/// <summary>A whole fine-tuning stage as the pipeline last ran it (its lock record): loading, augmentation, every
/// training step and saving, for the roofline next to the bare step.</summary>
/// <param name="Stage">The stage id.</param>
/// <param name="Seconds">Its recorded wall time.</param>
/// <param name="Steps">Training steps.</param>
/// <param name="Batch">Images per step.</param>
/// <param name="Classes">Rows of its head.</param>
/// <param name="Vision">The spec's image tower.</param>
/// <param name="EndedUtc">When it finished, so a reader can tell whether this bench run ran it.</param>
public sealed record StageTiming(
    string Stage, double Seconds, int Steps, int Batch, int Classes, VisionConfig Vision, DateTimeOffset EndedUtc)
{
    /// <summary>The first fine-tuning stage of <paramref name="session"/> that has a succeeded lock record; null if none.</summary>
    public static StageTiming? FirstFineTune(ExperimentSession session)
    {
        foreach (var stage in session.Stages.OfType<FineTuneStage>())
        {
            var context = session.Context;
            if (LockStore.Read(context.Absolute(context.Layout.StageDir(stage.Id))).Record is not { Status: LockStatus.Succeeded } record)
                continue;
            var recipe = record.Parameters["stage"]?["recipe"] as JsonObject
                ?? throw new InvalidDataException($"the lock record of {stage.Id} has no recipe");
            string task = stage.Id[(stage.Id.IndexOf('/') + 1)..];
            using var head = HeadStage.Read(context, task);
            return new StageTiming(stage.Id, record.DurationSeconds, (int)recipe["steps"]!, (int)recipe["batch"]!, (int)head.shape[0],
                context.Config.Vision, record.EndedUtc);
        }
        return null;
    }
}
