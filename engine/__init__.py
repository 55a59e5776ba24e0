"""jixiao — 绩效目标智能编审引擎: suggest, score and retrain budget performance goal tables."""

__version__ = "0.1.0"
