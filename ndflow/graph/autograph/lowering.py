"""The first AutoGraph passes, on plain Python ASTs: ``return``, ``break`` and ``continue``
become assignments to flag variables that guard the statements after them (so that loops and
branches have one exit and can become functional ops), and expressions are rewritten to call
the ``ag__`` operators (``and``/``or``/``not``, conditional expressions, function calls).
"""
import ast
import builtins

from ndflow.graph.autograph.py_builtins import OVERRIDDEN_NAMES

AG = "ag__"

# Builtins called directly (readable output, frame-sensitive builtins keep working); every other
# call goes through ag__.converted_call (range, len, int, float, abs, enumerate and zip
# dispatch on tensors there).
_DIRECT_BUILTINS = frozenset(name for name in dir(builtins) if name not in OVERRIDDEN_NAMES)


def ag_call(attr, *args):
    """``ag__.attr(*args)`` as an AST node."""
    return ast.Call(func=ast.Attribute(value=ast.Name(AG, ast.Load()), attr=attr, ctx=ast.Load()),
                    args=list(args), keywords=[])


def assign(name, value):
    """The statement ``name = value``."""
    return ast.Assign(targets=[ast.Name(name, ast.Store())], value=value)


def not_flag(name):
    """The expression ``not name``."""
    return ast.UnaryOp(op=ast.Not(), operand=ast.Name(name, ast.Load()))


class Namer:
    """Fresh names that do not clash with any name in the source."""

    def __init__(self, tree):
        self.taken = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        self.taken |= {n.arg for n in ast.walk(tree) if isinstance(n, ast.arg)}
        self.taken |= {n.name for n in ast.walk(tree)
                       if isinstance(n, (ast.FunctionDef, ast.ClassDef))}

    def new(self, base):
        """A name starting with ``base`` that the function does not use yet."""
        name, count = base, 0
        while name in self.taken:
            count += 1
            name = f"{base}_{count}"
        self.taken.add(name)
        return name


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_LOOPS = (ast.For, ast.While)


