"""One set of chapter run times: measured by the benchmark, shown in every chapter's header and both READMEs.

``python3 course.py bench`` (``benchmarks/run.py``) runs every chapter of both editions top to bottom in a fresh
kernel and records the seconds in ``benchmarks/chapter_times.json``. From that record:

    python -m tools.runtimes apply   write the rounded times into each chapter's header (its source, and the same
                                     entry of every catalog, source and translation alike, so no translation goes
                                     stale) and into the course maps of README.md and README.zh-CN.md
    python -m tools.runtimes check   list every place that disagrees with the record (exit 1 if any)

A chapter's time is the slower of its two editions, rounded to 5 s (at least 5 s): what a learner reads is an
"about", and the rounding keeps it from changing with every run. ``tests/test_project.py`` runs ``check``.
"""

from __future__ import annotations

import json
import re
import sys
from functools import partial
from pathlib import Path

from babel.messages.catalog import Message

from course_utils.editions import EDITIONS, edition

from . import i18n

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "benchmarks" / "chapter_times.json"
SOURCES = ROOT / "notebooks" / "src"
HEADER = re.compile(r"(\*\*Run time:\*\* about )(\d+)( seconds)")
# the same sentence in an edition's translation: the number between its words for "about" and "seconds". An
# edition without a pattern here gets its header marked fuzzy when the time changes, for a translator to confirm.
TRANSLATED_HEADER = {"zh": re.compile(r"(约 )(\d+)( 秒)")}
# each edition's README (edition(code).readme): a row of its course map, and its whole-course time
READMES = {"en": re.compile(r"^(\| \[(\d\d) · .*\| )(\d+)( s \|)$", re.M),
           "zh": re.compile(r"^(\| \[(\d\d) · .*\| )(\d+)( 秒 \|)$", re.M)}
WHOLE = {"en": re.compile(r"(\(whole course: )(\d+)( s)"),
         "zh": re.compile(r"(全课程约 )(\d+)( 秒)")}


def record() -> dict:
    return json.loads(RECORD.read_text(encoding="utf-8"))


def write_record(seconds: dict[str, dict[str, float]], machine: str) -> None:
    """Save ``{chapter stem: {edition code: seconds}}`` measured on ``machine``."""
    RECORD.write_text(json.dumps({"machine": machine, "seconds": seconds}, indent=2, ensure_ascii=False) + "\n",
                      encoding="utf-8")


def rounded(seconds: float) -> int:
    return max(5, 5 * round(seconds / 5))


def shown() -> dict[str, int]:
    """{chapter stem: seconds to show}: the slower edition, rounded."""
    return {stem: rounded(max(by_lang.values())) for stem, by_lang in record()["seconds"].items()}


def whole_course() -> int:
    """The whole course, one edition after the other's slower chapter: the sum of the unrounded maxima."""
    return round(sum(max(by_lang.values()) for by_lang in record()["seconds"].values()))


def _catalogs(stem: str) -> list[tuple[str, Path]]:
    """Every translation's catalog of chapter ``stem`` (those not written yet aside)."""
    paths = [(lang, i18n.catalog_path(SOURCES / f"{stem}.py", lang)) for lang in i18n.TRANSLATIONS]
    return [(lang, path) for lang, path in paths if path.exists()]


def apply() -> None:
    times = shown()
    for stem, seconds in times.items():
        src = SOURCES / f"{stem}.py"
        text = src.read_text(encoding="utf-8")
        old_header = HEADER.search(text)
        if old_header is None:
            raise SystemExit(f"{src.name}: no '**Run time:** about N seconds' in its header")
        src.write_text(HEADER.sub(rf"\g<1>{seconds}\g<3>", text, count=1), encoding="utf-8")
        for lang, path in _catalogs(stem):
            catalog = i18n.load(path)
            i18n.rewrite(catalog, partial(_set_header, lang=lang, seconds=seconds))
            i18n.save(catalog, path)
    for code, row in READMES.items():
        path = ROOT / edition(code).readme
        text = row.sub(lambda m: f"{m[1]}{times[_stem(m[2])]}{m[4]}", path.read_text(encoding="utf-8"))
        text = WHOLE[code].sub(rf"\g<1>{whole_course()}\g<3>", text)
        path.write_text(text, encoding="utf-8")
    print(f"run times applied: {times} (whole course {whole_course()} s)")


def _set_header(message: Message, lang: str, seconds: int) -> None:
    """The header's own entry gets the new time: its English and its translation (fuzzy where no pattern finds
    the number in it)."""
    if not isinstance(message.id, str) or not HEADER.search(message.id):
        return
    new_id = HEADER.sub(rf"\g<1>{seconds}\g<3>", message.id, count=1)
    if lang in TRANSLATED_HEADER:
        message.string = TRANSLATED_HEADER[lang].sub(rf"\g<1>{seconds}\g<3>", message.string, count=1)
    elif new_id != message.id:
        message.flags.add("fuzzy")
        message.previous_id = [message.id]
    message.id = new_id


def _stem(number: str) -> str:
    return next(stem for stem in shown() if stem.startswith(number))


def check() -> list[str]:
    """Every place whose run time differs from the record."""
    times, problems = shown(), []
    sources = sorted(SOURCES.glob("[0-9][0-9]_*.py"))
    if sorted(times) != [s.stem for s in sources]:
        problems.append(f"{RECORD.name} times {sorted(times)}, the chapters are {[s.stem for s in sources]}")
        return problems
    for src in sources:
        found = HEADER.search(src.read_text(encoding="utf-8"))
        if not found or int(found[2]) != times[src.stem]:
            problems.append(f"{src.name}: header says {found[2] if found else 'nothing'} s, the benchmark "
                            f"{times[src.stem]} s")
        for lang, path in _catalogs(src.stem):
            if lang not in TRANSLATED_HEADER:  # its header's number is the translator's to confirm (fuzzy)
                continue
            for entry in i18n.entries(i18n.load(path)):
                if isinstance(entry.id, str) and HEADER.search(entry.id):
                    number = TRANSLATED_HEADER[lang].search(entry.string)
                    if not number or int(number[2]) != times[src.stem]:
                        problems.append(f"{path.relative_to(ROOT)}: the header's translation says "
                                        f"{number[2] if number else 'nothing'} s, the benchmark {times[src.stem]} s")
    if sorted(READMES) != sorted(e.code for e in EDITIONS):
        problems.append(f"tools/runtimes.py reads the READMEs of {sorted(READMES)}, the editions are "
                        f"{sorted(e.code for e in EDITIONS)}")
    for code, row in READMES.items():
        readme = edition(code).readme
        text = (ROOT / readme).read_text(encoding="utf-8")
        rows = {m[2]: int(m[3]) for m in row.finditer(text)}
        want = {stem[:2]: seconds for stem, seconds in times.items()}
        if rows != want:
            problems.append(f"{readme}: course map says {rows}, the benchmark {want}")
        whole = WHOLE[code].search(text)
        if not whole or int(whole[2]) != whole_course():
            problems.append(f"{readme}: whole course {whole[2] if whole else 'missing'} s, the benchmark "
                            f"{whole_course()} s")
    return problems


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "--help"
    if command == "apply":
        apply()
        sys.exit(0)
    if command == "check":
        found = check()
        print("\n".join(found) or "run times agree with the benchmark")
        sys.exit(1 if found else 0)
    print(__doc__)
    sys.exit(0 if command in ("-h", "--help") else 2)
