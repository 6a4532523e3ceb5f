#!/usr/bin/python3
"""Lengths of the functions in C++ sources (lines from the signature to the
closing brace; lambdas count with the function that holds them).
`function_lengths.py --max N DIR...` lists the longest and exits 1 naming
every function longer than N lines."""
import os, re, sys


def strip(text):
    # comments, strings and character literals blanked, newlines kept
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif text.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i)
            out.append('""' + "\n" * text.count("\n", i, end))
            i = end + len(m.group(1)) + 2
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


SCOPE = re.compile(r"\b(namespace|class|struct|enum|union|extern)\b[^;{}()]*$")


def functions(path):
    text = strip(open(path, encoding="utf-8").read())
    stack, found, last_stmt = [], [], 0
    for i, c in enumerate(text):
        if c == "{":
            head = text[last_stmt:i]
            kind = "other"
            if not any(s == "function" for s, _, _ in stack):
                if SCOPE.search(head.strip()) or head.strip().endswith("="):
                    kind = "scope"
                elif ")" in head:
                    kind = "function"
            start = last_stmt + len(head) - len(head.lstrip())
            stack.append((kind, start, head.strip()))
            last_stmt = i + 1
        elif c == "}":
            if stack:
                kind, start, head = stack.pop()
                if kind == "function":
                    l0 = text.count("\n", 0, start) + 1
                    l1 = text.count("\n", 0, i) + 1
                    name = re.sub(r"\s+", " ", head.split("(")[0]).split(" ")[-1]
                    found.append((l1 - l0 + 1, name, path, l0))
            last_stmt = i + 1
        elif c == ";":
            last_stmt = i + 1
    return found


def main():
    args = sys.argv[1:]
    limit = int(args[args.index("--max") + 1]) if "--max" in args else None
    dirs = [a for k, a in enumerate(args) if a != "--max" and (k == 0 or args[k - 1] != "--max")]
    allf = []
    for d in dirs:
        for root, _, files in os.walk(d):
            for f in files:
                if f.endswith((".cpp", ".hpp")):
                    allf += functions(os.path.join(root, f))
    allf.sort(reverse=True)
    for n, name, path, line in allf[:8]:
        print(f"{n:5d} lines  {name}  {path}:{line}")
    if limit is None:
        return 0
    over = [f for f in allf if f[0] > limit]
    for n, name, path, line in over:
        print(f"FAIL {name} ({path}:{line}) is {n} lines, more than {limit}")
    print(("ok  " if not over else "FAIL"), f"{len(allf)} functions, the longest {allf[0][0]} lines (limit {limit})")
    return 1 if over else 0


sys.exit(main())
