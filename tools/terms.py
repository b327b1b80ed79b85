"""The term base: one list of terms, English → Chinese, that every catalog of the Chinese edition is held to.

    python -m tools.terms           write locale/zh/terms.tsv from the chapters' Key terms tables and DECISIONS
    python -m tools.terms --check   list every catalog entry whose Chinese lacks a term's rendering, or breaks the
                                    typography (exit 1 if any)

``locale/zh/terms.tsv`` (tab-separated: the English names of a term, its accepted renderings, where it comes from)
is generated, like ``notebooks/GLOSSARY.md``, from the chapters' *Key terms* tables (``tools.nbtools.key_terms``):
a row is cut into single terms ("forward pass / backward pass" | "前向传播 / 反向传播" gives two), a Chinese
alternative in parentheses is accepted too (暂退法（丢弃法）), and an acronym in parentheses is a second name of
the term, kept as it is in Chinese (multilayer perceptron (MLP) → 多层感知机; MLP). ``DECISIONS`` adds the
renderings decided in review where the tables lack them, and replaces a table's rendering of the same term
(epoch → 轮, batch → 批量, widget → 交互组件 …). ``SPLITS`` cuts the rows the rules cannot.

The check (``tests/test_terms.py``): in a translated, finished entry, every term its English names (outside
`code`, $math$, {fields} and identifiers; a longer term wins over a shorter one inside it, so "bias correction"
asks for 偏差修正, not 偏置) must appear in its Chinese by one of the term's renderings. An entry may waive a term
with a translator's comment ``# terms: ok <english name> (why)`` when the English word does not mean the term
there. The typography check: no ASCII space right after full-width punctuation (：，。；？！）), and no space
between a number and "%".
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .chapters import ROOT, sources

LANG = "zh"
TERMS = ROOT / "locale" / LANG / "terms.tsv"
HEADER = ("english", "chinese", "from", "not")


@dataclass(frozen=True)
class Term:
    """A term: its English names (matched as words, an s/es plural included) and the renderings accepted for it."""

    names: tuple[str, ...]
    renderings: tuple[str, ...]
    source: str  # the chapters whose tables name it ("02, 05"), or "review" for a decision
    avoid: tuple[str, ...] = ()  # renderings the review rejected: an entry naming the term must not use them


# Renderings decided in review (issue 21) where the tables lack them; each replaces a table's term of the same name.
DECISIONS: list[tuple[tuple[str, ...], tuple[str, ...]] | tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = [
    (("batch",), ("批量",), ("批次",)),
    (("logits",), ("未规范化的预测", "logits"), ("原始得分",)),
    (("widget",), ("交互组件",)),
    (("solution",), ("参考解答", "解"), ("参考答案",)),  # an exercise's solution; a problem's solution (解) too, never 参考答案
    (("not attempted yet", "not answered yet"), ("尚未作答",), ("还没有作答",)),
    (("worked example",), ("算例",), ("手算示例",)),
    (("rectifier",), ("整流函数",)),
    (("rectified linear unit", "ReLU"), ("修正线性单元", "ReLU")),
    (("automatic differentiation", "autograd"), ("自动微分", "autograd")),
    (("number of parameters", "parameter count"), ("参数量",), ("参数个数",)),
    (("robust", "robustness"), ("稳健",), ("鲁棒",)),
    (("L2 penalty",), ("L2 惩罚",)),
    (("L2 regularization",), ("L2 正则化",)),
    (("L1 regularization",), ("L1 正则化",)),
    (("early stopping",), ("早停",), ("提前停止",)),
    (("minimum", "minima"), ("最小",)),  # 最小值; never 极小值, which is the local minimum's
    (("local minimum", "local minima"), ("局部极小值",)),
    (("epoch",), ("轮",), ("个轮次",)),
    (("chance level",), ("随机猜测水平",), ("随机水平",)),
    (("Smooth L1", "SmoothL1"), ("平滑 L1",)),
    (("data augmentation",), ("数据增广",), ("数据增强",)),
    (("diverge", "diverged", "diverging", "divergence"), ("发散",)),  # a loss that becomes NaN or infinite
    (("blow up", "blows up", "blew up", "blown up"), ("爆炸",)),  # a value beyond every bound (optim.walk: 1e6)
    (("weight decay",), ("权重衰减",)),
    (("kernel",), ("卷积核", "核")),  # a convolution's; Jupyter's kernel is 内核
    (("Jupyter kernel",), ("内核",)),
    (("overfitting", "overfit", "overfits"), ("过拟合",)),
    (("saturation", "saturate", "saturates", "saturated", "saturating"), ("饱和",)),
    (("broadcasting", "broadcast", "broadcasts"), ("广播",)),
    (("dropout",), ("暂退", "丢弃")),
]

# Rows of the tables that the rules cannot cut: the row's English → its terms (names, renderings).
SPLITS: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "input / hidden / output layer": [(("input layer",), ("输入层",)), (("hidden layer",), ("隐藏层",)),
                                      (("output layer",), ("输出层",))],
    "stochastic / mini-batch gradient descent": [(("stochastic gradient descent",), ("随机梯度下降",)),
                                                 (("mini-batch gradient descent",), ("小批量梯度下降",))],
    "L1 / L2 regularization": [(("L1 regularization",), ("L1 正则化",)), (("L2 regularization",), ("L2 正则化",))],
    "vanishing / exploding gradients": [(("vanishing gradient",), ("梯度消失",)),
                                        (("exploding gradient",), ("梯度爆炸",))],
    "mean absolute error (MAE, L1)": [(("mean absolute error", "MAE"), ("平均绝对误差", "MAE"))],
    "standardization, (x − mean) / std": [(("standardization",), ("标准化",))],
    "weight / bias": [(("weight",), ("权重",)), (("bias",), ("偏置",))],
    "kernel, filter": [(("kernel",), ("卷积核", "核")), (("filter",), ("滤波器",))],
    "reduction (mean / sum)": [(("reduction",), ("归约",))],
}

_PAREN = re.compile(r"\s*[（(]([^（）()]*)[）)]")
_ACRONYM = re.compile(r"[A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*[A-Z0-9][A-Za-z0-9-]*")  # MLP, ReLU, CNN, PReLU, LSTM
_LATIN = re.compile(r"[A-Za-z0-9 .\-]+")


def _cut(english: str, chinese: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """A Key terms row as terms; raises ValueError for a row the rules cannot cut (add it to SPLITS)."""
    if english in SPLITS:
        return SPLITS[english]
    en_extra = [x.strip() for x in _PAREN.findall(english)]
    # a Chinese alternative in parentheses at the end (批量规范化（批量归一化）), not a prefix (（人工）神经元)
    zh_extra = [x.strip() for x in _PAREN.findall(chinese) if chinese.rstrip().endswith(x + "）")]
    en = [p.strip() for p in re.split(r" / |, ", _PAREN.sub("", english)) if p.strip()]
    zh = [p.strip() for p in re.split(r"\s*/\s*|、", _PAREN.sub("", chinese)) if p.strip()]
    if len(en) != len(zh):
        raise ValueError(f"Key terms row {english!r} | {chinese!r}: {len(en)} English and {len(zh)} Chinese parts; "
                         "add it to tools/terms.py's SPLITS")
    terms = []
    for e, z in zip(en, zh):
        names, renderings = [e], [z]
        if e.lower() in z.lower():  # sigmoid 函数: the name itself, kept in Chinese, renders it
            renderings.append(e)
        if len(en) == 1:
            names += [x for x in en_extra if _ACRONYM.fullmatch(x)]
            renderings += [x for x in en_extra if _ACRONYM.fullmatch(x)]
            renderings += [x for x in zh_extra if x not in renderings and (not _LATIN.fullmatch(x)
                                                                          or _ACRONYM.fullmatch(x) or x in names)]
        terms.append((tuple(names), tuple(dict.fromkeys(renderings))))
    return terms


def table_terms() -> list[Term]:
    """The terms of every chapter's Key terms table (the rows notebooks/GLOSSARY.md shows), in the glossary's order."""
    from .nbtools import key_terms

    found: dict[str, tuple[list[str], list[str], list[str]]] = {}  # first name (lower case) → names, renderings, where
    for src in sources():
        for english, chinese in key_terms(src):
            for names, renderings in _cut(english, chinese):
                key = names[0].lower()
                have = found.setdefault(key, ([], [], []))
                have[0].extend(n for n in names if n not in have[0])
                have[1].extend(r for r in renderings if r not in have[1])
                if src.stem[:2] not in have[2]:
                    have[2].append(src.stem[:2])
    return [Term(tuple(n), tuple(r), ", ".join(w)) for n, r, w in found.values()]


def term_base() -> list[Term]:
    """The tables' terms with the review's decisions applied (a decision replaces a term that shares a name)."""
    decided = [Term(row[0], row[1], "review", row[2] if len(row) > 2 else ()) for row in DECISIONS]
    taken = {name.lower() for term in decided for name in term.names}
    kept = [term for term in table_terms() if not taken & {name.lower() for name in term.names}]
    return sorted(kept + decided, key=lambda term: term.names[0].lower())


def tsv(terms: Iterable[Term]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(HEADER)
    for term in terms:
        writer.writerow(["; ".join(term.names), "; ".join(term.renderings), term.source, "; ".join(term.avoid)])
    return ("# The term base of the Chinese edition, written by `python -m tools.terms` from the chapters' Key terms "
            "tables and the review's decisions (tools/terms.py): edit those, not this file.\n" + out.getvalue())


def read(path: Path = TERMS) -> list[Term]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    rows = list(csv.reader(lines[1:], delimiter="\t"))
    return [Term(tuple(row[0].split("; ")), tuple(row[1].split("; ")), row[2],
                 tuple(x for x in row[3].split("; ") if x)) for row in rows]


# ------------------------------------------------------------------------------------------------ the checks
# what is code or a formula in an English text, not words: `code`, $math$, {fields}, links, calls f(…),
# dotted or snake_case names, keyword arguments (momentum=0.9), quoted words ('epoch'), tuples of names
# ((batch, classes)), a name joined to a formula by an operator (momentum·v, 1 − momentum)
_CODE = re.compile(r"`[^`]*`|\$\$.*?\$\$|\$[^$\n]*\$|\{[^{}]*\}|\]\([^)]*\)|https?://\S+"
                   r"|\w+\([^()]*\)|(?<!\w)[\w.]*[._]\w[\w.]*\(?|\b\w+\s*=(?!=)"
                   r"|(?<!\w)'[^'\s]*'(?!\w)|\"[^\"\s]*\""
                   r"|\(\s*[\w.…+·*−\-]+(?:\s*,\s*[\w.…+·*−\-]+)+\s*\)"
                   r"|\b\w+\s?(?=[·*×←^])|(?<=[·*×←−(])\s?\w+", re.S)


def _pattern(name: str) -> re.Pattern[str]:
    words = r"[\s-]+".join(re.escape(w) for w in name.split())
    flags = 0 if _ACRONYM.fullmatch(name) else re.IGNORECASE
    return re.compile(r"(?<![\w-])" + words + r"(?:s|es)?(?![\w-])", flags)


@dataclass(frozen=True)
class Violation:
    where: str  # the catalog (its file name)
    msgid: str
    term: str  # the English name found
    renderings: tuple[str, ...]
    avoid: tuple[str, ...] = ()

    def line(self) -> str:
        short = self.msgid.replace("\n", " ")
        short = short if len(short) <= 90 else short[:89] + "…"
        return (f"{self.where}: {short!r} names {self.term!r}; its Chinese needs {' or '.join(self.renderings)}"
                + (f", not {' or '.join(self.avoid)}" if self.avoid else ""))


class Checker:
    """Finds the terms an English text names and checks a translation for their renderings."""

    def __init__(self, terms: Iterable[Term]):
        # longest names first: a longer term found claims its span
        self.names = sorted(((name, term) for term in terms for name in term.names),
                            key=lambda pair: -len(pair[0]))
        self.patterns = [(_pattern(name), name, term) for name, term in self.names]

    def named(self, english: str) -> list[tuple[str, Term]]:
        """(text, term) of every term ``english`` names outside code (text: the words as they stand there), a longer
        term winning over a shorter one inside it."""
        text = _CODE.sub(lambda m: " " * len(m[0]), english)
        taken = [False] * len(text)
        found: dict[str, tuple[str, Term]] = {}
        for pattern, _name, term in self.patterns:
            for match in pattern.finditer(text):
                if any(taken[match.start():match.end()]):
                    continue
                taken[match.start():match.end()] = [True] * (match.end() - match.start())
                found.setdefault(term.names[0], (match[0], term))
        return list(found.values())

    def violations(self, english: str, chinese: str, waived: Iterable[str] = ()) -> list[tuple[str, Term]]:
        skip = {w.lower() for w in waived}
        bare = re.sub(r"\s+", "", chinese)  # Kaiming 初始化 and Kaiming初始化 alike
        return [(name, term) for name, term in self.named(english) if name.lower() not in skip and (
            any(a in chinese for a in term.avoid)  # a rejected rendering, whatever else the entry says
            or name not in chinese  # kept as it is: a name, as code is
            and not any(re.sub(r"\s+", "", r) in bare for r in term.renderings))]


def waivers(comments: Iterable[str]) -> list[str]:
    """The English names an entry waives: translator's comments ``terms: ok <name> (why)``."""
    return [m[1].strip() for c in comments for m in [re.match(r"\s*terms: ok ([^(]+)", c)] if m]


