"""Every write of quality review and satisfaction surveys."""

from pishkhan.quality.services.reviews import review_create, review_dispute, review_resolve
from pishkhan.quality.services.scorecards import (
    scorecard_create,
    scorecard_update,
    weighted_score,
)
from pishkhan.quality.services.surveys import (
    quality_settings_get,
    quality_settings_update,
    survey_answer,
    survey_get_by_token,
    survey_path,
    survey_request,
    survey_score_check,
    survey_url,
    surveys_wanted,
)

__all__ = [
    "quality_settings_get",
    "quality_settings_update",
    "review_create",
    "review_dispute",
    "review_resolve",
    "scorecard_create",
    "scorecard_update",
    "survey_answer",
    "survey_score_check",
    "survey_get_by_token",
    "survey_path",
    "survey_request",
    "survey_url",
    "surveys_wanted",
    "weighted_score",
]
