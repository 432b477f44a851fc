"""The victim-referral pages, mounted under /hanvisningar/ (Swedish paths, English names)."""

from django.urls import path

from cases.referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.ReferralListView.as_view(), name="referral_list"),
    path("ny/", views.ReferralCreateView.as_view(), name="referral_create"),
    path("<int:pk>/", views.ReferralDetailView.as_view(), name="referral_detail"),
    path("<int:pk>/visa/", views.ReferralRevealView.as_view(), name="referral_reveal"),
    path("<int:pk>/status/", views.ReferralStatusView.as_view(), name="referral_status"),
    path(
        "<int:pk>/samtycke/aterkalla/",
        views.ReferralWithdrawConsentView.as_view(),
        name="referral_withdraw_consent",
    ),
    path("<int:pk>/dela/", views.ReferralShareView.as_view(), name="referral_share"),
    path("<int:pk>/anteckning/", views.ReferralNoteView.as_view(), name="referral_note"),
    path("<int:pk>/stod/", views.SupportMeasureView.as_view(), name="referral_support"),
    path(
        "<int:pk>/betanketid/",
        views.ReflectionApplyView.as_view(),
        name="referral_reflection_apply",
    ),
    path(
        "<int:pk>/betanketid/<int:period_id>/beslut/",
        views.ReflectionDecideView.as_view(),
        name="referral_reflection_decide",
    ),
]
