"""Fine-tune the bundled all-MiniLM-L6-v2 on the writers' questions (sentence-transformers
training API), seeded, and return the folder of the trained model.

Each question is paired with the passage that answers it (heading path and text, as the
index embeds it) and one hard negative mined from the index: a passage the bundled model
ranks near the top that does not answer it. MultipleNegativesRankingLoss then pushes the
answer above the hard negative and above every other passage in the batch; batches never
hold the same text twice (the in-batch negatives are real negatives).

The passages are embedded by the same model, but without gradients (a stop-gradient on
the passage side): the model learns to place questions where it places their passages,
and a step costs a passage forward pass plus a question forward-backward pass, about an
eighth of training both sides on two CPU cores. One model still embeds both at run time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.models import Chunk

from .data import RetrievalPair
from .export import bundled_model_dir, load_sentence_transformer


@dataclass(frozen=True)
class EncoderTraining:
    epochs: int = 3
    batch_size: int = 32
    learning_rate: float = 5e-5
    warmup_ratio: float = 0.1
    negatives_from_top: int = 8  # a hard negative is drawn from the bundled model's top ranks
    max_seq_length: int = 96  # while training (longer messages are cut); the exported model reads 256 tokens


def question_side_loss(model):
    """MultipleNegativesRankingLoss with gradients through the questions only."""
    import torch
    from sentence_transformers.sentence_transformer import losses

    class QuestionSideMNRL(losses.MultipleNegativesRankingLoss):
        def forward(self, sentence_features, labels):
            anchors = self.model(sentence_features[0])["sentence_embedding"]
            with torch.no_grad():
                others = [self.model(f)["sentence_embedding"] for f in sentence_features[1:]]
            return self.compute_loss_from_embeddings([anchors, *others], labels)

    return QuestionSideMNRL(model)


def triplets(pairs: list[RetrievalPair], chunks: list[Chunk], seed: int, top: int) -> list[tuple[str, str, str]]:
    """(question, answering passage, hard negative) for every pair and answering passage."""
    model = load_sentence_transformer(bundled_model_dir())
    texts = [c.embedding_text() for c in chunks]
    passages = model.encode(texts, normalize_embeddings=True, batch_size=64, convert_to_numpy=True)
    questions = model.encode([p.question for p in pairs], normalize_embeddings=True, batch_size=64, convert_to_numpy=True)
    position = {c.chunk_id: i for i, c in enumerate(chunks)}
    rng = random.Random(seed)
    out = []
    for pair, qvec in zip(pairs, questions, strict=True):
        ranked = np.argsort(-(passages @ qvec))
        wrong = [int(i) for i in ranked[: top + len(pair.relevant)] if chunks[int(i)].chunk_id not in pair.relevant][:top]
        for chunk_id in sorted(pair.relevant):
            out.append((pair.question, texts[position[chunk_id]], texts[rng.choice(wrong)]))
    rng.shuffle(out)
    return out


class ClassifierLoss:
    """Cross-entropy of a linear layer over the (normalised) sentence embedding: the
    red-flag classes, taught to the encoder itself. Only the encoder is kept afterwards;
    the detector's own head is fitted on the exported encoder's vectors."""

    def __new__(cls, model, classes: int, weights):
        import torch

        class Loss(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.model = model
                self.head = torch.nn.Linear(model.get_embedding_dimension(), classes)
                self.scale = 20.0
                self.register_buffer("weights", torch.tensor(weights, dtype=torch.float32))

            def forward(self, sentence_features, labels):
                embedding = self.model(sentence_features[0])["sentence_embedding"]
                embedding = torch.nn.functional.normalize(embedding, dim=-1)
                logits = self.head(embedding * self.scale)
                return torch.nn.functional.cross_entropy(logits, labels, weight=self.weights)

        return Loss()


def fine_tune(pairs: list[RetrievalPair], chunks: list[Chunk], out_dir: Path, seed: int,
              settings: EncoderTraining | None = None,
              labelled: tuple[list[str], list[str]] | None = None) -> Path:
    """Train on `pairs` (and, when given, on `labelled` texts with their red-flag classes, as
    a second task); the model is saved in out_dir (a sentence-transformers folder)."""
    import torch
    from datasets import Dataset
    from sentence_transformers import SentenceTransformerTrainer, SentenceTransformerTrainingArguments
    from sentence_transformers.training_args import BatchSamplers, MultiDatasetBatchSamplers
    from transformers import set_seed

    settings = settings or EncoderTraining()
    set_seed(seed)
    torch.manual_seed(seed)
    rows = triplets(pairs, chunks, seed, settings.negatives_from_top)
    dataset = Dataset.from_dict({
        "anchor": [r[0] for r in rows], "positive": [r[1] for r in rows], "negative": [r[2] for r in rows]
    })
    model = load_sentence_transformer(bundled_model_dir())
    full_length = model.max_seq_length
    model.max_seq_length = settings.max_seq_length
    loss: object = question_side_loss(model)
    if labelled is not None:
        texts, labels = labelled
        names = sorted(set(labels))
        counts = np.bincount([names.index(x) for x in labels], minlength=len(names))
        weights = (len(labels) / (len(names) * np.maximum(counts, 1))).tolist()  # balanced classes
        order = list(range(len(texts)))
        random.Random(seed).shuffle(order)
        dataset = {"retrieval": dataset, "red_flags": Dataset.from_dict(
            {"sentence": [texts[i] for i in order], "label": [names.index(labels[i]) for i in order]})}
        loss = {"retrieval": loss, "red_flags": ClassifierLoss(model, len(names), weights)}
    args = SentenceTransformerTrainingArguments(
        output_dir=str(out_dir / "checkpoints"),
        num_train_epochs=settings.epochs,
        per_device_train_batch_size=settings.batch_size,
        learning_rate=settings.learning_rate,
        warmup_steps=settings.warmup_ratio,
        batch_sampler=BatchSamplers.NO_DUPLICATES,
        multi_dataset_batch_sampler=MultiDatasetBatchSamplers.PROPORTIONAL,
        seed=seed,
        data_seed=seed,
        save_strategy="no",
        logging_strategy="no",
        report_to=[],
        use_cpu=True,
        dataloader_num_workers=0,
        disable_tqdm=True,
    )
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=dataset, loss=loss)
    trainer.train()
    model.max_seq_length = full_length
    final = out_dir / "model"
    model.save_pretrained(str(final), safe_serialization=True)
    return final
