from django.apps import AppConfig


class CfpConfig(AppConfig):
    name = "cfp"
    label = "cfp"
    verbose_name = "Call for proposals"
