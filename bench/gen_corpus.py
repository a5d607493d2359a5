"""Generate a realistic synthetic library: Telegram channel web-preview text dumps.

Each post has the shape the parser reads from real channels (title, authors, affiliation,
``Статья:`` arXiv link, hashtags, Russian prose with English ML terms, a reactions row, sometimes
an image caption), about 3 KB of text, so 100,000 reviews are about 300 MB. Word frequencies are
Zipfian over a vocabulary that grows with the corpus (real words at the head, generated
Russian-like and English-like words in the tail), so rare words stay rare as N grows.

Planted for the benchmark queries (the same in every corpus size, so a query's answer exists):
one post about "The Lottery Ticket Hypothesis" by Jonathan Frankle with the phrase "winning
tickets" and the rare word «квазиортогональный».

Usage: python bench/gen_corpus.py N OUT_DIR [--posts-per-file 2000] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import random

RU_HEAD = """
в и на не что с по для это как из от модель сеть авторы статья обучение данные метод работа
результат задача можно также при если качество подход уже предлагают показывают используют
нейронная сети модели обучения данных методы результаты задачи слой слоя слои веса градиент
градиенты выборка выборки архитектура архитектуры эксперимент эксперименты оптимизация функция
потерь точность ошибка признаки представления пространство латентное генерация картинки текст
тексты перевод языка языковая внимание механизм трансформер свертки сверточные рекуррентные
обучают обучили предложили сравнили получили улучшили оценивают проверяют датасет датасетах
бенчмарк бенчмарках параметров параметры размер батча скорость памяти вычислений устройство
интересно важно забавно полезно довольно очень сильно немного заметно существенно примерно
""".split()

EN_HEAD = """
transformer attention BERT GPT ResNet LSTM GAN VAE diffusion embedding dropout batch norm layer
encoder decoder pretraining finetuning fine-tuning self-supervised contrastive loss SGD Adam
learning rate warmup distillation pruning quantization sparse dense CNN RNN MLP token tokens
benchmark ImageNet CIFAR GLUE SQuAD COCO BLEU accuracy perplexity FID inference latency
""".split()

TITLE_A = """Efficient Scalable Robust Sparse Deep Neural Unsupervised Self-Supervised Contrastive
Generative Adversarial Hierarchical Adaptive Implicit Differentiable Probabilistic Bayesian
Recurrent Convolutional Graph Equivariant Causal Federated Continual Meta""".split()
TITLE_B = """Transformers Networks Representations Embeddings Autoencoders Models Priors Attention
Optimization Regularization Distillation Pruning Quantization Retrieval Memory Layers Flows
Policies Kernels Features""".split()
TITLE_C = """Image Classification, Language Modeling, Machine Translation, Speech Recognition, Object
Detection, Reinforcement Learning, Few-Shot Learning, Question Answering, Text Generation,
Graph Classification, Recommendation, Protein Folding, Video Understanding""".replace("\n", " ").split(", ")
FIRST = """Alex Maria Ivan Olga John Wei Li Yann Ilya Sergey Anna Pieter Kaiming Ross Oriol Quoc
Diederik Tim Alec Jakob Noam Ashish Niki Lukasz Geoffrey Yoshua Samy Chiyuan Moritz Colin""".split()
LAST = """Smith Ivanov Petrova Chen Wang Zhang Kim Lee Sutskever Hinton Bengio LeCun Abbeel He
Girshick Vinyals Le Kingma Salimans Radford Uszkoreit Shazeer Vaswani Parmar Kaiser Carbin
Zhou Xu Liu Novikov Smirnov Kuznetsova""".split()
AFFIL = ["Google Research", "DeepMind", "Facebook AI Research", "OpenAI", "MIT", "Stanford University",
         "Yandex", "Microsoft Research", "Tsinghua University", "Skoltech", "CMU", "University of Toronto"]
TAGS = ["CV", "NLP", "RL", "GAN", "VAE", "transformer", "optimization", "pruning", "distillation",
        "representation_learning", "unsupervised", "ICLR", "NeurIPS", "ICML", "CVPR", "audio", "graphs"]
REACTIONS = ["🔥", "👍", "❤️", "🤔", "👏"]
CAPTIONS = ["Figure 1", "Overview of the method", "Architecture", "Results on ImageNet", "Main idea"]

RU_SYL = "ка ло ми ре то на ви ст пр ос ен ра ко ни ль ти ва де ма ли по ро ле го ть ск ие ый ая".split()
EN_SYL = "ta re on in er an st al de co ma pro ti ne ra ve li na or ex con ing ion".split()
RU_END = ["", "а", "ой", "ого", "ами", "ах", "ей", "ы", "и", "ом"]


class Vocab:
    """Zipf-distributed words: a real head, a generated tail of ``size`` words."""

    def __init__(self, rng: random.Random, size: int) -> None:
        words = list(RU_HEAD) * 3 + list(EN_HEAD)
        seen = set(words)
        while len(words) < size:
            if rng.random() < 0.8:
                w = "".join(rng.choice(RU_SYL) for _ in range(rng.randint(2, 4))) + rng.choice(RU_END)
            else:
                w = "".join(rng.choice(EN_SYL) for _ in range(rng.randint(2, 4)))
            if w not in seen:
                seen.add(w)
                words.append(w)
        self.words = words
        weights = [1.0 / (i + 1) ** 1.05 for i in range(len(words))]
        total = sum(weights)
        acc, self.cum = 0.0, []
        for w in weights:
            acc += w / total
            self.cum.append(acc)

    def sample(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum, k=k)


def arxiv_id(rng: random.Random) -> str:
    yy, mm = rng.randint(15, 24), rng.randint(1, 12)
    return f"{yy:02d}{mm:02d}.{rng.randint(0, 99999):05d}"


def paragraph(rng: random.Random, vocab: Vocab, n_words: int) -> str:
    words = vocab.sample(rng, n_words)
    out, sentence = [], []
    for w in words:
        sentence.append(w)
        if len(sentence) >= rng.randint(8, 18):
            s = " ".join(sentence)
            out.append(s[0].upper() + s[1:] + rng.choice([".", ".", ".", ",", ":"]))
            sentence = []
    if sentence:
        s = " ".join(sentence)
        out.append(s[0].upper() + s[1:] + ".")
    return " ".join(out)


def post(rng: random.Random, vocab: Vocab, planted: bool = False) -> str:
    if planted:
        title = "The Lottery Ticket Hypothesis: Finding Sparse, Trainable Neural Networks"
        authors = "Jonathan Frankle, Michael Carbin"
        affil = "CSAIL MIT"
        aid = "1803.03635"
        tags = "#CNN, #pruning, #ICLR 2019"
    else:
        title = f"{rng.choice(TITLE_A)} {rng.choice(TITLE_B)} for {rng.choice(TITLE_C)}"
        if rng.random() < 0.3:
            title = f"{rng.choice(TITLE_B)}: " + title
        if rng.random() < 0.8:  # real titles are nearly unique
            word = "".join(rng.choice(EN_SYL) for _ in range(rng.randint(2, 4))).capitalize()
            title += f" via {word} {rng.choice(['Sampling', 'Search', 'Alignment', 'Scaling', 'Routing', 'Mixing'])}"
        authors = ", ".join(f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(1, 6)))
        affil = ", ".join(rng.sample(AFFIL, rng.randint(1, 2)))
        aid = arxiv_id(rng)
        tags = " ".join("#" + t for t in rng.sample(TAGS, rng.randint(1, 4)))
    lines = [title, authors, affil, "", f"Статья: https://arxiv.org/abs/{aid}"]
    if rng.random() < 0.3:
        lines.append(f"Код: https://github.com/{rng.choice(LAST).lower()}/{rng.choice(TITLE_B).lower()}")
    lines += ["", tags, ""]
    for _ in range(rng.randint(3, 5)):
        lines.append(paragraph(rng, vocab, rng.randint(35, 75)))
        lines.append("")
        if rng.random() < 0.25:
            for k in range(1, rng.randint(3, 5)):
                lines.append(f"{k}) " + paragraph(rng, vocab, rng.randint(6, 14)))
            lines.append("")
    if planted:
        lines.insert(-1, "Такие эффективные подсети называют \"winning tickets\", а сам подход квазиортогональный "
                         "к обычному pruning: лотерейного билета ищут на ранних стадиях.")
    lines = lines[:-1]
    lines.append(f"{rng.choice(REACTIONS)}{rng.randint(1, 300)}")
    if rng.random() < 0.2:
        lines.append(rng.choice(CAPTIONS))
    return "\n".join(lines)


def generate(n: int, out_dir: str, posts_per_file: int = 2000, seed: int = 1) -> list[str]:
    """Write ``n`` posts into ``out_dir`` as channel pages of ``posts_per_file`` posts each;
    returns the file paths."""
    rng = random.Random(seed)
    vocab = Vocab(rng, size=max(5_000, int(40 * n ** 0.6)))
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    planted_at = n // 2
    for f_idx in range(0, n, posts_per_file):
        path = os.path.join(out_dir, f"channel_page_{f_idx // posts_per_file:04d}.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write("synthetic-обзоры ML статей – Telegram\nsynthetic-обзоры ML статей\n12.3K subscribers\n"
                    "Download Telegram\n")
            for i in range(f_idx, min(n, f_idx + posts_per_file)):
                f.write(post(rng, vocab, planted=(i == planted_at)) + "\n")
        paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out_dir")
    ap.add_argument("--posts-per-file", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    paths = generate(a.n, a.out_dir, a.posts_per_file, a.seed)
    size = sum(os.path.getsize(p) for p in paths)
    print(f"wrote {a.n} posts in {len(paths)} files, {size / 1e6:.1f} MB, to {a.out_dir}")


if __name__ == "__main__":
    main()


def generate_export(n: int, path: str, seed: int = 2) -> str:
    """Write a Telegram Desktop ``result.json`` of one channel with ``n`` messages, in the shape
    Telegram Desktop writes: ``text`` as a list of strings and entities (the paper link behind
    the word «Статья», hashtags as entities), ``text_entities``, ``date_unixtime``, reactions;
    one message in ten is a service message, a poll or an announcement. Streamed to disk."""
    import json

    rng = random.Random(seed)
    vocab = Vocab(rng, size=max(5_000, int(40 * n ** 0.6)))
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write('{\n "name": "synthetic-обзоры ML статей",\n "type": "public_channel",\n "id": 1326244470,\n "messages": [\n')
        for i in range(1, n + 1):
            base = {"id": i, "type": "message", "date": "2020-01-01T12:00:00", "date_unixtime": str(1577880000 + i * 600),
                    "from": "synthetic-обзоры ML статей", "from_id": "channel1326244470"}
            kind = rng.random()
            if kind < 0.03:
                msg = {**base, "type": "service", "actor": base["from"], "action": "pin_message", "text": "",
                       "text_entities": []}
            elif kind < 0.06:
                msg = {**base, "poll": {"question": "Что разобрать?", "closed": False, "total_voters": 3,
                                        "answers": [{"text": "A", "voters": 3, "chosen": False}]},
                       "text": "", "text_entities": []}
            elif kind < 0.10:
                text = "Анонс: " + paragraph(rng, vocab, 30)
                msg = {**base, "text": text, "text_entities": [{"type": "plain", "text": text}]}
            else:
                lines = post(rng, vocab, planted=(i == n // 2)).split("\n")
                parts: list = []
                for line in lines[:-1] if lines[-1][:1] in "🔥👍❤🤔👏" else lines:
                    if line.startswith("Статья: "):
                        parts += [{"type": "text_link", "text": "Статья", "href": line[len("Статья: "):]}, "\n"]
                    elif line.startswith("#"):
                        for k, tag in enumerate(line.replace(",", " ").split()):
                            if tag.startswith("#"):
                                parts += ([" "] if k else []) + [{"type": "hashtag", "text": tag}]
                            else:
                                parts.append(" " + tag)
                        parts.append("\n")
                    else:
                        parts.append(line + "\n")
                msg = {**base, "text": parts,
                       "text_entities": [{"type": "plain", "text": p} if isinstance(p, str) else p for p in parts],
                       "reactions": [{"type": "emoji", "count": rng.randint(1, 300), "emoji": "🔥"}]}
            f.write("  " + json.dumps(msg, ensure_ascii=False) + (",\n" if i < n else "\n"))
        f.write(" ]\n}\n")
    return path
