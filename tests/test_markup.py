"""Data text is text, never markup: HTML, a MyST role, a directive or a multi-line directive planted in any
column that reaches the key-messages page is shown as the characters it is.

The page's MyST is parsed here with myst-parser's own markdown-it parser and the book's extensions: every
planted string must come back as plain text, and the only roles and directives are the ones the book's code adds.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from pcn_evidence.briefing import BriefingMessage, Limitation, OutsideContext
from pcn_evidence.markup import as_text, key, limitations_markdown, message_markdown, role_title

PARSER = create_md_parser(MdParserConfig(enable_extensions={"colon_fence", "deflist", "substitution"}), RendererHTML)

#: What a hostile or careless cell might hold (issue #23's cases among them).
PLANTED = [
    "Check <img src=x onerror=alert(document.domain)> now.",
    "<svg onload=alert(1)>",
    "See {download}`config <../.git/config>` and {download}`x <../../shared/STYLE.md>`.",
    ":::{note}\nplanted\n:::",
    "```{literalinclude} /etc/hostname\n```",
    "{{ a_substitution }} and [a link](javascript:alert(1)) and *emphasis*",
    "1. not a list\n# not a heading",
]

CONTEXT = OutsideContext("oc-x", "2022-07-01", "A later law.", "a later law", "healthcareact2022")
MESSAGE = BriefingMessage(
    "km-x", 1, "CCG staff: a headline", "A summary.", (("f-x", "moderate"),), ("study",),
    (("Integrated care boards", "Check it."), ("Primary care networks", "Do it."), ("National policy", "Fund it.")),
    (CONTEXT,), other_evidence="Other evidence.", finding_labels=("Finding X (study)",),
)
KEYS = {"study": "warwickgiles2021"}


def _inline_text(markdown: str) -> tuple[str, list[str]]:
    """The text a reader sees, and the types of every token that is not plain text or its containers."""
    tokens = PARSER.parse(markdown)
    words, other = [], []
    for token in tokens:
        if token.type == "colon_fence":  # a directive's body is parsed as MyST in its turn
            body = "\n".join(line for line in token.content.splitlines() if not line.startswith(":"))
            inner_words, inner_other = _inline_text(body)
            words.append(inner_words)
            other += inner_other
        for child in token.children or []:
            if child.type in {"text", "softbreak"}:
                words.append(child.content if child.type == "text" else " ")
            elif child.type not in {"strong_open", "strong_close", "em_open", "em_close"}:
                other.append(f"{child.type}:{child.content}")
        if token.type not in {"paragraph_open", "paragraph_close", "inline", "bullet_list_open", "bullet_list_close",
                              "list_item_open", "list_item_close"}:
            other.append(f"{token.type}:{token.info}")
    return "".join(words), other


def test_the_book_adds_only_its_own_roles_and_directives():
    _, clean = _inline_text(message_markdown(MESSAGE, KEYS, "new since version 0.1.0"))
    assert sorted(clean) == sorted([
        "myst_role:km-warwickgiles2021", "myst_role:Finding X (study) <f-x>", "myst_role:km-healthcareact2022",
        "colon_fence:{dropdown} What this means now (the book's interpretation)"])


@pytest.mark.parametrize("planted", PLANTED)
@pytest.mark.parametrize("field", ["summary", "other_evidence", "meaning", "context_short", "history"])
def test_markup_planted_in_a_message_is_shown_as_text(field, planted):
    message, history = MESSAGE, "new since version 0.1.0"
    if field in {"summary", "other_evidence"}:
        message = dataclasses.replace(MESSAGE, **{field: planted})
    elif field == "meaning":
        message = dataclasses.replace(MESSAGE, meanings=(("Integrated care boards", planted),) + MESSAGE.meanings[1:])
    elif field == "context_short":
        message = dataclasses.replace(MESSAGE, context=(dataclasses.replace(CONTEXT, short=planted),))
    else:
        history = planted
    _, clean = _inline_text(message_markdown(MESSAGE, KEYS, "new since version 0.1.0"))
    text, tokens = _inline_text(message_markdown(message, KEYS, history))
    assert sorted(tokens) == sorted(clean), "planted text became markup"
    assert " ".join(planted.split()) in " ".join(text.split())


@pytest.mark.parametrize("planted", PLANTED)
@pytest.mark.parametrize("field", ["text", "stated_by", "statement"])
def test_markup_planted_in_a_limitation_or_outside_context_is_shown_as_text(field, planted):
    limitation = Limitation("lim-x", "A limitation.", "the study's authors")
    context = CONTEXT
    if field == "statement":
        context = dataclasses.replace(CONTEXT, statement=planted)
    else:
        limitation = dataclasses.replace(limitation, **{field: planted})
    _, clean = _inline_text(limitations_markdown([Limitation("lim-x", "A limitation.", "the study's authors")],
                                                 [CONTEXT]))
    text, tokens = _inline_text(limitations_markdown([limitation], [context]))
    assert sorted(tokens) == sorted(clean), "planted text became markup"
    assert " ".join(planted.split()) in " ".join(text.split())


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=60))
def test_any_one_line_of_text_comes_back_as_itself(text):
    shown, tokens = _inline_text(as_text(text))
    assert not tokens
    assert " ".join(shown.split()) == " ".join(text.split())


def test_a_key_or_a_title_that_could_leave_its_role_is_refused():
    assert key("km-ccg-support") == "km-ccg-support"
    for bad in ("a`b", "a b", "A", "x<y>"):
        with pytest.raises(ValueError, match="not a plain key"):
            key(bad)
    assert role_title("CCG support (study)") == "CCG support (study)"
    for bad in ("x`y", "x <f-other>", "two\nlines"):
        with pytest.raises(ValueError, match="cannot be a link's title"):
            role_title(bad)
