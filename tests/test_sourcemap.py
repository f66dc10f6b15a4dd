"""Runtime errors in generated code show the user's file and line; generated lines are in linecache."""
import inspect
import linecache
import traceback

import pytest

import s2s
import sourcemap_functions as sf

FILE = inspect.getsourcefile(sf)


def marked(marker: str) -> list[int]:
    lines = open(FILE).read().splitlines()
    return [i + 1 for i, text in enumerate(lines) if f"# {marker}" in text]


def frames(exc):
    return [(f.filename, f.lineno, f.name) for f in traceback.extract_tb(exc.__traceback__)]


@pytest.mark.parametrize("fn,args", [(sf.log_of_negative, (1.0, 5.0)), (sf.fails_in_adjoint, (0.0,)),
                                     (sf.fails_in_loop, (0.5, 3))])
def test_traceback_shows_the_users_line(fn, args):
    with pytest.raises((ValueError, ZeroDivisionError)) as info:
        s2s.grad(fn)(*args)
    found = frames(info.value)
    lines = [line for path, line, name in found if path == FILE]
    assert set(lines) & set(marked("fails-here")), found
    # the generated frame is there too, just before the user's
    generated = [i for i, (path, _, _) in enumerate(found) if path.startswith("<s2s")]
    assert generated and found[generated[-1] + 1][0] == FILE
    text = "".join(traceback.format_exception(info.value))
    assert open(FILE).read().splitlines()[lines[0] - 1].strip() in text


def test_helper_lines_map_to_the_helper():
    with pytest.raises(ValueError) as info:
        s2s.grad(sf.calls_failing_helper)(0.5)
    lines = [line for path, line, _ in frames(info.value) if path == FILE]
    assert marked("helper-fails-here")[0] in lines


def test_generated_lines_are_in_linecache():
    g = s2s.grad(sf.fails_in_loop)
    text = g.source
    fn = g._fn
    filename = fn.__code__.co_filename
    assert linecache.getline(filename, 1) == text.splitlines(keepends=True)[0]
    assert inspect.getsource(fn).startswith("def grad_fails_in_loop")
