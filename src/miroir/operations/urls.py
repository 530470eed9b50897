from __future__ import annotations

from django.urls import path

from miroir.operations import views

app_name = "operations"
urlpatterns = [
    path("", views.task_failure_list, name="task_failures"),
    path("<int:failure_id>/dismiss", views.task_failure_dismiss, name="task_failure_dismiss"),
    path("<int:failure_id>/retry", views.task_failure_retry, name="task_failure_retry"),
]
