"""Builders of small dumps in the exact shapes the real tools write: Telegram Desktop JSON and
HTML exports, a saved t.me/s page, saved Habr pages. The lottery-ticket post is taken from the
bundled channel page, so the same post reaches the library through several formats."""

from __future__ import annotations

import html
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE1 = (ROOT / "data" / "dumps" / "gonzo_ml_channel_page_1.txt").read_text(encoding="utf-8")

TITLE = "The Lottery Ticket Hypothesis: Finding Sparse, Trainable Neural Networks"
BODY = PAGE1[PAGE1.index("Статья немного про природу вещей"):PAGE1.index("\n🔥7")]
HEAD = f"{TITLE}\nJonathan Frankle, Michael Carbin\nCSAIL MIT\n\n"
TAGS = ["#CNN", "#FFNN", "#optimization", "#pruning", "#ICLR"]

# A second, different review of the lottery-ticket paper from another channel, as a copied page:
# it must stay a record of its own beside the bundled one.
SECOND_LOTTERY_REVIEW = """Другой канал – Telegram
The Lottery Ticket Hypothesis: Finding Sparse, Trainable Neural Networks
Jonathan Frankle, Michael Carbin
MIT

Paper: https://arxiv.org/abs/1803.03635v3

#pruning

Совсем другой обзор той же статьи: здесь автор спорит с выводами про ранний pruning и считает,
что эффект пропадает на больших датасетах вроде ImageNet без rewinding к ранней итерации.
"""

ANNOUNCEMENT = "Друзья, завтра в 19:00 стрим про NeurIPS! Ссылка будет тут."
BIOBERT_TITLE = "BioBERT: a pre-trained biomedical language representation model for biomedical text mining"
BIOBERT_BODY = "Работа из серии «давайте прикрутим BERT ещё к какой-нибудь задаче». Использовали NSML."


def lottery_entities() -> list:
    """The lottery post as Telegram Desktop's ``text`` list: the paper link hidden behind the
    word «Статья» (a ``text_link``), hashtags as entities, the body as plain text."""
    parts: list = [HEAD, {"type": "text_link", "text": "Статья", "href": "https://arxiv.org/abs/1803.03635"}, "\n\n"]
    for k, tag in enumerate(TAGS):
        parts.append({"type": "hashtag", "text": tag})
        parts.append(", " if k < len(TAGS) - 1 else " 2019\n\n")
    parts.append(BODY)
    return parts


def _entities(parts: list) -> list:
    return [{"type": "plain", "text": p} if isinstance(p, str) else p for p in parts]


def json_message(mid: int, parts, unixtime: int, **extra) -> dict:
    text = parts
    return {
        "id": mid, "type": "message", "date": "2019-01-06T18:41:07", "date_unixtime": str(unixtime),
        "from": "gonzo-обзоры ML статей", "from_id": "channel1326244470", **extra,
        "text": text, "text_entities": _entities([text] if isinstance(text, str) else text),
    }


def channel_json(messages: list | None = None) -> dict:
    """A single-channel ``result.json`` as Telegram Desktop writes it."""
    return {
        "name": "gonzo-обзоры ML статей", "type": "public_channel", "id": 1326244470,
        "messages": messages if messages is not None else default_messages(),
    }


def default_messages() -> list:
    return [
        {"id": 1, "type": "service", "date": "2018-12-11T14:30:02", "date_unixtime": "1544527802",
         "actor": "gonzo-обзоры ML статей", "actor_id": "channel1326244470", "action": "create_channel",
         "title": "gonzo-обзоры ML статей", "text": "", "text_entities": []},
        json_message(20, ANNOUNCEMENT, 1546700000),
        json_message(21, lottery_entities(), 1546789267,
                     photo="(File not included. Change data exporting settings to download.)", width=800, height=600,
                     reactions=[{"type": "emoji", "count": 7, "emoji": "🔥"}]),
        json_message(22, [
            {"type": "text_link", "text": BIOBERT_TITLE, "href": "https://arxiv.org/abs/1901.08746"},
            "\nJinhyuk Lee, Wonjin Yoon, Sungdong Kim\n\n",
            "Код: ", {"type": "link", "text": "https://github.com/dmis-lab/biobert"},
            "\n\n" + BIOBERT_BODY + " Подробнее про NSML ",
            {"type": "text_link", "text": "тут", "href": "https://arxiv.org/abs/1712.05902"}, ".",
        ], 1546800000),
        {"id": 23, "type": "message", "date": "2019-01-07T10:00:00", "date_unixtime": "1546855200",
         "from": "gonzo-обзоры ML статей", "from_id": "channel1326244470",
         "poll": {"question": "Какую статью разобрать?", "closed": False, "total_voters": 10,
                  "answers": [{"text": "BERT", "voters": 6, "chosen": False}]},
         "text": "", "text_entities": []},
        json_message(24, "", 1546900000, photo="photos/photo_1.jpg", width=10, height=10),
    ]