_SPACE_AFTER = re.compile(r"[：，。；？！）] (?!\|)")  # a markdown table's " | " is the table's
_PERCENT = re.compile(r"\d\s+%")


def typography(text: str) -> list[str]:
    """What breaks the edition's typography in ``text``: an ASCII space after full-width punctuation, "99 %"."""
    return ([f"space after {m[0][0]!r}: …{text[max(0, m.start() - 12):m.end() + 12]!r}…" for m in _SPACE_AFTER.finditer(text)]
            + [f"space before %: …{text[max(0, m.start() - 12):m.end() + 6]!r}…" for m in _PERCENT.finditer(text)])


def catalog_violations(path: Path, checker: Checker) -> list[Violation]:
    """Every term violation in the finished entries of the catalog at ``path``."""
    from . import i18n

    found = []
    for message in i18n.translated(i18n.load(path)):
        english = message.id if isinstance(message.id, str) else " ".join(message.id)
        chinese = message.string if isinstance(message.string, str) else " ".join(message.string)
        for name, term in checker.violations(english, chinese, waivers(message.user_comments)):
            found.append(Violation(path.name, english, name, term.renderings, term.avoid))
    return found


def main(argv: list[str]) -> int:
    if argv[:1] == ["--check"]:
        from . import i18n

        checker = Checker(read())
        found = [v for path in i18n.catalogs((LANG,)) for v in catalog_violations(path, checker)]
        for violation in found:
            print(violation.line())
        typos = [f"{path.name}: {str(m.id)[:60]!r}: {problem}" for path in i18n.catalogs((LANG,))
                 for m in i18n.translated(i18n.load(path))
                 for text in ([m.string] if isinstance(m.string, str) else m.string) for problem in typography(text)]
        print("\n".join(typos))
        print(f"{len(found)} entries do not render a term as the term base says; "
              f"{len(typos)} translations break the typography")
        return 1 if found or typos else 0
    TERMS.write_text(tsv(term_base()), encoding="utf-8")
    print(f"wrote {TERMS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
