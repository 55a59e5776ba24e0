"""The sentence-transformers backend on a tiny model the test builds itself (no download)."""
import numpy as np
import pytest

from engine.retrieval.encoders import make_encoder
from engine.model.build import build_engine
from engine.model.store import load_engine
from engine.retrieval.suggest import Suggester
from engine.domain.table import Project

st = pytest.importorskip("sentence_transformers", reason="未安装可选依赖 sentence-transformers（pip install -e '.[st]'）")


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    from sentence_transformers import SentenceTransformer, models
    from tokenizers import Tokenizer, pre_tokenizers
    from tokenizers.models import WordLevel

    from engine.domain.library import Library

    chars = sorted({c for e in Library.load().entries for c in e.name + "".join(e.keywords)})
    vocab = {"[UNK]": 0, "[PAD]": 1} | {c: i + 2 for i, c in enumerate(chars)}
    tok = Tokenizer(WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Split("", "isolated")  # one token per character
    static = models.StaticEmbedding(tok, embedding_dim=48)
    path = tmp_path_factory.mktemp("st") / "tiny"
    SentenceTransformer(modules=[static], device="cpu").save(str(path))
    return path


def test_st_encoder_loads_local_directory(tiny_model):
    enc = make_encoder(f"st:{tiny_model}")
    v = enc.encode(["培训人次", "培训人次", "服务对象满意度"])
    assert v.shape == (3, 48)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, rtol=1e-4)
    np.testing.assert_allclose(v[0], v[1])


def test_engine_with_st_encoder(tiny_model, tmp_path):
    eng = build_engine(tmp_path / "st", encoder_spec=f"st:{tiny_model}", fit=False)
    assert eng.manifest["encoder"]["dim"] == 48
    loaded = load_engine(eng.path)
    s = Suggester(loaded).suggest(Project(name="教师信息技术应用能力培训", description="培训3000人次"))
    assert len(s.slots) == 10 and all(x.candidates for x in s.slots)


def test_missing_model_directory_is_a_clear_error(tmp_path):
    with pytest.raises(RuntimeError, match="句向量模型目录不存在"):
        make_encoder(f"st:{tmp_path / 'nope'}")
