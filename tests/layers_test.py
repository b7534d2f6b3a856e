#!/usr/bin/env python3
"""The layer map of lib/README.md holds in the built library.

usage: layers_test.py NM LIBDVC.a LIB-README.md

From `nm -A` over the static library's objects: which file defines and which
uses each global symbol. Fails on an object file not in the map, on a call
from a file into a file listed after it in the map (a later layer, or later
in the same layer), and on any cycle among files. Prints every offending
edge with the symbols that make it.
"""
import collections
import re
import subprocess
import sys


def layer_map(readme):
    order = []
    for line in open(readme, encoding="utf-8"):
        m = re.match(r"^\|\s*([a-z]+)\s*\|\s*([a-z_ ]+?)\s*\|", line)
        if m and m.group(1) not in ("layer",):
            for f in m.group(2).split():
                order.append((m.group(1), f))
    return order


def graph(nm, lib):
    out = subprocess.run([nm, "-A", lib], capture_output=True, text=True, check=True).stdout
    defs, uses = {}, collections.defaultdict(set)
    objs = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) != 3:
            continue
        obj = parts[0].split(":")[1]
        if not obj.endswith(".c.o") or obj.startswith("meson-generated"):
            continue
        name = obj[:-len(".c.o")]
        objs.add(name)
        kind, sym = parts[1], parts[2]
        if kind == "U":
            uses[name].add(sym)
        elif kind.isupper():
            defs[sym] = name
    edges = collections.defaultdict(lambda: collections.defaultdict(list))
    for f, syms in uses.items():
        for s in sorted(syms):
            d = defs.get(s)
            if d and d != f:
                edges[f][d].append(s)
    return objs, edges


def cycles(files, edges):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for f in sorted(files):
        if f not in index:
            visit(f)
    return out


def main():
    nm, lib, readme = sys.argv[1:4]
    order = layer_map(readme)
    if not order:
        print(f"no layer table in {readme}")
        return 1
    pos = {f: i for i, (_, f) in enumerate(order)}
    layer = dict((f, l) for l, f in order)
    objs, edges = graph(nm, lib)
    problems = 0
    for f in sorted(objs - set(pos)):
        print(f"lib/{f}.c is in no layer of lib/README.md")
        problems += 1
    # files built only with an optional dependency (sql_pg: libpq)
    optional = {"sql_pg"}
    for f in sorted(set(pos) - objs - optional):
        print(f"lib/README.md lists {f}, which the library does not build")
        problems += 1
    for f in sorted(edges):
        for d, syms in sorted(edges[f].items()):
            if f in pos and d in pos and pos[d] > pos[f]:
                print(f"{f} ({layer[f]}) calls {d} ({layer[d]}), listed after it: "
                      + ", ".join(syms[:8]) + (" ..." if len(syms) > 8 else ""))
                problems += 1
    for comp in cycles(objs, edges):
        print("cycle among " + " ".join(comp))
        for f in comp:
            for d in comp:
                if d in edges[f]:
                    print(f"    {f} -> {d}: " + ", ".join(edges[f][d][:6]))
        problems += 1
    n_edges = sum(len(v) for v in edges.values())
    # the checker itself: the same graph read against the map upside down
    # must show up-calls, or this test could not fail
    rpos = {f: len(order) - i for f, i in pos.items()}
    if not any(rpos.get(d, -1) > rpos.get(f, 1 << 30) for f in edges for d in edges[f]):
        print("self-check: the reversed map shows no up-call; the graph is empty or unread")
        problems += 1
    print(f"{len(objs)} files, {n_edges} calling pairs, {problems} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