def _contains(node, kind, into_loops):
    """Whether ``node``'s own statements (not nested functions; nested loop bodies only when
    ``into_loops``) hold a ``kind`` statement."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, kind):
            return True
        for child in ast.iter_child_nodes(current):
            if isinstance(child, _SCOPES):
                continue
            if isinstance(child, _LOOPS) and not into_loops:
                stack.extend(child.orelse)
                continue
            stack.append(child)
    return False


def _sub_blocks(stmt):
    """Names of the statement-list fields a jump inside ``stmt`` may sit in."""
    if isinstance(stmt, ast.If):
        return ("body", "orelse")
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return ("body",)
    if isinstance(stmt, ast.Try):
        return ("body", "orelse", "finalbody")
    return ()


def _guard(flag, stmts):
    return [ast.If(test=not_flag(flag), body=stmts, orelse=[])] if stmts else []


def _lower_jumps(stmts, kind, flag):
    """``break``/``continue`` (``kind``) become ``flag = True``; what follows a statement that
    may jump runs under ``if not flag``."""
    out = []
    for i, stmt in enumerate(stmts):
        if isinstance(stmt, kind):
            out.append(assign(flag, ast.Constant(True)))
            return out
        if not _contains(stmt, kind, into_loops=False):
            out.append(stmt)
            continue
        for field in _sub_blocks(stmt):
            setattr(stmt, field, _lower_jumps(getattr(stmt, field), kind, flag))
        if isinstance(stmt, ast.Try):
            for handler in stmt.handlers:
                handler.body = _lower_jumps(handler.body, kind, flag)
        if isinstance(stmt, _LOOPS):  # a jump in a nested loop's else clause
            stmt.orelse = _lower_jumps(stmt.orelse, kind, flag)
        out.append(stmt)
        return out + _guard(flag, stmts[i + 1:])
    return out


def lower_loop_jumps(stmts, namer):
    """Lowers ``break`` and ``continue`` of every loop in ``stmts`` (not in nested functions)."""
    out = []
    for stmt in stmts:
        for field in _sub_blocks(stmt) + (("body", "orelse") if isinstance(stmt, _LOOPS) else ()):
            setattr(stmt, field, lower_loop_jumps(getattr(stmt, field), namer))
        if isinstance(stmt, ast.Try):
            for handler in stmt.handlers:
                handler.body = lower_loop_jumps(handler.body, namer)
        if isinstance(stmt, _LOOPS):
            out.extend(_lower_loop(stmt, namer))
        else:
            out.append(stmt)
    return out


def _lower_loop(loop, namer):
    before, after = [], []
    if any(_contains(s, ast.Continue, into_loops=False) for s in loop.body):
        flag = namer.new("continue_")
        loop.body = [assign(flag, ast.Constant(False))] + _lower_jumps(loop.body, ast.Continue,
                                                                        flag)
    if any(_contains(s, ast.Break, into_loops=False) for s in loop.body):
        flag = namer.new("break_")
        loop.body = _lower_jumps(loop.body, ast.Break, flag)
        before.append(assign(flag, ast.Constant(False)))
        add_loop_test(loop, not_flag(flag))
        after = _guard(flag, loop.orelse)
    else:
        after = loop.orelse
    loop.orelse = []
    return before + [loop] + after


def add_loop_test(loop, test):
    """Makes ``loop`` also stop when ``test`` is false (a ``for`` keeps its extra tests in
    ``ag_extra_tests``)."""
    if isinstance(loop, ast.While):
        loop.test = ast.BoolOp(op=ast.And(), values=[test, loop.test])
    else:
        loop.ag_extra_tests = [test] + getattr(loop, "ag_extra_tests", [])


def _always_returns(stmts):
    for stmt in stmts:
        if isinstance(stmt, ast.Return):
            return True
        if isinstance(stmt, ast.If) and _always_returns(stmt.body) and _always_returns(
                stmt.orelse):
            return True
    return False


def lower_returns(fdef, namer):
    """Rewrites the returns of ``fdef`` (unless its only return ends the body) into
    ``do_return``/``retval_`` assignments and one final ``return``."""
    body = fdef.body
    last = body[-1] if body else None
    inner = [s for s in body if s is not last or not isinstance(s, ast.Return)]
    if not any(_contains(s, ast.Return, into_loops=True) for s in inner):
        return
    flags = (namer.new("do_return"), namer.new("retval_"))
    fdef.body = ([assign(flags[0], ast.Constant(False)),
                  assign(flags[1], ag_call("UndefinedReturnValue"))]
                 + _lower_returns(body, flags)
                 + [ast.Return(ag_call("retval", ast.Name(flags[1], ast.Load())))])


def _lower_returns(stmts, flags):
    do_return, retval = flags
    out = []
    for i, stmt in enumerate(stmts):
        rest = stmts[i + 1:]
        if isinstance(stmt, ast.Return):
            value = stmt.value if stmt.value is not None else ast.Constant(None)
            return out + [assign(do_return, ast.Constant(True)), assign(retval, value)]
        if not _contains(stmt, ast.Return, into_loops=True):
            out.append(stmt)
            continue
        if isinstance(stmt, ast.If):
            # As TensorFlow: the statements after an `if` whose one branch always returns
            # belong to the other branch, so that both branches set the return value.
            body_returns, else_returns = _always_returns(stmt.body), _always_returns(stmt.orelse)
            if body_returns and not else_returns:
                stmt.orelse, rest = stmt.orelse + rest, []
            elif else_returns and not body_returns:
                stmt.body, rest = stmt.body + rest, []
            elif body_returns:
                rest = []
        if isinstance(stmt, _LOOPS):
            stmt.body = _lower_returns(stmt.body, flags)
            stmt.orelse = _lower_returns(stmt.orelse, flags)
            add_loop_test(stmt, not_flag(do_return))
        for field in _sub_blocks(stmt):
            setattr(stmt, field, _lower_returns(getattr(stmt, field), flags))
        if isinstance(stmt, ast.Try):
            for handler in stmt.handlers:
                handler.body = _lower_returns(handler.body, flags)
        out.append(stmt)
        return out + _guard(do_return, _lower_returns(rest, flags))
    return out


class ExpressionTransformer(ast.NodeTransformer):
    """Rewrites expressions in one function's own body (nested functions are converted on
    their own): boolean operators, conditional expressions and calls."""

    def __init__(self, recursive, shadowed, first_arg, features=()):
        self.recursive = recursive
        self.shadowed = shadowed   # names bound in the function or its globals/closure
        self.first_arg = first_arg
        self.features = features

    def visit_FunctionDef(self, node):  # noqa: N802 - ast's visitor naming
        """Nested functions are converted on their own, not here."""
        return node

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_ClassDef = visit_FunctionDef

    def visit_For(self, node):  # noqa: N802
        """Lowers the loop's expressions and keeps its extra loop tests."""
        self.generic_visit(node)
        if hasattr(node, "ag_extra_tests"):
            node.ag_extra_tests = [self.visit(t) for t in node.ag_extra_tests]
        return node

    def visit_BoolOp(self, node):  # noqa: N802
        """``a and b`` -> ``ag__.and_(lambda: a, lambda: b)`` (likewise ``or``)."""
        self.generic_visit(node)
        lambdas = [thunk(v) for v in node.values]
        return ag_call("and_" if isinstance(node.op, ast.And) else "or_", *lambdas)

    def visit_UnaryOp(self, node):  # noqa: N802
        """``not a`` -> ``ag__.not_(a)``."""
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return ag_call("not_", node.operand)
        return node

    def visit_IfExp(self, node):  # noqa: N802
        """``a if t else b`` -> ``ag__.if_exp(t, lambda: a, lambda: b, 't')`` (the test's
        source names the expression in errors)."""
        text = ast.unparse(node.test)
        self.generic_visit(node)
        return ag_call("if_exp", node.test, thunk(node.body), thunk(node.orelse),
                       ast.Constant(text))

    def visit_Compare(self, node):  # noqa: N802
        """``a < b < c`` -> ``ag__.and_(lambda: a < b, lambda: b < c)``, as TensorFlow does,
        so that each link may be a tensor (a shared operand is evaluated once per link)."""
        self.generic_visit(node)
        if len(node.ops) == 1:
            return node
        operands = [node.left] + node.comparators
        links = [ast.Compare(left=operands[i], ops=[op], comparators=[operands[i + 1]])
                 for i, op in enumerate(node.ops)]
        return ag_call("and_", *[thunk(link) for link in links])

    def visit_Assert(self, node):  # noqa: N802
        """With the ASSERT_STATEMENTS feature, ``assert t, msg`` ->
        ``ag__.assert_stmt(t, lambda: msg)`` (a tensor ``t`` becomes an Assert op); without it
        the statement stays Python's, as in TensorFlow."""
        self.generic_visit(node)
        if "ASSERT_STATEMENTS" not in self.features:
            return node
        message = node.msg if node.msg is not None else ast.Constant("Assertion error")
        return ast.Expr(ag_call("assert_stmt", node.test, thunk(message)))

    def visit_Call(self, node):  # noqa: N802
        """Calls go through ``ag__.converted_call`` (builtins stay direct)."""
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and \
                func.value.id == AG:
            return node
        if isinstance(func, ast.Name) and func.id == "super" and not node.args and \
                self.first_arg is not None:
            # Zero-argument super() needs the compiler's class cell: name it explicitly.
            node.args = [ast.Name("__class__", ast.Load()), ast.Name(self.first_arg, ast.Load())]
            return node
        if isinstance(func, ast.Name) and func.id in _DIRECT_BUILTINS and \
                func.id not in self.shadowed:
            return node
        if not self.recursive and not (isinstance(func, ast.Name) and func.id in OVERRIDDEN_NAMES
                                       and func.id not in self.shadowed):
            return node
        args = ast.Tuple(elts=node.args, ctx=ast.Load())
        if node.keywords:
            kwargs = ast.Dict(keys=[k.arg if k.arg is None else ast.Constant(k.arg)
                                    for k in node.keywords],
                              values=[k.value for k in node.keywords])
        else:
            kwargs = ast.Constant(None)
        options = [ast.Constant(tuple(self.features))] if self.features else []
        return ag_call("converted_call", func, args, kwargs, *options)


def thunk(expr):
    """``lambda: expr``, so an operand is evaluated only when needed."""
    return ast.Lambda(args=ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[],
                                         kw_defaults=[], kwarg=None, defaults=[]), body=expr)
