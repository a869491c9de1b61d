using Atlas.Method.Adapters;
using Atlas.Training.Adapters;
using static TorchSharp.torch;

namespace Atlas.Training.Tests;

public class LinearProbePlusPlusTrainingTests
{
    private static Dictionary<string, Tensor> Start(float[] weight, long classes, float[] bias, float[] alpha) => new()
    {
        [LinearProbePlusPlus.Weight] = tensor(weight).view(classes, -1),
        [LinearProbePlusPlus.Bias] = tensor(bias),
        [LinearProbePlusPlus.Alpha] = tensor(alpha),
    };

    private static Dictionary<string, Tensor> Fit(Dictionary<string, Tensor> start, Tensor features, Tensor textSimilarity,
        Tensor labels, double weightLr, double alphaLr, int epochs)
    {
        const double scale = 4; // z = 4·(f̂·t): LP++ divides by the head's scale again
        var z = textSimilarity * scale;
        return LinearProbePlusPlusTraining.Fit(start, w => LinearProbePlusPlus.Logits(w, features, z, scale), labels, weightLr, alphaLr, epochs);
    }

    [Fact]
    public void Lpp_original_optimiser_takes_sgd_momentum_steps_computed_by_hand()
    {
        using var scope = NewDisposeScope();
        // One sample f = (1), label 0, two classes, W = b = α = 0, lr_w = 1.
        // Epoch 1: logits (0, 0), p = (½, ½), ∂L/∂logits = (−½, ½) = ∂W = ∂b. Momentum buffer = the gradient:
        //          W = b = (½, −½).
        // Epoch 2: logits (1, −1), p₀ = σ(2) = 0.8807970779778823, gradient (p₀ − 1, 1 − p₀) = ∓0.1192029220221177;
        //          buffer = 0.9·(−½, ½) + gradient = (−0.5692029220221177, +…), W = b = (1.0692029220221177, −…).
        // α (text similarity (0.5, −0.5)) gets gradients but must not move before the 10th epoch.
        var features = tensor(new[] { 1f }, 1, 1);
        var text = tensor(new[] { 0.5f, -0.5f }, 1, 2);
        var labels = tensor(new long[] { 0 });
        var start = Start([0, 0], 2, [0, 0], [0, 0]);

        var one = Fit(start, features, text, labels, weightLr: 1, alphaLr: 2, epochs: 1);
        AssertClose([0.5, -0.5], one[LinearProbePlusPlus.Weight]);
        AssertClose([0.5, -0.5], one[LinearProbePlusPlus.Bias]);
        AssertClose([0, 0], one[LinearProbePlusPlus.Alpha]);

        var two = Fit(start, features, text, labels, weightLr: 1, alphaLr: 2, epochs: 2);
        AssertClose([1.0692029220221177, -1.0692029220221177], two[LinearProbePlusPlus.Weight]);
        AssertClose([1.0692029220221177, -1.0692029220221177], two[LinearProbePlusPlus.Bias]);
        AssertClose([0, 0], two[LinearProbePlusPlus.Alpha]);
        Assert.Equal(0f, start[LinearProbePlusPlus.Weight].abs().sum().item<float>()); // the start is not modified
    }

    [Fact]
    public void Lpp_original_optimiser_steps_alpha_every_tenth_epoch_with_its_accumulated_gradient()
    {
        using var scope = NewDisposeScope();
        // Two unit features, two classes, a non-zero start; lr_w = 0.5, lr_α = 3. Expected values from a plain-Python
        // transcription of the LP++ authors' loop (LinearProbe_P2.forward: torch.optim.SGD(momentum = 0.9) semantics on
        // W and b, then `alpha -= lr_alpha * alpha.grad` when (epoch + 1) % 10 == 0, α's gradient never zeroed).
        var features = tensor(new[] { 1f, 0, 0.6f, 0.8f }, 2, 2);
        var text = tensor(new[] { 0.9f, 0.1f, 0.3f, 0.7f }, 2, 2);
        var labels = tensor(new long[] { 0, 1 });
        var start = Start([0.2f, 0.1f, 0, 0.3f], 2, [0.1f, -0.1f], [1.5f, 0.5f]);

        var nine = Fit(start, features, text, labels, 0.5, 3, epochs: 9);
        AssertClose([1.5, 0.5], nine[LinearProbePlusPlus.Alpha]);

        var ten = Fit(start, features, text, labels, 0.5, 3, epochs: 10);
        AssertClose([1.1456465533297249, -2.0329672888454255, -0.945646553329725, 2.4329672888454263], ten[LinearProbePlusPlus.Weight]);
        AssertClose([-0.020837091092987967, 0.02083709109298791], ten[LinearProbePlusPlus.Bias]);
        AssertClose([3.582729568132711, 2.2968319648439275], ten[LinearProbePlusPlus.Alpha]);

        // The 20th-epoch step uses the gradient summed over all 20 epochs, not the last 10.
        var twenty = Fit(start, features, text, labels, 0.5, 3, epochs: 20);
        AssertClose([1.9526648226064636, -3.606402711632474, -1.7526648226064643, 4.006402711632475], twenty[LinearProbePlusPlus.Weight]);
        AssertClose([5.550229330680218, 4.4391280828696384], twenty[LinearProbePlusPlus.Alpha]);
    }

    private static void AssertClose(double[] expected, Tensor actual)
    {
        var values = TestSupport.Doubles(actual);
        Assert.Equal(expected.Length, values.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], values[i], 4);
    }
}
