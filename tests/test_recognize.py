"""Issue 7: the shapes real review posts take, one test each, through the one recognizer. Every
text below is modelled on a real post's layout (the real posts themselves, with their URLs, are in
tests/fixtures/real_posts)."""

from __future__ import annotations

import json

import exports as E
import pytest

from reviews_cli.errors import DumpError
from reviews_cli.parsing import parse_file, parse_text, recognize_posts
from reviews_cli.parsing.messages import Run, message_post
from reviews_cli.parsing.post import HiddenLink, Post
from reviews_cli.parsing.recognize import recognize

PROSE_RU = ("Авторы предлагают новую архитектуру и показывают, что модель обучается быстрее, а на бенчмарках "
            "результаты лучше прежних. Метод простой, эксперименты аккуратные.")
PROSE_EN = ("The authors propose a new architecture and show that the model trains faster and the results on "
            "standard benchmarks improve. The method is simple and the experiments are careful.")


def one(text: str, **kw):
    drafts, reason = recognize(Post(text, "p", **kw))
    assert reason is None and len(drafts) == 1, (reason, [d.title for d in drafts])
    return drafts[0]


def skipped(text: str, **kw) -> str:
    drafts, reason = recognize(Post(text, "p", **kw))
    assert drafts == [] and reason, [d.title for d in drafts]
    return reason


def test_label_and_url_on_separate_lines():
    d = one("Perceiver: General Perception with Iterative Attention\n"
            "Andrew Jaegle, Felix Gimeno, Andrew Brock, Andrew Zisserman\n"
            "Статья:\nhttps://arxiv.org/abs/2103.03206\nКод:\nhttps://github.com/deepmind/perceiver\n"
            "Блог:\nhttps://deepmind.com/blog/perceiver\n\n" + PROSE_RU + "\n#transformer #multimodal")
    assert d.title == "Perceiver: General Perception with Iterative Attention"
    assert d.arxiv_id == "2103.03206" and len(d.authors) == 4
    roles = {ln.url: ln.role for ln in d.links}
    assert roles["https://github.com/deepmind/perceiver"] == "code"
    assert roles["https://deepmind.com/blog/perceiver"] == "other"
    assert set(d.tags) == {"transformer", "multimodal"} and "Авторы предлагают" in d.body


def test_title_prose_then_labelled_paper_link_near_the_end():
    d = one("Toolformer: Language Models Can Teach Themselves to Use Tools\n\n" + PROSE_EN + "\n\n"
            "Cited: https://arxiv.org/abs/2005.14165\nPaper: https://arxiv.org/abs/2302.04761\n"
            "Code link: https://github.com/lucidrains/toolformer-pytorch\n\n#LLM #tools")
    assert d.title.startswith("Toolformer") and d.arxiv_id == "2302.04761"  # not the cited 2005.14165
    assert any(ln.role == "code" for ln in d.links) and set(d.tags) == {"LLM", "tools"}


def test_title_and_prose_without_any_link_and_body_printed_twice():
    text = "Grokking: Generalization Beyond Overfitting on Small Algorithmic Datasets\n" + PROSE_RU
    d = one(text + "\n\n" + PROSE_RU)
    assert d.arxiv_id is None and d.title.startswith("Grokking")
    assert d.body.count("Авторы предлагают") == 1


def test_bracketed_link_words_with_hrefs_behind_them():
    text = "Scaling Laws for Neural Language Models\n[Статья][Код]\n\n" + PROSE_RU
    d = one(text, links=[HiddenLink(1, "Статья", "https://arxiv.org/abs/2001.08361"),
                         HiddenLink(1, "Код", "https://github.com/openai/scaling")])
    assert d.arxiv_id == "2001.08361" and "[Статья][Код]" not in d.body
    assert {ln.role for ln in d.links} >= {"paper", "code"}


