from django.contrib import admin

from .models import Dataset, DatasetVersion


class DatasetVersionInline(admin.TabularInline):
    model = DatasetVersion
    extra = 0
    fields = ["version", "kind", "rows", "columns", "size_bytes", "source_name", "digest", "created_by", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # versions come from uploads only


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "workspace", "created_by", "created_at"]
    list_filter = ["workspace"]
    search_fields = ["name"]
    inlines = [DatasetVersionInline]
