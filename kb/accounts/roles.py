"""The five roles, as data: what every feature checks an actor's role against (``kb.core.permissions``)."""
from __future__ import annotations

AGENT = "agent"
POLICY = "policy"
DIRECTOR = "director"
DEPARTMENT = "department"
ADMIN = "admin"
ROLES = (AGENT, POLICY, DIRECTOR, DEPARTMENT, ADMIN)
ROLE_LABELS = {
    AGENT: "咨询服务员",
    POLICY: "政策法规岗",
    DIRECTOR: "中心主任",
    DEPARTMENT: "部门用户",
    ADMIN: "管理员",
}
