"""One term list, enforced: every catalog of the Chinese edition renders each term as the term base says.

The term base, ``locale/zh/terms.tsv``, is written by ``python -m tools.terms`` from the chapters' Key terms tables
(the rows of notebooks/GLOSSARY.md) and the review's decisions (``tools/terms.py``). A finished catalog entry whose
English names a term (outside code and formulas) must carry one of the term's renderings in its Chinese, and none
it rejects (批次 for batch …); a word that is not the term there is waived in the entry itself with a translator's
comment ``# terms: ok <word> (why)``. The typography of the Chinese edition is checked alongside: no ASCII space
right after full-width punctuation, none between a number and "%", in the catalogs and the committed notebooks'
outputs.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from course_utils.editions import edition
from tools import i18n, terms

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = list(i18n.catalogs((terms.LANG,)))
ZH_NOTEBOOKS = sorted((ROOT / edition(terms.LANG).notebooks).glob("[0-9][0-9]_*.ipynb"))
HOW = ("give the entry the term's rendering (tools/terms.py, locale/zh/terms.tsv), or, where the English word is "
       "not the term, a translator's comment '# terms: ok <word> (why)'")


@pytest.fixture(scope="module")
def checker() -> terms.Checker:
    return terms.Checker(terms.read())


def test_the_term_base_is_written_from_the_key_terms_tables_and_the_decisions():
    assert terms.TERMS.read_text(encoding="utf-8") == terms.tsv(terms.term_base()), "run python -m tools.terms"
    base = {name.lower(): term for term in terms.read() for name in term.names}
    for english, renderings in [("batch", ("批量",)), ("widget", ("交互组件",)), ("epoch", ("轮",)),
                                ("worked example", ("算例",)), ("early stopping", ("早停",))]:
        assert base[english].renderings == renderings and base[english].source == "review"
    assert base["backpropagation"].renderings == ("反向传播",) and base["backpropagation"].source == "03"
    assert set(base["multilayer perceptron"].renderings) == {"多层感知机", "MLP"}
    assert base["batch normalization"].renderings == ("批量规范化", "批量归一化")  # the table's alternative


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.name)
def test_every_entry_renders_its_terms_as_the_term_base(catalog, checker):
    found = terms.catalog_violations(catalog, checker)
    assert not found, (f"{catalog.name}: {len(found)} entries do not render a term as the term base says "
                       f"({HOW}):\n" + "\n".join(v.line() for v in found))


def test_a_planted_wrong_term_fails(checker, tmp_path):
    """The check fails on a catalog where one entry says 批次 for batch, and one drops 尚未作答; the same catalog
    with a waiver for the first passes that one."""
    catalog = i18n.load(i18n.CU_CATALOG)
    batch = "the data loader yielded no batches"
    waiting = "⏳ {name}: not attempted yet — fill in the code, then run this cell."
    assert catalog[batch].string == "数据加载器没有产生任何批量" and "尚未作答" in catalog[waiting].string
    catalog[batch].string = "数据加载器没有产生任何批次"
    catalog[waiting].string = catalog[waiting].string.replace("尚未作答", "还没有答案")
    planted = tmp_path / "zh" / "LC_MESSAGES" / "course_utils.po"
    i18n.save(catalog, planted)
    found = {(v.msgid, v.term) for v in terms.catalog_violations(planted, checker)}
    assert found == {(batch, "batches"), (waiting, "not attempted yet")}
    catalog[batch].user_comments = ["terms: ok batches (planted: a waiver names the word)"]
    i18n.save(catalog, planted)
    assert {v.msgid for v in terms.catalog_violations(planted, checker)} == {waiting}


@pytest.mark.parametrize(("english", "chinese", "wanted"), [
    ("the bias correction of Adam", "Adam 的偏差修正", []),  # a longer term wins over "bias" inside it
    ("a weight and a bias", "一个权重和一个偏差", ["bias"]),
    ("pass momentum=0.9 and `batch_size`", "传入 momentum=0.9 和 `batch_size`", []),  # code is not a term
    ("v ← momentum·v + g", "v ← momentum·v + g", []),  # a formula's names neither
    ("30 epochs of training", "训练 30 轮", []),
    ("30 epochs of training", "训练 30 个轮次", ["epochs"]),  # a rejected rendering fails even beside 轮
    ("the Xavier initialization", "Xavier 初始化", []),  # spaces do not matter
    ("logits of the last layer", "最后一层的原始得分", ["logits"]),
    ('f"loss after {n} epochs"', 'f"{n} 个轮次后的损失"', ["epochs"]),  # a printed string's text is checked
])
def test_the_checker_finds_terms_outside_code_and_their_renderings(checker, english, chinese, wanted):
    assert [name for name, _term in checker.violations(english, chinese)] == wanted


# ----------------------------------------------------------------------------------------------- typography
@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.name)
def test_catalog_translations_keep_chinese_typography(catalog):
    found = [f"{m.id[:60]!r}: {problem}" for m in i18n.translated(i18n.load(catalog))
             for text in ([m.string] if isinstance(m.string, str) else m.string) for problem in terms.typography(text)]
    assert not found, f"{catalog.name}: {len(found)} translations break the typography:\n" + "\n".join(found)


def _output_texts(nb: nbformat.NotebookNode) -> list[tuple[int, str]]:
    texts = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") == "stream":
                texts.append((index, output.get("text", "")))
            elif "text/plain" in output.get("data", {}):
                texts.append((index, output["data"]["text/plain"]))
    return texts


@pytest.mark.parametrize("notebook", ZH_NOTEBOOKS, ids=lambda p: p.stem)
def test_chinese_outputs_keep_chinese_typography(notebook):
    nb = nbformat.read(notebook, as_version=4)
    found = [f"cell {index}: {problem}" for index, text in _output_texts(nb) for problem in terms.typography(text)]
    assert not found, f"{notebook.name}: {len(found)} outputs break the typography:\n" + "\n".join(found)


def test_the_typography_check_finds_a_space_after_full_width_punctuation_and_before_percent():
    assert terms.typography("准确率： 0.97，训练 99 %") == [
        "space after '：': …'准确率： 0.97，训练 99 %'…", "space before %: …'率： 0.97，训练 99 %'…"]
    assert terms.typography("准确率：0.97，训练 99%；（形状 (2, 3)）") == []
    assert json.dumps(terms.typography("")) == "[]"
