"""``-tag:``, ``-source:``, ``-author:``, ``-reviewer:``, ``-year:`` exclude what the filter
without ``-`` keeps, in search (lexical and the filtered records hybrid search embeds within)
and export, on the bundled corpus."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from reviews_cli.cli import main


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def found(*query):
    """``(total, hits)`` of ``reviews search --json --limit 500 QUERY``."""
    res = run("search", "--json", "--limit", "500", *query)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    return data["total"], data["hits"]


def ids(hits):
    return {h["id"] for h in hits}


def tags(hit):
    return {t.casefold() for t in hit["tags"]}


EVERYTHING = "-year:1000"  # excludes nothing: a query of one excluding filter lists every review


@pytest.mark.parametrize("word, flt, keeps", [
    ("GAN", "tag:GAN", lambda h: "gan" in tags(h)),
    ("network", "year:2019", lambda h: h["year"] == 2019),
    ("network", "year:2019..2020", lambda h: h["year"] in (2019, 2020)),
    ("network", "source:habr", lambda h: "habr" in json.dumps(h["sources"], ensure_ascii=False).casefold()),
    ("network", "author:Hinton", lambda h: any("hinton" in a.casefold() for a in h["authors"])),
    ("network", "reviewer:Скоблов", lambda h: "скоблов" in json.dumps(h["reviewer"], ensure_ascii=False).casefold()),
])
def test_negated_filter_excludes_what_the_filter_keeps(word, flt, keeps):
    n_all, every = found(word)
    n_pos, pos = found(word, flt)
    n_neg, neg = found(word, "-" + flt)
    assert n_pos > 0 and n_neg > 0
    # the two split the word's matches: none in both, none lost
    assert ids(pos).isdisjoint(ids(neg))
    assert ids(pos) | ids(neg) == ids(every)
    assert n_pos + n_neg == n_all
    if keeps:
        assert all(keeps(h) for h in pos)
        assert not any(keeps(h) for h in neg)


def test_lottery_without_a_tag():
    """The issue's example: ``lottery -tag:GAN`` keeps the lottery review (not tagged #GAN);
    ``-tag:pruning`` (its tag) leaves nothing."""
    _, hits = found("lottery", "-tag:GAN")
    assert hits and hits[0]["title"].startswith("The Lottery Ticket Hypothesis")
    res = run("search", "--json", "lottery", "-tag:pruning")
    assert res.exit_code == 1 and json.loads(res.stdout)["hits"] == []


def test_only_excluding_filters_filter_everything():
    n_every, _ = found(EVERYTHING)
    n_gan, _ = found("tag:GAN")
    n_not, not_gan = found("-tag:GAN")
    assert n_gan > 0 and n_not + n_gan == n_every
    assert not any("gan" in tags(h) for h in not_gan)
    n_both, both = found("-tag:GAN", "-year:2019")
    assert 0 < n_both < n_not and not any("gan" in tags(h) or h["year"] == 2019 for h in both)


def test_excluding_several_values_of_one_field():
    _, hits = found("network", "-year:2019", "-year:2020", "-tag:GAN", "-tag:CNN")
    assert hits
    assert not any(h["year"] in (2019, 2020) or tags(h) & {"gan", "cnn"} for h in hits)


NO_YEAR = ("CheeseNet: Learning to Age Gouda\nAnn Lee, Bo Chen\n\n"
           "Авторы предсказывают, как созревает сыр в погребе: по фотографиям срезов головки и "
           "влажности воздуха сеть говорит, через сколько недель сыр будет готов. Сыровары "
           "ошибаются чаще модели.\n")


def test_a_record_without_a_year_is_not_excluded_by_a_year(tmp_path):
    dump = tmp_path / "cheese.txt"
    dump.write_text(NO_YEAR, encoding="utf-8")
    assert run("add", str(dump)).exit_code == 0
    _, hits = found("Gouda")
    assert [h["year"] for h in hits] == [None]
    assert ids(found("Gouda", "-year:2019")[1]) == ids(hits)
    assert run("search", "Gouda", "year:2019").exit_code == 1


def test_negated_filter_still_needs_a_value():
    res = run("search", "lottery", "-tag:")
    assert res.exit_code == 2 and "tag: needs a value" in res.output
    assert "Traceback" not in res.output


def test_only_excluded_words_are_still_a_usage_error():
    res = run("search", "-lottery")
    assert res.exit_code == 2 and "only excludes words" in res.output


def test_export_honours_negated_filters():
    res = run("export", "--format", "json", "tag:GAN")
    gan = {r["id"] for r in json.loads(res.stdout)}
    res = run("export", "--format", "json", "-tag:GAN")
    assert res.exit_code == 0, res.output
    rest = json.loads(res.stdout)
    assert rest and gan.isdisjoint({r["id"] for r in rest})
    assert not any("gan" in {t.casefold() for t in r["tags"]} for r in rest)
    n_every, _ = found(EVERYTHING)
    assert len(gan) + len(rest) == n_every


def test_filtered_records_for_search_by_meaning_leave_out_the_excluded():
    """Hybrid and semantic search embed only within ``filtered_rids``."""
    from reviews_cli.library import Library
    from reviews_cli.search.query import Query
    from reviews_cli.search.search import Searcher

    with Library.open() as lib:
        s = Searcher(lib.conn)
        every = s.filtered_rids(Query.parse(EVERYTHING))
        gan = s.filtered_rids(Query.parse("tag:GAN"))
        rest = s.filtered_rids(Query.parse("-tag:GAN"))
        assert gan and rest and gan.isdisjoint(rest) and gan | rest == every
        hinton = s.filtered_rids(Query.parse("author:Hinton"))
        assert hinton and s.filtered_rids(Query.parse("-author:Hinton")) == every - hinton