def test_inline_word_statya_linked_to_the_paper():
    d = one("Вышла статья про то, как обучать модели на синтетике.\n" + PROSE_RU,
            links=[HiddenLink(0, "статья", "https://arxiv.org/abs/2305.07759")])
    assert d.arxiv_id == "2305.07759"


@pytest.mark.parametrize("lead", ["Сегодня разбираем", "Свежая статья", "Читаем статью"])
def test_title_named_inside_a_sentence(lead):
    d = one(f"{lead} Chinchilla: Training Compute-Optimal Large Language Models от DeepMind.\n\n" + PROSE_RU +
            "\nhttps://arxiv.org/abs/2203.15556")
    assert d.title == "Chinchilla: Training Compute-Optimal Large Language Models" and d.arxiv_id == "2203.15556"


def test_title_before_a_dash():
    d = one("Improving language models by retrieving from trillions of tokens — работа DeepMind про RETRO.\n"
            + PROSE_RU + "\nhttps://arxiv.org/abs/2112.04426")
    assert d.arxiv_id == "2112.04426"
    assert d.title == "Improving language models by retrieving from trillions of tokens"


def test_only_a_paper_link_gives_a_record_keyed_by_the_arxiv_id():
    d = one("https://arxiv.org/abs/1910.13291\n\n" + PROSE_RU)
    assert d.arxiv_id == "1910.13291" and d.title == "arXiv:1910.13291"


def test_only_a_paper_link_titled_by_its_link_text():
    d = one("Очень советую.\n" + PROSE_RU,
            links=[HiddenLink(0, "Emergent Abilities of Large Language Models", "https://arxiv.org/abs/2206.07682")])
    assert d.title == "Emergent Abilities of Large Language Models"


def test_roundup_of_bare_titles_gives_one_record_per_paper():
    text = ("Подборка статей недели:\n\n"
            "1. Mixtral of Experts\n" + PROSE_EN + " https://arxiv.org/abs/2401.04088\n\n"
            "2. Self-Rewarding Language Models\n" + PROSE_EN + "\n\n"
            "• Mamba: Linear-Time Sequence Modeling with Selective State Spaces\n" + PROSE_EN + "\n#digest")
    drafts, reason = recognize(Post(text, "p"))
    assert reason is None and [d.title for d in drafts] == [
        "Mixtral of Experts", "Self-Rewarding Language Models", "Mamba: Linear-Time Sequence Modeling with Selective State Spaces"]
    assert drafts[0].arxiv_id == "2401.04088" and drafts[1].arxiv_id is None
    assert all(d.tags == ["digest"] for d in drafts)


def test_copied_channel_page_furniture_is_never_title_author_or_body():
    page = ("ML Papers – Telegram\nML Papers\n12.3K subscribers\n200 photos\nОбзоры статей.\nDownload Telegram\n"
            "Forwarded from Other Channel\nLoRA: Low-Rank Adaptation of Large Language Models\n"
            "Edward J. Hu, Yelong Shen, Phillip Wallis\nСтатья: https://arxiv.org/abs/2106.09685\n\n" + PROSE_RU +
            "\n👍 12 🔥 3\n1.2K views\n12:34\n"
            "Друзья, завтра стрим в 19:00, приходите!\n850 views\nedited 13:01\n"
            "QLoRA: Efficient Finetuning of Quantized LLMs\nTim Dettmers, Artidoro Pagnoni\n"
            "Статья: https://arxiv.org/abs/2305.14314\n\n" + PROSE_RU + "\n❤ 5\n2K views\n14:00\n")
    parsed = parse_text(page, "page.txt")
    assert [r.arxiv_id for r in parsed.reviews] == ["2106.09685", "2305.14314"]
    for r in parsed.reviews:
        assert not any(s in r.body for s in ("views", "12:34", "👍", "Forwarded", "Download", "стрим"))
    assert any(s.reason.startswith("announcement") for s in parsed.skipped)
    assert parsed.origin == "ML Papers"


