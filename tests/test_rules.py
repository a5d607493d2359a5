"""Field rules, decoding, normalization and the bundled manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from golden import load_golden, mismatches

from reviews_cli import extract as ex
from reviews_cli import textnorm as tn
from reviews_cli.errors import DumpError
from reviews_cli.parsing import detect_format, parse_text
from reviews_cli.parsing.text import decode
from reviews_cli.safe_text import clean

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("text, want", [
    ("1803.03635", "1803.03635"),
    ("arXiv:1803.03635v2", "1803.03635"),
    ("https://arxiv.org/abs/1803.03635v3", "1803.03635"),
    ("https://arxiv.org/pdf/1803.03635.pdf", "1803.03635"),
    ("https://arxiv.org/pdf/1803.03635v1", "1803.03635"),
    ("abs/2010.02502", "2010.02502"),
    ("hep-th/9901001", "hep-th/9901001"),
    ("https://arxiv.org/abs/math.GT/0309136v2", "math.GT/0309136"),
    ("0704.0001", "0704.0001"),
    ("1802.0595", None),  # 2018 ids have five digits
    ("1412.12345", None),  # 2014 ids have four
    ("1313.01234", None),  # no month 13
    ("version 3.14159", None),
])
def test_arxiv_ids(text, want):
    assert ex.parse_arxiv_id(text) == want


def test_arxiv_id_only_from_arxiv_urls():
    assert ex.arxiv_ids_in_url("https://example.com/1803.03635") is None
    assert ex.arxiv_ids_in_url("https://huggingface.co/papers/2401.04088") == "2401.04088"
    assert ex.arxiv_ids_in_url("https://www.alphaxiv.org/abs/2401.04088v2") == "2401.04088"
    assert ex.arxiv_ids_in_url("https://arxiv.org/abs/1803.03635") == "1803.03635"


@pytest.mark.parametrize("url, label, role", [
    ("https://github.com/salesforce/awd-lstm-lm", "Родной код на pytorch", "code"),
    ("https://gist.github.com/kylemcdonald/e8ca", "Неродной код", "code"),
    ("https://arxiv.org/abs/1708.02182", "Статья", "paper"),
    ("https://cvjena.github.io/cifair/", "Исправленный CIFAR, ciFAIR", "other"),
    ("https://example.org/x.pdf", "", "paper"),
    ("https://example.org/blog", "Статья", "paper"),
    ("https://example.org/blog", "Пара пересказов", "other"),
    ("https://huggingface.co/papers/2401.04088", "", "paper"),
    ("https://huggingface.co/google/gemma-2b", "", "other"),
    ("https://paperswithcode.com/paper/mixtral-of-experts", "", "paper"),
    ("https://paperswithcode.com/code/mixtral", "", "code"),
    ("https://ojs.aaai.org/index.php/AAAI/article/view/16826", "", "paper"),
    ("https://openreview.net/forum?id=YicbFdNTTy", "", "paper"),
])
def test_link_roles(url, label, role):
    assert ex.link_role(url, label) == role


def test_find_urls_strips_sentence_punctuation():
    text = "см. (из https://arxiv.org/abs/1806.03589) и http://groups.csail.mit.edu/vision/TinyImages/, и всё."
    assert ex.find_urls(text) == ["https://arxiv.org/abs/1806.03589", "http://groups.csail.mit.edu/vision/TinyImages/"]
    assert ex.find_urls("https://en.wikipedia.org/wiki/Rank_(linear_algebra).") == \
        ["https://en.wikipedia.org/wiki/Rank_(linear_algebra)"]


def test_hashtags():
    assert ex.hashtags("#CNN, #FFNN, #ICLR 2019") == ["CNN", "FFNN", "ICLR"]
    assert ex.hashtags("#LM #NLP #2018 #nlp") == ["LM", "NLP", "2018"]
    assert ex.hashtags("C# и https://x.org/page#anchor") == []
    assert ex.is_hashtag_line("#CNN, #FCN, #generalization, 2019")
    assert not ex.is_hashtag_line("#CNN это свёрточная сеть")
    assert ex.canonical_tag("#GAN") == ex.canonical_tag("gan") == "gan"


@pytest.mark.parametrize("line, authors", [
    ("Jonathan Frankle, Michael Carbin", ["Jonathan Frankle", "Michael Carbin"]),
    ("Conneau A. Lample G. Ranzato M. et.al.", ["Conneau A.", "Lample G.", "Ranzato M."]),
    ("George E. Dahl and Geoffrey E. Hinton", ["George E. Dahl", "Geoffrey E. Hinton"]),
    ("Quentin de Laroussilhe, Hervé Jégou", ["Quentin de Laroussilhe", "Hervé Jégou"]),
    ("Word Translation Without Parallel Data", None),
    ("Статья немного про природу вещей.", None),
    ("https://arxiv.org/abs/1", None),
])
def test_split_authors(line, authors):
    assert ex.split_authors(line) == authors


def test_author_line_with_affiliation():
    assert ex.author_line("Youngjoo Jo, Jongyoul Park (ETRI, South Korea)") == \
        (["Youngjoo Jo", "Jongyoul Park"], ["ETRI", "South Korea"])
    assert ex.affiliations_and_year("Université catholique de Louvain, Belgium, 2018") == \
        (["Université catholique de Louvain", "Belgium"], 2018)


def test_reviewer():
    r = ex.parse_reviewer("Алексей (в слэке Arech)")
    assert (r.name, r.handle) == ("Алексей", "Arech")
    r = ex.parse_reviewer("Александр Денисенко (в слэке Alexander Denisenko)")
    assert (r.name, r.handle) == ("Александр Денисенко", "Alexander Denisenko")


def test_reaction_and_caption_lines():
    assert ex.is_reaction_line("🔥7") and ex.is_reaction_line("👍 12 ❤️ 3")
    assert not ex.is_reaction_line("2019") and not ex.is_reaction_line("1) шаг")
    assert ex.is_caption_like("Face editing")
    assert not ex.is_caption_like("Следите за своими датасетами.")


# ------------------------------------------------------------------------------- decoding

TEXT = "Заголовок\nтекст — «ёлка»\n"


@pytest.mark.parametrize("data", [
    TEXT.encode("utf-8"),
    b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
    TEXT.encode("utf-16"),  # with BOM
    TEXT.encode("utf-16-be").join([b"\xfe\xff", b""]),
    TEXT.encode("cp1251"),
    TEXT.replace("\n", "\r\n").encode("utf-8"),
    TEXT.replace("\n", "\r").encode("utf-8"),
])
def test_decode_encodings_and_line_ends(data):
    assert decode(data) == TEXT


def test_decode_refuses_nul_without_bom():
    with pytest.raises(DumpError, match="binary"):
        decode(TEXT.encode("utf-16-le"))


def test_separators_inside_a_post_do_not_split_it():
    text = decode("a\x1cb\x85c\u2028d\ne".encode("utf-8"))
    assert text.split("\n") == ["a\x1cb\x85c\u2028d", "e"]


# ---------------------------------------------------------------------------- normalization

def test_normalization_is_the_same_for_index_and_query():
    assert tn.words("Ёлка ЁЛКА ёлка") == ["елка"] * 3
    cyr, lat = tn.words("О(sqrt(N))"), tn.words("O(sqrt(N))")
    assert cyr in tn.lookalike_variants(lat) and lat in tn.lookalike_variants(cyr)
    assert tn.words("Тeлo нейрoсеть Pyтorch") == ["тело", "нейросеть", "pytorch"]
    assert tn.words("GAN-преобразования") == ["gan", "преобразования"]
    assert tn.words("Jégou") == ["jegou"] and tn.words("йогурт") == ["йогурт"]
    assert tn.stem("networks") == tn.stem("network")
    assert tn.stem("лотерейного").startswith(tn.stem("лотереи"))
    assert tn.arxiv_token("1803.03635") == "ax1803x03635" and tn.tag_token("#GAN") == "tggan"


def test_clean_neutralizes_controls_and_bidi():
    assert clean("a\x1b[31mb\u202ec\x07") == "a\\x1b[31mb\\u202ec\\x07"
    assert clean("line\nnext\ttab") == "line\nnext\ttab"


# --------------------------------------------------------------------------- formats, manifest

def test_manifest_matches_dumps_and_detected_formats():
    manifest = yaml.safe_load((ROOT / "data" / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    assert sorted(e["file"].split("/")[-1] for e in manifest) == sorted(p.name for p in (ROOT / "data" / "dumps").iterdir())
    for e in manifest:
        assert {"file", "format", "origin", "language"} <= set(e)
        text = decode((ROOT / "data" / e["file"]).read_bytes())
        assert detect_format(text) == e["format"], e["file"]


def test_format_is_sniffed_from_content_not_name(tmp_path):
    src = (ROOT / "data" / "dumps" / "habr_ods_article_essense_2019_q3.txt").read_text(encoding="utf-8")
    assert len(parse_text(src, "whatever.json").reviews) == 9


def test_channel_parser_needs_no_known_titles():
    text = (
        "Some Paper On Graphs\nAlice Smith, Bob Jones\nACME Research\n\nСтатья: https://arxiv.org/abs/2101.00001\n\n"
        "#graphs\n\nОбзор первой статьи.\n1) пункт\n2) пункт\n🔥3\nFigure one\n"
        "Another Paper: Sequel\nCarol White\n(Some University)\nhttps://arxiv.org/abs/2102.00002\n#seq #ICLR 2021\n"
        "Текст второй, ссылается на https://arxiv.org/abs/2001.00003.\n"
    )
    res = parse_text(text, "x.txt")
    assert [r.title for r in res.reviews] == ["Some Paper On Graphs", "Another Paper: Sequel"]
    first, second = res.reviews
    assert first.arxiv_id == "2101.00001" and first.affiliations == ("ACME Research",)
    assert "Figure one" not in first.body and "🔥3" not in first.body and "2) пункт" in first.body
    assert second.arxiv_id == "2102.00002" and second.authors == ("Carol White",)
    assert second.affiliations == ("Some University",) and second.year == 2021
    assert second.tags == ("seq", "ICLR")


def test_golden_comparison_can_fail():
    exp = load_golden()["reviews"][0]
    rec = {"title": exp["title"], "authors": ["Jonathan Frankle"], "affiliations": [], "arxiv_id": "1712.05902",
           "tags": ["CNN"], "links": [], "paper_url": None, "year": None, "reviewer": None,
           "body": "🔥7 Regularizing and Optimizing", "sources": []}
    bad = mismatches(exp, rec, library=True)
    assert len(bad) >= 7


def test_mostly_utf8_stays_utf8_with_bad_bytes_counted(tmp_path):
    from reviews_cli.parsing.text import decode_dump

    text = "Статья немного про природу вещей. Рассматривают dense feed-forward сети. " * 40
    data = text[:40].encode() + b"\xff" + text[40:200].encode() + b"\xfe\x80" + text[200:].encode() + b"\xc3"
    d = decode_dump(data)
    assert d.encoding == "utf-8" and d.replaced == 4 and d.note() == "4 invalid byte sequence(s) replaced"
    assert "Рассматривают" in d.text and d.text.count("\ufffd") == 4  # not cp1251 mojibake


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r"])
def test_legacy_encodings_chosen_by_the_detector(encoding, tmp_path):
    from reviews_cli.parsing.text import decode_dump

    text = "Статья немного про природу вещей. Рассматривают полносвязные сети и свёрточные. " * 20
    d = decode_dump(text.encode(encoding))
    assert d.text == text and d.encoding == encoding and d.note() == f"decoded as {encoding}"


def test_decoding_is_reported_by_parse_and_add(tmp_path):
    from click.testing import CliRunner

    from reviews_cli.cli import main

    good = (ROOT / "data" / "dumps" / "gonzo_ml_channel_page_2.txt").read_bytes()
    p = tmp_path / "damaged.txt"
    cut = good.index(b"\n", 3000) + 1
    p.write_bytes(good[:cut] + b"\xff\xff" + good[cut:])
    res = CliRunner().invoke(main, ["parse", str(p)])
    assert res.exit_code == 0 and "2 invalid byte sequence(s) replaced" in res.stderr
    res = CliRunner().invoke(main, ["add", "--json", str(p)])
    assert res.exit_code == 0
    assert json.loads(res.stdout)[0]["notes"] == ["2 invalid byte sequence(s) replaced"]
