"""What a pasted citation must hold: the oracle the citation tests, in Python and in the browser, hold the
citations the book shows and copies to.

The checks a reader's paste relies on, made independently of how :mod:`pcn_evidence.citation` builds them.
"""

from __future__ import annotations

import re

from pcn_evidence.citation import CitedItem, bibtex_text, plain_citation
from pcn_evidence.release import PENDING, Release


def citation_problems(release: Release, text: str | None = None, entry: str | None = None,
                      item: CitedItem | None = None) -> list[str]:
    """What is wrong with a citation as shown (plain ``text`` and/or BibTeX ``entry``), if anything.

    The checks a reader's paste relies on: the version and release date are there, the
    URL is the absolute one for the book or the statement, a group author is braced whole
    in BibTeX, and a DOI appears only when CITATION.cff has one (never invented).
    """
    url = item.url if item else release.base_url
    problems = []
    if text is not None:
        expected = plain_citation(release, item)
        if f"Version {release.version}," not in text:
            problems.append(f"plain citation: no 'Version {release.version}'")
        if release.released.isoformat() not in text:
            problems.append(f"plain citation: no release date {release.released.isoformat()}")
        if not text.rstrip().endswith(" " + url):
            problems.append(f"plain citation: does not end with the absolute URL {url}")
        if release.pending and PENDING not in text:
            problems.append(f"plain citation: does not say that this build is not the release ('{PENDING}')")
        if not release.doi and re.search(r"\bdoi\b|doi\.org", text, re.IGNORECASE):
            problems.append("plain citation: shows a DOI, but CITATION.cff has none")
        if text.strip() != expected:
            problems.append(f"plain citation: differs from the one the book generates: {expected!r}")
    if entry is not None:
        if not re.search(r"^\s*version\s*=\s*\{" + re.escape(release.version) + r"\},?$", entry, re.MULTILINE):
            problems.append(f"BibTeX: no 'version = {{{release.version}}}'")
        if not re.search(r"^\s*url\s*=\s*\{" + re.escape(url) + r"\},?$", entry, re.MULTILINE):
            problems.append(f"BibTeX: no 'url = {{{url}}}' (absolute)")
        for author in release.authors:
            if release.is_entity(author) and "{{" + bibtex_text(author) + "}" not in entry:
                problems.append(f"BibTeX: the group author {author!r} is not in double braces: BibTeX would split it "
                                "into a person's names")
        has_doi = re.search(r"^\s*doi\s*=", entry, re.MULTILINE | re.IGNORECASE)
        if has_doi and not release.doi:
            problems.append("BibTeX: has a doi field, but CITATION.cff has none")
        if release.doi and not has_doi:
            problems.append(f"BibTeX: no doi field for the configured DOI {release.doi}")
        if release.pending and PENDING not in entry.split("note", 1)[-1]:
            problems.append(f"BibTeX: the note does not say that this build is not the release ('{PENDING}')")
        if item and bibtex_text(item.heading) not in " ".join(entry.split("note", 1)[-1].split()):
            problems.append(f"BibTeX: the note does not name the {item.kind.lower()} by its heading")
    return problems
