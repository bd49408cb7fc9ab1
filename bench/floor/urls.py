"""The floor's two views: a locked registration and a bare "ok"."""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path
from django.views.decorators.http import require_POST

from bench.floor.models import Kind, Reg


def ok(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
@require_POST
@transaction.atomic
def register(request, kind_id):
    kind = Kind.objects.select_for_update().get(pk=kind_id)
    taken = Reg.objects.filter(kind=kind, status="confirmed").count()
    status = "confirmed" if taken < kind.capacity else "waitlisted"
    Reg.objects.create(user=request.user, kind=kind, status=status, reason=request.POST["reason"])
    return HttpResponseRedirect("/ok")


urlpatterns = [path("ok", ok), path("register/<int:kind_id>/", register)]