def write_json(path: Path, data: dict, telegram_escapes: bool = False) -> Path:
    """Write as Telegram Desktop does (UTF-8, one-space indent). With ``telegram_escapes``,
    control characters are written as ``\\xNN``, as Telegram Desktop is known to."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    if telegram_escapes:
        text = text.replace("\\u0007", "\\x07").replace("\\u001b", "\\x1b").replace("\\u0001", "\\x01")
    path.write_text(text, encoding="utf-8")
    return path


def account_json() -> dict:
    """A full-account export: chats under ``chats.list``, a channel among personal chats."""
    return {
        "about": "Here is the data you requested.",
        "personal_information": {"user_id": 1, "first_name": "Ann", "last_name": "", "phone_number": "+0"},
        "chats": {"about": "This page lists all chats from this export.", "list": [
            {"name": "Mom", "type": "personal_chat", "id": 42, "messages": [json_message(1, "привет", 1546000000)]},
            {**channel_json(), "type": "public_channel"},
            {"name": "Другой канал", "type": "private_channel", "id": 7, "messages": [
                json_message(5, [f"{BIOBERT_TITLE}\nJinhyuk Lee, Wonjin Yoon\n\n",
                                 {"type": "text_link", "text": "Paper", "href": "https://arxiv.org/abs/1901.08746"},
                                 "\n\nСовсем другой обзор: авторы дообучили BERT на PubMed и PMC, сравнение с "
                                 "ELMo неполное, а выигрыш на NER скромный."], 1550000000)]},
        ]},
    }


# ----------------------------------------------------------------------------- HTML export

def _html_text(parts: list) -> str:
    out = []
    for p in parts:
        if isinstance(p, str):
            out.append(html.escape(p).replace("\n", "<br>"))
        elif p["type"] == "text_link":
            out.append(f'<a href="{html.escape(p["href"])}">{html.escape(p["text"])}</a>')
        elif p["type"] == "hashtag":
            tag = p["text"][1:]
            out.append(f'<a href="" onclick="return ShowHashtag(&quot;{tag}&quot;)">{html.escape(p["text"])}</a>')
        elif p["type"] == "link":
            out.append(f'<a href="{html.escape(p["text"])}">{html.escape(p["text"])}</a>')
        else:
            out.append(html.escape(p["text"]))
    return "".join(out)


def export_html_page(messages: list[tuple[int, list | str, str]], service: list[int] = ()) -> str:
    """A ``messages.html`` page of a Telegram Desktop HTML export."""
    blocks = []
    for mid in service:
        blocks.append(f'<div class="message service" id="message-{mid}"><div class="body details">'
                      f'Channel «gonzo-обзоры ML статей» created</div></div>')
    for k, (mid, parts, title) in enumerate(messages):
        joined = " joined" if k else ""
        name = "" if k else '<div class="from_name">gonzo-обзоры ML статей</div>'
        text = _html_text([parts] if isinstance(parts, str) else parts)
        blocks.append(f'''<div class="message default clearfix{joined}" id="message{mid}">
<div class="pull_left userpic_wrap"><div class="userpic userpic2" style="width: 42px; height: 42px"></div></div>
<div class="body">
<div class="pull_right date details" title="{title}">18:41</div>
{name}
<div class="media_wrap clearfix"><a class="photo_wrap clearfix pull_left" href="photos/photo_1.jpg"></a></div>
<div class="text">
{text}
</div>
<span class="reactions"><span class="reaction"><span class="emoji">🔥</span><span class="count">7</span></span></span>
</div>
</div>''')
    return f'''<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8"/>
<title>Exported Data</title>
<link href="css/style.css" rel="stylesheet"/>
</head>
<body onload="CheckLocation();">
<div class="page_wrap">
<div class="page_header"><div class="content"><div class="text bold">gonzo-обзоры ML статей</div></div></div>
<div class="page_body chat_page"><div class="history">
{chr(10).join(blocks)}
</div></div>
</div>
</body>
</html>
'''


# ------------------------------------------------------------------------- saved t.me/s page

def tgme_page() -> str:
    """A saved ``https://t.me/s/gonzo_ML`` page: the lottery post, a reply quoting it, a
    forwarded post, reactions and views."""
    lottery = _html_text(lottery_entities()).replace(
        'href="" onclick="return ShowHashtag(&quot;', 'href="?q=%23').replace('&quot;)"', '"')

    def wrap(post, inner, extra=""):
        return f'''<div class="tgme_widget_message_wrap js-widget_message_wrap">
<div class="tgme_widget_message text_not_supported_wrap js-widget_message" data-post="{post}" data-view="x">
<div class="tgme_widget_message_bubble">
<div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name" href="https://t.me/gonzo_ML"><span dir="auto">gonzo-обзоры ML статей</span></a></div>
{extra}
<div class="tgme_widget_message_text js-message_text" dir="auto">{inner}</div>
<div class="tgme_widget_message_reactions js-message_reactions"><span class="tgme_reaction"><i class="emoji"><b>🔥</b></i>7</span></div>
<div class="tgme_widget_message_footer compact js-message_footer"><div class="tgme_widget_message_info short js-message_info">
<span class="tgme_widget_message_views">3.2K</span><span class="copyonly"> views</span>
<span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" href="https://t.me/{post}"><time datetime="2019-01-06T15:41:07+00:00" class="time">15:41</time></a></span>
</div></div>
</div></div></div>'''

    reply = ('<a class="tgme_widget_message_reply" href="https://t.me/gonzo_ML/21"><div class="tgme_widget_message_author">'
             '<span class="tgme_widget_message_author_name">gonzo-обзоры ML статей</span></div>'
             '<div class="tgme_widget_message_text js-message_reply_text" dir="auto">The Lottery Ticket Hypothesis: '
             'Finding Sparse, Trainable Neural Networks Jonathan Frankle…</div></a>')
    forwarded = ('<div class="tgme_widget_message_forwarded_from accent_color">Forwarded from '
                 '<a class="tgme_widget_message_forwarded_from_name" href="https://t.me/other">Other channel</a></div>')
    word_translation = ('Word Translation Without Parallel Data<br/>Conneau A. Lample G. Ranzato M. et.al.<br/>'
                        'Facebook AI Research<br/>статья: <a href="https://arxiv.org/abs/1710.04087">'
                        'https://arxiv.org/abs/1710.04087</a><br/><br/>Пусть у нас есть два корпуса на разных языках.')
    return f'''<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>gonzo-обзоры ML статей – Telegram</title></head>
<body class="widget_frame_base tgme_webpreview_body"><main class="tgme_main"><section class="tgme_channel_history js-message_history">
{wrap("gonzo_ML/21", lottery)}
{wrap("gonzo_ML/25", "Продолжение про лотерейные билеты: смотрите комментарии.", reply)}
{wrap("gonzo_ML/26", word_translation, forwarded)}
</section></main></body></html>
'''


# ------------------------------------------------------------------------------ Habr pages

HABR_SECTIONS = [
    ("Layer rotation: a surprisingly powerful indicator of generalization in deep networks?",
     "Simon Carbonnelle, Christophe De Vleeschouwer (Université catholique de Louvain, Belgium, 2018)",
     "https://arxiv.org/abs/1806.01603", "Святослав Скоблов (в слэке error_derivative)",
     ["В данной статье авторы обратили внимание на cosine distance между весами слоя.",
      ["Vanilla SGD Выяснилось, что поведение весов совпадает с гипотезой.", "SGD + weight decay улучшил картинку."]]),
    ("RoBERTa: A Robustly Optimized BERT Pretraining Approach",
     "Yinhan Liu, Myle Ott, Naman Goyal (University of Washington, Facebook AI, 2019)",
     "https://arxiv.org/abs/1907.11692", "Артем Родичев (в слэке fuckai)",
     ["Драматически подняли качество BERT.", ["Увеличили корпус.", "Динамический маскинг."],
      "Код в fairseq."]),
]


def _habr_body(old: bool) -> str:
    toc = "".join(f"<li>{html.escape(t)} ({html.escape(a.split('(')[1][:-1])})</li>" for t, a, *_ in HABR_SECTIONS)
    parts = ["<p>Привет, Хабр! Продолжаем публиковать рецензии на научные статьи.</p>",
             f"<p>Статьи на сегодня:</p><ol>{toc}</ol>"]
    for k, (title, authors, href, reviewer, body) in enumerate(HABR_SECTIONS, start=1):
        parts.append(f"<h2>{k}. {html.escape(title)}</h2>")
        parts.append(f"<p>Авторы статьи: {html.escape(authors)}<br>→ <a href=\"{href}\">Оригинал статьи</a><br>"
                     f"Автор обзора: {html.escape(reviewer)}</p>")
        for b in body:
            if isinstance(b, list):
                parts.append("<ol>" + "".join(f"<li>{html.escape(x)}</li>" for x in b) + "</ol>")
            else:
                parts.append(f"<p>{html.escape(b)}</p>")
    return "\n".join(parts)


def habr_page(old: bool = False) -> str:
    """A saved Habr article, in the current ``tm-*`` markup or the older ``post__text`` one."""
    title = "Рубрика «Читаем статьи за вас». Июль — Сентябрь 2019"
    url = "https://habr.com/ru/company/ods/blog/470300/"
    footer = ('<div class="tm-article-presenter__footer"><div class="tm-article-rating">144,93</div>'
              '<a class="tm-article-comments-counter-link">Комментарии 0</a></div>')
    if old:
        return f'''<!DOCTYPE html><html lang="ru"><head><meta charset="UTF-8"><title>{title} / Хабр</title>
<link href="{url}" rel="canonical"></head><body><div class="layout">
<article class="post post_full"><div class="post__wrapper"><header class="post__meta">
<span class="post__time" data-time_published="2019-10-09T09:00Z">9 октября 2019 в 12:00</span></header>
<h1 class="post__title post__title_full"><span class="post__title-text">{title}</span></h1>
<div class="post__body post__body_full"><div class="post__text post__text-html post__text_v1" id="post-content-body">
{_habr_body(True)}
</div></div></div></article><div class="company-info">Open Data Science</div></div></body></html>'''
    return f'''<!DOCTYPE html><html lang="ru"><head><meta charset="UTF-8"><title>{title} / Хабр</title>
<link href="{url}" rel="canonical"><meta property="og:url" content="{url}"></head>
<body><div id="app"><div class="tm-layout"><main class="tm-layout__container">
<div class="tm-article-presenter"><article class="tm-article-presenter__content tm-article-presenter__content_narrow">
<div class="tm-article-presenter__header"><div class="tm-article-snippet">
<span class="tm-article-datetime-published"><time datetime="2019-10-09T09:00:00.000Z" title="2019-10-09, 12:00">9 окт 2019</time></span>
<h1 class="tm-title tm-title_h1" lang="ru"><span>{title}</span></h1></div></div>
<div class="tm-article-body" id="post-content-body"><div class="article-formatted-body article-formatted-body article-formatted-body_version-1">
<div xmlns="http://www.w3.org/1999/xhtml">{_habr_body(False)}</div></div></div>
</article>{footer}</div></main></div></div></body></html>'''


# --------------------------------------------------------------- a whole channel, real size

_T_A = ("Efficient Scalable Robust Sparse Deep Unsupervised Self-Supervised Contrastive Generative Hierarchical "
        "Adaptive Implicit Differentiable Probabilistic Bayesian Recurrent Convolutional Equivariant Causal").split()
_T_B = "Transformers Networks Representations Embeddings Autoencoders Priors Attention Distillation Retrieval Flows".split()
_T_C = ["Image Classification", "Language Modeling", "Machine Translation", "Speech Recognition", "Object Detection",
        "Reinforcement Learning", "Few-Shot Learning", "Question Answering", "Protein Folding", "Video Understanding"]
_SYL = "ta re on in er an st al de co ma pro ti ne ra ve li na or ex".split()
_FIRST = "Alex Maria Ivan Olga John Wei Yann Ilya Sergey Anna Pieter Kaiming Oriol Quoc Diederik Noam Ashish".split()
_LAST = "Smith Ivanov Petrova Chen Wang Zhang Kim Lee Sutskever Hinton Bengio Abbeel Girshick Vinyals Kingma".split()
_AFFIL = ["Google Research", "DeepMind", "Facebook AI Research", "OpenAI", "MIT", "Stanford University", "Yandex",
          "Microsoft Research", "Tsinghua University", "Skoltech", "University of Toronto"]
_TAGS = ["CV", "NLP", "RL", "GAN", "transformer", "optimization", "pruning", "distillation", "ICLR", "NeurIPS", "ICML"]
_RU = ("в и на не что с по для это как из от модель сеть авторы статья обучение данные метод работа результат "
       "задача качество подход предлагают показывают нейронная слой веса градиенты выборка архитектура эксперимент "
       "оптимизация функция потерь точность признаки представления генерация текст перевод внимание трансформер "
       "attention BERT dropout pretraining fine-tuning contrastive loss SGD Adam ImageNet GLUE «лотерейные» "
       "билеты — забавно, довольно важно: 2–3 раза 😀 🔥").split()


def review_message(rng, mid: int, unixtime: int) -> tuple[dict, dict]:
    """One review post of a generated channel, as Telegram Desktop writes it, and what a reader
    must get from it: ``{"title", "authors", "tags", "date"}`` (date as ISO UTC)."""
    from datetime import datetime, timezone

    title = f"{rng.choice(_T_A)} {rng.choice(_T_B)} for {rng.choice(_T_C)} via " \
            f"{''.join(rng.choice(_SYL) for _ in range(3)).capitalize()}{mid}"
    if rng.random() < 0.3:
        title = f"{rng.choice(_T_B)}: {title}"
    authors = [f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(rng.randint(1, 5))]
    tags = rng.sample(_TAGS, rng.randint(1, 4))
    aid = f"{rng.randint(15, 24):02d}{rng.randint(1, 12):02d}.{rng.randint(0, 99999):05d}"

    def prose(k: int) -> str:
        words = [rng.choice(_RU) for _ in range(k)]
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."

    head = f"{title}\n{', '.join(authors)}\n{', '.join(rng.sample(_AFFIL, rng.randint(1, 2)))}\n\n"
    body = "\n\n".join(prose(rng.randint(20, 45)) for _ in range(rng.randint(2, 3)))
    if rng.random() < 0.05:
        body += "\n\nВ исходнике: \u0007звонок\u001b и таб\tтут."  # control characters, escaped in the JSON
    if rng.random() < 0.5:
        parts: list = [head, {"type": "text_link", "text": "Статья", "href": f"https://arxiv.org/abs/{aid}"}, "\n\n"]
    else:
        parts = [head + "Статья: ", {"type": "link", "text": f"https://arxiv.org/abs/{aid}"}, "\n\n"]
    for k, tag in enumerate(tags):
        parts += [{"type": "hashtag", "text": "#" + tag}, " " if k < len(tags) - 1 else "\n\n"]
    parts.append(body)
    extra = {"reactions": [{"type": "emoji", "count": rng.randint(1, 300), "emoji": rng.choice("🔥👍🤔")}]}
    if rng.random() < 0.3:
        extra["photo"] = f"photos/photo_{mid}@06-01-2019_18-41-07.jpg"
    msg = json_message(mid, parts, unixtime, **extra)
    msg["date"] = datetime.fromtimestamp(unixtime).strftime("%Y-%m-%dT%H:%M:%S")
    date = datetime.fromtimestamp(unixtime, tz=timezone.utc).isoformat()
    return msg, {"title": title, "authors": authors, "tags": tags, "date": date}


def write_review_channel(path: Path, n: int, ensure_ascii: bool = False, seed: int = 1,
                         other_every: int = 10) -> list[dict]:
    """Write a ``result.json`` of one channel with ``n`` review posts, and one other message
    (service, poll, announcement, photo only) after every ``other_every``-th, exactly as
    ``json.dump(..., ensure_ascii=ensure_ascii, indent=1)`` writes it, streamed (a 100 MB
    export never sits in memory). Returns the expected records, in order."""
    import random

    rng = random.Random(seed)
    expected = []
    head = json.dumps({"name": "gonzo-обзоры ML статей", "type": "public_channel", "id": 1326244470, "messages": []},
                      ensure_ascii=ensure_ascii, indent=1)
    assert head.endswith('"messages": []\n}')
    with open(path, "w", encoding="utf-8") as f:
        f.write(head[:-len("]\n}")])
        mid, t = 1, 1546300000
        for k in range(n):
            msg, exp = review_message(rng, mid, t)
            expected.append(exp)
            msgs = [msg]
            if other_every and k % other_every == other_every - 1:
                msgs.append([
                    {"id": mid + 1, "type": "service", "date": "2019-01-01T00:00:00", "date_unixtime": str(t + 1),
                     "actor": "gonzo-обзоры ML статей", "actor_id": "channel1326244470", "action": "pin_message",
                     "message_id": mid, "text": "", "text_entities": []},
                    json_message(mid + 1, ANNOUNCEMENT, t + 1),
                    json_message(mid + 1, "", t + 1, photo="photos/photo_1.jpg", width=10, height=10),
                ][k // other_every % 3])
            for m in msgs:
                text = json.dumps(m, ensure_ascii=ensure_ascii, indent=1)
                f.write(("\n" if mid == 1 else ",\n") + "\n".join("  " + line for line in text.split("\n")))
                mid += 1
            t += rng.randint(600, 200000)
        f.write("\n ]\n}")
    return expected
