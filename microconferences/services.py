"""State changes of microconferences: decisions, content, and the ordered topic outline.

Every function here runs in one transaction, locks the microconference row first (so two
leads editing the same outline at once queue up instead of racing for the same order number)
and writes the audit trail on the microconference, so its history reads in one place.

Ordering: topic groups are numbered 1..n within their MC, topics 1..n within their group (or
within the MC's ungrouped topics). Those numbers are unique in the database and the
constraints cannot be deferred (PostgreSQL cannot defer a conditional unique index), so a
reorder renumbers in two phases: first every row of the scope moves above the current
maximum, then to its final place. No intermediate state ever holds a duplicate.
"""

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max

from microconferences.models import Microconference, Topic, TopicGroup
from plumbers.audit import audit_changes, audit_delete, audit_record
from plumbers.pagecache import content_changed

TITLE_MAX = {Topic: Topic._meta.get_field("title").max_length}


class MicroconferenceError(Exception):
    """A change to a microconference that cannot be made; the message is for people."""


# ---------------------------------------------------------------------------- helpers


def _locked(microconference: Microconference) -> Microconference:
    return Microconference.objects.select_for_update(of=("self",)).get(pk=microconference.pk)


def _clean_title(title: str, *, what: str, max_length: int) -> str:
    value = " ".join((title or "").split())
    if not value:
        raise MicroconferenceError(f"Please enter the {what}'s title.")
    if len(value) > max_length:
        raise MicroconferenceError(
            f"The {what}'s title is too long ({len(value)} characters; at most {max_length})."
        )
    return value


def _renumber(model: type[models.Model], rows: Sequence[models.Model]) -> None:
    """Give ``rows`` (every row of one ordering scope, in the wanted order) orders 1..n.

    Two bulk updates whatever n is: phase one lifts every row above both the scope's current
    maximum and n, so it cannot collide with anything; phase two writes 1..n, which is below
    every lifted value, so it cannot collide either."""
    if not rows:
        return
    current_max = max(row.order for row in rows)
    base = max(current_max, len(rows)) + 1
    for index, row in enumerate(rows):
        row.order = base + index
    model.objects.bulk_update(rows, ["order"])
    for index, row in enumerate(rows):
        row.order = index + 1
    model.objects.bulk_update(rows, ["order"])
    content_changed()  # bulk_update sends no save signals


def _topic_scope(*, microconference: Microconference, group: TopicGroup | None):
    scope = Topic.objects.filter(microconference=microconference)
    if group is None:
        return scope.filter(group__isnull=True)
    return scope.filter(group=group)


def _next_order(queryset) -> int:
    return (queryset.aggregate(m=Max("order"))["m"] or 0) + 1


def _check_group(*, microconference: Microconference, group: TopicGroup | None) -> None:
    if group is not None and group.microconference_id != microconference.pk:
        raise MicroconferenceError("That heading belongs to another microconference.")


def _moved(ids: list[int], item_id: int, direction: str) -> list[int]:
    if direction not in ("up", "down"):
        raise MicroconferenceError("Choose to move the item up or down.")
    index = ids.index(item_id)
    target = index - 1 if direction == "up" else index + 1
    if target < 0 or target >= len(ids):
        where = "first" if direction == "up" else "last"
        raise MicroconferenceError(f"It is already the {where} one.")
    ids = list(ids)
    ids[index], ids[target] = ids[target], ids[index]
    return ids


# -------------------------------------------------------------------------- decisions


def _microconference_transition(
    mc: Microconference, *, to: str, actor, action: str, reason: str = "", data=None
) -> None:
    """The one place an MC's status changes, a new MC's first one included: sets it, saves,
    and writes the audit row in the caller's transaction, so the public site never shows
    or hides an MC without a record of who did it. The caller holds the row lock."""
    creating = mc._state.adding
    previous = "" if creating else mc.status
    mc.status = to
    if creating:
        mc.save()
    else:
        mc.save(update_fields=["status"])
    audit_record(
        obj=mc,
        action=action,
        actor=actor,
        from_state=previous,
        to_state=to,
        reason=reason,
        data=data,
    )


