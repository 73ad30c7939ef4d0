import pytest
from django.contrib.auth.models import Group

from core.roles import STAFF_ROLES, Role, apply_roles, assign_role, role_permissions, roles_of

pytestmark = pytest.mark.django_db


def test_every_role_has_a_group_with_exactly_its_permissions():
    for role, names in role_permissions().items():
        group = Group.objects.get(name=role)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == set(names)


def test_applying_roles_again_changes_nothing_and_removes_strays():
    group = Group.objects.get(name=Role.SALES_REP)
    stray = Group.objects.get(name=Role.ACCOUNTANT).permissions.get(codename="close_period")
    group.permissions.add(stray)

    apply_roles()
    apply_roles()

    assert not group.permissions.filter(pk=stray.pk).exists()
    assert Group.objects.filter(name=Role.SALES_REP).count() == 1


@pytest.mark.parametrize("role", list(Role))
def test_staff_flag_follows_the_role(django_user_model, role):
    user = django_user_model.objects.create_user(username=f"u-{role}")
    assign_role(user, role)
    assert user.is_staff == (role in STAFF_ROLES)
    assert role in roles_of(user)


def test_sales_rep_cannot_close_periods(sales_rep, accountant):
    assert not sales_rep.has_perm("ledger.close_period")
    assert accountant.has_perm("ledger.close_period")
