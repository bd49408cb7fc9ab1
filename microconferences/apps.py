from django.apps import AppConfig


class MicroconferencesConfig(AppConfig):
    name = "microconferences"
    verbose_name = "Microconferences"
