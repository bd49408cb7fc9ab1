from django.apps import AppConfig


class MicroconferencesConfig(AppConfig):
    name = "microconferences"
    verbose_name = "Microconferences"

    def ready(self):
        # Registers the rules permission "microconferences.edit_microconference".
        from microconferences import permissions  # noqa: F401
