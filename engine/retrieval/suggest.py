"""Suggesting indicators for a project being drafted: for each of the ten slots a short ranked list
of library (and approved-history) indicators with a suggested target and the reason, so the
drafter picks instead of inventing (contract §3 suggest)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from engine.domain.commitments import decompose
from engine.retrieval.approved import (Precedent, adapt_value, find_previous, fmt_number, gather, previous_block,
                                      shift_year)
from engine.retrieval.compose import Composed, compose
from engine.retrieval.confidence import calibrated, candidate_features, slot_advice, slot_called
from engine.retrieval.texts import project_query, query_text
from engine.retrieval.values import suggest_value
from engine.retrieval.tokenize import places, topic_tokens
from engine.domain.framework import framework
from engine.domain.kinds import Guess, cost_required, infer_kind, infer_sector, kind_by_name, kind_scores, sector_scores
from engine.domain.library import Entry
from engine.domain.resources import load_json
from engine.domain.table import Project
from engine.domain.targets import parse_target
from engine.domain.text import dice_sets, year_of

if TYPE_CHECKING:
    from engine.model.engine import Engine

MODES = ("bm25", "dense", "hybrid", "hybrid+history")
OBJECT_RANK = -0.05  # a composed indicator without a number ranks just below the best library entry


FEATURES = ("bm25", "dense", "kind", "any_kind", "same_sector", "other_sector", "hist", "pop_sector", "pop_kind")
MODE_FEATURES = {
    "bm25": ("bm25", "kind", "any_kind", "same_sector", "other_sector"),
    "dense": ("dense", "kind", "any_kind", "same_sector", "other_sector"),
    "hybrid": ("bm25", "dense", "kind", "any_kind", "same_sector", "other_sector"),
    "hybrid+history": FEATURES,
}
_HAND = load_json("ranking.json")["hand_weights"]
DEFAULT_WEIGHTS = {m: {f: _HAND[f] for f in feats} for m, feats in MODE_FEATURES.items()}


@dataclass
class Analysis:
    mode: str
    tokens: list[str]
    qvec: object
    similar: list[tuple[int, float]]
    kind: str
    kind_source: str
    sector: str
    sector_source: str
    features: dict[str, np.ndarray]
    values: dict
    notes: list[str]


@dataclass
class Candidate:
    indicator_id: str
    indicator: str
    unit: str
    suggested_value: str
    score: float
    source: str          # common | sector | approved | composed
    why: str
    explanation: str = ""
    confidence: float = 0.0   # calibrated probability that a drafter keeps it (retrieval.confidence)
    recommended: bool = False
    relevance: float = field(default=0.0, repr=False)   # evidence for the confidence (not serialised)
    strong: bool = field(default=False, repr=False)

    def to_dict(self) -> dict:
        return {"indicator_id": self.indicator_id, "indicator": self.indicator, "unit": self.unit,
                "suggested_value": self.suggested_value, "score": round(float(self.score), 4),
                "source": self.source, "why": self.why, "explanation": self.explanation,
                "confidence": round(float(self.confidence), 3), "recommended": self.recommended}


@dataclass
class SlotSuggestion:
    level1: str
    level2: str
    required: bool
    candidates: list[Candidate]
    advice: str = ""   # why no candidate is recommended (contract §3)
    called: bool = field(default=True, repr=False)   # the project calls for this slot at all

    def to_dict(self) -> dict:
        d = {"level1": self.level1, "level2": self.level2, "required": self.required,
             "candidates": [c.to_dict() for c in self.candidates]}
        if self.advice:
            d["advice"] = self.advice
        return d


@dataclass
class Similar:
    table_id: str
    name: str
    score: float


@dataclass
class Suggestion:
    project: dict
    slots: list[SlotSuggestion]
    similar: list[Similar] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    previous: dict | None = None   # last year's approved table of this project (approved.previous_block)

    def to_dict(self) -> dict:
        return {"project": self.project, "slots": [s.to_dict() for s in self.slots],
                "similar_projects": [{"table_id": s.table_id, "name": s.name, "score": round(s.score, 4)}
                                     for s in self.similar],
                "notes": self.notes, "previous": self.previous}


class Suggester:
    def __init__(self, engine: Engine):
        self.engine = engine

    # ---------------------------------------------------------------- similar approved tables
    def similar_tables(self, tokens, qvec, mode: str, exclude: set[str]) -> list[tuple[int, float]]:
        eng, p = self.engine, self.engine.params
        if not eng.history:
            return []
        sig = eng.history_index.absolute_signals(tokens, qvec)
        fused = sig.fused("linear" if mode in ("hybrid", "hybrid+history") else mode, p["similar_alpha"])
        order = np.argsort(-fused, kind="stable")
        out = []
        for i in order:
            if len(out) >= p["k_similar"] or fused[i] < p["min_similar"]:
                break
            if eng.history[i].table_id in exclude or eng.history[i].name in exclude:
                continue
            out.append((int(i), float(fused[i])))
        return out

    # ---------------------------------------------------------------- analysis of one project
    def analyse(self, project: Project, mode: str = "hybrid+history", exclude: set[str] | None = None) -> "Analysis":
        """Everything ranking needs about a project: similar approved tables, kind and sector, and one
        feature vector per library entry (see FEATURES)."""
        eng, p = self.engine, self.engine.params
        exclude = exclude or set()
        notes = []
        text = query_text(project)
        tokens = eng.tokenizer.tokens(project.name) * int(p["name_boost"]) + eng.tokenizer.tokens(
            project_query("", project.description, project.goal))
        use_dense = mode != "bm25" and eng.encoder.dim > 0
        qvec = eng.encoder.encode([text])[0] if use_dense and text.strip() else None
        if not tokens and qvec is None:
            notes.append("项目名称和描述中没有可识别的中文词语，推荐仅依据项目类别和行业。")

        here = places(project.name, project.department, tokens=tokens)
        similar = self.similar_tables(topic_tokens(tokens, here), qvec, mode, exclude)
        kind, kind_src, kind_likely = self._combine(infer_kind(project), kind_scores(project),
                                                    [(eng.history[i].category, s) for i, s in similar])
        sector, sector_src, sector_likely = self._combine(infer_sector(project), sector_scores(project),
                                                          [(eng.history[i].sector, s) for i, s in similar])
        for label, value, likely, field_zh in (("类别", kind, kind_likely, "项目类别"), ("行业", sector, sector_likely, "行业领域")):
            if not value:
                maybe = f"（可能是：{'、'.join(likely)}）" if likely else ""
                notes.append(f"{label}未识别{maybe}，推荐未按{label}筛选；可在“{field_zh}”中填写后重新推荐。")
        n = len(eng.entries)
        sig = eng.entry_index.signals(tokens, qvec)
        f = {name: np.zeros(n, dtype=np.float32) for name in FEATURES}
        f["bm25"], f["dense"] = sig.bm25, sig.dense
        if kind in eng.kind_names:
            f["kind"] = eng.kind_mask[:, eng.kind_names.index(kind)]
        f["any_kind"] = eng.any_kind
        if sector in eng.sector_names:
            s_idx = eng.sector_names.index(sector)
            f["same_sector"] = (eng.sector_idx == s_idx).astype(np.float32)
            f["other_sector"] = ((eng.sector_idx >= 0) & (eng.sector_idx != s_idx)).astype(np.float32)

        # votes of similar approved tables and popularity among approved tables of the sector (历史标准)
        values: dict[str, list[tuple[str, float, str]]] = defaultdict(list)
        if mode == "hybrid+history":
            votes = f["hist"]
            total = sum(s for _, s in similar)
            for i, s in similar:
                t = eng.history[i]
                for r in t.rows:
                    if r.entry_id and r.entry_id in eng.entry_pos:
                        votes[eng.entry_pos[r.entry_id]] += s / total
                        values[r.entry_id].append((r.value, s, t.name))
            np.minimum(votes, 1.0, out=votes)
            f["pop_sector"] = eng.popularity("sector", sector, exclude)
            f["pop_kind"] = eng.popularity("kind", kind, exclude)
        return Analysis(mode, tokens, qvec, similar, kind, kind_src, sector, sector_src, f, values, notes)

    def weights(self, mode: str) -> dict[str, float]:
        fitted = self.engine.params.get("weights", {})
        return fitted.get(mode) or DEFAULT_WEIGHTS[mode]

    def entry_scores(self, a: "Analysis", weights: dict[str, float] | None = None) -> np.ndarray:
        w = weights or self.weights(a.mode)
        score = np.zeros(len(self.engine.entries), dtype=np.float32)
        for name, weight in w.items():
            if name in a.features and weight:
                score += np.float32(weight) * a.features[name]
        return score

    # ---------------------------------------------------------------- main entry
    def suggest(self, project: Project, k: int = 5, mode: str = "hybrid+history",
                exclude: set[str] | None = None, composition: bool = True,
                only: set[str] | None = None) -> Suggestion:
        """Candidates for every slot of the framework (with `only`, for those slots alone: the review's
        candidates for its findings)."""
        eng = self.engine
        a = self.analyse(project, mode, exclude)
        score = self.entry_scores(a)
        kind, sector = a.kind, a.sector
        kind_obj = kind_by_name(kind)
        probe = Project(name=project.name, amount=project.amount, category=kind)
        need_cost = cost_required(probe, kind_obj)
        negative = bool(kind_obj and kind_obj.negative_externality)
        fw = framework()
        required = set(fw.required_level2) | set(load_json("advice.json")["suggest_required_extra"])
        if need_cost:
            required.add("经济成本指标")
        if negative:
            required.add("生态环境成本指标" if sector in ("生态环境", "水利", "林业和园林") else "社会成本指标")
        rel = np.maximum(a.features["bm25"], a.features["dense"])
        w_hist = self.weights(mode).get("hist", 0.0)
        prev, precedents = None, {}
        if mode == "hybrid+history":
            prev = find_previous(eng.history, project, exclude or set(), eng.recurring)
            tables = [(eng.history[i], s) for i, s in a.similar]
            strong = float(eng.params["precedent_similarity"])
            if prev is not None and all(t is not prev for t, _ in tables):
                tables.append((prev, strong))
            precedents = gather(tables, strong, {id(prev)} if prev is not None else set(),
                                float(eng.params["same_project_similarity"]))
        commitments = decompose(project.goal, project.description) if composition else []
        # a sector the drafter stated: another sector's entries only fill what is left
        order = score - 100.0 * a.features["other_sector"] if a.sector_source == "given" else score
        text = f"{project.name} {project.description} {project.goal}"
        slots = []
        for slot in fw.slots:
            if only is not None and slot.level2 not in only:
                continue
            rows = eng.slot_rows.get(slot.level2, np.zeros(0, dtype=np.int64))
            precs = precedents.get(slot.level2, [])
            cands = self._rank_slot(rows, score, rel, a.values, precs, kind, sector, project, k, w_hist,
                                    compose(eng, commitments, slot.level2, precs), order)
            slots.append(self._judge(SlotSuggestion(slot.level1, slot.level2, slot.level2 in required, cands),
                                     text, kind_obj, sector))
        sim = [Similar(eng.history[i].table_id, eng.history[i].name, s) for i, s in a.similar]
        proj = {"name": project.name, "category": kind, "sector": sector, "category_source": a.kind_source,
                "sector_source": a.sector_source, "amount": project.amount}
        return Suggestion(proj, slots, sim, a.notes, previous_block(prev, project) if prev is not None else None)

    def _combine(self, guess: Guess, rule_scores: dict[str, float],
                 votes: list[tuple[str, float]]) -> tuple[str, str, list[str]]:
        """A given kind/sector wins; otherwise rule evidence (shares of keyword hits) and the votes of
        similar approved tables (shares of similarity) are added. The winner is taken only on clear
        evidence — a keyword in the name (or two in the text), or a similar approved table close enough
        (recognise_similarity) — otherwise nothing is recognised and the likely two are returned."""
        if guess.source == "given":
            return guess.name, "given", [guess.name]
        p = self.engine.params
        total_r = sum(rule_scores.values())
        total_v = sum(s for n, s in votes if n)
        combined: dict[str, float] = defaultdict(float)
        for n, s in rule_scores.items():
            combined[n] += s / total_r
        for n, s in votes:
            if n:
                combined[n] += p["w_vote"] * s / total_v
        if not combined:
            return "", "none", []
        ranked = sorted(combined, key=combined.get, reverse=True)
        best = ranked[0]
        rule_best = max(rule_scores, key=rule_scores.get) if rule_scores else ""
        close = float(p["recognise_similarity"])
        top_vote = max((s for n, s in votes if n == best), default=0.0)
        if rule_best and rule_scores[rule_best] >= 2 and (best == rule_best or rule_scores[rule_best] >= 3 and top_vote < close):
            return rule_best, "inferred", [rule_best] + [n for n in ranked if n != rule_best][:1]
        if top_vote >= close and combined[best] / sum(combined.values()) >= 0.5:
            return best, "inferred" if rule_best == best else "similar", ranked[:2]
        return "", "none", ranked[:2]

    # ---------------------------------------------------------------- one slot
    def _rank_slot(self, rows, score, rel, values, precedents: list[Precedent], kind, sector, project, k,
                   w_hist, composed: list[Composed] = (), order=None) -> list[Candidate]:
        """The drafter's own commitments first, then the indicators of a precedent (the same or a sister
        project), then library entries by their score with the other similar approved tables' indicators
        by their vote."""
        eng = self.engine
        pool: list[tuple[float, int | None, Precedent | Composed | None]] = []  # (score, entry position, other)
        top = 0.0
        if len(rows):
            order = score if order is None else order
            for i in rows[np.argsort(-order[rows], kind="stable")][: k * 4]:
                pool.append((float(order[i]), int(i), None))
            top = max(float(score[rows].max()), 0.0)
        # the drafter's numbers first — below the rows of the same project's approved table unless they
        # name one of them —, then objects named without a number
        same_project = any(p.same_project for p in precedents)
        for n, c in enumerate(composed):
            lead = 3.0 if c.precedent is not None or not same_project else 0.95
            pool.append(((top + lead if c.commitment.value else top + OBJECT_RANK) - 0.01 * n, c.entry, c))
        for p in precedents:
            if p.strong:
                pool.append((top + 1.0 + p.strength + 0.05 * len(p.uses), None, p))
            elif not p.entry_id or p.entry_id not in eng.entry_pos:
                pool.append((w_hist * p.vote, None, p))
        pool.sort(key=lambda x: -x[0])
        chosen: list[Candidate] = []
        grams: list[frozenset] = []
        taken: set[str] = set()
        for s, i, p in pool:
            if isinstance(p, Composed):
                g = p.grams
                if any(dice_sets(g, h) >= 0.8 for h in grams):
                    continue
                grams.append(g)
                if i is not None:
                    grams.append(eng.entry_grams[i])
                    taken.add(eng.entries[i].id)
                if p.precedent is not None:
                    taken.add(p.precedent.entry_id)
                    grams.append(p.precedent.grams)
                chosen.append(self._composed(p, s, i))
                if len(chosen) >= k:
                    break
                continue
            g = eng.entry_grams[i] if i is not None else p.grams
            if (i is not None and eng.entries[i].id in taken) or (p is not None and p.entry_id and p.entry_id in taken) \
                    or any(dice_sets(g, h) >= 0.8 for h in grams):
                continue
            grams.append(g)
            if p is not None:
                taken.add(p.entry_id)
                chosen.append(self._approved(p, s, project))
            else:
                e = eng.entries[i]
                used = values.get(e.id, [])
                value, value_why = suggest_value(self.engine, e, used, project)
                chosen.append(Candidate(e.id, e.name, e.unit, value, float(score[i]), "common" if e.is_common else "sector",
                                        self._why(e, kind, sector, float(rel[i]), used, value_why), e.explanation,
                                        relevance=float(rel[i])))
            if len(chosen) >= k:
                break
        return chosen

    @staticmethod
    def _judge(slot: SlotSuggestion, text: str, kind_obj, sector: str) -> SlotSuggestion:
        """Calibrated confidence and `recommended` per candidate; advice for a slot with none."""
        cal = calibrated()
        own = any(c.source == "composed" or c.strong for c in slot.candidates)
        called = slot.required or slot_called(slot.level2, text, kind_obj, sector, own)
        slot.called = called
        for n, c in enumerate(slot.candidates, 1):
            c.confidence = cal.probability(candidate_features(c.source, c.strong, n, c.relevance, slot.required, called))
            c.recommended = called and c.confidence >= cal.bar
        if not any(c.recommended for c in slot.candidates):
            slot.advice = slot_advice(slot.level2) if not called else load_json("advice.json")["weak_advice"]
        return slot

    def _composed(self, c: Composed, score: float, i: int | None) -> Candidate:
        """A commitment of the goal text or description as a candidate with the drafter's number."""
        cm = c.commitment
        e = self.engine.entries[i] if i is not None else None
        if c.precedent is not None:
            ident, name, named = c.precedent.entry_id or f"A:{c.name}", c.name, "，沿用已批复表的指标名称"
        elif e is not None:
            ident, name, named = e.id, e.name, "，采用指标库中同义指标的名称"
        else:
            ident, name, named = f"G:{cm.name}", cm.name, ""
        why = (f"{cm.source}写明“{cm.phrase}”{named}，指标值取项目自己的数字" if cm.value
               else f"{cm.source}提到“{cm.phrase}”{named}，请按实施计划填写指标值")
        value = cm.value or (e.target if e else "")
        return Candidate(ident, name, cm.unit or (e.unit if e else ""), value, score, "composed", why,
                         e.explanation if e else "", relevance=1.0 if cm.value else 0.5, strong=bool(cm.value))

    def _approved(self, p: Precedent, score: float, project: Project) -> Candidate:
        """An indicator as an approved table wrote it, its target moved to this project's amount."""
        u = p.best
        value, adjusted = adapt_value(u.value, u.name, u.table.amount, project.amount)
        value = shift_year(value, u.table.year, project.year or year_of(project.name))
        year = f"{u.table.year}年" if u.table.year else ""
        why = f"{year}已批复的“{u.table.name}”采用，指标值{u.value}"
        n = len({id(x.table) for x in p.uses})
        if n > 1:
            why += f"（{n}张相似批复表采用）"
        if adjusted and value.endswith(f"{fmt_number(project.amount)}万元"):  # the total moved to the amount
            why += f"；按项目金额测算为{value}"
        elif adjusted:
            why += f"；按项目金额（{u.table.amount:g}→{project.amount:g}万元）调整为{value}"
        e = self.engine.entries[self.engine.entry_pos[p.entry_id]] if p.entry_id in self.engine.entry_pos else None
        unit = parse_target(u.value, u.name).unit or (e.unit if e else "")
        return Candidate(p.entry_id or f"A:{u.name}", u.name, unit, value, score, "approved", why,
                         e.explanation if e else "", relevance=p.strength, strong=p.strong)

    def _why(self, e: Entry, kind: str, sector: str, rel: float, used, value_why: str) -> str:
        parts = []
        if e.is_common:
            parts.append(f"{kind}共性指标" if kind and kind in e.kinds else f"{'、'.join(e.kinds) or '通用'}共性指标")
        else:
            parts.append(f"{e.sector}行业指标" + (f"（{e.fund_use}）" if e.fund_use else ""))
        if rel >= 0.5:
            parts.append("与项目描述高度相关")
        if used:
            names = list(dict.fromkeys(n for _, _, n in sorted(used, key=lambda x: -x[1])))
            parts.append(f"相似项目“{names[0]}”采用" + (f"等{len(names)}个项目采用" if len(names) > 1 else ""))
        if value_why:
            parts.append(value_why)
        return "；".join(parts)
