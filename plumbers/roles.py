"""The Organizers group gets every permission of the conference apps. The group itself is
created by a data migration; this keeps its permissions complete after every migrate, so a
model added by a later migration is covered without another data migration."""

ORGANIZER_APP_LABELS = (
    "plumbers", "cfp", "microconferences", "registration", "sponsors", "account", "django_tasks_db",
)


def sync_organizer_permissions(sender=None, using="default", apps=None, **kwargs):
    from django.contrib.auth.models import Group, Permission

    from plumbers.permissions import ORGANIZERS_GROUP

    group, _ = Group.objects.using(using).get_or_create(name=ORGANIZERS_GROUP)
    perms = Permission.objects.using(using).filter(
        content_type__app_label__in=ORGANIZER_APP_LABELS
    )
    auth_perms = Permission.objects.using(using).filter(
        content_type__app_label="auth", codename__in=["view_group"]
    )
    group.permissions.add(*perms, *auth_perms)
