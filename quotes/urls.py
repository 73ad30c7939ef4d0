from django.urls import path

from quotes import views

app_name = "quotes"

urlpatterns = [
    path("", views.quote_list, name="list"),
    path("new/", views.quote_create, name="create"),
    path("approvals/", views.approvals, name="approvals"),
    path("<int:pk>/", views.quote_detail, name="detail"),
    path("<int:pk>/build/", views.quote_builder, name="builder"),
    path("<int:pk>/edit/", views.quote_edit, name="edit"),
    path("<int:pk>/deal-desk/", views.deal_desk, name="deal_desk"),
    path("<int:pk>/products/", views.product_search, name="product_search"),
    path("<int:pk>/configure/", views.configure, name="configure"),
    path("<int:pk>/configure/check/", views.configure_check, name="configure_check"),
    path("<int:pk>/guided/", views.guided, name="guided"),
    path("<int:pk>/lines/add/", views.line_add, name="line_add"),
    path("<int:pk>/lines/add-many/", views.lines_add_many, name="lines_add_many"),
    path("<int:pk>/lines/paste/", views.lines_paste, name="lines_paste"),
    path("<int:pk>/lines/upload/", views.lines_upload, name="lines_upload"),
    path("<int:pk>/lines/copy/", views.lines_copy, name="lines_copy"),
    path("<int:pk>/lines/template/", views.lines_template, name="lines_template"),
    path("<int:pk>/lines/reorder/", views.lines_reorder, name="lines_reorder"),
    path("<int:pk>/template/", views.template_save, name="template_save"),
    path("<int:pk>/lines/<int:line_pk>/", views.line_update, name="line_update"),
    path("<int:pk>/lines/<int:line_pk>/remove/", views.line_remove, name="line_remove"),
    path("<int:pk>/lines/<int:line_pk>/move/", views.line_move, name="line_move"),
    path("<int:pk>/lines/", views.lines_table, name="lines"),
    path("<int:pk>/submit/", views.quote_submit, name="submit"),
    path("<int:pk>/approve/", views.quote_approve, name="approve"),
    path("<int:pk>/reject/", views.quote_reject, name="reject"),
    path("<int:pk>/clone/", views.quote_clone, name="clone"),
    path("<int:pk>/revise/", views.quote_revise, name="revise"),
    path("<int:pk>/send-again/", views.quote_send_again, name="send_again"),
    path("<int:pk>/coupons/", views.coupon_apply, name="coupon_apply"),
    path("<int:pk>/coupons/<int:coupon_pk>/remove/", views.coupon_remove, name="coupon_remove"),
]
