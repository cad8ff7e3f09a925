"""Source-to-source conversion of one Python function.

The function's source is parsed, its decorators, defaults and annotations are stripped (the
converted function takes the original's), and the passes run: nested functions first, then
returns, loop jumps, expressions, and statements. The result is compiled inside a factory
``ag__outer(<free variables>)`` whose inner ``ag__inner(ag__)`` defines the converted function;
``ag__inner`` is then instantiated with the ORIGINAL closure cells and globals, so closures and
``nonlocal`` writes see the same variables as the original.
"""
import ast
import inspect
import linecache
import textwrap
import types

from ndflow.graph.autograph import lowering, statements


class ConversionError(Exception):
    """AutoGraph could not convert a function (no source, unsupported construct)."""


def _function_source(fn):
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError) as exc:
        raise ConversionError(f"the source code of {fn.__qualname__} is not available "
                              f"({exc})") from None
    source = textwrap.dedent(source)
    try:
        tree = ast.parse(source)
    except SyntaxError:
        # A method whose first line is less indented than the rest (e.g. after a decorator
        # with a continuation line): parse it inside a dummy block.
        try:
            tree = ast.parse("if True:\n" + textwrap.indent(source, " ")).body[0]
        except SyntaxError as exc:
            raise ConversionError(f"could not parse the source of {fn.__qualname__}: "
                                  f"{exc}") from None
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == fn.__name__]
    if not defs:
        raise ConversionError(f"could not find the definition of {fn.__qualname__} in its "
                              "source")
    return defs[0]


def _strip_signature(fdef):
    """Defaults and annotations are evaluated where the original was defined: the converted
    function receives the original's values instead."""
    args = fdef.args
    args.defaults = []
    args.kw_defaults = [None] * len(args.kwonlyargs)
    for arg in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
        if arg is not None:
            arg.annotation = None
    fdef.returns = None
    fdef.decorator_list = []


def _declared(fdef, kind):
    names = set()
    for node in ast.walk(fdef):
        if isinstance(node, kind):
            names.update(node.names)
    return names


def _params(fdef):
    args = fdef.args
    names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
    names += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
    return names


def _shadowed(fdef, fn):
    """Names that do not refer to builtins inside the function."""
    names = set(statements.bound_names(fdef.body)) | set(_params(fdef))
    names |= set(fn.__globals__) | set(fn.__code__.co_freevars)
    return names


def convert_function_def(fdef, namer, recursive, shadowed, features=()):
    """Runs every pass over ``fdef`` (and, first, the functions nested in it); ``features``
    are the optional features' names (e.g. 'ASSERT_STATEMENTS')."""
    for node in _own_nodes(fdef):
        if isinstance(node, ast.FunctionDef):
            convert_function_def(node, namer, recursive, shadowed | set(_params(node)),
                                 features)
    global_names = _declared(fdef, ast.Global)
    lowering.lower_returns(fdef, namer)
    fdef.body = lowering.lower_loop_jumps(fdef.body, namer)
    params = _params(fdef)
    first_arg = params[0] if fdef.args.posonlyargs or fdef.args.args else None
    transformer = lowering.ExpressionTransformer(recursive, shadowed, first_arg, features)
    fdef.body = [transformer.visit(stmt) for stmt in fdef.body]
    # Taken before the statements are converted: the body functions they generate declare
    # their own nonlocals (inside `with`/`try` blocks too), which need placeholders here.
    skip = set(params) | global_names | _declared(fdef, ast.Nonlocal)
    converter = statements.StatementConverter(namer, global_names)
    body = converter.block(fdef.body, lambda name: False)
    fdef.body = statements.undefined_inits(
        [n for n in converter.modified if n not in skip and not _assigned_first(fdef.body, n)]
    ) + body


def _assigned_first(stmts, name):
    """Whether the first top-level statement that mentions ``name`` assigns it plainly (so it
    needs no ``Undefined`` placeholder)."""
    for stmt in stmts:
        if statements.kills(stmt, name) and name not in statements.reads(stmt.value):
            return True
        if name in statements.reads(stmt) or name in statements.bound_names([stmt]):
            return False
    return False


def _own_nodes(fdef):
    """Nodes of ``fdef``'s body, not descending into nested functions."""
    stack = list(fdef.body)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))


def convert_source(fn, recursive, features=()):
    """The converted ``ast.FunctionDef`` of ``fn`` (named ``ndf__<name>``)."""
    fdef = _function_source(fn)
    if any(isinstance(n, (ast.Yield, ast.YieldFrom, ast.Await)) for n in _own_nodes(fdef)):
        raise ConversionError(f"{fn.__qualname__} is a generator or coroutine")
    _strip_signature(fdef)
    namer = lowering.Namer(fdef)
    convert_function_def(fdef, namer, recursive, _shadowed(fdef, fn), features)
    fdef.name = f"ndf__{fn.__name__}"
    return ast.fix_missing_locations(fdef)


def _factory_module(fdef, freevars):
    inner = ast.FunctionDef(
        name="ag__inner", args=_arguments([lowering.AG]),
        body=[fdef, ast.Return(ast.Name(fdef.name, ast.Load()))], decorator_list=[], returns=None)
    outer = ast.FunctionDef(name="ag__outer", args=_arguments(list(freevars)),
                            body=[inner, ast.Return(ast.Name("ag__inner", ast.Load()))],
                            decorator_list=[], returns=None)
    return ast.fix_missing_locations(ast.Module(body=[outer], type_ignores=[]))


def _arguments(names):
    return ast.arguments(posonlyargs=[], args=[ast.arg(n) for n in names], vararg=None,
                         kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])


def _code_const(code, name):
    return next(c for c in code.co_consts if isinstance(c, types.CodeType) and c.co_name == name)


_COUNTER = [0]


def compile_converted(fn, fdef):
    """``ag__inner``'s code object for the converted ``fdef`` and the converted source text."""
    module = _factory_module(fdef, fn.__code__.co_freevars)
    source = ast.unparse(module)
    _COUNTER[0] += 1
    filename = f"<ndflow autograph {_COUNTER[0]}: {fn.__qualname__}>"
    # Tracebacks through converted code show its lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    code = compile(source, filename, "exec")
    return _code_const(_code_const(code, "ag__outer"), "ag__inner")


def instantiate(fn, inner_code, ag_module):
    """The converted function: ``ag__inner`` run with ``fn``'s globals and closure cells."""
    cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    closure = tuple(cells[name] for name in inner_code.co_freevars)
    inner = types.FunctionType(inner_code, fn.__globals__, "ag__inner", None, closure or None)
    converted = inner(ag_module)
    converted.__defaults__ = fn.__defaults__
    converted.__kwdefaults__ = fn.__kwdefaults__
    for attr in ("__name__", "__qualname__", "__doc__", "__module__", "__annotations__"):
        setattr(converted, attr, getattr(fn, attr))
    converted.__dict__.update(fn.__dict__)
    converted.ag_original = fn
    return converted
