from django.contrib import admin

from .models import ActivityEvent


@admin.register(ActivityEvent)
class ActivityEventAdmin(admin.ModelAdmin):
    list_display = ["id", "workspace", "actor_name", "verb", "object_type", "object_id", "object_name", "created_at"]
    list_filter = ["verb", "object_type"]
    readonly_fields = [f.name for f in ActivityEvent._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # events are recorded by services only