HABR_REPOST = """[Алгоритмы, Машинное обучение] Рубрика «Читаем статьи за вас». Июль — сентябрь 2019 года

Привет, Хабр! Продолжаем публиковать рецензии на научные статьи от членов сообщества Open Data Science.

1. Layer rotation: a surprisingly powerful indicator of generalization in deep networks?
Авторы статьи: Simon Carbonnelle, Christophe De Vleeschouwer (Université catholique de Louvain, Belgium, 2018)
? Оригинал статьи[1] :: GitHub project[2]
Автор обзора: Святослав Скоблов (в слэке error_derivative)

В статье авторы обращают внимание на динамику весов и показывают, что угол поворота слоёв предсказывает обобщение.

2. EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks
Авторы статьи: Mingxing Tan, Quoc V. Le (Google Research, 2019)
Оригинал статьи :: GitHub project
Автор обзора: Александр Денисенко (в слэке Alexander Denisenko)

Авторы предлагают масштабировать сеть сразу по глубине, ширине и разрешению[3].

[1] https://arxiv.org/abs/1806.01603
[2] https://github.com/ispgroupucl/layer-rotation-paper-experiments
[3] https://arxiv.org/abs/1905.11946
"""


def test_habr_digest_reposted_with_hub_line_footnotes_and_lost_arrow(tmp_path):
    p = tmp_path / "repost.txt"
    p.write_text(HABR_REPOST, encoding="cp1251", errors="replace")
    parsed = parse_file(p)
    first, second = parsed.reviews
    assert first.arxiv_id == "1806.01603" and first.reviewer.handle == "error_derivative"
    assert "https://github.com/ispgroupucl/layer-rotation-paper-experiments" in {ln.url for ln in first.links if ln.role == "code"}
    assert second.title.startswith("EfficientNet") and second.reviewer.name == "Александр Денисенко"
    assert second.authors == ("Mingxing Tan", "Quoc V. Le") and second.year == 2019
    assert "[3]" not in second.body and "[1] https" not in second.body


@pytest.mark.parametrize("text, kind", [
    ("#реклама Курс по ML со скидкой 30% по промокоду ML30! Успейте до пятницы. erid: 2Vtzqx", "advertisement"),
    ("Вакансия: ищем ML-инженера в команду поиска. Вилка 300-400к, удалёнка. Присылайте резюме @hr.", "job post"),
    ("Друзья, в четверг в 19:00 будет стрим про NeurIPS, регистрация по ссылке https://example.com/reg", "announcement"),
    ("Рекомендую курс, где разбирают https://arxiv.org/abs/1706.03762 и не только. Скидка 20% по промокоду.",
     "advertisement"),
    ("Когда модель наконец сошлась 😂", "too short"),
    ("OpenAI Releases GPT-5\n\nThe new model outperforms previous models on most benchmarks, the results are strong. "
     "Available today in ChatGPT for all users.", "news or announcement"),
    ("NeurIPS 2024 Deadlines Extended\n\nThe organizers announced that the paper submission deadline moved by a week; "
     "the model of reviewing stays the same and results come in September.", "news or announcement"),
    ("Google выпустила Gemma 3 — открытые модели от 1B до 27B. Поддерживают 140 языков, контекст 128k, результаты на "
     "бенчмарках хорошие, а ещё есть версия для телефонов и квантованные веса. Веса на HF: "
     "https://huggingface.co/google/gemma-3-27b-it", "news or announcement"),
    ("Долго думал, куда движется индустрия. Мне кажется, всё упирается в данные, и люди это недооценивают. "
     "Кто со мной согласен? Пишите в комментариях, обсудим, интересно ваше мнение про это всё. Хорошего вечера!",
     "no paper evidence"),
])
def test_non_reviews_are_skipped_with_a_reason(text, kind):
    assert skipped(text).startswith(kind)


