"""The signed-in person, read from the shared cache rather than the database on every request.

Django loads the user behind a session with a query on every request, and the header asks
whether they organize (a second query). A signed-in page otherwise costs a handful of
queries, so these two were a third of it; during a registration rush everybody is signed
in. The user row, with the organizer flag read alongside, is kept in the shared cache:

- any save or delete of the user (a password change, deactivation, a new name) and any
  change of their groups drops the entry at once (signals below), and Django still checks
  the session against the password hash of what it gets, so a changed password logs out
  the other sessions as before;
- an entry lives ``USER_TTL`` seconds at most, which bounds what a bulk ``update()`` (it
  sends no signal) could leave behind; the site does none on users;
- with the cache away, every request reads the database (plumbers.cache).

Logins store this backend in the session; sessions made by Django's and allauth's backends
(listed after it) keep working and read the database as before.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from plumbers.models import User
from plumbers.permissions import organizer_membership

USER_TTL = 300
# Part of the key: change it when what is cached changes shape.
FORMAT = 1


def user_key(user_id) -> str:
    return f"auth-user:{FORMAT}:{user_id}"


class CachedUserBackend(AuthenticationBackend):
    """allauth's email-and-password backend, with the session's user from the cache."""

    def get_user(self, user_id):
        key = user_key(user_id)
        user = cache.get(key)
        if user is None:
            # The organizer flag in the same query (is_organizer reads it from the user).
            user = (
                User._default_manager.annotate(_plumbers_is_organizer=organizer_membership())
                .filter(pk=user_id)
                .first()
            )
            if user is None:
                return None
            cache.set(key, user, USER_TTL)
        return user if self.user_can_authenticate(user) else None


def forget_user(user_id) -> None:
    """Drop the cached user now and again after the transaction commits (a request in
    between may have read and cached the old row)."""
    key = user_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def _user_changed(sender, instance, **kwargs):
    forget_user(instance.pk)


def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not reverse:  # user.groups.add(...): instance is the user
        if action.startswith("post_"):
            forget_user(instance.pk)
    elif action == "pre_clear":  # group.user_set.clear(): its members, before they go
        instance._plumbers_members = list(instance.user_set.values_list("pk", flat=True))
    elif action == "post_clear":
        _forget_members(instance)
    elif action.startswith("post_"):  # group.user_set.add(...): the users are in pk_set
        for pk in pk_set or ():
            forget_user(pk)


def _group_deleting(sender, instance, **kwargs):
    # Deleting a group removes its members' rows without an m2m signal.
    instance._plumbers_members = list(instance.user_set.values_list("pk", flat=True))


def _forget_members(group, **kwargs):
    for pk in getattr(group, "_plumbers_members", ()):
        forget_user(pk)


def connect_signals() -> None:
    post_save.connect(_user_changed, sender=User, dispatch_uid="auth-user-saved")
    post_delete.connect(_user_changed, sender=User, dispatch_uid="auth-user-deleted")
    m2m_changed.connect(
        _groups_changed, sender=User.groups.through, dispatch_uid="auth-user-groups"
    )
    pre_delete.connect(_group_deleting, sender=Group, dispatch_uid="auth-group-deleting")
    post_delete.connect(
        lambda sender, instance, **kw: _forget_members(instance),
        sender=Group,
        dispatch_uid="auth-group-deleted",
        weak=False,
    )
