"""Placeholder views: the registrations pages are being written (see the commit that replaces this)."""

from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse(status=501)


register = mine = cancel = badge = workshop_signup = workshop_leave = _todo
manage_list = manage_export = manage_import = manage_detail = checkin = checkin_badge = checkin_do = _todo