def _decide(*, microconference: Microconference, to: str, actor, reason: str) -> Microconference:
    mc = _locked(microconference)
    if mc.status == to:
        label = Microconference.Status(to).label.lower()
        raise MicroconferenceError(f"“{mc.title}” is already {label}.")
    _microconference_transition(mc, to=to, actor=actor, action=f"mc_{to}", reason=reason)
    microconference.status = mc.status
    return mc


@transaction.atomic
def microconference_accept(
    *, microconference: Microconference, actor, reason: str = ""
) -> Microconference:
    """Accept an MC: from then on it is public on the current edition's pages, and its leads
    count as content contributors for the registration priority rules."""
    return _decide(
        microconference=microconference,
        to=Microconference.Status.ACCEPTED,
        actor=actor,
        reason=reason,
    )


@transaction.atomic
def microconference_decline(
    *, microconference: Microconference, actor, reason: str = ""
) -> Microconference:
    """Decline an MC (also withdraws an earlier acceptance): its pages leave the public site."""
    return _decide(
        microconference=microconference,
        to=Microconference.Status.DECLINED,
        actor=actor,
        reason=reason,
    )


@transaction.atomic
def microconference_update_content(
    *, microconference: Microconference, summary: str, description: str, actor
) -> Microconference:
    """The part of an MC its leads own: the list-page summary and the Markdown description."""
    mc = _locked(microconference)
    summary = " ".join((summary or "").split())
    if not summary:
        raise MicroconferenceError("Please enter a summary (one or two sentences).")
    max_length = Microconference._meta.get_field("summary").max_length
    if len(summary) > max_length:
        raise MicroconferenceError(f"The summary is too long (at most {max_length} characters).")
    changed = [
        name
        for name, value in (("summary", summary), ("description", description or ""))
        if getattr(mc, name) != value
    ]
    if not changed:
        return mc
    mc.summary, mc.description = summary, description or ""
    mc.save(update_fields=changed)
    audit_record(obj=mc, action="mc_content_updated", actor=actor, data={"fields": changed})
    return mc


MICROCONFERENCE_FIELDS = [
    "conference_id",
    "title",
    "slug",
    "summary",
    "description",
    "order",
    "complimentary_passes",
]


def _validated(mc: Microconference) -> None:
    try:
        mc.full_clean()
    except ValidationError as error:
        raise MicroconferenceError(" ".join(error.messages)) from error


def _lead_names(users) -> list[str]:
    return sorted(str(user) for user in users)


@transaction.atomic
def microconference_save(
    *, microconference: Microconference, actor, leads: Iterable | None = None
) -> Microconference:
    """Create an MC (it starts as proposed) or edit everything organizers own about it;
    ``leads`` (None: unchanged) replaces its leads, who then edit its page. The status is
    not edited here: it moves only by accepting or declining, which say why."""
    mc = microconference
    if mc._state.adding:
        _validated(mc)
        _microconference_transition(
            mc,
            to=Microconference.Status.PROPOSED,
            actor=actor,
            action="mc_created",
            data={"title": mc.title, "leads": _lead_names(leads or ())},
        )
        if leads is not None:
            mc.leads.set(leads)
        return mc
    before = _locked(mc)
    mc.status = before.status
    _validated(mc)
    old_leads = list(mc.leads.all())
    mc.save(update_fields=[name.removesuffix("_id") for name in MICROCONFERENCE_FIELDS])
    also = {}
    if leads is not None:
        mc.leads.set(leads)
        also["leads"] = (_lead_names(old_leads), _lead_names(mc.leads.all()))
    audit_changes(
        obj=mc,
        before=before,
        fields=MICROCONFERENCE_FIELDS,
        also=also,
        action="mc_updated",
        actor=actor,
    )
    return mc