def test_service_poll_and_media_only_messages():
    assert recognize(Post("", "m", kind="service", action="pin_message"))[1] == "service message (pin_message)"
    assert recognize(Post("", "m", kind="poll"))[1] == "poll"
    assert recognize(Post("  \n", "m"))[1].startswith("no text")


def test_a_cited_paper_line_in_a_body_does_not_split_the_review():
    d = one("Big Bird: Transformers for Longer Sequences\nManzil Zaheer, Guru Guruganesh\n"
            "Статья: https://arxiv.org/abs/2007.14062\n\n" + PROSE_RU + "\n\nПохожая работа\nhttps://arxiv.org/abs/2004.05150\n"
            "Ссылка на статью\nhttps://arxiv.org/abs/2007.14062\n")
    assert d.arxiv_id == "2007.14062" and "https://arxiv.org/abs/2004.05150" in {ln.url for ln in d.links}


# ---------------------------------------------------------------- one path for every container

def test_export_message_text_links_and_plain_copy_agree(tmp_path):
    head = "Mixtral of Experts\nAlbert Q. Jiang, Alexandre Sablayrolles\n"
    plain = head + "Статья: https://arxiv.org/abs/2401.04088\n\n" + PROSE_RU
    runs = [Run("plain", head), Run("text_link", "Статья", "https://arxiv.org/abs/2401.04088"), Run("plain", "\n\n" + PROSE_RU)]
    a, _ = recognize_posts([Post(plain, "p")], "x", "f")
    b, _ = recognize_posts([message_post("1", runs, channel="c")], "x", "f")
    assert [(r.title, r.arxiv_id, r.authors) for r in a] == [(r.title, r.arxiv_id, r.authors) for r in b]
    assert a[0].id == b[0].id  # the same post is one record whichever dump it came from


@pytest.mark.parametrize("stream", [False, True])
def test_message_entry_that_is_a_string_is_skipped_on_both_paths(tmp_path, monkeypatch, stream):
    import reviews_cli.library.ingest as lib

    msgs = E.default_messages() + ["just a string", 42, ["a", "list"]]
    path = E.write_json(tmp_path / "result.json", E.channel_json(msgs))
    monkeypatch.setattr(lib, "STREAM_MIN_BYTES", 0 if stream else 1 << 40)
    parsed = lib.parse_one(str(path), "result.json")
    rows = list(parsed.posts)
    assert parsed.error is None and len(rows) == 2
    assert sum("not a message object" in why for _, why in parsed.skipped) == 3


