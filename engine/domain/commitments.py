"""Goal decomposition (分解细化指标): the annual goal text and the project description read as a list
of commitments — quantities ("培训600人次以上", "新建污水管网12公里", "覆盖3个乡镇"), rates ("合格率100%"),
satisfaction ("满意度达到92%以上"), deadlines ("9月底前完成"), time limits ("24小时内修复"), unit costs and
standards ("每亩补助1500元", "200元/人·月"), totals ("总投资3600万元") and effects ("运输成本下降10%",
"户均增收1500元"). Each becomes an indicator row: the slot it belongs in, a name composed from the
phrase (object + measure: 污水管网新建长度, 乡村教师培训人次) and the drafter's own number as the target.
Pure rules; the word lists are in data/commitments.json."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from engine.domain.resources import load_json
from engine.domain.text import nfkc

QUANTITY, RATE, SATISFACTION, DEADLINE, LIMIT, COST, TOTAL, EFFECT, OBJECT = (
    "quantity", "rate", "satisfaction", "deadline", "limit", "cost", "total", "effect", "object")
_SLOT_LEVEL1 = {"经济成本指标": "成本指标", "社会成本指标": "成本指标", "生态环境成本指标": "成本指标",
                "数量指标": "产出指标", "质量指标": "产出指标", "时效指标": "产出指标",
                "经济效益指标": "效益指标", "社会效益指标": "效益指标", "生态效益指标": "效益指标",
                "服务对象满意度指标": "满意度指标"}
_NUM = r"(\d+(?:\.\d+)?)"
_HAN = r"[\u4e00-\u9fff]"
_SPLIT = re.compile(r"[，,。；;！!？?\n：:]+|(?:\d+[、.．)）](?!\d))")
_REORDER = ("购置", "采购", "种植", "改造", "安装", "部署", "建设", "新建", "配备", "配置")


@dataclass(frozen=True)
class Commitment:
    kind: str
    level2: str
    name: str        # the composed indicator name
    value: str       # the target as a table writes it: ≥3000人次, ≥95%, 9月底前, ≤1500元/亩
    unit: str
    phrase: str      # the words it came from, for `why`
    source: str      # 年度绩效目标 | 项目概述

    @property
    def level1(self) -> str:
        return _SLOT_LEVEL1[self.level2]


@lru_cache(maxsize=1)
def _cfg() -> dict:
    cfg = load_json("commitments.json")
    units = sorted(cfg["units"], key=len, reverse=True)
    cfg["_qty"] = re.compile(rf"{_NUM}\s*({'|'.join(map(re.escape, units))})")
    per = sorted(cfg["per_words"], key=len, reverse=True)
    cfg["_per"] = re.compile(rf"({'|'.join(map(re.escape, per))})")
    suffix = "|".join(map(re.escape, sorted(cfg["time_suffix"], key=len, reverse=True)))
    cfg["_slash_cost"] = re.compile(rf"{_NUM}\s*(万元|元)\s*(?:/|每)\s*({_HAN}{{1,2}}?)(?:[·.]({suffix}))?")
    cfg["_money"] = re.compile(rf"{_NUM}\s*(万元|元)")
    cfg["_ops_tail"] = sorted((w for w in cfg["op_words"] if not w[0].isascii()), key=len, reverse=True) + ["按", "约", "共", "计"]
    cfg["_ops_by_len"] = sorted(cfg["op_words"], key=len, reverse=True)
    verbs = "|".join(map(re.escape, sorted(cfg["object_verbs"], key=len, reverse=True)))
    cfg["_objects"] = re.compile(rf"({verbs})({_HAN}{{2,12}}?)(?=[等和及与、，,。；;的]|$)")
    return cfg


@lru_cache(maxsize=512)
def decompose(goal: str, description: str = "") -> list[Commitment]:
    """The commitments of a goal text and a description (goal first; a description number the goal
    already states is not repeated)."""
    out: list[Commitment] = []
    seen: set[tuple[str, str]] = set()
    for text, source in ((goal, "年度绩效目标"), (description, "项目概述")):
        text = re.sub(r"(?<=\d),(?=\d{3})", "", nfkc(text or "")[:4000])  # 1,200公里
        for c in _decompose(text, source):
            key = (c.level2, c.value or c.name)
            if key in seen or (c.kind == OBJECT and any(o.level2 == c.level2 and o.name[:4] == c.name[:4] for o in out)):
                continue
            seen.add(key)
            out.append(c)
    return out


def _clauses(text: str) -> list[str]:
    parts = []
    for clause in _SPLIT.split(text):
        clause = clause.strip()
        if not clause:
            continue
        pieces = clause.split("、")
        if len(pieces) > 1 and all(re.search(r"\d", p) for p in pieces):
            parts += pieces
        else:
            parts.append(clause)
    return parts


def _decompose(text: str, source: str) -> list[Commitment]:
    out = []
    for clause in _clauses(text):
        taken: list[tuple[int, int]] = []
        for finder in (_satisfaction, _rates, _deadlines, _limits, _costs, _quantities, _objects):
            for c, span in finder(clause, taken):
                if c is not None and c.name:
                    out.append(Commitment(c.kind, c.level2, c.name, c.value, c.unit, c.phrase, source))
                taken.append(span)
    return out


# ------------------------------------------------------------------ helpers
def _free(span: tuple[int, int], taken) -> bool:
    return all(span[1] <= a or span[0] >= b for a, b in taken)


_AFTER = re.compile(r"^.*?(?:建成|实施|完成|改造|竣工|投用|投入使用|运行|实施完成)后")


def _trim(s: str, keep: int = 16) -> str:
    """Words before a number as a name stem: no digits, trailing ops or lead words, the nearest `keep`
    characters."""
    cfg = _cfg()
    s = re.sub(r"20\d{2}年度?", "", s)
    segments = [x for x in cfg["_qty"].split(s)[::3] if re.search(_HAN, x or "")] if re.search(r"\d", s) else [s]
    s = segments[-1] if segments else ""  # the words after the last number
    s = re.sub(r"\d+(?:\.\d+)?%?|[^\u4e00-\u9fffA-Za-z]", "", s)
    s = _AFTER.sub("", s)
    changed = True
    while changed and s:
        changed = False
        for w in cfg["_ops_tail"]:
            if s.endswith(w):
                s, changed = s[: -len(w)], True
    s = s[-keep:]
    changed = True
    while changed and s:
        changed = False
        for w in cfg["lead_words"]:
            if s.startswith(w):
                s, changed = s[len(w):], True
    for w in cfg["trim_tail"]:
        if s.endswith(w) and len(s) > len(w) + 1:
            s = s[: -len(w)]
    return s.strip("的之")


def _op(context: str, default: str = "≥") -> str:
    cfg = _cfg()
    for w in cfg["_ops_by_len"]:
        if w in context:
            return cfg["op_words"][w]
    return default


def _fmt(num: str) -> str:
    return num[:-2] if num.endswith(".0") else num


def _mk(kind, level2, name, value, unit, phrase):
    return Commitment(kind, level2, name, value, unit, phrase.strip(), "")


def _has(words, *texts) -> bool:
    return any(w in t for w in words for t in texts)


# ------------------------------------------------------------------ finders: (commitment, span) pairs
def _satisfaction(clause: str, taken):
    for m in re.finditer(rf"({_HAN}{{0,12}}?)满意度[^\d%]{{0,8}}?{_NUM}\s*%", clause):
        if not _free(m.span(), taken):
            continue
        subject = _trim(m.group(1), 8) or "服务对象"
        op = "=" if float(m.group(2)) >= 100 else "≥"
        yield _mk(SATISFACTION, "服务对象满意度指标", f"{subject}满意度", f"{op}{_fmt(m.group(2))}%", "%",
                  m.group(0)), m.span()


def _rates(clause: str, taken):
    cfg = _cfg()
    for m in re.finditer(rf"({_HAN}{{2,20}}?(?:率|占比|比例|比重))[^\d%，]{{0,8}}?{_NUM}\s*%(以上|以内|以下)?", clause):
        if not _free(m.span(), taken):
            continue
        name = _trim(m.group(1), 14)
        if len(name) < 3:
            continue
        tail = m.group(0)
        op = "=" if float(m.group(2)) >= 100 else _op(tail)
        if _has(cfg["timely_rates"], name):
            slot = "时效指标"
        elif _has(cfg["quality_rates"], name):
            slot = "质量指标"
        elif _has(cfg["economic_words"], name):
            slot = "经济效益指标"
        elif _has(cfg["ecological_words"], name):
            slot = "生态效益指标"
        elif _has(cfg["social_rates"], name):
            slot = "社会效益指标"
        else:
            slot = "质量指标"
        yield _mk(RATE, slot, name, f"{op}{_fmt(m.group(2))}%", "%", tail), m.span()
    # changes by a percentage: 运输成本下降10%以上, 产量提高15%
    for m in re.finditer(rf"({_HAN}{{2,14}}?)(提高|提升|增长|增加|下降|降低|减少|缩短){_NUM}\s*%", clause):
        if not _free(m.span(), taken):
            continue
        subject = _trim(m.group(1), 10)
        if len(subject) < 2:
            continue
        slot = ("经济效益指标" if _has(cfg["economic_words"] + ["成本"], subject)
                else "生态效益指标" if _has(cfg["ecological_words"], subject) else "社会效益指标")
        yield _mk(EFFECT, slot, f"{subject}{m.group(2)}率", f"≥{_fmt(m.group(3))}%", "%", m.group(0)), m.span()


_DEADLINE = re.compile(r"(?:(20\d{2})年)?(\d{1,2})月(?:底|末|份|中旬|上旬|下旬|\d{1,2}日)?(?:前|以前|之前)")


def _deadlines(clause: str, taken):
    for m in _DEADLINE.finditer(clause):
        if not _free(m.span(), taken):
            continue
        before = _trim(clause[: m.start()], 8)
        after = re.sub(r"\d+(?:\.\d+)?\s*\S?", "", clause[m.end():])
        after = _trim(re.sub(r"^(全面|全部|全)?完成", "", after), 6)
        if before and len(before) >= 2:
            name = f"{before}{after[:2]}时间"
        elif after:
            name = f"{after}完成时间" if not after.endswith("完成") else f"{after}时间"
        else:
            name = "项目完成时间"
        yield _mk(DEADLINE, "时效指标", name, m.group(0), "", m.group(0) + clause[m.end(): m.end() + 12]), m.span()


def _limits(clause: str, taken):
    for m in re.finditer(rf"{_NUM}\s*(小时|个工作日|工作日|天|日)(?:内|以内)", clause):
        if not _free(m.span(), taken):
            continue
        before = _trim(clause[: m.start()], 8)
        verb = _trim(clause[m.end(): m.end() + 4], 2)
        name = f"{before}{verb}时限" if before else f"{verb}时限"
        if len(name) < 4:
            continue
        unit = m.group(2).replace("个", "")
        yield _mk(LIMIT, "时效指标", name, f"≤{_fmt(m.group(1))}{unit}", unit, m.group(0)), m.span()


def _costs(clause: str, taken):
    cfg = _cfg()
    for m in cfg["_slash_cost"].finditer(clause):  # 200元/人·月
        if not _free(m.span(), taken):
            continue
        stem = _trim(clause[: m.start()], 10)
        unit = f"{m.group(2)}/{m.group(3)}" + (f"·{m.group(4)}" if m.group(4) else "")
        post = re.match(rf"(?:的)?(?:标准)?(?:发放|补助|补贴|给予|用于)?({_HAN}{{2,8}})", clause[m.end():])
        if post and re.search(r"补|津贴|救助|慰问|奖励|抚恤", post.group(1)):
            stem = _trim(post.group(1), 8)
        name = stem if stem.endswith(("标准", "单价", "成本")) else f"{stem or '补助'}标准"
        op = _op(clause[max(0, m.start() - 3): m.end() + 3], "=")
        yield _mk(COST, "经济成本指标", name, f"{op}{_fmt(m.group(1))}{unit}", unit, m.group(0)), m.span()
    for p in cfg["_per"].finditer(clause):  # 每亩补助1500元, 亩均财政投入控制在1500元以内
        money = cfg["_money"].search(clause, p.end())
        if not money or money.start() - p.end() > 16 or not _free((p.start(), money.end()), taken):
            continue
        stem = _trim(clause[: money.start()], 16)
        per = cfg["per_words"][p.group(1)]
        unit = f"{money.group(2)}/{per}"
        phrase = clause[p.start(): money.end()]
        if _has(cfg["economic_words"], stem):  # 户均增收1500元: an effect, not a cost
            yield _mk(EFFECT, "经济效益指标", stem, f"≥{_fmt(money.group(1))}{money.group(2)}", money.group(2),
                      phrase), (p.start(), money.end())
            continue
        name = stem if stem.endswith(("标准", "单价", "成本", "投入", "费用")) else f"{stem}标准"
        op = _op(clause[p.start(): money.end() + 3], "=")
        yield _mk(COST, "经济成本指标", name, f"{op}{_fmt(money.group(1))}{unit}", unit, phrase), (p.start(), money.end())
    for m in re.finditer(rf"(单价|单位成本|造价)[^\d，]{{0,6}}?{_NUM}\s*(万元|元)", clause):
        if _free(m.span(), taken):
            stem = _trim(clause[: m.end() - len(m.group(2)) - len(m.group(3))], 10)
            yield _mk(COST, "经济成本指标", stem, f"≤{_fmt(m.group(2))}{m.group(3)}", m.group(3), m.group(0)), m.span()


def _quantities(clause: str, taken):
    cfg = _cfg()
    # totals in money: 总投资3600万元, 安排资金2700万元
    for m in cfg["_money"].finditer(clause):
        before = clause[max(0, m.start() - 10): m.start()]
        if _free(m.span(), taken) and _has(cfg["cost_words"], before) and not _has(cfg["economic_words"], before):
            stem = _trim(before, 8)
            name = stem if len(stem) >= 4 else f"项目{stem or '总成本'}"
            yield _mk(TOTAL, "经济成本指标", name, f"≤{_fmt(m.group(1))}{m.group(2)}", m.group(2), m.group(0)), m.span()
    last = 0
    for m in cfg["_qty"].finditer(clause):
        if not _free(m.span(), taken) or re.match(r"\d*年|\d*月", clause[m.end(): m.end() + 1]):
            last = m.end()
            continue
        num, unit = m.group(1), m.group(2)
        last = max([last] + [b for _, b in taken if b <= m.start()])
        pre = _trim(clause[last: m.start()], 12)
        post = re.match(rf"(?:的)?({_HAN}{{1,16}}?)(?=户均|人均|每|\d|$|[^\u4e00-\u9fff])", clause[m.end():])
        post = _trim(post.group(1), 12) if post else ""
        last = m.end() + len(post)
        measure = cfg["units"][unit]
        if measure == "长度" and _has(cfg["road_words"], pre, post):
            measure = "里程"
        if post and (len(pre) <= 2 or pre.endswith(("带动", "惠及", "覆盖", "服务", "帮扶", "救助", "资助", "培训"))):
            stem = pre + post
        elif pre.startswith(_REORDER) and len(pre) > 3:
            verb = next(v for v in _REORDER if pre.startswith(v))
            stem = pre[len(verb):] + verb
        else:
            stem = pre or post
        if not stem or len(stem) < 2:
            continue
        name = stem if stem.endswith(measure) or stem.endswith(unit) else stem + measure
        context = clause[max(0, m.start() - 8): m.end() + 4]
        slot = ("经济效益指标" if _has(cfg["economic_words"], pre, post)
                else "社会效益指标" if _has(cfg["social_words"], pre) else "数量指标")
        value = f"{_op(context)}{_fmt(num)}{unit}"
        yield _mk(QUANTITY, slot, name, value, unit, clause[max(0, m.start() - len(pre)): m.end() + len(post)]), m.span()


def _objects(clause: str, taken):
    """What the project buys, builds, plants or serves, when no number is stated: 购置彩色多普勒超声诊断仪
    → 彩色多普勒超声诊断仪购置数量 (the drafter fills the target)."""
    cfg = _cfg()
    for m in cfg["_objects"].finditer(clause):
        if not _free(m.span(), taken) or re.match(r"\s*\d", clause[m.end(): m.end() + 2]):
            continue
        verb, obj = m.group(1), _trim(m.group(2), 10)
        if len(obj) < 2 or obj in cfg["object_stop"]:
            continue
        measure = cfg["object_verbs"][verb]
        if measure == "长度" and not _has(cfg["road_words"] + ["管网", "管道", "渠", "堤"], obj):
            measure = "数量"
        yield _mk(OBJECT, "数量指标", f"{obj}{verb}{measure}", "", "", m.group(0)), m.span()
