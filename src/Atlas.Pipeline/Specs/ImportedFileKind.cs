namespace Atlas.Pipeline.Specs;

/// <summary>What a checkpoint file named by a spec stands in for, which decides the tensors it must hold.</summary>
public enum ImportedFileKind
{
    /// <summary><c>pretrained_checkpoint</c>: the whole CLIP (both towers) in place of the <c>pretrain</c> stage's output.</summary>
    Pretrained,

    /// <summary><c>tasks[i].finetuned_checkpoint</c>: a fine-tuned CLIP or image encoder in place of the task's <c>finetune</c> stage.</summary>
    FineTuned,

    /// <summary><c>tasks[i].task_vector_file</c>: one delta per image-tower parameter in place of the task's <c>finetune</c> and <c>taskvector</c> stages.</summary>
    TaskVector,
}
