"""What an uploaded expression or script must never be able to do."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import SandboxViolation
from engine.sandbox import check_syntax, evaluate, execute
from engine.sandbox.guards import guarded_getattr, guarded_write


def refused_eval(expression: str, context: dict[str, object] | None = None) -> str:
    with pytest.raises(SandboxViolation) as info:
        evaluate(expression, context or {})
    return info.value.message


def refused_exec(script: str, context: dict[str, object] | None = None) -> str:
    with pytest.raises(SandboxViolation) as info:
        execute(script, context if context is not None else {})
    return info.value.message


def test_import_builtin_call_is_refused() -> None:
    assert "__import__" in refused_eval("__import__('os')")


def test_import_statement_is_refused() -> None:
    assert refused_exec("import os") == "import is not allowed"


def test_from_import_statement_is_refused() -> None:
    assert refused_exec("from os import system") == "import is not allowed"


def test_import_inside_a_function_is_refused() -> None:
    assert refused_exec("def f():\n    import subprocess\n    return subprocess\n") == "import is not allowed"


def test_class_mro_walk_is_refused() -> None:
    assert "__class__" in refused_eval("().__class__.__mro__[1].__subclasses__()")


def test_subclasses_walk_from_a_type_is_refused() -> None:
    assert "__subclasses__" in refused_eval("int.__subclasses__()")


def test_open_file_is_refused() -> None:
    assert refused_eval("open('/etc/passwd').read()") == "open() is not allowed"


def test_open_stays_usable_as_a_data_field_name() -> None:
    # "open" is a plausible form field; only calling it is refused.
    assert evaluate("open == True", {"open": True}) is True


def test_eval_is_refused() -> None:
    assert refused_eval("eval('1+1')") == "eval() is not allowed"


def test_exec_is_refused() -> None:
    assert refused_exec("exec('x = 1')") == "exec() is not allowed"


def test_compile_is_refused() -> None:
    assert refused_eval("compile('1', 'f', 'eval')") == "compile() is not allowed"


def test_aliasing_eval_is_refused() -> None:
    assert refused_exec("f = eval\ny = f('1')") == "eval() is not allowed"


def test_getattr_with_dunder_name_is_refused() -> None:
    assert refused_eval("getattr(x, '__class__')", {"x": 1}) == "getattr() is not allowed"


def test_globals_locals_and_vars_are_refused() -> None:
    for source in ("globals()", "locals()", "vars()", "dir()"):
        assert refused_eval(source).endswith("() is not allowed")


def test_type_call_is_refused_but_type_as_data_field_works() -> None:
    assert refused_eval("type(1)") == "type() is not allowed"
    assert evaluate("type == 'fire'", {"type": "fire"}) is True


def test_str_format_attribute_trick_is_refused() -> None:
    assert ".format()" in refused_eval("'{0.__class__}'.format(1)")


def test_str_format_via_class_is_refused() -> None:
    assert ".format()" in refused_eval("str.format('{0.__class__.__mro__}', 1)")


def test_format_map_is_refused() -> None:
    assert ".format_map()" in refused_eval("'{x.__class__}'.format_map({'x': 1})")


def test_format_builtin_is_refused() -> None:
    assert refused_eval("format(1, '>5')") == "format() is not allowed"


def test_format_method_reached_at_run_time_is_refused() -> None:
    # The compiler refuses `.format` statically; this proves the runtime guard
    # would still stop it if some path reached the attribute dynamically.
    with pytest.raises(SandboxViolation, match="format"):
        guarded_getattr("{0.__class__}", "format")
    with pytest.raises(SandboxViolation, match="format"):
        guarded_getattr(str, "format_map")


def test_generator_frame_is_refused() -> None:
    assert "gi_frame" in refused_eval("(x for x in [1]).gi_frame.f_back.f_globals")


def test_generator_code_is_refused() -> None:
    assert "gi_code" in refused_exec("def g():\n    yield 1\nc = g().gi_code\n")


def test_traceback_frames_are_refused() -> None:
    script = "try:\n    1 / 0\nexcept Exception as e:\n    t = e.__traceback__.tb_frame\n"
    assert "__traceback__" in refused_exec(script)


def test_function_globals_are_refused() -> None:
    assert "__globals__" in refused_exec("def f():\n    pass\ng = f.__globals__\n")


def test_underscore_variable_names_are_refused() -> None:
    assert "_getattr_" in refused_exec("_getattr_ = None")


def test_class_definitions_are_refused() -> None:
    assert refused_exec("class A:\n    pass\n") == "class definitions are not allowed"


def test_print_is_refused_with_a_hint() -> None:
    assert "print" in refused_exec("print('hello')")


def test_match_statement_class_patterns_are_refused() -> None:
    script = "match x:\n    case str(__class__=c):\n        pass\n"
    assert "Match" in refused_exec(script, {"x": "s"})


def test_exception_groups_are_refused() -> None:
    assert "TryStar" in refused_exec("try:\n    pass\nexcept* ValueError:\n    pass\n")


def test_setting_attributes_on_non_data_objects_is_refused_at_run_time() -> None:
    assert refused_exec("def f():\n    pass\nf.x = 1\n") == "changing a function object is not allowed"


def test_write_guard_allows_only_plain_dicts_and_lists() -> None:
    data: dict[str, int] = {}
    assert guarded_write(data) is data
    with pytest.raises(SandboxViolation):
        guarded_write(frozenset())["x"] = 1


def test_builtins_outside_the_allow_list_are_not_reachable() -> None:
    with pytest.raises(NameError):
        evaluate("bytearray(3)", {})


def test_refused_script_leaves_context_unchanged() -> None:
    context: dict[str, object] = {"a": 1, "items": [1]}
    refused_exec("items.append(2)\nb = 2\ndef f():\n    pass\nf.x = 1\n", context)
    assert context == {"a": 1, "items": [1]}


def test_task_data_cannot_replace_guard_hooks() -> None:
    # A form field named like a guard must not switch attribute checks off.
    context = {"_getattr_": None, "s": "x"}
    assert evaluate("s.upper()", context) == "X"


def test_check_syntax_reports_refusal_for_deploy_validation() -> None:
    assert check_syntax("import os", "exec") == "import is not allowed"
    assert check_syntax("x = 1\nimport os\n", "exec") == "line 2: import is not allowed"
    assert check_syntax("().__class__", "eval") is not None


def test_check_syntax_reports_syntax_errors() -> None:
    message = check_syntax("x = (", "exec")
    assert message is not None and message.startswith("syntax error at line 1")


def test_check_syntax_accepts_good_sources() -> None:
    assert check_syntax("severity >= 3 and contains(tags, 'gas')", "eval") is None
    assert check_syntax("total = sum(x['n'] for x in items)", "exec") is None


@given(st.from_regex(r"_[A-Za-z0-9_]{1,12}", fullmatch=True))
def test_every_underscore_attribute_is_refused_at_compile_time(name: str) -> None:
    assert check_syntax(f"x.{name}", "eval") is not None


@given(st.from_regex(r"_[A-Za-z0-9_]{1,12}", fullmatch=True))
def test_every_underscore_attribute_is_refused_at_run_time(name: str) -> None:
    with pytest.raises(SandboxViolation):
        guarded_getattr(object(), name)
