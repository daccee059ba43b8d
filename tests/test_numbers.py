from hypothesis import given
from hypothesis import strategies as st

from pcn_evidence.numbers import numbers_in, states_number

WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
         "nineteen"]
TENS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy", 80: "eighty", 90: "ninety"}


def in_words(n: int) -> str:
    if n < 20:
        return WORDS[n]
    tens, unit = divmod(n, 10)
    return TENS[tens * 10] + (f"-{WORDS[unit]}" if unit else "")


def test_the_sources_ways_of_writing_numbers():
    assert states_number("Twenty-six CCGs reported that", 26)
    assert states_number("as many as 26 CCGs reported", 26)
    assert states_number("a patient population of 30 000–50 000.", 30000)
    assert states_number("a patient population of 30 000–50 000.", 50000)
    assert states_number("98% of GP practices have signed up", 98)
    assert states_number("a large proportion (13) of CCG staff", 13)
    assert states_number("from 135 to 106", 106)
    assert states_number("NVivo (version 12)", 12)


def test_identifiers_and_wrong_numbers_do_not_count():
    assert not states_number("[IDNS1.12]", 1.12)
    assert not states_number("[IDNS1.12]", 12)
    assert not states_number("Twenty-six CCGs", 6)
    assert not states_number("Twenty-six CCGs", 20)
    assert not states_number("someone said so", 1)  # 'one' inside a word is not a number


@given(st.integers(min_value=0, max_value=99), st.sampled_from(["", "As many as ", "Staff from "]))
def test_any_number_in_words_is_found(n, prefix):
    text = f"{prefix}{in_words(n)} CCGs reported"
    assert states_number(text, n)
    assert states_number(text.capitalize(), n)


@given(st.integers(min_value=0, max_value=10**7))
def test_any_number_in_digits_with_or_without_grouping_is_found(n):
    assert states_number(f"about {n} patients", n)
    assert states_number(f"about {n:,} patients", n)
    assert states_number(f"about {n:,} patients".replace(",", " "), n)


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6))
def test_a_number_not_stated_is_not_found(stated, other):
    if stated != other:
        assert other not in numbers_in(f"there were {stated} of them")


def test_a_decimal_keeps_its_fraction():
    # dropping the decimal part would let "12.5%" support a coded 12
    assert numbers_in("reimbursement rose by 12.5% in the year") == {12.5}
    assert states_number("12.5%", 12.5) and not states_number("12.5%", 12)
    assert numbers_in("from 70% to 100%") == {70.0, 100.0}


def test_every_number_from_zero_to_ninety_nine_in_words_is_read_exactly():
    # all hundred, not a sample: each word's value, and nothing else, must be read
    for n in range(100):
        assert numbers_in(f"{in_words(n)} CCGs") == {float(n)}, in_words(n)
        assert numbers_in(in_words(n).upper()) == {float(n)}, in_words(n)


def test_a_tens_word_joins_only_a_unit_from_one_to_nine():
    assert numbers_in("twenty one") == {21.0} and numbers_in("ninety\u2011nine") == {99.0}
    assert numbers_in("twenty-zero") == {20.0, 0.0}
    assert numbers_in("twenty-ten") == {20.0, 10.0}
    assert numbers_in("twenty-eleven") == {20.0, 11.0}
