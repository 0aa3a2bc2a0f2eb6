"""Account commands: ``create-user`` and ``reset-password`` (thin wrappers around ``kb.accounts.users``)."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from kb.core.actors import SYSTEM
from kb.core.db import transaction
from kb.accounts.users import ROLES, AccountError, NewUser, create_user, ensure_admin, find_user, reset_password
from webapp.storage import storage


@click.command("create-user")
@with_appcontext
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES), help="agent, policy, director, department or admin")
@click.option("--department", default=None, help="the department of a department user")
@click.option("--password", default=None, help="initial password (default: a one-time password, printed)")
@click.option("--staff-no", default=None, help="工号 of an agent")
@click.option("--display-name", default=None, help="the person's name")
def create_user_command(name, role, department, password, staff_no, display_name):
    """Create a user account."""
    try:
        with transaction(storage().session_factory) as session:
            user, issued = create_user(session, SYSTEM, NewUser(
                username=name, role=role, password=password, department=department, staff_no=staff_no,
                display_name=display_name))
            summary = f"已创建账号 {user.username}（{user.role_label}）"
    except AccountError as error:
        raise click.ClickException(str(error))
    click.echo(summary)
    if password is None:
        click.echo(f"一次性密码：{issued}（首次登录后须修改）")


@click.command("reset-password")
@with_appcontext
@click.argument("name")
def reset_password_command(name):
    """Give a user a new one-time password (printed once)."""
    with transaction(storage().session_factory) as session:
        user = find_user(session, name)
        if user is None:
            raise click.ClickException(f"用户“{name}”不存在")
        issued = reset_password(session, SYSTEM, user)
    click.echo(f"{name} 的一次性密码：{issued}（登录后须修改）")


def create_first_admin(app: Flask) -> None:
    """First start: when there is no user at all, create ``admin`` and print its one-time password once."""
    from sqlalchemy.exc import IntegrityError

    try:
        with transaction(storage().session_factory) as session:
            password = ensure_admin(session)
    except IntegrityError:  # another worker created it first
        return
    if password:
        click.echo("=" * 60, err=True)
        click.echo("首次启动：已创建管理员账号 admin", err=True)
        click.echo(f"一次性密码：{password}", err=True)
        click.echo("此密码只显示这一次，首次登录后须修改。", err=True)
        click.echo("=" * 60, err=True)


def register(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(reset_password_command)
