"""The OpenAPI description: valid 3.1, exactly the real routes, and real responses fit its schemas."""
from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from tests.api_helpers import api_library, token_for  # noqa: F401  (fixtures)

LATE_FILING = "《中华人民共和国税收征收管理法》第六十二条"


@pytest.fixture
def description(app):
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_the_description_is_valid_openapi_3_1(description):
    validate(description)
    assert description["openapi"].startswith("3.1")
    assert description["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_the_description_lists_exactly_the_real_routes(app, description):
    real = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
            real |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    described = {(path, method) for path, item in description["paths"].items() for method in item}
    assert described == real


def test_every_operation_documents_its_errors_and_parameters(description):
    for path, item in description["paths"].items():
        names = set(re.findall(r"{([a-z_]+)}", path))
        for method, operation in item.items():
            assert operation["summary"] and operation["operationId"]
            assert {p["name"] for p in operation["parameters"] if p["in"] == "path"} == names
            assert "500" in operation["responses"]
            if operation.get("security") != []:
                assert {"401", "403"} <= set(operation["responses"])



def test_the_description_states_what_the_code_refuses(description):
    """What the fuzzer (bench/fuzz_api.py) found undocumented: blank texts, empty enums, a 404 for a
    call that does not exist."""
    search = {p["name"]: p["schema"] for p in description["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert search["q"]["minLength"] == 1 and search["q"]["pattern"] == r"\S"
    assert "" not in search["status"]["enum"]
    schemas = description["components"]["schemas"]
    assert schemas["FaqNew"]["properties"]["question"]["pattern"] == r"\S"
    assert schemas["FaqNew"]["required"] == ["question"]
    assert {"type": "null"} in schemas["FaqInput"]["properties"]["owner_id"]["anyOf"]  # PATCH: null = unchanged
    assert None in schemas["ReferralInput"]["properties"]["category"]["enum"]
    assert "投诉" in schemas["ReferralInput"]["properties"]["category"]["enum"]
    assert "404" in description["paths"]["/api/v1/referrals"]["post"]["responses"]


def _validator(description, status, path, method):
    schema = description["paths"][path][method]["responses"][str(status)]["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": description["components"]})


def test_real_responses_match_the_schemas(app, api_library, token_for, description):
    client, director = app.test_client(), token_for("director")
    agent = token_for("agent")

    def check(path, method, url, status=200, headers=director, **kwargs):
        response = client.open(url, method=method.upper(), headers=headers, **kwargs)
        assert response.status_code == status, response.text
        errors = list(_validator(description, status, path, method).iter_errors(response.get_json()))
        assert not errors, (url, [e.message for e in errors[:3]])
        return response.get_json()

    check("/api/v1/search", "get", "/api/v1/search?q=征管法第32条&limit=5")
    check("/api/v1/search", "get", "/api/v1/search", 400)
    documents = check("/api/v1/documents", "get", "/api/v1/documents")
    document = check("/api/v1/documents/{document_id}", "get", f"/api/v1/documents/{documents['documents'][0]['id']}")
    check("/api/v1/units/{unit_id}", "get", f"/api/v1/units/{document['units'][5]['id']}")
    check("/api/v1/units/{unit_id}", "get", "/api/v1/units/999999", 404)
    check("/api/v1/me", "get", "/api/v1/me")
    check("/api/v1/me", "get", "/api/v1/me", 401, headers={})
    entry = check("/api/v1/faq", "post", "/api/v1/faq", 201, json={
        "question": "逾期申报会被罚款吗？", "answer": "可以处罚款。", "citations": [LATE_FILING]})
    check("/api/v1/faq/{entry_id}", "patch", f"/api/v1/faq/{entry['id']}", json={"status": "in_review"})
    check("/api/v1/faq/{entry_id}", "patch", f"/api/v1/faq/{entry['id']}", json={"status": "published"})
    check("/api/v1/faq/{entry_id}", "get", f"/api/v1/faq/{entry['id']}", headers=agent)
    check("/api/v1/faq", "get", "/api/v1/faq", headers=agent)
    check("/api/v1/faq", "post", "/api/v1/faq", 403, headers=agent, json={"question": "x"})
    referral = check("/api/v1/referrals", "post", "/api/v1/referrals", 201, headers=agent, json={
        "caller_name": "王女士", "caller_contact": "13800000000", "question": "研发费用加计扣除比例是多少？",
        "category": "投诉"})
    check("/api/v1/referrals/{referral_id}", "get", f"/api/v1/referrals/{referral['id']}")
    check("/api/v1/referrals", "get", "/api/v1/referrals", headers=agent)


def test_each_query_limit_is_declared_once_and_enforced_as_described(app, description, api_library, token_for):
    """The views read their query parameters from the same ``Param`` declarations the description
    shows (``webapp.api.params.query_args``): the documented default is the one applied, one past
    the documented maximum is refused."""
    client, headers = app.test_client(), token_for("director")
    for path in ("/api/v1/documents", "/api/v1/faq", "/api/v1/referrals"):
        params = {p["name"]: p["schema"] for p in description["paths"][path]["get"]["parameters"]}
        assert params["limit"]["default"] == 50 and params["offset"]["default"] == 0
        body = client.get(path, headers=headers).get_json()
        assert (body["limit"], body["offset"]) == (params["limit"]["default"], params["offset"]["default"])
        too_many = client.get(path, query_string={"limit": params["limit"]["maximum"] + 1}, headers=headers)
        assert too_many.status_code == 400 and str(params["limit"]["maximum"]) in too_many.get_json()["error"]["message"]
    search = {p["name"]: p["schema"] for p in description["paths"]["/api/v1/search"]["get"]["parameters"]}
    body = client.get("/api/v1/search", query_string={"q": "纳税申报"}, headers=headers).get_json()
    assert len(body["results"]) == search["limit"]["default"] == 10
