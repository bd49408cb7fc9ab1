"""Named predicates for the conference core; other apps build theirs on these."""

import rules
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef

ORGANIZERS_GROUP = "Organizers"


def organizer_membership() -> Exists:
    """For a users query: whether each is in the organizers group (the same test as
    ``is_organizer``'s, which reads it from ``_plumbers_is_organizer`` when it is there)."""
    return Exists(Group.objects.filter(name=ORGANIZERS_GROUP, user=OuterRef("pk")))


@rules.predicate
def is_organizer(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_plumbers_is_organizer", None)
    if cached is None:
        cached = user.groups.filter(name=ORGANIZERS_GROUP).exists()
        user._plumbers_is_organizer = cached
    return cached


is_verified = rules.predicate(
    lambda user: (
        bool(getattr(user, "is_authenticated", False))
        and user.emailaddress_set.filter(verified=True).exists()
    ),
    name="is_verified",
)


def _permissions_beyond(actor):
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    mine = Permission.objects.filter(Q(user=actor) | Q(group__user=actor)).values("pk")
    return Permission.objects.exclude(pk__in=mine).values("pk")


def outranking_accounts(actor):
    """Accounts holding a permission ``actor`` lacks (or superusers, when ``actor`` is not).

    Nobody may change what authenticates such an account (its email addresses, password,
    groups, permissions, staff flags): whoever controls its login would gain the missing
    permissions. Equal or lesser accounts stay manageable (organizers help each other)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    accounts = get_user_model().objects
    if actor.is_superuser:
        return accounts.none()
    beyond = _permissions_beyond(actor)
    return accounts.filter(
        Q(is_superuser=True) | Q(user_permissions__in=beyond) | Q(groups__permissions__in=beyond)
    ).distinct()


def outranks(target, actor) -> bool:
    return target is not None and outranking_accounts(actor).filter(pk=target.pk).exists()


def groups_within(actor):
    """The groups ``actor`` may hand out: none grants a permission ``actor`` lacks."""
    from django.contrib.auth.models import Group

    if actor.is_superuser:
        return Group.objects.all()
    return Group.objects.exclude(permissions__in=_permissions_beyond(actor))