@transaction.atomic
def microconference_delete(*, microconference: Microconference, actor) -> None:
    """Delete an MC with its outline (refused by the database while a CFP track is its)."""
    mc = _locked(microconference)
    audit_delete(
        obj=mc,
        action="mc_deleted",
        actor=actor,
        from_state=mc.status,
        data={"title": mc.title, "conference": mc.conference_id},
    )


# ------------------------------------------------------------------------ topic groups


@transaction.atomic
def topic_group_create(*, microconference: Microconference, title: str, actor) -> TopicGroup:
    """Add a heading at the end of the MC's outline."""
    mc = _locked(microconference)
    title = _clean_title(
        title, what="heading", max_length=TopicGroup._meta.get_field("title").max_length
    )
    group = TopicGroup.objects.create(
        microconference=mc,
        title=title,
        order=_next_order(TopicGroup.objects.filter(microconference=mc)),
    )
    audit_record(
        obj=mc, action="mc_group_added", actor=actor, data={"group": group.pk, "title": title}
    )
    return group


@transaction.atomic
def topic_group_update(*, group: TopicGroup, title: str, actor) -> TopicGroup:
    mc = _locked(group.microconference)
    group = TopicGroup.objects.get(pk=group.pk, microconference=mc)
    title = _clean_title(
        title, what="heading", max_length=TopicGroup._meta.get_field("title").max_length
    )
    if group.title != title:
        previous = group.title
        group.title = title
        group.save(update_fields=["title"])
        audit_record(
            obj=mc,
            action="mc_group_renamed",
            actor=actor,
            from_state=previous,
            to_state=title,
            data={"group": group.pk},
        )
    return group


@transaction.atomic
def topic_group_delete(*, group: TopicGroup, actor) -> int:
    """Delete a heading together with its topics; returns how many topics went with it."""
    mc = _locked(group.microconference)
    group = TopicGroup.objects.get(pk=group.pk, microconference=mc)
    titles = list(group.topics.order_by("order").values_list("title", flat=True))
    audit_record(
        obj=mc,
        action="mc_group_deleted",
        actor=actor,
        from_state=group.title,
        data={"group": group.pk, "topics": titles},
    )
    group.delete()
    return len(titles)


@transaction.atomic
def topic_group_reorder(
    *, microconference: Microconference, group_ids: Sequence[int], actor
) -> list[TopicGroup]:
    """Put the MC's headings in the given order; the list must name each heading once."""
    mc = _locked(microconference)
    return _reorder_groups(mc=mc, group_ids=list(group_ids), actor=actor)


def _reorder_groups(*, mc: Microconference, group_ids: list[int], actor) -> list[TopicGroup]:
    groups = {g.pk: g for g in TopicGroup.objects.filter(microconference=mc)}
    if sorted(group_ids) != sorted(groups):
        raise MicroconferenceError(
            "The headings changed while you were editing; please reload the page and retry."
        )
    rows = [groups[pk] for pk in group_ids]
    before = [g.pk for g in sorted(groups.values(), key=lambda g: (g.order, g.pk))]
    if before != group_ids or [g.order for g in rows] != list(range(1, len(rows) + 1)):
        _renumber(TopicGroup, rows)
        audit_record(
            obj=mc,
            action="mc_groups_reordered",
            actor=actor,
            data={"before": before, "after": group_ids},
        )
    return rows


@transaction.atomic
def topic_group_move(*, group: TopicGroup, direction: str, actor) -> TopicGroup:
    """Swap a heading with the one above ("up") or below ("down")."""
    mc = _locked(group.microconference)
    ids = list(
        TopicGroup.objects.filter(microconference=mc)
        .order_by("order", "pk")
        .values_list("pk", flat=True)
    )
    if group.pk not in ids:
        raise MicroconferenceError("That heading no longer exists.")
    _reorder_groups(mc=mc, group_ids=_moved(ids, group.pk, direction), actor=actor)
    return TopicGroup.objects.get(pk=group.pk)


# ------------------------------------------------------------------------------ topics


