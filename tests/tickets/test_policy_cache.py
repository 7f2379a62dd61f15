"""The active SLA policies are read once per process and kept for a few seconds."""

from gosupport import process_cache
from tickets.models import Channel, SlaPolicy
from tickets.policies import sla_policies_active


def test_a_policy_saved_in_this_process_is_chosen_at_once(form_policy):
    before = {p.pk for p in sla_policies_active()}
    other = SlaPolicy.objects.create(
        name="Letters (test)", channel=Channel.POST, first_response_seconds=600, resolution_seconds=3600
    )
    assert {p.pk for p in sla_policies_active()} == before | {other.pk}


def test_a_change_made_by_another_process_is_read_after_the_cache_time(form_policy, monkeypatch, settings):
    settings.SLA_POLICY_CACHE_SECONDS = 5
    now = [1000.0]
    monkeypatch.setattr(process_cache.clock, "monotonic", lambda: now[0])
    assert form_policy in sla_policies_active()
    # A queryset update sends no signal, like a change made in another process.
    SlaPolicy.objects.filter(pk=form_policy.pk).update(is_active=False)
    now[0] += 4
    assert form_policy in sla_policies_active()
    now[0] += 2
    assert form_policy not in sla_policies_active()


def test_reading_the_policies_again_within_the_cache_time_asks_the_database_nothing(
    form_policy, django_assert_num_queries
):
    sla_policies_active()
    with django_assert_num_queries(0):
        sla_policies_active()
