"""The departments a call or a referral can go to, seeded from the hotline's rules.

Routing decides between five destinations (``DESTINATIONS``), the groups the hotline's rules
name: 稽查局 (reports of tax violations, 第五条), 监察室 (complaints about staff conduct and
integrity, 第六条), 法规处 (oral applications for 行政复议, 第七条), 业务处室 (policy questions
for the department of that tax, 第四条) and 征管处 (the hotline's own management, 第三条).
办公室 (new policies and publicity, 第八条) and the district bureaus' liaisons (第九条) are
departments too, in groups of their own.

A department has a ``name`` (what users' ``department`` field holds), a ``group`` (the
destination it belongs to) and the tax types it answers for (policy departments only).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import JSON, Boolean, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.core.db import Base

INSPECTION = "稽查局"
SUPERVISION = "监察室"
LEGAL = "法规处"
POLICY = "业务处室"
COLLECTION = "征管处"
OFFICE = "办公室"
DISTRICTS = "区（市、县）局"

# The five destinations of a routing decision (the eval set's ``department`` values).
DESTINATIONS = (INSPECTION, SUPERVISION, LEGAL, POLICY, COLLECTION)
GROUPS = DESTINATIONS + (OFFICE, DISTRICTS)

# Departments that receive confidential reports and complaints (举报, 投诉).
CONFIDENTIAL_RECEIVERS = (INSPECTION, SUPERVISION)

TAX_TYPES = (
    "增值税", "消费税", "车辆购置税", "企业所得税", "个人所得税", "房产税", "城镇土地使用税",
    "契税", "土地增值税", "印花税", "资源税", "环境保护税", "耕地占用税", "车船税",
    "城市维护建设税", "烟叶税", "船舶吨税", "关税", "出口退税", "国际税收", "社会保险费",
    "非税收入",
)


@dataclass(frozen=True)
class DepartmentSeed:
    name: str
    group: str
    tax_types: tuple[str, ...] = field(default=())


_DISTRICT_NAMES = (
    "锦江区", "青羊区", "金牛区", "武侯区", "成华区", "龙泉驿区", "青白江区", "新都区", "温江区",
    "双流区", "郫都区", "新津区", "简阳市", "都江堰市", "彭州市", "邛崃市", "崇州市", "金堂县",
    "大邑县", "蒲江县", "高新区", "天府新区",
)

SEED: tuple[DepartmentSeed, ...] = (
    DepartmentSeed(INSPECTION, INSPECTION),
    DepartmentSeed(SUPERVISION, SUPERVISION),
    DepartmentSeed(LEGAL, LEGAL),
    DepartmentSeed(COLLECTION, COLLECTION),
    DepartmentSeed(OFFICE, OFFICE),
    DepartmentSeed("货物和劳务税处", POLICY, ("增值税", "消费税", "车辆购置税")),
    DepartmentSeed("所得税处", POLICY, ("企业所得税", "个人所得税")),
    DepartmentSeed(
        "财产和行为税处", POLICY,
        ("房产税", "城镇土地使用税", "契税", "土地增值税", "印花税", "资源税", "环境保护税",
         "耕地占用税", "车船税", "城市维护建设税", "烟叶税", "船舶吨税"),
    ),
    DepartmentSeed("国际税务管理处", POLICY, ("国际税收",)),
    DepartmentSeed("进出口税收管理处", POLICY, ("出口退税", "关税")),
    DepartmentSeed("社会保险费和非税收入处", POLICY, ("社会保险费", "非税收入")),
) + tuple(DepartmentSeed(f"{name}税务局联络员", DISTRICTS) for name in _DISTRICT_NAMES)

SEED_BY_NAME = {d.name: d for d in SEED}


def group_of(name: str | None) -> str | None:
    """The destination group of a department name (a group name is its own group)."""
    if not name:
        return None
    if name in GROUPS:
        return name
    seed = SEED_BY_NAME.get(name)
    return seed.group if seed else None


def office_for_tax(tax_type: str | None) -> str | None:
    """The policy department that answers for ``tax_type``."""
    for seed in SEED:
        if tax_type and tax_type in seed.tax_types:
            return seed.name
    return None


class Department(Base):
    """A receiving department; users' ``department`` holds its ``name``."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    group: Mapped[str] = mapped_column(String(50))
    tax_types: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<Department {self.name} ({self.group})>"


def seed_departments(session: Session) -> list[Department]:
    """Add the shipped departments that are missing; existing rows are left as edited."""
    existing = set(session.scalars(select(Department.name)))
    added = [
        Department(name=s.name, group=s.group, tax_types=list(s.tax_types))
        for s in SEED if s.name not in existing
    ]
    session.add_all(added)
    session.flush()
    return added


def department_names(session: Session) -> set[str]:
    """Active department names: the stored ones, or the shipped seed when none are stored."""
    names = set(session.scalars(select(Department.name).where(Department.active.is_(True))))
    return names or set(SEED_BY_NAME)
