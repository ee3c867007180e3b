"""The roster template: its columns and headers, the values a cell may hold, the
example row, and the workbook people download to fill in."""

from __future__ import annotations

from incubator.spreadsheets import template_bytes
from incubator.volunteers.models import MemberRole

# (header, key, required)
COLUMNS = (
    ("姓名", "name", True),
    ("性别", "gender", False),
    ("出生年份", "birth_year", True),
    ("手机号", "phone", True),
    ("小区", "compound", False),
    ("技能", "skills", False),
    ("可服务时间", "availability", False),
    ("加入日期", "joined_on", False),
    ("身份证号", "id_number", False),
    ("监护人姓名", "guardian_name", False),
    ("监护人同意日期", "guardian_consent_on", False),
    ("身份", "role", False),
)
HEADERS = {header: key for header, key, _r in COLUMNS}
ROLE_ALIASES = {
    "": MemberRole.MEMBER,
    "成员": MemberRole.MEMBER,
    "骨干": MemberRole.BACKBONE,
    "member": MemberRole.MEMBER,
    "backbone": MemberRole.BACKBONE,
}
# The template's example row: its name carries EXAMPLE_MARK and its phone is
# EXAMPLE_PHONE, the number every Chinese form uses as a sample (also the phone of
# the example in templates downloaded before the mark existed). A row with either
# is never imported, however the rest of it was edited.
EXAMPLE_MARK = "示例"
EXAMPLE_PHONE = "13800138000"
DATE_KEYS = ("joined_on", "guardian_consent_on")


def template_workbook() -> bytes:
    example = [
        f"{EXAMPLE_MARK}：张三",
        "女",
        "1962",
        EXAMPLE_PHONE,
        "",
        "舞蹈、摄影",
        "周末",
        "2024-03-01",
        "",
        "",
        "",
        "成员",
    ]
    notes = (
        "带 * 的列必须填写；第一行是表头，请勿修改。",
        f"第二行是填写示例：姓名含“{EXAMPLE_MARK}”二字或手机号为 {EXAMPLE_PHONE} 的行"
        "导入时总是跳过，不会成为志愿者。可以删除示例行，也可以保留，"
        "从第三行起每行填写一名志愿者。",
        "手机号和身份证号请以文本格式填写（本模板已设为文本），"
        "否则 Excel 会损坏长数字。",
        "性别填 男 或 女；可服务时间填 工作日白天、工作日晚上、周末，"
        "多个用、分隔；技能多个用、分隔。",
        "不满 14 周岁的志愿者须填写监护人姓名和监护人同意日期。",
        "身份填 成员 或 骨干，默认为成员。",
    )
    # Phone and ID columns are text, so Excel keeps every digit.
    return template_bytes(
        "志愿者名册",
        COLUMNS,
        example,
        text_keys=("phone", "id_number", "birth_year"),
        notes=notes,
    )


def _column_label(key: str) -> str:
    return next(h for h, k, _r in COLUMNS if k == key)
