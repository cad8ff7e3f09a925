"""The AutoGraph pass that turns ``if``, ``while`` and ``for`` statements into calls of
``ag__.if_stmt`` / ``while_stmt`` / ``for_stmt`` with their bodies as nested functions.

A statement's state (branch outputs, loop variables) is the variables its body assigns that
are live afterwards (read before being reassigned), plus, for loops, those the next iteration
reads. The body functions declare every name they assign ``nonlocal`` (``global`` where the
converted function does), so plain Python execution keeps Python's semantics.
"""
import ast

from ndflow.graph.autograph.lowering import AG, ag_call, thunk

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def reads(node):
    """Names ``node`` reads (nested functions and lambdas included: they may read later)."""
    out = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and not isinstance(sub.ctx, ast.Store):
            out.add(sub.id)
        elif isinstance(sub, ast.AugAssign) and isinstance(sub.target, ast.Name):
            out.add(sub.target.id)
        elif isinstance(sub, ast.For):
            for test in getattr(sub, "ag_extra_tests", ()):
                out |= reads(test)
    return out


def bound_names(stmts):
    """Names the statements assign, in order of first assignment (not inside nested scopes)."""
    out = {}
    stack = list(reversed(stmts))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            out.setdefault(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.setdefault(node.name)
            stack.extend(reversed(node.decorator_list))
            continue
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                out.setdefault((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            out.setdefault(node.name)
        if isinstance(node, (ast.Lambda, ast.GeneratorExp, ast.ListComp, ast.SetComp,
                             ast.DictComp)):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return list(out)


def kills(stmt, name):
    """True when ``stmt`` is a plain assignment to ``name`` (which ends its old value)."""
    if isinstance(stmt, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)
    if isinstance(stmt, ast.AnnAssign):
        return stmt.value is not None and isinstance(stmt.target, ast.Name) and \
            stmt.target.id == name
    return False


def _scan(stmts, name):
    """'use' if ``name`` may be read before being assigned, 'kill' if it is surely assigned
    first, None if neither happens."""
    for stmt in stmts:
        found = _scan_stmt(stmt, name)
        if found:
            return found
    return None


def _scan_stmt(stmt, name):
    if isinstance(stmt, ast.If):
        if name in reads(stmt.test):
            return "use"
        body, orelse = _scan(stmt.body, name), _scan(stmt.orelse, name)
        if "use" in (body, orelse):
            return "use"
        return "kill" if body == orelse == "kill" else None
    if isinstance(stmt, (ast.While, ast.For)):
        header = stmt.test if isinstance(stmt, ast.While) else stmt.iter
        if name in reads(header) or any(name in reads(t)
                                        for t in getattr(stmt, "ag_extra_tests", ())):
            return "use"
        if isinstance(stmt, ast.For) and name in bound_names([stmt.target]):
            return None
        return "use" if "use" in (_scan(stmt.body, name), _scan(stmt.orelse, name)) else None
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
        if stmt.value is not None and name in reads(stmt.value):
            return "use"
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        if any(name in reads(t) for t in targets):  # x[i] = ... reads x
            return "use"
        return "kill" if kills(stmt, name) else None
    if name in reads(stmt):
        return "use"
    if isinstance(stmt, (ast.FunctionDef, ast.ClassDef)) and stmt.name == name:
        return "kill"
    return None


def _after(stmts, then):
    """The liveness test after a statement: reads in ``stmts``, else ``then``."""
    def live(name):
        found = _scan(stmts, name)
        return found == "use" or (found is None and then(name))
    return live


class StatementConverter:
    """Converts one function body; ``modified`` collects every name a converted statement
    assigns (the function binds them first, so that ``nonlocal`` declarations resolve)."""

    def __init__(self, namer, global_names):
        self.namer = namer
        self.global_names = global_names
        self.modified = {}

    def block(self, stmts, live_after):
        """Converts a statement list, given the names live after it."""
        out = []
        for i, stmt in enumerate(stmts):
            live = _after(stmts[i + 1:], live_after)
            if isinstance(stmt, ast.If):
                out.extend(self._if(stmt, live))
            elif isinstance(stmt, ast.While):
                out.extend(self._while(stmt, live))
            elif isinstance(stmt, ast.For):
                out.extend(self._for(stmt, live))
            else:
                if isinstance(stmt, (ast.With, ast.AsyncWith)):
                    stmt.body = self.block(stmt.body, live)
                elif isinstance(stmt, ast.Try):
                    stmt.body = self.block(stmt.body, live)
                    for handler in stmt.handlers:
                        handler.body = self.block(handler.body, live)
                    stmt.orelse = self.block(stmt.orelse, live)
                    stmt.finalbody = self.block(stmt.finalbody, live)
                out.append(stmt)
        return out

    # ------------------------------------------------------------------ helpers

    def _declare(self, names):
        for name in names:
            self.modified.setdefault(name)
        decls = []
        globals_ = [n for n in names if n in self.global_names]
        locals_ = [n for n in names if n not in self.global_names]
        if globals_:
            decls.append(ast.Global(names=globals_))
        if locals_:
            decls.append(ast.Nonlocal(names=locals_))
        return decls

    def _function(self, base, args, names, body):
        name = self.namer.new(base)
        fn = ast.FunctionDef(
            name=name, args=ast.arguments(posonlyargs=[], args=[ast.arg(a) for a in args],
                                          vararg=None, kwonlyargs=[], kw_defaults=[],
                                          kwarg=None, defaults=[]),
            body=self._declare(names) + (body or [ast.Pass()]), decorator_list=[], returns=None)
        return name, fn

    def _state_functions(self, state):
        tuple_load = ast.Tuple(elts=[ast.Name(n, ast.Load()) for n in state], ctx=ast.Load())
        get_name, get_fn = self._function("get_state", [], [], [ast.Return(tuple_load)])
        vars_ = self.namer.new("vars_")
        setter = [ast.Assign(targets=[ast.Tuple(elts=[ast.Name(n, ast.Store()) for n in state],
                                                ctx=ast.Store())],
                             value=ast.Name(vars_, ast.Load()))] if state else []
        set_name, set_fn = self._function("set_state", [vars_], state, setter)
        return [get_fn, set_fn], ast.Name(get_name, ast.Load()), ast.Name(set_name, ast.Load())

    @staticmethod
    def _names_tuple(state):
        return ast.Tuple(elts=[ast.Constant(n) for n in state], ctx=ast.Load())

    # ------------------------------------------------------------------ statements

    def _if(self, node, live):
        assigned = bound_names(node.body + node.orelse)
        state = [n for n in assigned if live(n)]
        body_name, body_fn = self._function("if_body", [], assigned, self.block(node.body, live))
        else_name, else_fn = self._function("else_body", [], assigned,
                                            self.block(node.orelse, live))
        defs, get_state, set_state = self._state_functions(state)
        call = ag_call("if_stmt", node.test, ast.Name(body_name, ast.Load()),
                       ast.Name(else_name, ast.Load()), get_state, set_state,
                       self._names_tuple(state))
        watch = _list_watch(node.body + node.orelse, assigned, live)
        if watch is not None:
            call.keywords = [ast.keyword(arg="list_watch", value=watch)]
        return [body_fn, else_fn] + defs + [ast.Expr(call)]

    def _loop_live(self, node, header_reads, live_after):
        """Liveness at the end of a loop body: the next test and iteration, or after."""
        def live(name):
            return name in header_reads or _scan(node.body, name) == "use" or live_after(name)
        return live

    def _while(self, node, live_after):
        assigned = bound_names(node.body)
        live = self._loop_live(node, reads(node.test), live_after)
        state = [n for n in assigned if live(n)]
        test_name, test_fn = self._function("loop_test", [], [], [ast.Return(node.test)])
        body_name, body_fn = self._function("loop_body", [], assigned, self.block(node.body, live))
        defs, get_state, set_state = self._state_functions(state)
        call = ag_call("while_stmt", ast.Name(test_name, ast.Load()),
                       ast.Name(body_name, ast.Load()), get_state, set_state,
                       self._names_tuple(state), _loop_opts({}, node.body, assigned, live_after))
        return [test_fn, body_fn] + defs + [ast.Expr(call)] + self.block(node.orelse, live_after)

    def _for(self, node, live_after):
        targets = bound_names([node.target])
        assigned = bound_names(node.body)
        extra = getattr(node, "ag_extra_tests", [])
        header = set().union(*(reads(t) for t in extra)) if extra else set()
        live = self._loop_live(node, header, live_after)
        # The iterate is set by each iteration, so it is not loop state (as in TensorFlow).
        state = [n for n in assigned if n not in targets and live(n)]
        itr = self.namer.new("itr")
        body = [ast.Assign(targets=[node.target], value=ast.Name(itr, ast.Load()))]
        body_name, body_fn = self._function("loop_body", [itr], targets + [
            n for n in assigned if n not in targets], body + self.block(node.body, live))
        defs = [body_fn]
        if extra:
            test = extra[0] if len(extra) == 1 else ag_call("and_", *[thunk(t) for t in extra])
            test_name, test_fn = self._function("extra_test", [], [], [ast.Return(test)])
            defs.append(test_fn)
            extra_arg = ast.Name(test_name, ast.Load())
        else:
            extra_arg = ast.Constant(None)
        state_defs, get_state, set_state = self._state_functions(state)
        opts = _loop_opts({"iterate_names": ast.Constant(", ".join(targets))}, node.body,
                          targets + assigned, live_after)
        call = ag_call("for_stmt", node.iter, extra_arg, ast.Name(body_name, ast.Load()),
                       get_state, set_state, self._names_tuple(state), opts)
        return defs + state_defs + [ast.Expr(call)] + self.block(node.orelse, live_after)


_LIST_GROWERS = frozenset(("append", "extend", "insert"))


def _appended_lists(body, assigned):
    """Names the body grows in place (``name.append(...)`` and the like) without rebinding
    them: a Python list there cannot collect one value per iteration of a TensorFlow loop (or
    a value of a TensorFlow branch), and the runtime checks them."""
    out = {}
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Attribute) and node.attr in _LIST_GROWERS and \
                    isinstance(node.value, ast.Name) and node.value.id not in assigned:
                out.setdefault(node.value.id)
    return list(out)


def _list_watch(body, assigned, live_after):
    """``{'name': lambda: name}`` for the lists the body grows that are read after the
    statement (as in TensorFlow, a list nobody reads afterwards is no error), or None."""
    watched = [n for n in _appended_lists(body, set(assigned)) if live_after(n)]
    if not watched:
        return None
    return ast.Dict(keys=[ast.Constant(n) for n in watched],
                    values=[thunk(ast.Name(n, ast.Load())) for n in watched])


def _loop_opts(entries, body, assigned, live_after):
    """The loop options dict (``list_watch``: see ``_list_watch``)."""
    watch = _list_watch(body, assigned, live_after)
    if watch is not None:
        entries["list_watch"] = watch
    return ast.Dict(keys=[ast.Constant(k) for k in entries], values=list(entries.values()))


def undefined_inits(names):
    """``x = ag__.Undefined('x')`` for each name."""
    return [ast.Assign(targets=[ast.Name(n, ast.Store())], value=ast.Call(
        func=ast.Attribute(value=ast.Name(AG, ast.Load()), attr="Undefined", ctx=ast.Load()),
        args=[ast.Constant(n)], keywords=[])) for n in names]
