from django.contrib import admin

from .models import Pipeline, PipelineVersion


class PipelineVersionInline(admin.TabularInline):
    model = PipelineVersion
    extra = 0
    fields = ["number", "message", "author", "created_at", "base_number", "restored_from"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # versions are saved through the API only


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "workspace", "created_by", "updated_at"]
    list_filter = ["workspace"]
    search_fields = ["name"]
    readonly_fields = ["draft", "draft_updated_at", "draft_updated_by", "draft_base_version"]
    inlines = [PipelineVersionInline]