@transaction.atomic
def topic_create(
    *, microconference: Microconference, title: str, group: TopicGroup | None = None, actor
) -> Topic:
    """Add a topic at the end of its heading (or of the topics without a heading)."""
    mc = _locked(microconference)
    _check_group(microconference=mc, group=group)
    title = _clean_title(title, what="topic", max_length=TITLE_MAX[Topic])
    topic = Topic.objects.create(
        microconference=mc,
        group=group,
        title=title,
        order=_next_order(_topic_scope(microconference=mc, group=group)),
    )
    audit_record(
        obj=mc,
        action="mc_topic_added",
        actor=actor,
        data={"topic": topic.pk, "title": title, "group": group and group.pk},
    )
    return topic


@transaction.atomic
def topic_update(*, topic: Topic, title: str, group: TopicGroup | None, actor) -> Topic:
    """Rename a topic and/or move it under another heading (it goes last there)."""
    mc = _locked(topic.microconference)
    topic = Topic.objects.get(pk=topic.pk, microconference=mc)
    _check_group(microconference=mc, group=group)
    title = _clean_title(title, what="topic", max_length=TITLE_MAX[Topic])
    changes = {}
    if topic.title != title:
        changes["title"] = [topic.title, title]
        topic.title = title
    new_group_id = group.pk if group else None
    if topic.group_id != new_group_id:
        changes["group"] = [topic.group_id, new_group_id]
        topic.group = group
        topic.order = _next_order(_topic_scope(microconference=mc, group=group))
    if changes:
        topic.save(update_fields=["title", "group", "order"])
        audit_record(
            obj=mc,
            action="mc_topic_updated",
            actor=actor,
            data={"topic": topic.pk, "changes": changes},
        )
    return topic


@transaction.atomic
def topic_delete(*, topic: Topic, actor) -> None:
    mc = _locked(topic.microconference)
    topic = Topic.objects.get(pk=topic.pk, microconference=mc)
    audit_record(
        obj=mc,
        action="mc_topic_deleted",
        actor=actor,
        from_state=topic.title,
        data={"topic": topic.pk, "group": topic.group_id},
    )
    topic.delete()


@transaction.atomic
def topic_reorder(
    *,
    microconference: Microconference,
    group: TopicGroup | None,
    topic_ids: Sequence[int],
    actor,
) -> list[Topic]:
    """Put the topics of one heading (or the ungrouped ones, group=None) in the given order;
    the list must name each of them once."""
    mc = _locked(microconference)
    _check_group(microconference=mc, group=group)
    return _reorder_topics(mc=mc, group=group, topic_ids=list(topic_ids), actor=actor)


def _reorder_topics(*, mc, group, topic_ids: list[int], actor) -> list[Topic]:
    topics = {t.pk: t for t in _topic_scope(microconference=mc, group=group)}
    if sorted(topic_ids) != sorted(topics):
        raise MicroconferenceError(
            "The topics changed while you were editing; please reload the page and retry."
        )
    rows = [topics[pk] for pk in topic_ids]
    before = [t.pk for t in sorted(topics.values(), key=lambda t: (t.order, t.pk))]
    if before != topic_ids or [t.order for t in rows] != list(range(1, len(rows) + 1)):
        _renumber(Topic, rows)
        audit_record(
            obj=mc,
            action="mc_topics_reordered",
            actor=actor,
            data={"group": group and group.pk, "before": before, "after": topic_ids},
        )
    return rows


@transaction.atomic
def topic_move(*, topic: Topic, direction: str, actor) -> Topic:
    """Swap a topic with its neighbour above ("up") or below ("down") under its heading."""
    mc = _locked(topic.microconference)
    topic = Topic.objects.select_related("group").get(pk=topic.pk, microconference=mc)
    ids = list(
        _topic_scope(microconference=mc, group=topic.group)
        .order_by("order", "pk")
        .values_list("pk", flat=True)
    )
    _reorder_topics(
        mc=mc, group=topic.group, topic_ids=_moved(ids, topic.pk, direction), actor=actor
    )
    return Topic.objects.get(pk=topic.pk)
