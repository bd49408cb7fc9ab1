from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PlumbersConfig(AppConfig):
    name = "plumbers"
    verbose_name = "Conference"

    def ready(self):
        from plumbers.roles import sync_organizer_permissions

        post_migrate.connect(sync_organizer_permissions, dispatch_uid="plumbers_org_perms")

        from plumbers.pagecache import connect_signals

        connect_signals()
