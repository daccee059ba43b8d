"""Data text is text, never markup: HTML, a MyST role, a directive or a multi-line directive planted in any
column that reaches the key-messages page or the landing page's three-minute layer is shown as the characters it is.

The page's MyST is parsed here with myst-parser's own markdown-it parser and the book's extensions: every
planted string must come back as plain text, and the only roles and directives are the ones the book's code adds.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from pcn_evidence.bottom_line import INTERPRETATION, KEY_POINT, QUESTION, WHY_NOW, BottomLineItem
from pcn_evidence.briefing import BriefingMessage, Limitation, OutsideContext
from pcn_evidence.markup import (
    as_text,
    brief_limitations_markdown,
    interpretation_markdown,
    key,
    key_points_markdown,
    limitations_markdown,
    message_markdown,
    role_title,
)

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
    other_evidence="Other evidence.", finding_labels=("Finding X (study)",),
)
POINT = BottomLineItem("bl-p", KEY_POINT, "CCG staff said so.", (MESSAGE,))
WHY = BottomLineItem("bl-w", WHY_NOW, "It matters.", (), (CONTEXT,))
QUESTION_ITEM = BottomLineItem("bl-q", QUESTION, "Who does it?", (MESSAGE,), (CONTEXT,))
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
    assert sorted(clean) == sorted(["myst_role:km-warwickgiles2021", "myst_role:Finding X (study) <f-x>"])
    _, layer = _inline_text(key_points_markdown([POINT]) + interpretation_markdown([WHY, QUESTION_ITEM], "intro-"))
    assert sorted(layer) == sorted(["myst_role:CCG staff: a headline <km-x>", "myst_role:intro-healthcareact2022",
                                    "myst_role:intro-healthcareact2022"])


def test_a_message_notes_its_outside_context_labelled_dated_and_cited_only_when_it_has_some():
    assert "Outside context" not in message_markdown(MESSAGE, KEYS)
    noted = message_markdown(dataclasses.replace(MESSAGE, context=(CONTEXT,)), KEYS)
    assert ("\n\n:::{container} pcn-outside-context\n*Outside context (1 July 2022):* a later law "
            "{cite:p}`km-healthcareact2022`\n:::\n\n") in noted
    text, roles = _inline_text(noted)
    assert "Outside context (1 July 2022): a later law" in text and "myst_role:km-healthcareact2022" in roles


@pytest.mark.parametrize("planted", PLANTED)
def test_markup_planted_in_a_message_s_outside_context_is_shown_as_text(planted):
    noted = dataclasses.replace(MESSAGE, context=(CONTEXT,))
    _, clean = _inline_text(message_markdown(noted, KEYS))
    text, tokens = _inline_text(message_markdown(dataclasses.replace(noted, context=(
        dataclasses.replace(CONTEXT, short=planted),)), KEYS))
    assert sorted(tokens) == sorted(clean), "planted text became markup"
    assert " ".join(planted.split()) in " ".join(text.split())


def test_a_message_shows_its_history_only_when_given_one():
    assert "History" not in message_markdown(MESSAGE, KEYS)
    assert "*History:* changed since the last release" in message_markdown(MESSAGE, KEYS, "changed since the last release")


@pytest.mark.parametrize("planted", PLANTED)
@pytest.mark.parametrize("field", ["summary", "other_evidence", "history"])
def test_markup_planted_in_a_message_is_shown_as_text(field, planted):
    message, history = MESSAGE, "new since version 0.1.0"
    if field in {"summary", "other_evidence"}:
        message = dataclasses.replace(MESSAGE, **{field: planted})
    else:
        history = planted
    _, clean = _inline_text(message_markdown(MESSAGE, KEYS, "new since version 0.1.0"))
    text, tokens = _inline_text(message_markdown(message, KEYS, history))
    assert sorted(tokens) == sorted(clean), "planted text became markup"
    assert " ".join(planted.split()) in " ".join(text.split())


@pytest.mark.parametrize("planted", PLANTED)
@pytest.mark.parametrize("field", ["point", "why_now", "question", "context_short"])
def test_markup_planted_in_the_three_minute_layer_is_shown_as_text(field, planted):
    point, why, question = POINT, WHY, QUESTION_ITEM
    if field == "point":
        point = dataclasses.replace(POINT, text=planted)
    elif field == "why_now":
        why = dataclasses.replace(WHY, text=planted)
    elif field == "question":
        question = dataclasses.replace(QUESTION_ITEM, text=planted)
    else:
        question = dataclasses.replace(QUESTION_ITEM, context=(dataclasses.replace(CONTEXT, short=planted),))

    def render(p: BottomLineItem, w: BottomLineItem, q: BottomLineItem) -> str:
        return key_points_markdown([p]) + interpretation_markdown([w], "intro-") + interpretation_markdown(
            [q], "intro-", numbered=True)

    _, clean = _inline_text(render(POINT, WHY, QUESTION_ITEM))
    text, tokens = _inline_text(render(point, why, question))
    assert sorted(tokens) == sorted(clean), "planted text became markup"
    assert " ".join(planted.split()) in " ".join(text.split())


def test_the_interpretation_is_labelled_and_its_outside_context_dated_and_cited():
    shown = interpretation_markdown([WHY], "intro-")
    assert shown.startswith(f"*{as_text(INTERPRETATION)}*") and "*Outside context (1 July 2022):* a later law " in shown
    assert "{cite:p}`intro-healthcareact2022`" in shown
    numbered = interpretation_markdown([QUESTION_ITEM, QUESTION_ITEM], "intro-", numbered=True)
    assert "\n1. Who does it\\?" in numbered and "\n2. Who does it\\?" in numbered


def test_a_key_point_links_each_message_by_its_headline_with_its_confidence():
    other = dataclasses.replace(MESSAGE, id="km-y", headline="The study's authors: another",
                                confidence=(("f-y", "low"), ("f-z", "very low")))
    shown = key_points_markdown([dataclasses.replace(POINT, messages=(MESSAGE, other))])
    assert ("*Key messages:* {ref}`CCG staff: a headline <km-x>`, confidence *moderate*; "
            "{ref}`The study's authors: another <km-y>`, confidence *low \\/ very low*.") in shown


@pytest.mark.parametrize("planted", PLANTED)
@pytest.mark.parametrize("in_brief", [True, False])
@pytest.mark.parametrize("field", ["text", "stated_by", "statement"])
def test_markup_planted_in_a_limitation_or_outside_context_is_shown_as_text(field, in_brief, planted):
    shipped = Limitation("lim-x", "A limitation.", "the study's authors", in_brief)
    limitation, context = shipped, CONTEXT
    if field == "statement":
        context = dataclasses.replace(CONTEXT, statement=planted)
    else:
        limitation = dataclasses.replace(limitation, **{field: planted})
    _, clean = _inline_text(limitations_markdown([shipped], [CONTEXT]))
    text, tokens = _inline_text(limitations_markdown([limitation], [context]))
    assert sorted(tokens) == sorted(clean), "planted text became markup"
    assert " ".join(planted.split()) in " ".join(text.split())


def test_the_main_limitations_are_boxed_and_the_others_folded_where_paper_does_not_reach():
    main, other = Limitation("lim-a", "Main one.", None, True), Limitation("lim-b", "Other one.", None, False)
    shown = limitations_markdown([main, other], [CONTEXT])
    box, fold = shown.index(":::{admonition} Main limitations"), shown.index(":::{dropdown} More limitations")
    assert box < shown.index("Main one") < fold < shown.index("Other one")
    assert brief_limitations_markdown([main, other]) == "- *The book:* Main one\\.\n"
    assert ":::{dropdown}" not in limitations_markdown([main], [CONTEXT])  # nothing to fold, no empty fold


@example("    0")  # four leading spaces once made a code block
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
