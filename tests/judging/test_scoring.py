"""Scoring from a phone: saved as you go, resend-safe, refused outside the rules with nothing changed."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from citehack.core.models import AuditEntry
from citehack.judging import services
from citehack.judging.models import Criterion, Juror, Score, Scorecard
from tests.judging.conftest import make_teams, score_all


def url(event, team):
    return reverse("judging:score", args=[event.slug, team.pk])


def post_data(rubric, values, comment=""):
    data = {f"c{c.pk}": str(v) for c, v in zip(rubric, values) if v is not None}
    data["comment"] = comment
    return data


def snapshot():
    return (
        list(Scorecard.objects.values_list("juror_id", "team_id", "comment").order_by("pk")),
        list(Score.objects.values_list("card_id", "criterion_id", "value").order_by("pk")),
    )


def test_a_juror_scores_a_team_and_the_scores_are_saved(client, event, opened, juror, team, rubric):
    client.force_login(juror)

    response = client.post(url(event, team), post_data(rubric, [4, 3, 5, 2, 1], "Très clair."))

    assert response.status_code == 302
    card = Scorecard.objects.get(juror=juror, team=team)
    assert card.comment == "Très clair."
    assert dict(card.scores.values_list("criterion__order", "value")) == {1: 4, 2: 3, 3: 5, 4: 2, 5: 1}


def test_each_change_is_saved_alone_with_htmx(client, event, opened, juror, team, rubric):
    client.force_login(juror)

    first = client.post(url(event, team), {f"c{rubric[0].pk}": "3", "comment": ""}, HTTP_HX_REQUEST="true")
    second = client.post(url(event, team), {f"c{rubric[0].pk}": "3", f"c{rubric[1].pk}": "5", "comment": ""},
                         HTTP_HX_REQUEST="true")

    assert first.status_code == second.status_code == 200
    assert "Saved" in second.content.decode()
    assert sorted(Score.objects.values_list("criterion_id", "value")) == [(rubric[0].pk, 3), (rubric[1].pk, 5)]


def test_the_same_post_twice_stores_one_row_and_succeeds_twice(client, event, opened, juror, team, rubric):
    client.force_login(juror)
    data = post_data(rubric, [4, 3, 5, 2, 1], "Bien.")

    first = client.post(url(event, team), data, HTTP_HX_REQUEST="true")
    audit_rows = AuditEntry.objects.filter(action="judging.score").count()
    second = client.post(url(event, team), data, HTTP_HX_REQUEST="true")

    assert first.status_code == second.status_code == 200
    assert Scorecard.objects.count() == 1
    assert Score.objects.count() == 5
    assert AuditEntry.objects.filter(action="judging.score").count() == audit_rows == 1


def test_a_score_outside_the_scale_is_refused_and_nothing_changes(client, event, opened, juror, team, rubric):
    client.force_login(juror)
    score_all(juror, event, team, [3, 3, 3, 3, 3])
    before = snapshot()

    for value in ["6", "0", "-1", "trois", "3.5"]:
        response = client.post(url(event, team), {f"c{rubric[0].pk}": value, "comment": ""})
        assert response.status_code == 400
        assert "Choose a score from 1 to 5" in response.content.decode()
    htmx = client.post(url(event, team), {f"c{rubric[0].pk}": "9", "comment": ""}, HTTP_HX_REQUEST="true")

    assert htmx.status_code == 400
    assert "Not saved" in htmx.content.decode()
    assert snapshot() == before


def test_the_service_refuses_a_value_outside_the_scale(event, opened, juror, team, rubric):
    with pytest.raises(ValidationError, match="scored from 1 to 5"):
        services.save_scorecard(actor=juror, event=event, team=team, values={rubric[0].pk: 6})
    with pytest.raises(ValidationError):
        services.save_scorecard(actor=juror, event=event, team=team, values={rubric[0].pk: True})
    assert not Score.objects.exists()


def test_a_criterion_of_another_event_is_refused(event, opened, juror, team, other_event, organiser):
    foreign = Criterion.objects.create(event=other_event, name="Ailleurs")

    with pytest.raises(ValidationError, match="not part of the rubric"):
        services.save_scorecard(actor=juror, event=event, team=team, values={foreign.pk: 3})
    assert not Score.objects.exists()


def test_a_conflicted_team_is_not_offered_and_its_scores_are_refused(client, event, opened, juror, teams, rubric):
    services.declare_conflict(actor=juror, event=event, team=teams[1], reason="Ma nièce est dans l'équipe.")
    client.force_login(juror)

    home = client.get(reverse("judging:juror_home", args=[event.slug])).content.decode()
    page = client.get(url(event, teams[1]))
    post = client.post(url(event, teams[1]), post_data(rubric, [5, 5, 5, 5, 5]))
    htmx = client.post(url(event, teams[1]), post_data(rubric, [5, 5, 5, 5, 5]), HTTP_HX_REQUEST="true")

    assert url(event, teams[1]) not in home
    assert url(event, teams[0]) in home
    assert page.status_code == post.status_code == htmx.status_code == 403
    assert "conflict of interest" in post.content.decode()
    assert not Score.objects.exists()
    with pytest.raises(ValidationError, match="conflict"):
        score_all(juror, event, teams[1], [5, 5, 5, 5, 5])


def test_another_events_team_is_not_found(client, event, opened, juror, rubric, other_event):
    foreign = make_teams(other_event, ["Ailleurs"])[0]
    client.force_login(juror)

    assert client.get(url(event, foreign)).status_code == 404
    assert client.post(url(event, foreign), post_data(rubric, [5, 5, 5, 5, 5])).status_code == 404
    with pytest.raises(ValidationError, match="not one of this event's"):
        score_all(juror, event, foreign, [5, 5, 5, 5, 5])
    assert not Scorecard.objects.exists()


def test_an_unpublished_team_is_not_found(client, event, opened, juror, rubric):
    draft = make_teams(event, ["Brouillon"], published=False, start=9)[0]
    client.force_login(juror)

    assert client.post(url(event, draft), post_data(rubric, [5, 5, 5, 5, 5])).status_code == 404
    assert not Scorecard.objects.exists()


def test_scoring_is_refused_before_it_opens(client, event, organiser, rubric, teams, juror):
    client.force_login(juror)

    page = client.get(url(event, teams[0]))
    post = client.post(url(event, teams[0]), post_data(rubric, [5, 5, 5, 5, 5]))

    assert page.status_code == post.status_code == 403
    assert "not open yet" in post.content.decode()
    assert not Scorecard.objects.exists()


def test_scoring_is_refused_after_close(client, event, organiser, opened, juror, team, rubric):
    score_all(juror, event, team, [3, 3, 3, 3, 3])
    services.close_scoring(actor=organiser, event=event)
    before = snapshot()
    client.force_login(juror)

    post = client.post(url(event, team), post_data(rubric, [5, 5, 5, 5, 5], "Changé"))
    htmx = client.post(url(event, team), post_data(rubric, [5, 5, 5, 5, 5]), HTTP_HX_REQUEST="true")

    assert post.status_code == htmx.status_code == 403
    assert "Scoring is closed" in post.content.decode()
    assert snapshot() == before
    with pytest.raises(ValidationError, match="closed"):
        score_all(juror, event, team, [5, 5, 5, 5, 5])


def test_someone_who_is_no_longer_a_juror_cannot_score_through_the_service(event, opened, team, rubric, participant):
    with pytest.raises(ValidationError, match="Only the jury"):
        score_all(participant, event, team, [5, 5, 5, 5, 5])
    assert not Scorecard.objects.exists()


def test_a_comment_that_is_too_long_is_refused(client, event, opened, juror, team, rubric):
    client.force_login(juror)

    response = client.post(url(event, team), {"comment": "x" * 2001})

    assert response.status_code == 400
    assert not Scorecard.objects.exists()


def test_the_scoring_page_shows_a_radio_group_per_criterion_with_the_labels(client, event, opened, juror, team, rubric):
    score_all(juror, event, team, [4])
    client.force_login(juror)

    page = client.get(url(event, team)).content.decode()

    assert page.count("<fieldset") == 5
    assert page.count("<legend>") == 5
    assert page.count('type="radio"') == 25
    assert "Excellent" in page and "Weak" in page
    assert f'name="c{rubric[0].pk}" value="4" checked' in page
    assert "hx-post" in page and 'name="comment"' in page


def test_the_next_team_button_goes_to_the_next_team_not_yet_scored(client, event, opened, juror, teams, rubric):
    score_all(juror, event, teams[1], [3, 3, 3, 3, 3])
    client.force_login(juror)

    response = client.post(url(event, teams[0]), {**post_data(rubric, [4, 4, 4, 4, 4]), "go": "next"})

    assert response["Location"] == url(event, teams[2])


def test_submission_needs_every_team_or_a_confirmation(client, event, opened, juror, teams, rubric):
    score_all(juror, event, teams[0], [3, 3, 3, 3, 3])
    client.force_login(juror)
    submit = reverse("judging:submit", args=[event.slug])

    client.post(submit)
    assert Juror.objects.filter(user=juror, submitted_at__isnull=False).count() == 0

    client.post(submit, {"confirm_incomplete": "on"})
    assert Juror.objects.get(user=juror).submitted_at is not None


def test_submission_is_complete_when_conflicted_teams_are_left_out(event, opened, juror, teams, rubric):
    services.declare_conflict(actor=juror, event=event, team=teams[3])
    for team in teams[:3]:
        score_all(juror, event, team, [3, 4, 3, 4, 3])

    record, submitted = services.submit_scores(actor=juror, event=event)

    assert submitted and record.submitted_at is not None
    again, submitted_again = services.submit_scores(actor=juror, event=event)
    assert not submitted_again and again.submitted_at == record.submitted_at


def test_corrections_after_submission_are_allowed_until_close_and_marked(event, opened, juror, teams, rubric):
    for team in teams:
        score_all(juror, event, team, [3, 3, 3, 3, 3])
    services.submit_scores(actor=juror, event=event)

    card, changed = score_all(juror, event, teams[0], [4, 3, 3, 3, 3])

    assert changed and card.corrected_at is not None
    assert Scorecard.objects.filter(corrected_at__isnull=False).count() == 1


def test_declaring_and_withdrawing_a_conflict(client, event, opened, juror, teams):
    client.force_login(juror)
    path = reverse("judging:conflicts", args=[event.slug])

    client.post(path, {"team": teams[2].pk, "action": "declare", "reason": "Mon voisin"})
    assert list(juror_conflicts(juror)) == [(teams[2].pk, "Mon voisin")]
    client.post(path, {"team": teams[2].pk, "action": "declare", "reason": "Encore"})
    assert list(juror_conflicts(juror)) == [(teams[2].pk, "Mon voisin")]
    client.post(path, {"team": teams[2].pk, "action": "withdraw"})
    assert list(juror_conflicts(juror)) == []
    assert client.post(path, {"team": "abc"}).status_code == 302


def juror_conflicts(juror):
    from citehack.judging.models import Conflict

    return Conflict.objects.filter(juror=juror).values_list("team_id", "reason")


def test_conflicts_cannot_change_after_close(client, event, organiser, opened, juror, teams):
    services.close_scoring(actor=organiser, event=event)
    client.force_login(juror)

    client.post(reverse("judging:conflicts", args=[event.slug]), {"team": teams[0].pk, "action": "declare"})

    assert not juror_conflicts(juror).exists()
