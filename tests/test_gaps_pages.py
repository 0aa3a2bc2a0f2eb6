"""The gaps queue page: searches that found nothing and searches marked 未解决, grouped by their words
after synonyms, ranked by frequency, each with a prefilled "起草FAQ"."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from kb.reports.querylog import QueryLog
from tests.web_helpers import client_as, csrf_token, post_form  # noqa: F401  (fixture)


@pytest.fixture
def library(app, import_tax):
    from webapp import search_index

    import_tax("税收征收管理法(2015-04-24).md")
    search_index.rebuild(app)


def _submit(client, query):
    """A search the agent submits (Enter): written to the query log."""
    return client.get("/search.json", query_string={"q": query, "log": "1"}).get_json()


def _log(app):
    with app.extensions["kb_storage"].session_factory() as session:
        return session.scalars(select(QueryLog).order_by(QueryLog.id)).all()


def test_gaps_are_grouped_ranked_and_drafted_in_one_click(app, client_as, library):
    agent = client_as("agent")
    for query in ("烟叶 收购", "烟叶收购", "烟叶 收购", "收购 烟叶？", "船舶吨税", "船舶吨税"):
        assert _submit(agent, query)["results"] == [], query
    agent.get("/search.json", query_string={"q": "烟叶"})  # typing, not submitted: not logged
    found = _submit(agent, "延期申报")
    assert found["results"]
    page = agent.get("/search", query_string={"q": "延期申报"}).text
    assert 'id="unresolved"' in page
    token = csrf_token(page)
    response = agent.post("/faq/unresolved", data={"q": "延期申报", "count": "5", "csrf_token": token})
    assert response.status_code == 200 and "未解决" in response.get_json()["message"]
    assert agent.post("/faq/unresolved", data={"q": " ", "csrf_token": token}).status_code == 400
    log = _log(app)
    assert [row.query for row in log].count("延期申报") == 1  # the submitted search was flagged, not repeated
    assert [row.unresolved for row in log if row.query == "延期申报"] == [True]

    director = client_as("director")
    page = director.get("/faq/gaps").text
    rows = page.split('<tbody>')[1].split("</tr>")
    assert "烟叶 收购" in rows[0] and ">4<" in rows[0] and "烟叶收购" in rows[0]  # three wordings, one gap
    assert "船舶吨税" in rows[1] and ">2<" in rows[1]
    assert "延期申报" in rows[2] and ">1<" in rows[2]
    link = rows[0].split('href="')[1].split('"')[0].replace("&amp;", "&")
    prefill = parse_qs(urlparse(link).query)
    assert prefill["question"] == ["烟叶 收购"] and sorted(prefill["phrasing"]) == ["收购 烟叶？", "烟叶收购"]
    editor = director.get(link).text
    assert 'value="烟叶 收购"' in editor and "烟叶收购" in editor and "收购 烟叶？" in editor
    response = post_form(director, "/faq/new", {"question": "烟叶 收购", "phrasings": "烟叶收购", "answer": ""}, link)
    assert response.status_code == 302
    page = director.get("/faq/gaps").text
    assert "烟叶" not in page and "船舶吨税" in page  # drafted: no longer a gap


def test_policy_office_sees_gaps_agents_do_not(app, client_as, library):
    assert client_as("policy").get("/faq/gaps").status_code == 200
    assert client_as("agent").get("/faq/gaps").status_code == 403
    assert "没有缺口" in client_as("director", "director2").get("/faq/gaps").text
