"""Model-based checks (the matching and appropriateness a rule cannot see): the level classifier for
misfiled indicators, relevance of each indicator to the project against the library and the
project text, targets below the library's typical value, and candidates from the suggestion engine
for every finding that choosing an indicator would fix."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from engine.domain.resources import load_json
from engine.domain.row_text import row_text
from engine.retrieval.texts import relevance_text
from engine.domain.findings import WARNING, Finding
from engine.domain.framework import framework
from engine.review.appropriateness import rate_floor
from engine.review.context import TableContext
from engine.review.relevance import is_generic, related, sector_words
from engine.retrieval.suggest import Suggester
from engine.domain.table import Project
from engine.domain.targets import QUANT, parse_target

if TYPE_CHECKING:
    from engine.model.engine import Engine

FIXABLE = {"LEVEL1_MISSING", "LEVEL2_MISSING", "COST_REQUIRED_MISSING", "NEGATIVE_COST_MISSING",
           "INDICATOR_IRRELEVANT", "LEVEL_MISFILED", "VALUE_VAGUE", "VALUE_NOT_QUANTIFIED", "INPUT_AS_GOAL"}
COST_SLOTS = ("经济成本指标",)
NEGATIVE_SLOTS = ("社会成本指标", "生态环境成本指标")


class NameIndex:
    """Per distinct indicator name (computed once, in batches): its best library match and, for every
    sector and for the common part, the best similarity among that group's entries."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.groups = list(engine.sector_names) + [""]          # "" = common entries
        gidx = np.array([self.groups.index(e.sector) if e.sector in engine.sector_names else len(self.groups) - 1
                         for e in engine.entries])
        self.order = np.argsort(gidx, kind="stable")
        sorted_g = gidx[self.order]
        self.starts = np.flatnonzero(np.r_[True, sorted_g[1:] != sorted_g[:-1]])
        self.present = sorted_g[self.starts]
        self.info: dict[str, tuple[int, float, np.ndarray]] = {}
        self.vec: dict[str, np.ndarray] = {}

    def ensure(self, names: list[str]) -> None:
        eng = self.engine
        missing = list(dict.fromkeys(n for n in names if n not in self.info))
        if not missing or not eng.encoder.dim:
            return
        for start in range(0, len(missing), 512):
            chunk = missing[start:start + 512]
            V = eng.encoder.encode(chunk)
            S = V @ eng.name_vectors.T
            best = S.argmax(axis=1)
            per = np.full((len(chunk), len(self.groups)), -1.0, dtype=np.float32)
            per[:, self.present] = np.maximum.reduceat(S[:, self.order], self.starts, axis=1)
            for k, n in enumerate(chunk):
                self.info[n] = (int(best[k]), float(S[k, best[k]]), per[k])
                self.vec[n] = V[k]

    def fit_best(self, name: str, sector: str) -> float:
        _, _, per = self.info[name]
        cols = [len(self.groups) - 1] + ([self.groups.index(sector)] if sector in self.groups else [])
        return float(per[cols].max())


