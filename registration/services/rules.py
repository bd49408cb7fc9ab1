"""Priority rules: their weights order the whole waitlist, so who changed one, and from what
to what, is recorded with every change."""

from django.db import transaction

from plumbers.audit import audit_record
from registration.models import PriorityRule


def _state(rule: PriorityRule) -> str:
    return f"weight {rule.weight}, order {rule.order}, {'on' if rule.enabled else 'off'}"


@transaction.atomic
def priority_rule_save(*, rule: PriorityRule, actor) -> PriorityRule:
    """Add a rule or save an organizer's edit of one (``rule`` holds the new values)."""
    creating = rule._state.adding
    previous = None if creating else PriorityRule.objects.filter(pk=rule.pk).first()
    rule.save()
    audit_record(
        obj=rule,
        action="priority_rule_add" if creating else "priority_rule_change",
        actor=actor,
        from_state=_state(previous) if previous is not None else "",
        to_state=_state(rule),
    )
    return rule


@transaction.atomic
def priority_rule_delete(*, rule: PriorityRule, actor) -> None:
    audit_record(obj=rule, action="priority_rule_delete", actor=actor, from_state=_state(rule))
    rule.delete()
