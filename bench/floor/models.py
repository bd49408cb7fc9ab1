from django.conf import settings
from django.db import models


class Kind(models.Model):  # noqa: DJ008 - never shown
    capacity = models.IntegerField()


class Reg(models.Model):  # noqa: DJ008 - never shown
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    kind = models.ForeignKey(Kind, on_delete=models.CASCADE)
    status = models.CharField(max_length=16)
    reason = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="floor_one_per")]
