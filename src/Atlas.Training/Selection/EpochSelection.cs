using static TorchSharp.torch;

namespace Atlas.Training.Selection;

/// <summary>
/// The paper's model selection for coefficient learning (docs/method.md §M3.3): after every epoch the weights are scored on
/// labelled validation data and kept when admissible and strictly better than the best so far. The starting weights
/// are scored first and are the initial best, so a run that never improves returns them unchanged (Λ = 0 stays
/// zero-shot). The selection state travels in training snapshots, so a resumed run selects exactly as an
/// uninterrupted one.
/// </summary>
public sealed class EpochSelection : IDisposable
{
    private readonly Func<IReadOnlyDictionary<string, Tensor>, EpochVerdict> _evaluate;
    private readonly List<EpochRecord> _records = [];
    private Dictionary<string, Tensor> _best;

    /// <param name="stepsPerEpoch">Optimizer steps in one epoch.</param>
    /// <param name="initial">The starting weights (copied).</param>
    /// <param name="evaluate">Scores weights on validation data; called without gradients.</param>
    /// <param name="initialVerdict">The starting weights' verdict when it is already known (the same weights scored by the
    /// same <paramref name="evaluate"/> in an earlier selection of the same stage, e.g. Λ = 0 of every few-shot draw):
    /// used as it is instead of scoring them again. Null scores them.</param>
    public EpochSelection(int stepsPerEpoch, IReadOnlyDictionary<string, Tensor> initial, Func<IReadOnlyDictionary<string, Tensor>, EpochVerdict> evaluate,
        EpochVerdict? initialVerdict = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerEpoch, 1);
        StepsPerEpoch = stepsPerEpoch;
        _evaluate = evaluate;
        _best = Copy(initial);
        var verdict = initialVerdict ?? Evaluate(_best);
        if (!verdict.Admissible)
            throw new InvalidOperationException("the starting weights violate the selection constraint; nothing could ever be selected");
        BestScore = verdict.Score;
        _records.Add(new EpochRecord(0, 0, verdict.Score, true, true, verdict.Metrics));
    }

    public int StepsPerEpoch { get; }

    /// <summary>The epoch whose weights are the best so far (0: the starting weights).</summary>
    public int BestEpoch { get; private set; }

    public double BestScore { get; private set; }

    /// <summary>The best weights so far (owned by the selection; copy them to keep them past <see cref="Dispose"/>).</summary>
    public IReadOnlyDictionary<string, Tensor> BestWeights => _best;

    /// <summary>Every scored epoch, starting with epoch 0.</summary>
    public IReadOnlyList<EpochRecord> Records => _records;

    /// <summary>Scores the weights after <paramref name="epoch"/> epochs; returns false when training should stop.</summary>
    public bool AfterEpoch(IReadOnlyDictionary<string, Tensor> weights, int epoch, long step)
    {
        var verdict = Evaluate(weights);
        bool improved = verdict.Admissible && verdict.Score > BestScore;
        if (improved)
        {
            foreach (var tensor in _best.Values) tensor.Dispose();
            _best = Copy(weights);
            BestScore = verdict.Score;
            BestEpoch = epoch;
        }
        _records.Add(new EpochRecord(epoch, step, verdict.Score, verdict.Admissible, improved, verdict.Metrics));
        Stopped = verdict.Stop;
        return !Stopped;
    }

    /// <summary>Whether the last scored epoch asked to stop (a resumed run must not train past it).</summary>
    public bool Stopped { get; private set; }

    /// <summary>The state a snapshot must carry.</summary>
    public SelectionState State => new(BestEpoch, BestScore, _best, _records.ToList(), Stopped);

    /// <summary>Restores the state of an interrupted run (tensors copied).</summary>
    public void Restore(SelectionState state)
    {
        foreach (var tensor in _best.Values) tensor.Dispose();
        _best = Copy(state.BestWeights);
        BestEpoch = state.BestEpoch;
        BestScore = state.BestScore;
        Stopped = state.Stopped;
        _records.Clear();
        _records.AddRange(state.Records);
    }

    public void Dispose()
    {
        foreach (var tensor in _best.Values) tensor.Dispose();
        _best.Clear();
    }

    private EpochVerdict Evaluate(IReadOnlyDictionary<string, Tensor> weights)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return _evaluate(weights);
    }

    private static Dictionary<string, Tensor> Copy(IReadOnlyDictionary<string, Tensor> weights)
    {
        using var noGrad = no_grad();
        return weights.ToDictionary(p => p.Key, p => p.Value.detach().clone().DetachFromDisposeScope());
    }
}
