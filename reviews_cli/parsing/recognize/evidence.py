"""Stage 3 of recognition: the evidence of a post and of each title candidate, as named features.

Every feature is a number in [0, 1] with a name the ``--explain`` output shows. None of them
decides alone: :mod:`.score` weighs them with weights fitted on the labelled sample
(``bench/fit_recognizer.py``).

Source formats the post features read: paper links of every kind (arXiv in all its clothes,
OpenReview, ACL Anthology, proceedings, DOI, Hugging Face papers, alphaXiv; labelled ``Статья:
URL``, behind words, bare); link labels whose URL a copy lost (``Статья``, ``📄 Arxiv``,
``Paper``, ``here``, ``Code`` alone on their line or ending a sentence); author lines and
affiliations; hashtags; the vocabulary of a review in the languages digests are written or
machine-translated in (a small lexicon: Russian, English, Ukrainian, German, French, Spanish,
Portuguese, Italian, Chinese); and the signs of what is not a review (ads, job posts,
announcements, product news, interviews, opinion letters, explainers, comment threads).
"""

from __future__ import annotations

import math
import re

from ... import extract as ex
from .candidates import Candidate
from .lines import (
    _BY_LINE,
    _letters,
    _news_headline,
    _review_prose,
    _titled_shape,
    is_strong_author_line,
    paper_title_like,
)

# review vocabulary: the words a text uses when it tells what a paper does, as stems (the first
# five letters of a word; a set lookup per word is linear and cheap), in the lexicon's languages
_REVIEW_STEMS = frozenset("""
автор предл показ экспе бенчм датас архит модел метод подхо резул обуче обучи дообу выбор статья стать работ
autho propo exper bench datas archi basel ablat outpe finet pretr train fine- pre-t sota state
пропо дослі резуль
autor propu propõ propo exper ergeb metho métho métod artic artíc artig artik
""".split())
_WORD = re.compile(r"[^\W\d_][\w-]*")
# a word in Chinese or Japanese text has no spaces: these are looked up as substrings
_CJK_LEX = ("本文", "作者", "提出", "论文", "論文")
# phrases that say the text is about a paper, looked up as substrings of the folded text
_STRONG = tuple("""авторы предлага|авторы показыва|авторы обуча|авторы провер|авторы сравн|авторы вводят|
авторы утвержда|авторы исследу|авторы статьи|в статье|в этой статье|в данной статье|в работе|в этой работе|
в данной работе|статья про|статья о |работа про|we propose|the authors|this paper|
in this paper|the paper proposes|the paper introduces|the paper presents|the paper shows|paper proposes|
this work |the study|у статті|автори пропонують|die autoren|
les auteurs|los autores|os autores|gli autori|本文|abstract:|аннотаци|tl;dr""".replace("\n", "").split("|"))
_PERCENT = re.compile(r"\d\s?%")
_RESULT_WORDS = re.compile(r"\b(?:sota|state[- ]of[- ]the[- ]art|outperform\w*|превосход\w+|обгоня\w+|бенчмарк\w*|"
                           r"benchmark\w*|accuracy|точност\w+|imagenet|glue|mmlu|coco)\b")
_LOST_LABEL = re.compile(
    r"^\W*(?:статья|статью|ссылка на статью|оригинал(?:\s+статьи)?|paper|paper link|arxiv|pdf|preprint|препринт|"
    r"openreview|код|code|github|project page|here|тут|здесь|link|ссылка)\W*$", re.IGNORECASE)
_LOST_ENDS = ("статья", "paper", "arxiv", "pdf", "code", "код")
_LABEL_TAIL = " :—–-👇⬇️\ufe0f"
# words that refer to a paper as such, in the languages of the lexicon above
_PAPER_WORDS = re.compile(
    r"\b(?:paper|preprint|arxiv|стать[яиеюй]|препринт\w*|пейпер\w*|статт[іяю]|artikel|papier|artículo|artigo|"
    r"articolo|論文|论文|openreview|neurips|icml|iclr|acl|emnlp|cvpr)\b")
_INTERVIEW = re.compile(r"\bинтервью\b|\binterview\b|\bподкаст\w*|\bpodcast\b|\bq&a\b|\bama\b|\bв гостях\b")
_OPINION = re.compile(
    r"\bdear friends\b|\bi think\b|\bimho\b|\bimo\b|\bмне кажется\b|\bя думаю\b|\bмо[её] мнение\b|\bпо-моему\b|"
    r"\bкак по мне\b|\bя считаю\b|\bin my opinion\b|\bмысли вслух\b|\bхочу поделиться\b|\bi believe\b")
_EXPLAINER = re.compile(
    r"\bчто такое\b|\bwhat is\b|\bhow to\b|\btutorial\b|\bгайд\b|\bруководство\b|\bобъясняю\b|\bпростыми словами\b|"
    r"\bшпаргалк\w+|\bcheat ?sheet\b|\bintroduction to\b|\bвведение в\b|\bкурс\w*\b|\bcourse\b|\bлекци\w+")
