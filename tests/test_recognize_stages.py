"""Issue 16 point 1: each stage of the recognizer on its own (clean, candidates, evidence, score,
fields, layout), the arXiv id forms of point 3, and property tests of each stage's entry point."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviews_cli.ids import arxiv_ids_in_url
from reviews_cli.parsing.post import HiddenLink, Post
from reviews_cli.parsing.recognize import explain, recognize, recognize_window, stage
from reviews_cli.parsing.recognize import layout as lay
from reviews_cli.parsing.recognize.candidates import title_candidates
from reviews_cli.parsing.recognize.clean import (
    clean_lines,
    is_chrome,
    join_broken_urls,
    normalize_text,
    not_a_digest,
    strip_markup,
    unflatten,
)
from reviews_cli.parsing.recognize.evidence import CANDIDATE_FEATURES, POST_FEATURES, post_features
from reviews_cli.parsing.recognize.fields import clean_title
from reviews_cli.parsing.recognize.lines import bare_arxiv
from reviews_cli.parsing.recognize.score import WEIGHTS, Model, load

PROSE = ("Авторы предлагают новую архитектуру и показывают, что модель обучается быстрее, а на бенчмарках "
         "результаты лучше прежних. Метод простой, эксперименты аккуратные.")

# ------------------------------------------------------------------------------ clean


def test_normalize_text_drops_crlf_nbsp_and_zero_width():
    assert normalize_text("Atten\u200btion\u00a0Is\r\nAll\u00adYou\rNeed\ufeff") == "Attention Is\nAllYou\nNeed"


@pytest.mark.parametrize("line", [
    "Главная › Блог › Машинное обучение", "Home / Papers / NLP / Transformers", "5 Dec 2025", "12 марта 2024",
    "2024-03-05 12:00", "4 min read", "Время на прочтение: 7 мин", "Открыть в Telegram", "Share", "Copy link",
    "👁 1.2K", "1 234 просмотра", "@gonzo_ML", "24.1K subscribers", "gonzo-обзоры ML статей – Telegram",
    "📅 Published: 2017", "Posted by John Smith", "🔥 12 👍 3", "TG Telegram Group Link",
])
def test_chrome_lines(line):
    assert is_chrome(line)


@pytest.mark.parametrize("line", [
    "Attention Is All You Need", "Mamba (S6): как линейные модели догнали трансформеры",
    "Авторы статьи: Jonathan Frankle, Michael Carbin", "Статья: https://arxiv.org/abs/1803.03635", PROSE,
    "Jonathan Frankle, Michael Carbin", "#CNN #pruning", "The Lottery Ticket Hypothesis / Frankle & Carbin",
])
def test_post_lines_are_not_chrome(line):
    assert not is_chrome(line)


def test_clean_lines_keeps_the_line_count_and_undoes_doubling():
    lines = ["Home › Blog › ML", "Attention Is All You Need", "", "Attention Is All You Need", PROSE, "1.2K views"]
    out = clean_lines(lines)
    assert len(out) == len(lines)
    assert out == ["", "Attention Is All You Need", "", "", PROSE, ""]
    assert clean_lines(["Attention Is All You NeedAttention Is All You Need"]) == ["Attention Is All You Need"]
    twice = ["Title Of A Paper Here", PROSE, "Title Of A Paper Here", PROSE]
    assert clean_lines(twice) == ["Title Of A Paper Here", PROSE, "", ""]


@pytest.mark.parametrize("a, b, url", [
    ("Статья: https://arxiv.org/abs/", "2401.01234", "https://arxiv.org/abs/2401.01234"),
    ("Paper: https://arxiv.org/abs/2401.", "01234 and more", "https://arxiv.org/abs/2401.01234"),
    ("https://github.com/google-", "research/bigbird", "https://github.com/google-research/bigbird"),
])
def test_a_url_broken_across_two_lines_is_joined(a, b, url):
    out = join_broken_urls([a, b])
    assert url in out[0] and len(out) == 2


def test_a_whole_url_is_not_joined_with_the_next_word():
    assert join_broken_urls(["Статья: https://arxiv.org/abs/2401.01234", "Авторы предлагают"]) == \
        ["Статья: https://arxiv.org/abs/2401.01234", "Авторы предлагают"]


def test_a_flattened_post_is_split_at_its_labels():
    flat = ("Perceiver: General Perception with Iterative Attention Авторы: Andrew Jaegle, Felix Gimeno "
            "Статья: https://arxiv.org/abs/2103.03206 Код: https://github.com/deepmind/perceiver " + PROSE +
            " #transformer #multimodal")
    text, links = unflatten(flat, [HiddenLink(0, "Код", "https://github.com/deepmind/perceiver")])
    lines = text.split("\n")
    assert lines[0] == "Perceiver: General Perception with Iterative Attention"
    assert "Статья: https://arxiv.org/abs/2103.03206" in lines and lines[-1] == "#transformer #multimodal"
    assert links[0].line == next(i for i, ln in enumerate(lines) if ln.startswith("Код"))
    assert unflatten("short\ntext", []) == ("short\ntext", [])


def test_markup_headings_are_unwrapped_and_reported():
    lines, marks = strip_markup(["## Title A", "**Title B**", "<h3>Title C</h3>", "#hashtag", "plain"])
    assert lines == ["Title A", "Title B", "Title C", "#hashtag", "plain"] and marks == [0, 1, 2]


def test_not_a_digest_names_code_tables_and_readmes():
    assert not_a_digest(["import os", "def f():", "    return 1", "x = f()"], []) == "source code, not a post or digest"
    assert "table of numbers" in (not_a_digest(["1,2,3", "4,5,6", "7,8,9"], []) or "")
    assert "README" in (not_a_digest(["Installation", "pip install x", "Usage", "call it"], [0, 2]) or "")
    assert not_a_digest(["Attention Is All You Need", "", PROSE], []) is None


# ------------------------------------------------------------------------- paper ids

@pytest.mark.parametrize("url, aid", [
    ("https://doi.org/10.48550/arXiv.2401.01234", "2401.01234"), ("https://arxiv.org/pdf/2401.01234v2", "2401.01234"),
    ("https://export.arxiv.org/abs/2401.01234", "2401.01234"), ("https://huggingface.co/papers/2401.01234", "2401.01234"),
    ("https://www.alphaxiv.org/abs/2401.01234", "2401.01234"), ("https://arxiv.org/abs/cs/0601001", "cs/0601001"),
])
def test_arxiv_ids_in_other_clothes(url, aid):
    assert arxiv_ids_in_url(url) == aid


@pytest.mark.parametrize("text, aid", [
    ("arXiv:2401.01234v1 [cs.CL]", "2401.01234"), ("[2401.01234] Some Title", "2401.01234"),
    ("arXiv 2108.08754v2", "2108.08754"), ("10.48550/arXiv.2401.01234", "2401.01234"),
    ("arXiv:cs/0601001", "cs/0601001"), ("arxiv.org/pdf/2401.01234v2", "2401.01234"),
])
def test_arxiv_ids_printed_as_text(text, aid):
    link = bare_arxiv(text)
    assert link is not None and link.url == f"https://arxiv.org/abs/{aid}"


@pytest.mark.parametrize("text", ["x2401.01234", "[1234.5678]", "version 2401.01234 of the app"])
def test_numbers_that_are_not_arxiv_ids(text):
    assert bare_arxiv(text) is None


# --------------------------------------------------------------------------- fields

@pytest.mark.parametrize("raw, title", [
    ("🔥 Attention Is All You Need 🔥", "Attention Is All You Need"),
    ("[2401.01234] Mamba: Linear-Time Sequence Modeling", "Mamba: Linear-Time Sequence Modeling"),
    ("Обзор: Mamba (S6): как линейные модели догнали трансформеры", "Mamba (S6): как линейные модели догнали трансформеры"),
    ("Paper review: «Attention Is All You Need»", "Attention Is All You Need"),
    ("BERT: Pre-training of Deep Bidirectional Transformers — Хабр", "BERT: Pre-training of Deep Bidirectional Transformers"),
    ("Deep Residual Learning | by John Doe | Medium", "Deep Residual Learning"),
    ("AI & Human Co-Improvement for Safer Co-Superintelligence (2512.05356v1)",
     "AI & Human Co-Improvement for Safer Co-Superintelligence"),
    ("Summary: “Deep Residual Learning for Image Recognition”", "Deep Residual Learning for Image Recognition"),
    ("Свежая статья Self-training Improves Pre-training", "Self-training Improves Pre-training"),
    ("1| Transformer-XL: Attentive Language Models", "Transformer-XL: Attentive Language Models"),
    ("1️⃣ Attention Is All You Need", "Attention Is All You Need"),
])
def test_titles_lose_their_wrappers(raw, title):
    assert clean_title(raw) == title


# ------------------------------------------------------------------------ candidates

def _texts(lines, hidden=(), paper=None):
    return {c.text: c.kinds for c in title_candidates(lines, list(hidden), paper)}


@pytest.mark.parametrize("lines, title, kind", [
    (["Недавно вышла статья Scaling Laws for Neural Language Models, и она интересная."],
     "Scaling Laws for Neural Language Models", "lead_in"),
    (["The paper is called Deep Residual Learning for Image Recognition. It is a classic."],
     "Deep Residual Learning for Image Recognition", "lead_in"),
    (["Сегодня читаем «Масштабируемое языковое моделирование без MatMul» от авторов из UCSC."],
     "Масштабируемое языковое моделирование без MatMul", "quoted"),
    (["Title: Language Models are Few-Shot Learners"], "Language Models are Few-Shot Learners", "label"),
    (["[2005.14165] Language Models are Few-Shot Learners"], "Language Models are Few-Shot Learners", "id_prefix"),
    (["  title = {A Topic-wise Exploration of the Telegram Group-verse},"],
     "A Topic-wise Exploration of the Telegram Group-verse", "bibtex"),
    (["DeepSeek-R1: путь к самостоятельному мышлению"], "DeepSeek-R1", "name"),
])
def test_every_place_a_paper_is_named_is_a_candidate(lines, title, kind):
    found = _texts(lines)
    assert title in found and kind in found[title], found


def test_link_anchors_and_titles_before_links_are_candidates():
    lines = ["We read Attention Is All You Need (https://arxiv.org/abs/1706.03762) today.", "Подробнее тут"]
    found = _texts(lines, [HiddenLink(1, "Language Models are Few-Shot Learners", "https://arxiv.org/abs/2005.14165")],
                   "https://arxiv.org/abs/1706.03762")
    assert "before_link" in found["Attention Is All You Need"]
    assert "anchor" in found["Language Models are Few-Shot Learners"]


def test_section_headings_and_quoted_phrases_are_not_candidates():
    found = _texts(["Summary", "Key Contributions", 'Models learn to say "I don\'t know" more often.'])
    assert not found


# ------------------------------------------------------------------ evidence and score

def test_post_features_are_named_and_bounded():
    f = post_features("Статья: https://arxiv.org/abs/1706.03762\n" + PROSE, ["x"], paper=True, labelled=True,
                      arxiv=True, paper_links=1, code=False, article=False, title_items=0,
                      non_review=[])
    # rule_review and named_in_context need the rules and the title candidates: the analysis sets them
    assert set(f) | {"rule_review", "named_in_context"} == set(POST_FEATURES)
    assert all(0.0 <= v <= 1.0 for v in f.values())
    assert f["paper_link"] == 1.0 and f["review_vocab"] > 0 and f["ad"] == 0.0


def test_a_short_name_counts_in_a_sentence_that_places_it_in_a_paper():
    from reviews_cli.parsing.recognize.evidence import named_in_paper_context

    ru = "Модель хороша. В новой статье исследователи из Google представили Titans, память на тесте.\nДальше."
    en = "Researchers at DeepSeek published DeepSeek-R1 on arXiv. It reasons."
    assert named_in_paper_context(["Titans"], ru)
    assert named_in_paper_context(["DeepSeek-R1"], en)
    # the name and the paper words in different sentences, or a name the text never uses
    assert not named_in_paper_context(["Titans"], "Titans is a film. The paper was about something else.")
    assert not named_in_paper_context(["Mamba"], en)
    assert not named_in_paper_context([], en)


def test_the_weights_file_knows_every_feature_and_was_fitted():
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    assert set(data["post"]["weights"]) == set(POST_FEATURES)
    assert set(data["candidate"]["weights"]) == set(CANDIDATE_FEATURES)
    assert data["fitted"]["by"] == "bench/fit_recognizer.py" and data["fitted"]["posts"] > 50
    post, cand = load()
    assert 0.0 < post.threshold < 1.0 and 0.0 < cand.threshold < 1.0


def test_model_is_a_dot_product_and_a_sigmoid():
    m = Model(-1.0, {"a": 2.0, "b": -3.0}, 0.5)
    assert m.probability({}) == pytest.approx(1 / (1 + 2.718281828 ** 1))
    assert m.probability({"a": 1.0}) == pytest.approx(1 / (1 + 2.718281828 ** -1))
    assert m.contributions({"a": 1.0, "b": 1.0}) == [("b", -3.0), ("a", 2.0)]
    assert m.probability({"b": 100.0}) == 0.0


def test_recognizing_never_imports_the_fitting_library():
    code = ("import sys\nfrom reviews_cli.parsing.post import Post\nfrom reviews_cli.parsing.recognize import recognize\n"
            "recognize(Post('Attention Is All You Need\\n\\n' + 'Авторы предлагают модель. ' * 20, 'p'))\n"
            "assert 'sklearn' not in sys.modules and 'numpy' not in sys.modules, sorted(sys.modules)\n")
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------- layout

def _channel_post(title: str, label_line: str) -> Post:
    return Post(f"12 марта 2024\n{title}\n\n{PROSE}\n\n{label_line}", "m")


def test_a_dump_teaches_its_layout_to_its_other_posts():
    posts = [_channel_post(f"Paper Number {k}: Learning Things {k}", f"📄 Arxiv: https://arxiv.org/abs/2401.0{k}234")
             for k in range(1, 5)]
    staged = [stage(p) for p in posts]
    from reviews_cli.parsing.recognize import verdict

    learned = lay.learn([(s.analysis, verdict(s), s.title_rank) for s in staged])
    assert learned.labels == {"arxiv"}
    lost = stage(_channel_post("Another Paper: Learning More", "📄 Arxiv"))
    assert lost.analysis is not None
    lay.apply(learned, lost.analysis)
    assert lost.analysis.features["layout_label"] == 1.0
    assert lay.learn([]) == lay.Layout()


def test_recognize_window_decides_each_post_once_in_order():
    posts = [_channel_post(f"Paper Number {k}: Learning Things {k}", f"Статья: https://arxiv.org/abs/2401.0{k}234")
             for k in range(1, 4)] + [Post("Реклама! Курс со скидкой по промокоду ML30 #реклама", "ad")]
    out = recognize_window(posts)
    assert [s.post for s, _ in out] == posts
    assert [bool(v.drafts) for _, v in out] == [True, True, True, False]


# -------------------------------------------------------------------------- explain

def test_explain_gives_the_decision_score_evidence_title_and_runner_up():
    e = explain(Post("Attention Is All You Need\n\n" + PROSE + "\n\nСтатья: https://arxiv.org/abs/1706.03762", "m"))
    assert e.decision in ("review", "headed sections") and e.records == ["Attention Is All You Need"]
    skipped = explain(Post("Долго думал, куда движется индустрия. Мне кажется, всё упирается в данные. " * 3, "m"))
    assert skipped.decision == "skipped" and skipped.reason and skipped.score is not None
    assert skipped.evidence and all(isinstance(w, float) for _, w in skipped.evidence)


# ---------------------------------------------------------------- properties, attacks

_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400)
_LINEY = st.lists(st.one_of(_TEXT, st.sampled_from([
    "Attention Is All You Need", "Статья: https://arxiv.org/abs/1706.03762", "## Title Here", "**Bold Title**",
    "https://arxiv.org/abs/", "2401.01234", "Share", "5 Dec 2025", "#tag", "Авторы: A B, C D", PROSE, ""])),
    max_size=25)


@settings(max_examples=60, deadline=None)
@given(_LINEY)
def test_clean_stages_keep_the_line_count(lines):
    assert len(clean_lines(lines)) == len(lines)
    assert len(join_broken_urls(lines)) == len(lines)
    assert len(strip_markup(lines)[0]) == len(lines)


@settings(max_examples=60, deadline=None)
@given(_LINEY, st.lists(st.tuples(st.integers(0, 30), _TEXT, _TEXT), max_size=3))
def test_every_stage_takes_any_text(lines, links):
    text = "\n".join(lines)
    hidden = [HiddenLink(i, label, href) for i, label, href in links]
    for c in title_candidates(lines, hidden, None):
        assert 3 <= len(c.text) <= 300 and c.kinds
    _, moved = unflatten(" ".join(lines), hidden)
    assert len(moved) == len(hidden)
    drafts, reason = recognize(Post(text, "p", links=hidden))
    assert bool(drafts) != bool(reason)
    e = explain(Post(text, "p", links=hidden))
    assert (e.decision == "skipped") == (not e.records)


@pytest.mark.parametrize("text", [
    "a" * 300_000,  # one huge line
    "Title " * 50_000 + "\n" + PROSE,  # a capitalized run
    "«" * 20_000 + "x" + "»" * 20_000,  # unbalanced quotes
    "https://arxiv.org/abs/" + "1" * 100_000,  # a huge URL
    "\n".join("## " + "#" * k for k in range(3000)),  # markup headings
    ("Статья: https://a.b/c " * 5000),  # a flattened post with many labels
    "Home › " * 20_000,  # a huge breadcrumb
    "\u200b" * 100_000 + "Attention",
])
def test_adversarial_inputs_complete(text):
    drafts, reason = recognize(Post(text, "p"))  # completes: no regex backtracks exponentially
    assert bool(drafts) != bool(reason)


def test_line_tests_are_remembered_for_one_post_only():
    from reviews_cli.parsing.recognize import lines as ln

    text = "Attention Is All You Need\n\n" + PROSE + "\n\n" + PROSE
    first = stage(Post(text=text, where="message 1"))
    remembered = ln.title_like.cache_info()  # type: ignore[attr-defined]
    # the same lines are asked about again by later stages: answered from memory, not recomputed
    assert remembered.hits > 0 and remembered.currsize > 0
    stage(Post(text="", where="message 2"))  # media only: nothing of post 1 may survive it
    assert ln.title_like.cache_info().currsize == 0  # type: ignore[attr-defined]
    again = stage(Post(text=text, where="message 1"))  # and forgetting changes no answer
    assert [d.title for d in again.drafts] == [d.title for d in first.drafts]
    assert (again.analysis is None) == (first.analysis is None)
