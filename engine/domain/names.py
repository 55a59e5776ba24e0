"""What an indicator name is, before anyone asks what it means: template debris left in it
(≥**人, ★★★, XX, "指标1:", "(必填)"), a target copied into it ("验收合格率100%"), or no indicator at
all — a value or a date in the name column, a filler row (本项目不适用此指标 / 无 / 否), a level
heading, a sentence, a yes/no question. Pure rules; the word lists are in data/names.json."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from engine.domain.resources import load_json
from engine.domain.text import nfkc

PLACEHOLDER, TARGET_IN_NAME = "placeholder", "target_in_name"
FILLER, VALUE, HEADING, SENTENCE, QUESTION = "filler", "value", "heading", "sentence", "question"
UNUSABLE = (FILLER, VALUE, HEADING)   # rows that carry no indicator at all


@dataclass(frozen=True)
class NameIssue:
    kind: str
    cleaned: str        # the name without the debris ('' when nothing is left)
    piece: str = ""     # what was found: the debris, the target in the name, the filler word


@lru_cache(maxsize=1)
def _cfg() -> dict:
    return load_json("names.json")


@lru_cache(maxsize=1)
def _patterns():
    c = _cfg()
    return ([re.compile(p) for p in c["placeholder_patterns"]],
            re.compile(c["target_in_name_pattern"]),
            re.compile(c["value_name_pattern"]),
            re.compile(c["date_name_pattern"]))


_EDGE = re.compile(r"^[\s:：、,，;；\-—_.·]+|[\s:：、,，;；\-—_.·]+$")
_EMPTY_BRACKETS = re.compile(r"[（(]\s*[)）]|【\s*】|\[\s*\]")


def _tidy(s: str) -> str:
    s = _EMPTY_BRACKETS.sub("", s)
    prev = None
    while prev != s:
        prev, s = s, _EDGE.sub("", s)
    return s


@lru_cache(maxsize=65536)
def classify_name(name: str) -> NameIssue | None:
    """The first thing wrong with a name as a name, or None for an ordinary indicator name."""
    raw = (name or "").strip()
    if not raw:
        return None
    s = nfkc(raw).strip()
    key = re.sub(r"\s+", "", s)
    c = _cfg()
    places, in_name, value_name, date_name = _patterns()
    if key in c["filler_names"] or any(w in key for w in c["filler_words"]) and len(key) <= c["filler_max_chars"]:
        return NameIssue(FILLER, "", key)
    if value_name.fullmatch(key) or (date_name.fullmatch(key) and re.search(r"\d", key)):
        return NameIssue(VALUE, "", key)
    if key in c["heading_names"]:
        return NameIssue(HEADING, "", key)
    found, cleaned = [], s
    for p in places:
        for m in p.finditer(cleaned):
            found.append(m.group(0))
        cleaned = p.sub("", cleaned)
    if found:
        cleaned = _tidy(cleaned)
        return NameIssue(PLACEHOLDER, cleaned, "、".join(dict.fromkeys(x.strip() for x in found)))
    m = in_name.search(s)
    if m and len(_tidy(s[:m.start()])) >= 2:
        return NameIssue(TARGET_IN_NAME, _tidy(s[:m.start()]), m.group(0).strip())
    if "是否" in key or key.endswith(("吗", "?", "？")):
        return NameIssue(QUESTION, s, "")
    if len(key) >= c["sentence_min_chars"] or (re.search(r"[，。；;！!]", key) and len(key) >= c["sentence_punct_min_chars"]):
        return NameIssue(SENTENCE, s, "")
    return None


def usable_name(name: str) -> bool:
    """Whether the row names an indicator at all (debris around a real name still does)."""
    issue = classify_name(name)
    return issue is None or (issue.kind not in UNUSABLE and (issue.kind != PLACEHOLDER or bool(issue.cleaned)))