_PRODUCT = re.compile(
    r"\b(?:releases?|released|launch(?:es|ed)?|rolls? out|now available|available now|pricing|subscription|"
    r"доступн\w+ (?:всем|бесплатно|в)|выпустил\w*|выкатил\w*|запустил\w*|релиз\w*|обновлени\w+|новая версия|"
    r"подписк\w+|тариф\w*|app|приложени\w+)\b")
# words that put a name in a paper's context in the same sentence ("в статье …", "researchers at
# … proposed", "опубликовали препринт"), as pages that call a paper by its short name write them
_PAPER_CONTEXT = re.compile(
    r"\b(?:в (?:этой |данной |новой )?(?:статье|работе)|стать[яюи]|препринт\w*|исследовател\w+ (?:из|компании)|"
    r"опубликова\w+|представил\w*|предложил\w*|paper|preprint|arxiv|researchers (?:at|from)|"
    r"published|propos\w+|introduc\w+)\b")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def named_in_paper_context(names: list[str], text: str) -> bool:
    """Whether one of ``names`` (short title candidates: ``Titans``, ``DeepSeek-R1``) stands in
    a sentence of ``text`` (its first 6,000 characters) with paper-context words (``в статье``,
    ``researchers at``, ``опубликовали``, ``arXiv``, ``proposed``): how a page that calls a paper
    by its short name says it is about that paper."""
    names = [n for n in names if n and n in text]
    if not names:
        return False
    for sentence in _SENTENCE_END.split(text[:6000]):
        if any(n in sentence for n in names) and _PAPER_CONTEXT.search(sentence.casefold()):
            return True
    return False




def _first_letters(rx: re.Pattern[str], letters: str) -> re.Pattern[str]:
    """``rx`` behind a look-ahead for the ``letters`` its words can start with: re then skips the
    other positions of a 3,000-character text at once instead of trying every alternative there."""
    return re.compile(f"(?=[{letters}])(?:{rx.pattern})", rx.flags)


_OPINION = _first_letters(_OPINION, "diкмпхя")
_EXPLAINER = _first_letters(_EXPLAINER, "chitwвгклопрчш")
_INTERVIEW = _first_letters(_INTERVIEW, "aipqвип")
_PRODUCT = _first_letters(_PRODUCT, "alnprsвдзнопрт")
_PAPER_WORDS = _first_letters(_PAPER_WORDS, "acenipoпс論论")
_RESULT_WORDS = _first_letters(_RESULT_WORDS, "abcgimosбопт")
_HASHTAG = re.compile(r"(?<![\w/#&])#\w")
_MENTION = re.compile(r"(?:^|\s)@\w{3,}")
_AFFILIATION = re.compile(r"\b(?:University|Université|Universität|Institute|Lab|Labs|Research|DeepMind|Google|Meta|"
                          r"OpenAI|Microsoft|Stanford|MIT|CMU|Berkeley|Университет|МФТИ|ВШЭ|Сколтех|Яндекс|Sber)\b")

POST_FEATURES = (
    "paper_link", "paper_link_labelled", "arxiv_id", "many_paper_links", "lost_label", "code_link",
    "author_line", "affiliation", "hashtags", "review_vocab", "strong_phrase", "results",
    "ad", "job", "announcement", "product_news", "interview", "opinion", "explainer", "comment_thread",
    "news_headline", "first_paper_like", "title_score", "title_paper_like", "title_items", "short", "long",
    "article", "layout_label", "paper_and_prose", "title_and_prose", "rule_review", "paper_words", "question_title",
    "named_in_context",
)
CANDIDATE_FEATURES = (
    "k_line", "k_quoted", "k_lead_in", "k_label", "k_anchor", "k_id_prefix", "k_bibtex", "k_before_link",
    "k_leading", "k_dash", "k_name", "k_name_headline", "k_rule", "first", "near_top", "paper_like", "titled",
    "colon", "words_2_3", "words_long", "latin", "news", "sentence", "repeated", "next_author", "next_link",
    "next_prose", "layout_slot", "person", "one_word", "lower_start", "cyrillic",
)


