"""The Organizers group gets every permission of the conference apps. The group itself is
created by a data migration; this keeps its permissions complete after every migrate, so a
model added by a later migration is covered without another data migration."""

ORGANIZER_APP_LABELS = (
    "plumbers",
    "cfp",
    "microconferences",
    "registration",
    "schedule",
    "sponsors",
    "account",
    "django_tasks_database",  # the label of django_tasks_db's app: the queued mail
)


def sync_organizer_permissions(sender=None, using="default", apps=None, **kwargs):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    from plumbers.permissions import ORGANIZERS_GROUP

    # post_migrate is sent once per app (after migrate, and after every flush of a
    # transactional test): do the work once, on the last app's signal.
    emitting = [config for config in global_apps.get_app_configs() if config.models_module]
    if sender is not None and emitting and sender is not emitting[-1]:
        return
    # Our receiver is connected before auth's, so the last app's permissions may not exist
    # yet: create any missing ones first (idempotent).
    for app_config in emitting:
        create_permissions(app_config, verbosity=0, using=using)

    group, _ = Group.objects.using(using).get_or_create(name=ORGANIZERS_GROUP)
    perms = Permission.objects.using(using).filter(content_type__app_label__in=ORGANIZER_APP_LABELS)
    auth_perms = Permission.objects.using(using).filter(
        content_type__app_label="auth", codename__in=["view_group"]
    )
    group.permissions.add(*perms, *auth_perms)
