"""A chapter that fails, or reads what it does not declare, fails the build loudly; so does what the build cannot
write or must not read, before anything runs."""

from __future__ import annotations

import nbformat
import pytest
from smallbook import BOOK_TOOL, book_command, book_env, build, copy_built, edit, shared_build, small_book  # noqa: F401 (fixtures)

pytestmark = pytest.mark.build


@pytest.mark.slow  # executes the small book's chapters
def test_a_chapter_that_reads_an_undeclared_table_fails_the_build(small_book):
    edit(small_book / "chapters" / "inputs.yml", "second:\n  tables: [units]", "second:\n  tables: [bodies]")
    result = build(small_book)
    assert result.returncode != 0
    assert "chapter 'second' read the table 'units', which chapters/inputs.yml does not declare" in result.stderr


@pytest.mark.slow  # executes the small book's chapters
def test_a_chapter_that_raises_fails_the_build_and_shows_the_cell(small_book):
    notebook = nbformat.read(small_book / "chapters" / "sources.ipynb", as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('deliberate failure for the test')"))
    nbformat.write(notebook, small_book / "chapters" / "sources.ipynb")
    result = build(small_book)
    assert result.returncode != 0
    assert "raise RuntimeError('deliberate failure for the test')" in result.stderr
    assert "RuntimeError: deliberate failure for the test" in result.stderr
    assert not (small_book / "_build" / "html" / "index.html").exists()


@pytest.mark.slow  # a build that waits, then runs
def test_a_second_build_at_the_same_time_waits_for_the_first(shared_build, tmp_path):
    import fcntl
    import select
    import subprocess
    import time

    small_book = copy_built(shared_build, tmp_path / "book")  # built: once the lock is free, nothing changed
    lock_path = small_book / "_build" / ".lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a first build holds it
        second = subprocess.Popen([*BOOK_TOOL, "build"], cwd=small_book, env=book_env(small_book),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # wait for its first line, however slow the machine, rather than for a fixed time
        ready, _, _ = select.select([second.stdout], [], [], 300)
        assert ready, "the second build printed nothing"
        first_line = second.stdout.readline()
        assert first_line == "Another build of this book is running: waiting for it to finish.\n", first_line
        time.sleep(1)
        assert second.poll() is None, "the second build must wait, not run alongside the first"
    out, err = second.communicate(timeout=600)  # the lock is released: it runs now
    assert second.returncode == 0, first_line + out + err
    assert "Nothing changed since the last build" in out


@pytest.mark.slow  # the build command in a small book, as far as checking its data (about a second each)
@pytest.mark.parametrize("command", ["build", "outputs"])
def test_a_data_error_is_printed_once_without_a_traceback_and_nothing_runs(small_book, command):
    """#23: make outputs printed invalid data's error once per chapter (13 times, 980 lines)."""
    edit(small_book / "data" / "units.csv", "CCG areas,CCG area", "CCG areas,")
    result = book_command(small_book, command)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert output.count("data/units.csv, row 4 (line 5), column 'singular'") == 1, output
    assert "Traceback" not in output and "executed" not in output and "FAILED" not in output
    assert "The book was not built: fix the data above" in output


def _outputs(book, *chapters: str):
    return book_command(book, "outputs", *chapters)


def _text_twin(book, chapter: str) -> None:
    import jupytext

    jupytext.write(nbformat.read(book / "chapters" / f"{chapter}.ipynb", as_version=4),
                   book / "chapters" / f"{chapter}.md", fmt="md:myst")


def test_make_outputs_names_a_chapter_it_does_not_know(small_book):
    _text_twin(small_book, "second")
    result = _outputs(small_book, "no_such_chapter")
    assert result.returncode != 0
    assert "no chapter no_such_chapter: name a chapter (sources, second) or its path" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow  # executes a chapter
def test_make_outputs_takes_a_chapters_name(small_book):
    _text_twin(small_book, "second")
    assert "executed chapters/second.ipynb" in _outputs(small_book, "second").stdout  # a name is enough


@pytest.mark.slow  # executes a chapter once the lock is free
def test_make_outputs_waits_for_a_running_build(small_book):
    import fcntl
    import select
    import subprocess

    _text_twin(small_book, "second")
    lock_path = small_book / "_build" / ".lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a build holds it
        waiting = subprocess.Popen([*BOOK_TOOL, "outputs", "second"], cwd=small_book, env=book_env(small_book),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ready, _, _ = select.select([waiting.stdout], [], [], 300)
        assert ready, "make outputs printed nothing"
        assert waiting.stdout.readline() == "Another build of this book is running: waiting for it to finish.\n"
    out, err = waiting.communicate(timeout=600)
    assert waiting.returncode == 0, out + err


@pytest.mark.slow  # executes a chapter until it is interrupted
def test_ctrl_c_stops_a_build_with_one_line(small_book):
    """#23: Ctrl-C printed 82 lines of tracebacks. The terminal sends SIGINT to the whole process group; here it
    arrives while a chapter is executing (its kernel has written a marker and is still running)."""
    import os
    import signal
    import subprocess
    import time

    marker = small_book / "chapter-started"
    notebook = nbformat.read(small_book / "chapters" / "second.ipynb", as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(
        f"import pathlib, time\npathlib.Path({str(marker)!r}).write_text('x')\ntime.sleep(120)"))
    nbformat.write(notebook, small_book / "chapters" / "second.ipynb")
    # started as from a terminal, where Ctrl-C is not ignored: a runner started in the background by a
    # non-interactive shell (`bash -c '… &'`) ignores SIGINT, its children inherit that, and Python then
    # never raises KeyboardInterrupt, so the test would fail for how it was launched, not for the tool
    running = subprocess.Popen([*BOOK_TOOL, "build"], cwd=small_book, env=book_env(small_book),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 300
    while not marker.exists() and running.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert marker.exists(), "the chapter never started: " + "".join(running.communicate(timeout=60))
    os.killpg(running.pid, signal.SIGINT)
    out, err = running.communicate(timeout=300)
    assert running.returncode == 130, out + err
    assert "Traceback" not in out + err, err
    assert err.strip().splitlines() == [err.strip().splitlines()[-1]], err  # one line
    assert err.strip().startswith("Interrupted: nothing was published"), err


@pytest.mark.slow  # the build command in a small book, as far as checking its data (about a second each)
def test_a_quote_that_is_not_verbatim_is_never_published(small_book):
    """#23: only make test checked quotes, and it skipped without the sources; the build checks them too."""
    from helpers import SOURCES

    if not SOURCES.is_dir():
        pytest.skip(f"LOUD SKIP: no reference sources at {SOURCES}")
    edit(small_book / "data" / "theme_counts.csv", "Twenty-six CCGs reported", "Twenty-six CCGs proudly reported")
    result = book_command(small_book, "build", PCN_SOURCES_DIR=str(SOURCES))
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "data/theme_counts.csv, row 1 (line 2), column 'quote'" in output and "is not verbatim" in output, output
    assert "every quote must be verbatim in its source" in output and "executed" not in output


@pytest.mark.slow  # reads the shared build of a small book (tests/smallbook.py): one build, about 10 s
def test_a_build_without_the_sources_says_so_in_its_last_line(shared_build):
    # the shared build is built without the reference texts (smallbook.shared_build)
    assert shared_build.ok().stdout.strip().splitlines()[-1].startswith(
        "NOT CHECKED: the quotes were not checked"), shared_build.stdout


# --- what the build cannot write or must not read: one line naming the path, before any chapter runs (#23) -----

def _as_a_user_the_permissions_bind(book, *args: str):
    """``python -m pcn_evidence.tools.book ARGS`` with file permissions in force: a test running as root drops the capability that lets
    root write anywhere (setpriv), as a read-only folder stops everyone else."""
    import os
    import shutil
    import subprocess

    command = [*BOOK_TOOL, *args]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("LOUD SKIP: running as root without setpriv, so a read-only folder cannot be planted")
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--", *command]
    return subprocess.run(command, cwd=book, env=book_env(book), capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("command, folder", [
    ("build", "_build"), ("build", "_build/html"), ("build", "_build/extra/downloads/figures"),
    ("build", "_build/.jupyter_cache"), ("outputs", "_build"),  # `make outputs` writes only its lock there
])
def test_a_read_only_build_folder_is_one_line_naming_it_before_anything_runs(small_book, folder, command):
    """#23: a read-only _build ended in a traceback."""
    read_only = small_book / folder
    read_only.mkdir(parents=True)
    read_only.chmod(0o555)
    try:
        result = _as_a_user_the_permissions_bind(small_book, command)
    finally:
        read_only.chmod(0o755)
    assert result.returncode == 1 and result.stdout == "", result.stdout + result.stderr
    assert result.stderr.splitlines() == [
        f"Cannot build: {read_only} is not writable (its permissions do not let this user write to it); make it "
        f"writable (chmod -R u+w {small_book / '_build'}) or remove it (make clean), then run the command again."]


def test_a_read_only_file_the_build_rewrites_is_one_line_naming_it(small_book):
    zipped = small_book / "_build" / "extra" / "downloads" / "pcn-evidence-data.zip"
    zipped.parent.mkdir(parents=True)
    zipped.write_bytes(b"")
    zipped.chmod(0o444)
    result = _as_a_user_the_permissions_bind(small_book, "build")
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.splitlines() == [
        f"Cannot build: {zipped} is read-only (its permissions do not let this user write to it); make it "
        f"writable (chmod -R u+w {small_book / '_build'}) or remove it (make clean), then run the command again."]


def test_a_build_folder_that_is_a_file_is_one_line_naming_it(small_book):
    (small_book / "_build").write_text("not a folder")
    result = book_command(small_book, "build")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.splitlines() == [
        f"Cannot build: {small_book / '_build'} is a file, not a folder: the build writes its output there; make it "
        f"writable (chmod -R u+w {small_book / '_build'}) or remove it (make clean), then run the command again."]


@pytest.mark.slow  # the build command in a small book, as far as checking its data (about a second each)
@pytest.mark.parametrize("linked, message", [
    ("data/units.csv", "data/units.csv: is a symbolic link; a table must be a file in the data folder itself"),
    ("data/schemas/units.json", "data/schemas/units.json: is a symbolic link; a published data file must be a file "
                                "in the data folder itself"),
])
def test_a_linked_data_file_is_refused_by_name_before_any_chapter_runs(small_book, tmp_path, linked, message):
    """#23: a symbolic link among the data was refused only after the chapters ran, with a traceback."""
    path = small_book / linked
    outside = tmp_path / path.name
    path.rename(outside)
    path.symlink_to(outside)
    result = book_command(small_book, "build")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert output.count(message) == 1, output
    assert "Traceback" not in output and "executed" not in output and "FAILED" not in output, output
    assert "The book was not built: fix the data above" in output


@pytest.mark.slow  # the build command in a small book, as far as checking its data (about a second each)
def test_citation_cff_that_is_not_yaml_is_one_error_before_any_chapter_runs(small_book):
    """#23: invalid YAML in CITATION.cff printed 426 lines, three times."""
    edit(small_book / "CITATION.cff", "version: ", "version: [unclosed\nx-version: ")
    result = book_command(small_book, "build")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert output.count("CITATION.cff is not valid YAML") == 1, output
    assert "Traceback" not in output and "executed" not in output and "FAILED" not in output, output
    assert len(output.strip().splitlines()) <= 3, output


KILLED_BUILD = """
import fcntl, sys, time
from pcn_evidence.tools.notebooks import worker_pool
lock = open(sys.argv[1], "w")
fcntl.flock(lock, fcntl.LOCK_EX)  # as the build holds _build/.lock while its workers execute the chapters
with worker_pool(2) as pool:
    list(pool.map(abs, [1, -2]))  # both workers started, and idle
    print("executing", *pool._processes, flush=True)  # the workers' process ids
    time.sleep(120)
"""


@pytest.mark.skipif(__import__("sys").platform != "linux", reason="the workers die with the build on Linux only")
def test_a_build_killed_outright_leaves_no_worker_holding_the_build_lock(tmp_path):
    """A build stopped by `kill -9` (or a cancelled CI job, or `timeout`) must not leave its chapter workers
    behind holding the lock: every later build would wait for them for ever (found killing `make serve`)."""
    import fcntl
    import os
    import signal
    import subprocess
    import sys
    import time

    lock = tmp_path / ".lock"
    running = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, str(lock)], stdout=subprocess.PIPE, text=True)
    started = running.stdout.readline().split()
    try:
        assert started[0] == "executing" and len(started) == 3, started
        running.send_signal(signal.SIGKILL)
        running.wait(timeout=10)
        with lock.open("w") as handle:
            deadline = time.monotonic() + 10
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    assert time.monotonic() < deadline, "a worker outlived the build and still holds its lock"
                    time.sleep(0.1)
    finally:
        running.kill()
        for worker in started[1:]:  # had one outlived the build, it goes now
            try:
                os.kill(int(worker), signal.SIGKILL)
            except ProcessLookupError:
                pass