def test_text_starting_with_a_bracket_is_not_taken_for_json(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(HABR_REPOST, encoding="utf-8")
    assert len(parse_file(p).reviews) == 2
    q = tmp_path / "b.txt"
    q.write_text('[{"a": 1}]', encoding="utf-8")
    with pytest.raises(DumpError, match="JSON, but not a Telegram Desktop export"):
        parse_file(q)


def test_real_json_export_with_hidden_title_link(tmp_path):
    msg = E.json_message(5, [{"type": "text_link", "text": "Emergent Abilities of Large Language Models",
                              "href": "https://arxiv.org/abs/2206.07682"}, "\n\n" + PROSE_RU], 1546789267)
    path = E.write_json(tmp_path / "result.json", E.channel_json([msg]))
    (r,) = parse_file(path).reviews
    assert (r.title, r.arxiv_id) == ("Emergent Abilities of Large Language Models", "2206.07682")
    assert json.loads(json.dumps(r.to_dict()))["paper_url"] == "https://arxiv.org/abs/2206.07682"


def test_review_words_that_look_like_ad_or_job_words_do_not_skip_a_review():
    d = one("Deformable Image Registration with Diffusion Models\n" + PROSE_RU +
            " Регистрация изображений тут медицинская, стриминговый режим тоже есть.\nРезюме: метод хороший.")
    assert d.title.startswith("Deformable Image Registration")


# ------------------------------------------------- adversarial pass: pathological lines, fast

def _fast(text: str) -> list:
    """``[number of drafts, reason]`` from recognizing ``text`` in a child process that is
    killed only if it hangs (an exponential regex); the timings are in bench/slow_inputs.py."""
    from hang_guard import python

    res = python("import json, sys; from reviews_cli.parsing.post import Post; from reviews_cli.parsing.recognize "
                 "import recognize; d, why = recognize(Post(sys.stdin.read(), 'p')); print(json.dumps([len(d), why]))",
                 text)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


@pytest.mark.parametrize("text", [
    " ".join(f"[t{i}]" for i in range(40)) + " x\n",  # bracket words: was exponential
    "Some Paper Title Here\n" + "[1]" * 40000 + "\n\n1 https://arxiv.org/abs/1706.03762\n",  # footnotes
    "Aaaa " * 20000 + "https://arxiv.org/abs/1706.03762\n",  # a capitalized run before the link
    ("the paper Aaaaaaaaaa" + " " * 150 + "x ") * 400 + "\nавторы предлагают метод и модель\n",
    "Обзор\n" + "\n".join(f"“Great Paper Title Number {i}” by Smith" for i in range(20000)) + "\n",
])
def test_pathological_lines_stay_linear(text):
    _fast(text)


def test_bare_arxiv_id_as_arxiv_writes_it():
    d = one("Scaling Laws for Neural Language Models\n\n" + PROSE_RU + "\n\narXiv:2001.08361\n")
    assert d.arxiv_id == "2001.08361"


def test_standalone_paper_link_beats_a_cited_one_in_prose():
    d = one("Scaling Laws for Neural Language Models\n\nВ отличие от прошлой работы (https://arxiv.org/abs/1706.03762), "
            "здесь " + PROSE_RU + "\n\nhttps://arxiv.org/abs/2001.08361\n")
    assert d.arxiv_id == "2001.08361"


def test_quoted_phrase_is_not_a_title_and_news_with_a_dash_is_not_a_review():
    d = one('Why do LLMs hallucinate? A new paper from OpenAI argues that training rewards guessing. The authors show '
            'that benchmarks penalize "I don\'t know" answers and propose a new scoring of the results.\n\n'
            "Paper: https://arxiv.org/abs/2509.04664\n")
    assert d.title == "arXiv:2509.04664" and d.arxiv_id == "2509.04664"
    assert skipped("Google DeepMind представила Gemini Diffusion — экспериментальную текстовую диффузионную модель. "
                   "Генерирует 1479 токенов в секунду, качество на уровне Gemini 2.0 Flash-Lite, результаты хорошие. "
                   "Доступ по листу ожидания.\n\nПодробнее: https://deepmind.google/models/gemini-diffusion/\n")


def test_a_paper_named_by_a_non_arxiv_link_only_is_titled_by_its_first_sentence():
    d = one("Mistral released Magistral, a reasoning model trained with RL. The authors show strong results on math "
            "benchmarks and describe the training method.\nTech report: https://mistral.ai/static/research/magistral.pdf\n")
    assert d.title == "Mistral released Magistral, a reasoning model trained with RL"


def test_unresolved_bracket_numbers_stay_in_the_body():
    d = one("Some Paper Title Here\n→ Оригинал статьи[1]\n\nАвторы берут веса из слоя W[12] и матрицу A[3]; см. [7]. "
            + PROSE_RU + "\n\n[1] https://arxiv.org/abs/1706.03762")
    assert d.arxiv_id == "1706.03762" and "W[12]" in d.body and "A[3]" in d.body and "[7]" in d.body


@pytest.mark.parametrize("line", ["a" + " " * 20000 + "b", "Authors: A" + " " * 3000 + "B", "\u00a0" * 30000 + "x",
                                  "\t" * 20000 + "x"])
def test_long_whitespace_runs_stay_linear(line):
    _fast("Some Paper Title Here\n" + line + "\nСтатья: https://arxiv.org/abs/1706.03762\n" + PROSE_RU)
