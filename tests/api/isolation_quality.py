"""Cross-tenant cases of the quality API routes (merged into tests/api/test_isolation.py)."""

from pishkhan.quality.models import QualitySettings
from pishkhan.quality.services import scorecard_create
from tests.api.helpers import assert_error, send
from tests.web import routes_quality


def beta_objects(beta) -> dict:
    values = routes_quality.beta_objects(beta)
    return {
        "scorecard_id": values["quality_scorecard"],
        "review_id": values["quality_review"],
        "quality_ticket": values["quality_ticket"],
    }


# (method, path template) -> request body (or None) for routes naming one of beta's objects.
PATH_CASES: dict = {
    ("GET", "/quality/scorecards/{scorecard_id}"): None,
    ("PATCH", "/quality/scorecards/{scorecard_id}"): {"name": "ربوده"},
    ("GET", "/quality/reviews/{review_id}"): None,
    ("POST", "/quality/reviews/{review_id}/dispute"): {"reason": "نفوذ"},
    ("POST", "/quality/reviews/{review_id}/resolve"): {"outcome": "kept", "note": "نفوذ"},
}


def _ids(response) -> set[int]:
    body = response.json()
    items = body["items"] if isinstance(body, dict) else body
    return {item["id"] for item in items}


def _settings_detail(client, alpha, beta, beta_only):
    # beta keeps its links open 30 days; alpha has the default
    assert send(client, "GET", "/quality/settings").json()["window_days"] == 14


def _settings_update(client, alpha, beta, beta_only):
    assert send(client, "PATCH", "/quality/settings", {"window_days": 9}).status_code == 200
    assert QualitySettings.objects.get(tenant=beta.tenant).window_days == 30


def _scorecards_list(client, alpha, beta, beta_only):
    assert beta_only.area_values["scorecard_id"] not in _ids(
        send(client, "GET", "/quality/scorecards")
    )


def _scorecards_create(client, alpha, beta, beta_only):
    # the name beta uses is free in alpha
    body = {"name": "کارت ارزیابی بتا", "criteria": [{"label": "ادب", "weight": "1"}]}
    response = send(client, "POST", "/quality/scorecards", body)
    assert response.status_code == 201, response.content
    assert response.json()["id"] != beta_only.area_values["scorecard_id"]


def _reviews_list(client, alpha, beta, beta_only):
    assert beta_only.area_values["review_id"] not in _ids(send(client, "GET", "/quality/reviews"))
    assert send(client, "GET", f"/quality/reviews?agent={beta.agent.pk}").json()["count"] == 0


def _reviews_create(client, alpha, beta, beta_only):
    values = beta_only.area_values
    body = {
        "scorecard_id": values["scorecard_id"],
        "subject_id": alpha.ticket.number,
        "marks": [],
    }
    error = assert_error(send(client, "POST", "/quality/reviews", body), 404, "not_found")
    assert list(error["fields"]) == ["scorecard_id"]
    own = scorecard_create(
        tenant=alpha.tenant,
        actor=alpha.owner,
        name="کارت آلفا",
        criteria=[{"label": "ادب", "weight": "1", "scale": "1_5"}],
    )
    assert not alpha.tenant.tickets.filter(number=values["quality_ticket"]).exists()
    body = {"scorecard_id": own.pk, "subject_id": values["quality_ticket"], "marks": []}
    error = assert_error(send(client, "POST", "/quality/reviews", body), 404, "not_found")
    assert list(error["fields"]) == ["subject_id"]


def _surveys_list(client, alpha, beta, beta_only):
    body = send(client, "GET", "/quality/surveys?page_size=100").json()
    assert body["count"] == 0


def _csat_report(client, alpha, beta, beta_only):
    for query in ("", f"?agent={beta.agent.pk}", f"?department={beta.department.pk}"):
        assert send(client, "GET", "/quality/reports/csat" + query).json()["total"]["sent"] == 0


def _csat_report_csv(client, alpha, beta, beta_only):
    text = client.get("/api/v1/quality/reports/csat.csv").content.decode()
    assert text.splitlines()[-1].split(",")[1] == "0"


def _review_report(client, alpha, beta, beta_only):
    assert send(client, "GET", "/quality/reports/reviews").json()["rows"] == []


# (method, path template) -> check(client, alpha, beta, beta_only) for collection routes.
COLLECTION_CASES: dict = {
    ("GET", "/quality/settings"): _settings_detail,
    ("PATCH", "/quality/settings"): _settings_update,
    ("GET", "/quality/scorecards"): _scorecards_list,
    ("POST", "/quality/scorecards"): _scorecards_create,
    ("GET", "/quality/reviews"): _reviews_list,
    ("POST", "/quality/reviews"): _reviews_create,
    ("GET", "/quality/surveys"): _surveys_list,
    ("GET", "/quality/reports/csat"): _csat_report,
    ("GET", "/quality/reports/csat.csv"): _csat_report_csv,
    ("GET", "/quality/reports/reviews"): _review_report,
}
