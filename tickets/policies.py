"""The active SLA policies, kept per process for SLA_POLICY_CACHE_SECONDS: every new appeal
chooses among them, and supervisors change them rarely (see gosupport.process_cache)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from gosupport.models import BusinessCalendar
from gosupport.process_cache import ProcessCache
from tickets.models import SlaPolicy

_policies = ProcessCache("SLA_POLICY_CACHE_SECONDS")


def sla_policies_active() -> list[SlaPolicy]:
    """Shared between requests: callers read them and never change them."""
    policies = _policies.get("active")
    if policies is None:
        policies = list(SlaPolicy.objects.filter(is_active=True).select_related("calendar"))
        _policies.put("active", policies)
    return policies


def sla_policies_forget() -> None:
    _policies.clear()


@receiver(post_save, sender=SlaPolicy, dispatch_uid="sla-policy-cache-saved")
@receiver(post_delete, sender=SlaPolicy, dispatch_uid="sla-policy-cache-deleted")
@receiver(post_save, sender=BusinessCalendar, dispatch_uid="sla-policy-cache-calendar-saved")
@receiver(post_delete, sender=BusinessCalendar, dispatch_uid="sla-policy-cache-calendar-deleted")
def _policies_changed(sender, **kwargs) -> None:
    sla_policies_forget()
    transaction.on_commit(sla_policies_forget)