class ModelChecks:
    """A Reviewer check (ctx -> findings) backed by a loaded Engine."""

    def __init__(self, engine: Engine, candidates: int = 3):
        self.engine = engine
        self.suggester = Suggester(engine)
        self.k = candidates
        self.cal = engine.params.get("calibration", {})
        self.slot_level1 = {s.level2: s.level1 for s in framework().slots}
        self.names = NameIndex(engine)
        self._clf: dict[str, np.ndarray] = {}
        self._ptext: dict[str, np.ndarray] = {}
        self._suggest_cache: dict[tuple, dict] = {}

    def prepare(self, tables) -> None:
        """Embed and classify every distinct text of a batch of tables at once: bulk scoring, and the
        service's first stage, which runs on its own thread beside the engine lane (the caches are
        plain dicts whose entries are only ever added whole, so a concurrent reader is safe)."""
        names, texts, rows = self._texts(tables)
        self.names.ensure(names)
        self._project_vecs(texts)
        self._classify(rows)  # the project texts are also what candidate suggestions embed (cached)

    def embed_texts(self, tables) -> list[str]:
        """The distinct texts `prepare` embeds (bulk scoring may encode them on several cores first)."""
        names, texts, _ = self._texts(tables)
        return list(dict.fromkeys(t for t in names + texts if t.strip()))

    @staticmethod
    def _texts(tables) -> tuple[list[str], list[str], list[str]]:
        names, texts, rows = [], [], []
        for t in tables:
            texts.append(relevance_text(t.project))
            for ind in t.indicators:
                names.append(ind.name)
                rows.append(row_text(ind.name, ind.unit, ind.target.raw))
        return names, texts, rows

    def _bound(self, size: int = 100_000) -> None:
        """Keep a long-running service's per-text caches from growing without end (called on the
        engine's own thread only; the service's first stage only ever adds)."""
        for cache in (self._clf, self._ptext, self.names.info, self.names.vec):
            if len(cache) > size:
                cache.clear()

    def _project_vecs(self, texts: list[str]) -> list[np.ndarray]:
        missing = list(dict.fromkeys(t for t in texts if t not in self._ptext))
        if missing and self.engine.encoder.dim:
            for t, v in zip(missing, self.engine.encoder.encode(missing)):
                self._ptext[t] = v
        return [self._ptext.get(t) for t in texts]

    def _classify(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._clf))
        if missing:
            for t, sc in zip(missing, self.engine.classifier.decision_function(missing)):
                self._clf[t] = sc
        return np.array([self._clf[t] for t in texts])

    # ---------------------------------------------------------------- per table
    def __call__(self, ctx: TableContext) -> list[Finding]:
        eng = self.engine
        if not ctx.rows or eng.classifier is None:
            return []
        rows = ctx.rows
        self._bound()
        self.names.ensure([ind.name for _, ind in rows])
        out: list[Finding] = []
        out += self._misfiled(ctx, rows)
        if eng.encoder.dim:
            out += self._not_quantified(ctx, rows)
            sector = self._sector(ctx, rows)
            out += self._irrelevant(ctx, rows, sector)
            out += self._below_library(ctx, rows)
        return out

    def attach_candidates(self, ctx: TableContext, findings: list[Finding]) -> None:
        """Give every finding that choosing an indicator would fix the best candidates of its slot:
        for a row whose target is the problem, the library's matching entry with its typical target;
        otherwise the suggestion engine's candidates (computed once per distinct project)."""
        need = [f for f in findings if f.code in FIXABLE and not f.candidates]
        if not need:
            return
        by_row = [f for f in need if f.code in ("VALUE_VAGUE", "VALUE_NOT_QUANTIFIED") and f.row]
        for f in by_row:
            ind = ctx.table.indicators[f.row - 1]
            self.names.ensure([ind.name])
            best, sim, _ = self.names.info.get(ind.name, (0, 0.0, None))
            if sim >= 0.8:
                e = self.engine.entries[best]
                f.candidates = [{"indicator_id": e.id, "indicator": e.name, "level2": e.level2,
                                 "suggested_value": e.target, "unit": e.unit}]
        rest = [f for f in need if f not in by_row]
        if not rest:
            return
        wanted = [self._slots_for(f, ctx) for f in rest]
        by_slot = self._suggestions(ctx.table.project, {s for slots in wanted for s in slots})
        present = {ind.name for _, ind in ctx.rows}
        for f, slots in zip(rest, wanted):
            picked = [(s, c) for s in slots for c in by_slot.get(s, []) if c.indicator not in present]
            f.candidates = [{"indicator_id": c.indicator_id, "indicator": c.indicator, "level2": s,
                             "suggested_value": c.suggested_value, "unit": c.unit} for s, c in picked[: self.k]]

    def _suggestions(self, p, slots: set[str]) -> dict:
        """The suggestion engine's candidates for the slots a table's findings need, ranked once per
        distinct project and slot (a bulk upload repeats projects; the other slots are never ranked)."""
        key = (p.name, p.description, p.goal, p.sector, p.category, p.amount)
        hit = self._suggest_cache.get(key, {})
        missing = slots - set(hit)
        if missing:
            project = Project(name=p.name, description=p.description, goal=p.goal, sector=p.sector,
                              category=p.category, amount=p.amount)
            result = self.suggester.suggest(project, k=self.k + 3, only=missing)
            hit = {**hit, **{s.level2: s.candidates for s in result.slots}}
            if len(self._suggest_cache) > 20000:
                self._suggest_cache.clear()
            self._suggest_cache[key] = hit
        return hit

    def _slots_for(self, f: Finding, ctx: TableContext) -> list[str]:
        msg = f.message
        if f.code == "LEVEL1_MISSING":
            for level1, slots in (("产出指标", ["数量指标", "质量指标", "时效指标"]),
                                  ("效益指标", ["社会效益指标", "经济效益指标", "生态效益指标"]),
                                  ("满意度指标", ["服务对象满意度指标"])):
                if level1 in msg:
                    return slots
            return []
        if f.code == "LEVEL2_MISSING":
            return [s for s in ("数量指标", "质量指标", "时效指标") if s in msg][:1]
        if f.code == "COST_REQUIRED_MISSING":
            return list(COST_SLOTS)
        if f.code == "NEGATIVE_COST_MISSING":
            return list(NEGATIVE_SLOTS)
        if f.row:
            ind = ctx.table.indicators[f.row - 1]
            if f.code == "LEVEL_MISFILED":
                return [f.target_slot or ind.placement.level2]
            return [ind.placement.level2] if ind.placement.level2 else []
        return []

    # ---------------------------------------------------------------- LEVEL_MISFILED
    def _misfiled(self, ctx: TableContext, rows) -> list[Finding]:
        clf = self.engine.classifier
        scores = self._classify([row_text(ind.name, ind.unit, ind.target.raw) for _, ind in rows])
        classes = list(clf.classes_)
        margin_min = self.cal.get("misfiled_margin", 0.6)
        out = []
        for (pos, ind), sc in zip(rows, scores):
            pl = ind.placement
            if pl.conflict or not pl.level2 or pl.level2 not in classes or "满意" in ind.name:
                continue  # the rules already speak for these rows
            pred = classes[int(np.argmax(sc))]
            margin = float(sc.max() - sc[classes.index(pl.level2)])
            # a (near) identical library entry under another first level is strong evidence: only 0.7 %
            # of approved rows with such a match differ from the library's first level
            best, sim, _ = self.names.info.get(ind.name, (0, 0.0, None))
            e = self.engine.entries[best] if sim else None
            if e is not None and sim >= 0.97 and e.level1 != pl.level1 and e.level2 in classes:
                if pred == pl.level2:
                    continue  # the classifier sides with the table
                pred = e.level2
            elif self.slot_level1[pred] == pl.level1 or margin < margin_min:
                continue
            f = Finding("LEVEL_MISFILED", WARNING, pos, ind.name,
                        f"指标“{ind.name}”填在“{pl.level1}/{pl.level2}”下，按其含义更像“{self.slot_level1[pred]}/{pred}”。",
                        f"请核对指标层级：{_slot_advice(pred)}如确属{pl.level2}，可在指标值说明中写明口径。",
                        source_row=ind.source_row, target_slot=pred)
            out.append(f)
        return out

    # ---------------------------------------------------------------- INDICATOR_IRRELEVANT
    def _sector(self, ctx: TableContext, rows) -> str:
        """The project's sector as given or recognised from its own facts. Not voted by its rows: a
        row's verdict must not depend on which other rows the table has (scores stay monotone)."""
        return ctx.sector_guess.name

    def _irrelevant(self, ctx: TableContext, rows, sector: str) -> list[Finding]:
        eng = self.engine
        if not sector or sector not in eng.sector_names:
            return []
        p = ctx.table.project
        qv = self._project_vecs([relevance_text(p)])[0]
        line = self.cal.get("irrelevant_line", 0.7)
        w_text = self.cal.get("irrelevant_text_weight", 0.5)
        out = []
        for pos, ind in rows:
            best, sim, _ = self.names.info[ind.name]
            home = eng.entries[best]
            if not home.sector or home.sector == sector or sim < 0.85:
                continue
            if ctx.kind is not None and ctx.kind.name in home.kinds and home.sector not in sector_words(home.name):
                continue  # an indicator of the project's own kind filed under a sector (主体结构封顶时间 for a build)
            if related(home.sector, sector) or is_generic(ind.name):
                continue  # a neighbouring field, or words every sector uses (项目验收完成时间)
            _, _, per = self.names.info[ind.name]
            if int((per >= 0.85).sum()) >= 3:
                continue  # near-identical entries in several groups: a generic indicator, no sector to blame
            # how well the row fits the project: its best match among the sector's and the common
            # entries, plus its similarity to the project's own text
            fit = self.names.fit_best(ind.name, sector) + (w_text * float(self.names.vec[ind.name] @ qv) if qv is not None else 0.0)
            if fit >= line:
                continue
            out.append(Finding("INDICATOR_IRRELEVANT", WARNING, pos, ind.name,
                               f"指标“{ind.name}”属于{home.sector}行业的常用指标，与本项目（{sector}，“{p.name}”）的内容关联不大。",
                               "请删除或替换为反映本项目产出和效果的指标（见推荐指标）；确与本项目相关的，请在项目概述中说明。",
                               source_row=ind.source_row))
        return out

    def _not_quantified(self, ctx: TableContext, rows) -> list[Finding]:
        """A qualitative target for an indicator the library measures with a number (the rules catch
        the obvious names; this catches the rest)."""
        from engine.review.quantification import _measurable

        out = []
        for pos, ind in rows:
            t = ind.target
            if t.kind != "qualitative" or t.vague or _measurable(ind) or ind.name.startswith("是否"):
                continue
            best, sim, _ = self.names.info[ind.name]
            e = self.engine.entries[best]
            if sim >= 0.88 and e.nature == "定量":
                out.append(Finding("VALUE_NOT_QUANTIFIED", WARNING, pos, ind.name,
                                   f"指标“{ind.name}”可以量化（指标库中同类指标“{e.name}”为定量，典型值{e.target}），但目标值“{t.raw}”是定性表述。",
                                   f"请填写具体数值和单位，可参照“{e.target}”（{e.standard}）。",
                                   source_row=ind.source_row))
        return out

    # ---------------------------------------------------------------- TARGET_TOO_LOW against the library
    def _below_library(self, ctx: TableContext, rows) -> list[Finding]:
        eng = self.engine
        out = []
        for pos, ind in rows:
            t = ind.target
            if t.kind != QUANT or not t.is_percent or t.op not in ("≥", ">", None, "=") or rate_floor(ind.name):
                continue  # rate floors are the rules' business
            best, sim, _ = self.names.info[ind.name]
            if sim < 0.92:
                continue
            e = eng.entries[best]
            typical = parse_target(e.target, e.name, e.unit)
            if typical.kind != QUANT or not typical.is_percent or typical.op not in ("≥", None, "=") or typical.value is None:
                continue
            stats = eng.target_stats.get(e.id)
            if stats and stats["n"] >= 5 and t.value is not None and t.value < stats["p25"] - 10:
                out.append(Finding("TARGET_TOO_LOW", WARNING, pos, ind.name,
                                   f"指标“{ind.name}”的目标值“{t.raw}”低于同类批复项目的常见水平（{stats['n']}张表的中位数{stats['median']:g}%）。",
                                   f"请参照历史标准（同类批复项目中位数{stats['median']:g}%）设定目标，或在指标值说明中写明从低设定的依据。",
                                   source_row=ind.source_row))
                continue
            if t.value is not None and t.value < typical.value - 15:
                out.append(Finding("TARGET_TOO_LOW", WARNING, pos, ind.name,
                                   f"指标“{ind.name}”的目标值“{t.raw}”明显低于指标库典型值“{e.target}”（{e.standard}）。",
                                   f"请参照{e.standard}设定目标（典型值{e.target}），或在指标值说明中写明从低设定的依据。",
                                   source_row=ind.source_row))
        return out


def _slot_advice(level2: str) -> str:
    return load_json("advice.json")["slot_meaning"].get(level2, "")