def post_features(text: str, lines: list[str], *, paper: bool, labelled: bool, arxiv: bool, paper_links: int,
                  code: bool, article: bool, title_items: int, non_review: list[str]) -> dict[str, float]:
    """The post-level features (see :data:`POST_FEATURES`) of a post whose cleaned ``lines``
    join to ``text``; the link facts come from the caller, which found the paper link, and so do
    the ``non_review`` kinds the text declares (:func:`.lines.non_review_kinds`).
    ``title_score``/``title_paper_like``/``layout_label`` are set later (0 here)."""
    content = [ln.strip() for ln in lines if ln.strip()]
    head = content[:10]
    lost = any(len(ln) < 200 and ((len(ln) <= 40 and _LOST_LABEL.match(ln))
                                  or ln.rstrip(_LABEL_TAIL).casefold().endswith(_LOST_ENDS)) for ln in content[:80])
    folded = text[:3000].casefold()  # the vocabulary patterns are written in lower case: no IGNORECASE scans
    vocab = {w[:5] for w in _WORD.findall(folded) if w[:5] in _REVIEW_STEMS}
    vocab |= {w for w in _CJK_LEX if w in folded}
    mentions = len(_MENTION.findall(text, 0, 6000))
    first = content[0] if content else ""
    f = {
        "paper_link": float(paper), "paper_link_labelled": float(labelled), "arxiv_id": float(arxiv),
        "many_paper_links": float(paper_links >= 3), "lost_label": float(lost and not labelled),
        "code_link": float(code),
        "author_line": float(any(_BY_LINE.match(ln) or (("," in ln or "(" in ln) and len(ln) <= 200
                                                        and is_strong_author_line(ln)) for ln in head)),
        "affiliation": float(bool(_AFFILIATION.search(text[:3000]))),
        "hashtags": float("#" in text and bool(_HASHTAG.search(text))),
        "review_vocab": min(len(vocab), 6) / 6, "strong_phrase": float(any(p in folded for p in _STRONG)),
        "results": min(len(_PERCENT.findall(folded)) + len(_RESULT_WORDS.findall(folded)), 4) / 4,
        "news_headline": float(bool(first) and _news_headline(first)),
        "product_news": min(len(_PRODUCT.findall(folded, 0, 3000)), 3) / 3,
        "interview": float(bool(_INTERVIEW.search(folded, 0, 3000))),
        "opinion": float(bool(_OPINION.search(folded, 0, 3000))),
        "explainer": float(bool(_EXPLAINER.search(folded, 0, 3000))),
        "comment_thread": float(mentions >= 3 and len(content) >= 4),
        "first_paper_like": float(bool(first) and paper_title_like(first) and _titled_shape(first)),
        "title_score": 0.0, "title_paper_like": 0.0, "title_items": min(title_items, 2) / 2,
        "short": float(len(text) < 250), "long": min(math.log10(max(len(text), 10)) / 4, 1.0),
        "article": float(article), "layout_label": 0.0,
        # the rules recognition used before it weighed evidence, kept as evidence themselves
        "paper_and_prose": float(paper and _review_prose(text[:6000])),
        "paper_words": min(len(_PAPER_WORDS.findall(folded)), 5) / 5,
        "question_title": float(first.endswith("?")),
        "title_and_prose": float(bool(first) and paper_title_like(first) and _review_prose("\n".join(content[1:40]))),
    }
    names = {"advertisement": "ad", "job post": "job", "announcement": "announcement"}
    for kind, name in names.items():
        f[name] = float(kind in non_review)
    return f


def candidate_features(c: Candidate, lines: list[str], text_folded: str) -> dict[str, float]:
    """The features of one title candidate (see :data:`CANDIDATE_FEATURES`): how it was found,
    where it sits, its shape (a paper title's: title case or a colon, mostly Latin, 2–20 words,
    not a news headline or a sentence), whether the text repeats it (a page title printed as the
    headline too) and what follows its line (authors, a link, review prose)."""
    t = c.text
    words = len(t.split())
    letters, latin = _letters(t)
    nxt = ""
    for ln in lines[c.line + 1:c.line + 6]:
        if ln.strip():
            nxt = ln.strip()
            break
    key = " ".join(t.casefold().split())
    f = {f"k_{k}": 1.0 for k in c.kinds}
    f.update({
        "first": float(c.rank == 0), "near_top": 1.0 / (1 + c.rank),
        "paper_like": float(paper_title_like(t)), "titled": float(_titled_shape(t)), "colon": float(":" in t),
        "words_2_3": float(2 <= words <= 3), "words_long": float(words > 20),
        "latin": latin / letters if letters else 0.0,
        "news": float(_news_headline(t)), "sentence": float(t.rstrip()[-1:] in ".!?" or words > 25),
        "repeated": float(text_folded.count(key, 0, 20000) >= 2),
        "next_author": float(bool(nxt) and (bool(_BY_LINE.match(nxt)) or (
            ("," in nxt or "(" in nxt) and len(nxt) <= 300 and is_strong_author_line(nxt)))),
        "next_link": float(bool(nxt) and ("://" in nxt or bool(_LOST_LABEL.match(nxt)) or ex.is_hashtag_line(nxt))),
        "next_prose": float(len(nxt) >= 80), "layout_slot": 0.0,
        "one_word": float(words == 1), "lower_start": float(t[:1].islower()),
        "cyrillic": float(ex.has_cyrillic(t)),
        "person": float(2 <= words <= 4 and ":" not in t and all(w[:1].isupper() for w in t.split())
                        and len(ex.split_authors(t) or ()) == 1),
    })
    return f
